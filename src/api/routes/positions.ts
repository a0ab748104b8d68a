import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import {
  AddPositionBody,
  CorrectRecordBody,
  EndorsePositionBody,
  RevisePositionBody,
  WithdrawPositionBody,
  type PositionCommand,
} from '../../domain/commands';
import { errors } from '../../domain/errors';
import { Slug } from '../../domain/primitives';
import { positionIdOfStream } from '../../domain/stream-names';
import type { Recorded } from '../../command-handling/ledger';
import type { ReadModel } from '../../projections/read-model';
import type { ApiDeps } from '../deps';
import { requireRole } from '../auth';
import { ProblemError, validationProblem } from '../problem';
import { DiffQuery, PositionsQuery, ViewQuery, viewOf } from '../queries';
import { versionOfView } from '../ledger-version';
import { pageOrProblem } from '../paging';
import { positionDiff } from '../position-diff';
import { record } from '../record';
import { mapPages, pagesOf, sendExport, sourceColumns } from '../export-format';
import type { Stance } from '../../projections/stance';
import { etag, ifMatchRevision, parseBody, parseQuery } from '../validate';

export function positionsRoutes(deps: ApiDeps): Router {
  const { projection: readModel } = deps;
  const router = Router();
  const write = requireRole('secretariat');

  router.get('/positions', async (req, res) => {
    const q = parseQuery(PositionsQuery, req);
    const { format, limit, cursor, ...filter } = q;
    const ledgerVersion = versionOfView(readModel, q.version);
    const query = { ...filter, ...viewOf(q) };
    if (format !== 'json') {
      const toRow = (s: Stance) => ({
        id: s.id, title: s.title, statement: s.statement, themes: s.themes, addressees: s.addressees, status: s.status,
        revision: s.revision, decidedOn: s.decidedOn, addedOn: s.addedOn,
        ...sourceColumns(s.source),
        lastEndorsedRevision: s.lastEndorsed?.revision ?? '', endorsedBy: s.latestEndorsement?.endorsedBy ?? '',
        withdrawnOn: s.withdrawal?.decidedOn ?? '', asOf: q.asOf ?? '', recordedAsOf: q.recordedAsOf ?? '',
      });
      await sendExport(res, format, 'positions', ledgerVersion, req.originalUrl, mapPages(pagesOf((page) => readModel.positionPage(query, page)), toRow));
      return;
    }
    const page = pageOrProblem(() => readModel.positionPage(query, { limit, cursor }));
    res.json({ count: page.items.length, total: page.total, totalCapped: page.totalCapped, next: page.next, ...viewOf(q), ledgerVersion, positions: page.items });
  });

  router.get('/positions/:id', (req, res) => {
    const id = positionId(req);
    const view = viewOf(parseQuery(ViewQuery, req));
    versionOfView(readModel, view.version);
    const stance = readModel.position(id, view);
    if (!stance) throw notFound(id, view);
    const current = readModel.position(id)!;
    res.set('ETag', etag(current.streamRevision)).json({ ...stance, relatedFrom: readModel.relatedFrom(id, view) });
  });

  router.get('/positions/:id/timeline', (req, res) => {
    const id = positionId(req);
    const view = viewOf(parseQuery(ViewQuery, req));
    versionOfView(readModel, view.version);
    const timeline = readModel.positionTimeline(id, view);
    if (!timeline) throw notFound(id, { version: view.version });
    res.json({ positionId: id, ...view, entries: timeline });
  });

  router.get('/positions/:id/diff', (req, res) => {
    res.json(positionDiff(readModel, positionId(req), parseQuery(DiffQuery, req)));
  });

  router.post('/positions', write, async (req, res) => {
    const data = parseBody(AddPositionBody, req);
    respond(res, readModel, await record(deps, req, { type: 'AddPosition', data }), 201);
  });

  const change = <S extends z.ZodType>(path: string, schema: S, type: PositionCommand['type'], ifMatchRequired: boolean) =>
    router.post(`/positions/:id/${path}`, write, async (req, res) => {
      const id = positionId(req);
      const data = parseBody(schema, req);
      const expected = ifMatchRevision(req, ifMatchRequired);
      respond(res, readModel, await record(deps, req, { type, positionId: id, data } as PositionCommand, expected), 201);
    });
  change('revisions', RevisePositionBody, 'RevisePosition', true);
  change('endorsements', EndorsePositionBody, 'EndorsePosition', false);
  change('withdrawal', WithdrawPositionBody, 'WithdrawPosition', false);
  change('corrections', CorrectRecordBody, 'CorrectRecord', true);

  return router;
}

/** Answers with the stance as the read model has it now: record() waited until it has the new events. */
function respond(res: Response, readModel: ReadModel, recorded: Recorded, status: number): void {
  const stance = readModel.position(positionIdOfStream(recorded.streamId)!)!;
  res
    .status(status)
    .set('Location', `/api/positions/${stance.id}`)
    .set('ETag', etag(stance.streamRevision))
    .set('Ledger-Event-Ids', recorded.events.map((e) => e.eventId).join(', '));
  if (recorded.replayed) res.set('Idempotent-Replayed', 'true');
  res.json(stance);
}

export function positionId(req: Request): string {
  const parsed = Slug.safeParse(req.params.id);
  if (!parsed.success) throw validationProblem(parsed.error, 'path', 'id');
  return parsed.data;
}

function notFound(id: string, view: { asOf?: string; recordedAsOf?: string; version?: number }): ProblemError {
  const at = [view.asOf && `as of ${view.asOf}`, view.recordedAsOf && `as recorded by ${view.recordedAsOf}`, view.version !== undefined && `at ledger version ${view.version}`].filter(Boolean).join(', ');
  const e = errors.positionNotFound(id);
  return new ProblemError(404, e.code, 'Not found', at ? `${e.message} ${at}` : e.message);
}
