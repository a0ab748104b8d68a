import { Router } from 'express';
import type { ApiDeps } from '../deps';
import { TimelineQuery, viewOf } from '../queries';
import { pageOrProblem } from '../paging';
import { versionOfView } from '../ledger-version';
import { mount, operation, problem } from '../operation';
import { listOrExport, listPage } from '../response-schemas';
import { TimelineEntry } from '../../projections/timeline';
import { mapPages, pagesOf, sendExport, sourceColumns } from '../export-format';
import type { SourceCitation } from '../../domain/primitives';

export const listTimeline = operation({
  method: 'get',
  path: '/api/timeline',
  summary: 'Every decision of the ledger in business order; filtered, searched and paged',
  query: TimelineQuery,
  responses: {
    200: listOrExport('a page of decisions in business order', listPage('entries', TimelineEntry)),
    404: problem('a `version` the ledger has not reached'),
  },
});

export function timelineRoutes({ projection }: ApiDeps): Router {
  const router = Router();
  mount(router, '/api', listTimeline, async ({ query: parsed }, req, res) => {
    const { format, limit, cursor, ...q } = parsed;
    const ledgerVersion = versionOfView(projection, q.version);
    const query = { ...q, ...viewOf(q) };
    if (format !== 'json') {
      const toRow = (e: TimelineEntry) => ({
        decidedOn: e.decidedOn,
        precision: e.precision,
        positionId: e.positionId,
        type: e.type,
        revision: e.revision ?? '',
        title: (e.data.title as string | undefined) ?? '',
        statement: (e.data.statement as string | undefined) ?? '',
        // an endorsement carries no text: who endorsed it and on what reference is its content
        endorsedBy: (e.data.endorsedBy as string | undefined) ?? '',
        reference: (e.data.reference as string | undefined) ?? '',
        themes: e.themes,
        ...sourceColumns(e.data.source as SourceCitation | undefined),
        recordedAt: e.recordedAt,
        recordedBy: e.recordedBy,
        eventId: e.eventId,
        corrections: e.corrections.length,
      });
      await sendExport(
        res,
        format,
        'timeline',
        ledgerVersion,
        req.originalUrl,
        mapPages(
          pagesOf((page) => projection.timelinePage(query, page)),
          toRow,
        ),
      );
      return;
    }
    const page = pageOrProblem(() => projection.timelinePage(query, { limit, cursor }));
    res.json({ ...q, count: page.items.length, total: page.total, totalCapped: page.totalCapped, next: page.next, ledgerVersion, entries: page.items });
  });
  return router;
}
