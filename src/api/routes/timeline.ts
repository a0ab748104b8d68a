import { Router } from 'express';
import type { ApiDeps } from '../deps';
import { TimelineQuery, viewOf } from '../queries';
import { parseQuery } from '../validate';
import { sendExport, sourceColumns } from '../export-format';
import type { SourceCitation } from '../../domain/primitives';

export function timelineRoutes({ projection }: ApiDeps): Router {
  const router = Router();
  router.get('/timeline', (req, res) => {
    const { format, ...q } = parseQuery(TimelineQuery, req);
    const entries = projection.timeline({ ...q, ...viewOf(q) });
    if (format !== 'json') {
      const rows = entries.map((e) => ({
        decidedOn: e.decidedOn, precision: e.precision, positionId: e.positionId, type: e.type, revision: e.revision ?? '',
        statement: (e.data.statement as string | undefined) ?? '', themes: e.themes,
        ...sourceColumns(e.data.source as SourceCitation | undefined), recordedAt: e.recordedAt, recordedBy: e.recordedBy, eventId: e.eventId, corrections: e.corrections.length,
      }));
      sendExport(res, format, 'timeline', projection.version(), req.originalUrl, rows);
      return;
    }
    res.json({ ...q, count: entries.length, ledgerVersion: projection.version(), entries });
  });
  return router;
}
