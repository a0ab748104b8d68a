import { Router } from 'express';
import type { ApiDeps } from '../deps';
import { TimelineQuery, viewOf } from '../queries';
import { parseQuery } from '../validate';

export function timelineRoutes({ projection }: ApiDeps): Router {
  const router = Router();
  router.get('/timeline', (req, res) => {
    const q = parseQuery(TimelineQuery, req);
    const filter = { ...q, ...viewOf(q) };
    const entries = projection.timeline(filter);
    res.json({ ...q, count: entries.length, ledgerVersion: projection.version(), entries });
  });
  return router;
}
