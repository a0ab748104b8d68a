import { Router } from 'express';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { json, mount, operation } from '../operation';
import { EventsQuery } from '../queries';

export const StoredEventView = z
  .object({
    id: z.string(),
    streamId: z.string(),
    revision: z.number().int(),
    position: z.string(),
    type: z.string(),
    data: z.record(z.string(), z.unknown()),
    metadata: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'StoredEvent' });

export const listEvents = operation({
  method: 'get',
  path: '/api/events',
  summary: 'The raw event log in global order (auditor or secretariat)',
  roles: ['auditor', 'secretariat'],
  readsStore: true,
  query: EventsQuery,
  responses: {
    200: json(
      'a page of events and `next`, the position to continue after (null on the last page)',
      z.object({ count: z.number().int(), next: z.string().nullable(), events: z.array(StoredEventView) }),
    ),
  },
});

/** The raw log in global order, paged by opaque position: what auditors and replicas read. */
export function eventsRoutes({ store }: ApiDeps): Router {
  const router = Router();
  mount(router, '/api', listEvents, async ({ query: q }, _req, res) => {
    const page = await store.readAll({ after: q.after, maxCount: q.limit });
    const events = page.map((e) => ({
      id: e.id,
      streamId: e.streamId,
      revision: e.revision,
      position: e.position,
      type: e.type,
      data: e.data,
      metadata: e.metadata,
    }));
    res.json({ count: events.length, next: page.length === q.limit ? page.at(-1)!.position : null, events });
  });
  return router;
}
