import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { StoredEvent } from '../../store/event-store';
import { InvalidPositionError } from '../../store/event-store';
import type { ApiDeps } from '../deps';
import { LiveStreams } from '../live-streams';
import { mount, operation, problem } from '../operation';
import { ProblemError } from '../problem';

/** How long a client waits before reconnecting after the stream dropped (the `retry:` field). */
const RETRY_MS = 3000;

export const StreamQuery = z.strictObject({
  after: z.string().min(1).max(100).optional().meta({
    description:
      "global position to continue after (a page's `ledgerVersion.lastPosition`); the `Last-Event-ID` header wins when both are sent. The server also refuses (400) a position that is not one of this ledger.",
  }),
});

/** One `recorded` message: what was recorded, where, when and by whom. Never the request's metadata (idempotency keys, request hashes). */
export const RecordedNotice = z
  .object({
    eventId: z.string(),
    type: z.string().meta({ description: 'event type, e.g. PositionRevised' }),
    streamId: z.string(),
    revision: z.number().int().meta({ description: "the stream revision this event made: the position's new ETag" }),
    position: z.string().meta({ description: 'global position: the SSE `id`, to resume with Last-Event-ID' }),
    positionId: z.string().optional().meta({ description: 'the position this event is about, for position-… streams' }),
    recordedAt: z.string().optional(),
    recordedBy: z.string().optional(),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'RecordedNotice' });
export type RecordedNotice = z.infer<typeof RecordedNotice>;

export const followStream = operation({
  method: 'get',
  path: '/api/stream',
  summary: 'Live feed of newly recorded events (server-sent events), resumable with Last-Event-ID',
  description:
    'A `text/event-stream`. Each event recorded from now on (or after `Last-Event-ID` / `after`) arrives as `event: recorded` with `id:` its global position and `data:` a RecordedNotice (JSON). ' +
    'Comment lines (`: heartbeat`) keep the connection alive; `retry:` says how soon to reconnect. A reconnecting EventSource sends Last-Event-ID itself and misses nothing. ' +
    'Reads are public unless the server is configured otherwise.',
  readsStore: true,
  query: StreamQuery,
  headers: z.object({
    'last-event-id': z.string().min(1).max(100).optional().meta({
      description: 'the `id` of the last message received: continue after it. The server also refuses (400) a position that is not one of this ledger.',
    }),
  }),
  responses: {
    200: { description: "the event stream; each message's data is a RecordedNotice", content: { 'text/event-stream': { schema: RecordedNotice } } },
    503: problem('the server is stopping, or the event store cannot be read now'),
  },
});

/**
 * GET /api/stream: newly recorded events as server-sent events, each with its global position as
 * the SSE id. Without Last-Event-ID (or `after`) the feed starts at the ledger's current end; with
 * it, it first replays what came after, then follows live: the store's subscription gives both in
 * order with no gap. Each event is sent once the read model holds it, so a page that reloads on a
 * message shows the change. Comment lines keep idle connections (and proxies) alive.
 */
export function streamRoutes(deps: ApiDeps): Router {
  const router = Router();
  const streams = deps.streams ?? new LiveStreams(15_000);

  mount(router, '/api', followStream, async ({ query: q, headers }, req, res) => {
    const lastEventId = headers['last-event-id'];
    const field = lastEventId !== undefined ? 'Last-Event-ID' : 'after';
    const after = lastEventId ?? q.after ?? deps.projection.version().lastPosition ?? undefined;
    if (after !== undefined) await checkPosition(deps, after, field);
    if (streams.isClosed) throw new ProblemError(503, 'stopping', 'Service unavailable', 'the server is stopping; reconnect in a moment');
    follow(deps, streams, req, res, after);
  });

  return router;
}

async function checkPosition(deps: ApiDeps, after: string, field: string): Promise<void> {
  try {
    await deps.store.readAll({ after, maxCount: 1 });
  } catch (error) {
    if (error instanceof InvalidPositionError)
      throw new ProblemError(400, 'validation', 'Invalid request', `${field}: not a position of this ledger: ${JSON.stringify(after)}`, field);
    throw error;
  }
}

function follow(deps: ApiDeps, streams: LiveStreams, req: Request, res: Response, after: string | undefined): void {
  res.status(200).set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    // an event stream's connection is never reused: when the stream ends, so does the socket
    Connection: 'close',
    // reverse proxies (nginx) would otherwise hold messages back
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  res.write(`retry: ${RETRY_MS}\n\n`);

  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    forget();
    void subscription.close();
    res.end();
  };
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), streams.heartbeatMs);
  heartbeat.unref();
  const forget = streams.add(end);
  const subscription = deps.store.subscribeToAll({ after, onError: end }, async (event) => {
    if (ended) return;
    await deps.projection.waitFor(event.id);
    if (!ended) res.write(message(event));
  });
  res.on('close', end);
}

function message(event: StoredEvent): string {
  const metadata = event.metadata as { recordedAt?: unknown; recordedBy?: unknown };
  const notice: RecordedNotice = {
    eventId: event.id,
    type: event.type,
    streamId: event.streamId,
    revision: event.revision,
    position: event.position,
    ...(event.streamId.startsWith('position-') ? { positionId: event.streamId.slice('position-'.length) } : {}),
    ...(typeof metadata.recordedAt === 'string' ? { recordedAt: metadata.recordedAt } : {}),
    ...(typeof metadata.recordedBy === 'string' ? { recordedBy: metadata.recordedBy } : {}),
    data: event.data,
  };
  // JSON never contains a raw newline, so one data: line carries it whole
  return `id: ${event.position}\nevent: recorded\ndata: ${JSON.stringify(notice)}\n\n`;
}
