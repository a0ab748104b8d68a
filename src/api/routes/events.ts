import { Router } from 'express';
import { requireRole } from '../auth';
import type { ApiDeps } from '../deps';
import { EventsQuery } from '../queries';
import { parseQuery } from '../validate';

/** The raw log in global order, paged by opaque position: what auditors and replicas read. */
export function eventsRoutes({ store }: ApiDeps): Router {
  const router = Router();
  router.get('/events', requireRole('auditor', 'secretariat'), async (req, res) => {
    const q = parseQuery(EventsQuery, req);
    const page = await store.readAll({ after: q.after, maxCount: q.limit });
    const events = page.map((e) => ({ id: e.id, streamId: e.streamId, revision: e.revision, position: e.position, type: e.type, data: e.data, metadata: e.metadata }));
    res.json({ count: events.length, next: page.length === q.limit ? page.at(-1)!.position : null, events });
  });
  return router;
}
