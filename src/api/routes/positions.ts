import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { AddPositionBody, CorrectRecordBody, EndorsePositionBody, RevisePositionBody, WithdrawPositionBody, type PositionCommand } from '../../domain/commands';
import { positionIdOfStream } from '../../domain/stream-names';
import type { Recorded } from '../../command-handling/ledger';
import type { ReadModel } from '../../projections/read-model';
import { PositionView, Stance } from '../../projections/stance';
import { TimelineEntry } from '../../projections/timeline';
import type { ApiDeps } from '../deps';
import { json, mount, operation, problem } from '../operation';
import { DiffQuery, PositionsQuery, ViewQuery, viewOf } from '../queries';
import { versionOfView } from '../ledger-version';
import { pageOrProblem } from '../paging';
import { PositionDiff, positionDiff } from '../position-diff';
import { record } from '../record';
import { positionNotFound } from '../position-not-found';
import { mapPages, pagesOf, sendExport, sourceColumns } from '../export-format';
import { etagHeader, IfMatchOptional, IfMatchRequired, listOrExport, listPage, PositionParams, recordedHeaders, WriteHeaders } from '../response-schemas';
import { etag, ifMatchRevision, parseParams } from '../validate';

const notFoundAt = (what: string) => problem(`no such position${what}, or a \`version\` the ledger has not reached`);

export const listPositions = operation({
  method: 'get',
  path: '/api/positions',
  summary: 'Positions, current or as of a business date and/or a recording instant; searched, filtered and paged',
  query: PositionsQuery,
  responses: { 200: listOrExport('a page of stances', listPage('positions', Stance)), 404: problem('a `version` the ledger has not reached') },
});
export const getPosition = operation({
  method: 'get',
  path: '/api/positions/{id}',
  summary: 'One position’s stance; ETag is its stream revision',
  params: PositionParams,
  query: ViewQuery,
  responses: { 200: json('the stance, with the positions that relate to it', PositionView, etagHeader), 404: notFoundAt(' (at that date)') },
});
export const getPositionTimeline = operation({
  method: 'get',
  path: '/api/positions/{id}/timeline',
  summary: 'The position’s decisions in business order, with corrections beside them',
  params: PositionParams,
  query: ViewQuery,
  responses: {
    200: json(
      'timeline',
      z.object({
        positionId: z.string(),
        asOf: z.string().optional(),
        recordedAsOf: z.string().optional(),
        version: z.number().int().optional(),
        entries: z.array(TimelineEntry),
      }),
    ),
    404: notFoundAt(''),
  },
});
export const getPositionDiff = operation({
  method: 'get',
  path: '/api/positions/{id}/diff',
  summary: 'How the text changed between two business dates (word diff)',
  params: PositionParams,
  query: DiffQuery,
  responses: { 200: json('from, to, and word-level changes of statement and title', PositionDiff), 404: notFoundAt(' at `to`, or not yet added at `from`') },
});

const recorded = (what: string) =>
  json(`recorded ${what}: the stance now (Ledger-Event-Ids: the events recorded)`, Stance, {
    ...recordedHeaders,
    'Ledger-Event-Ids': { description: 'ids of the events recorded, comma-separated', required: true, schema: { type: 'string' } },
  });
const write = { method: 'post', roles: ['secretariat'] } as const;
export const addPosition = operation({
  ...write,
  path: '/api/positions',
  summary: 'Add a position (secretariat)',
  headers: WriteHeaders,
  body: AddPositionBody,
  responses: {
    201: recorded('the addition'),
    409: problem('a position with this id exists'),
    422: problem(
      'a rule of the ledger is broken (e.g. a date before the history starts or after today, an unregistered document, a quote not in it), or the Idempotency-Key was used for another request',
    ),
  },
});
const change = (
  path: string,
  summary: string,
  body: z.ZodType,
  headers: typeof IfMatchRequired | typeof IfMatchOptional,
  extra: Record<number, ReturnType<typeof problem>>,
) =>
  operation({
    ...write,
    path: `/api/positions/{id}/${path}`,
    summary,
    params: PositionParams,
    headers,
    body,
    responses: {
      201: recorded(path),
      404: problem('no such position'),
      412: problem('If-Match is stale: someone recorded a change first'),
      422: problem('a rule of the ledger is broken, or the Idempotency-Key was used for another request'),
      ...extra,
    },
  });
const required428 = { 428: problem('If-Match is required') };
const alreadyDone = { 409: problem('already done, or the position changed while this was recorded') };
const concurrent = { 409: problem('the position changed while this was recorded; try again') };
export const revisePosition = change('revisions', 'Revise a position (secretariat; If-Match required)', RevisePositionBody, IfMatchRequired, {
  ...required428,
  ...concurrent,
});
export const endorsePosition = change('endorsements', 'Record an endorsement of a revision (secretariat)', EndorsePositionBody, IfMatchOptional, alreadyDone);
export const withdrawPosition = change('withdrawal', 'Withdraw a position (secretariat)', WithdrawPositionBody, IfMatchOptional, alreadyDone);
export const correctRecord = change(
  'corrections',
  'Correct a recording mistake in an earlier event (secretariat; If-Match required)',
  CorrectRecordBody,
  IfMatchRequired,
  { ...required428, ...concurrent },
);

export function positionsRoutes(deps: ApiDeps): Router {
  const { projection: readModel } = deps;
  const router = Router();

  mount(router, '/api', listPositions, async ({ query: q }, req, res) => {
    const { format, limit, cursor, ...filter } = q;
    const ledgerVersion = versionOfView(readModel, q.version);
    const query = { ...filter, ...viewOf(q) };
    if (format !== 'json') {
      const toRow = (s: Stance) => ({
        id: s.id,
        title: s.title,
        statement: s.statement,
        themes: s.themes,
        addressees: s.addressees,
        status: s.status,
        revision: s.revision,
        decidedOn: s.decidedOn,
        addedOn: s.addedOn,
        ...sourceColumns(s.source),
        lastEndorsedRevision: s.lastEndorsed?.revision ?? '',
        endorsedBy: s.latestEndorsement?.endorsedBy ?? '',
        withdrawnOn: s.withdrawal?.decidedOn ?? '',
        asOf: q.asOf ?? '',
        recordedAsOf: q.recordedAsOf ?? '',
      });
      await sendExport(
        res,
        format,
        'positions',
        ledgerVersion,
        req.originalUrl,
        mapPages(
          pagesOf((page) => readModel.positionPage(query, page)),
          toRow,
        ),
      );
      return;
    }
    const page = pageOrProblem(() => readModel.positionPage(query, { limit, cursor }));
    res.json({
      count: page.items.length,
      total: page.total,
      totalCapped: page.totalCapped,
      next: page.next,
      ...viewOf(q),
      ledgerVersion,
      positions: page.items,
    });
  });

  mount(router, '/api', getPosition, ({ params: { id }, query }, _req, res) => {
    const view = viewOf(query);
    versionOfView(readModel, view.version);
    const stance = readModel.position(id, view);
    if (!stance) throw positionNotFound(readModel, id, view);
    // the ETag is the current revision, whatever view was asked (read once when the view is the current one)
    const now = view.asOf === undefined && view.recordedAsOf === undefined && view.version === undefined;
    const current = now ? stance : readModel.position(id)!;
    res.set('ETag', etag(current.streamRevision)).json({ ...stance, relatedFrom: readModel.relatedFrom(id, view) });
  });

  mount(router, '/api', getPositionTimeline, ({ params: { id }, query }, _req, res) => {
    const view = viewOf(query);
    versionOfView(readModel, view.version);
    const timeline = readModel.positionTimeline(id, view);
    if (!timeline) throw positionNotFound(readModel, id, { recordedAsOf: view.recordedAsOf, version: view.version });
    res.json({ positionId: id, ...view, entries: timeline });
  });

  mount(router, '/api', getPositionDiff, ({ params: { id }, query }, _req, res) => {
    res.json(positionDiff(readModel, id, query));
  });

  mount(router, '/api', addPosition, async ({ body: data }, req, res) => {
    respond(res, readModel, await record(deps, req, { type: 'AddPosition', data }), 201);
  });

  const changeRoute = (op: typeof revisePosition, type: PositionCommand['type']) =>
    mount(router, '/api', op, async ({ params: { id }, body: data, headers }, req, res) => {
      const expected = ifMatchRevision(headers['if-match']);
      respond(res, readModel, await record(deps, req, { type, positionId: id, data } as PositionCommand, expected), 201);
    });
  changeRoute(revisePosition, 'RevisePosition');
  changeRoute(endorsePosition, 'EndorsePosition');
  changeRoute(withdrawPosition, 'WithdrawPosition');
  changeRoute(correctRecord, 'CorrectRecord');

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

/** A position's id from the path, as the API's routes read it (the pages use it too). */
export function positionId(req: Request): string {
  return parseParams(PositionParams, req).id;
}
