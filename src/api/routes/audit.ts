import { Router } from 'express';
import { z } from 'zod';
import { auditLog, UnknownCursorError } from '../../audit/audit-log';
import { asRecordedCheckpoint, Checkpoint, checkpointEvents } from '../../audit/checkpoint';
import { exportToLatestCheckpoint } from '../../audit/export-ledger';
import { readWholeLedger } from '../../audit/read-ledger';
import { recordCheckpoint, UnverifiedLedgerError } from '../../audit/record-checkpoint';
import { verifyAgainstLive } from '../../audit/verify-live';
import { requireRole } from '../auth';
import type { ApiDeps } from '../deps';
import { describeRoute } from '../openapi';
import { Problem, ProblemError } from '../problem';
import { AuditLogQuery, AuditVerifyQuery, startOfInstant, toInstant } from '../queries';
import { emptyBody, noQuery, parseQuery } from '../validate';

/** The auditors' endpoints: verification against the live read model, the audit log, checkpoints, the export. */
export function auditRoutes({ store, projection, storage }: ApiDeps): Router {
  const router = Router();

  router.get('/audit/verify', requireRole('auditor'), async (req, res) => {
    const q = parseQuery(AuditVerifyQuery, req);
    const roots = q.checkpoint === undefined ? [] : Array.isArray(q.checkpoint) ? q.checkpoint : [q.checkpoint];
    res.json(await verifyAgainstLive(store, projection, roots));
  });

  router.get('/audit/log', requireRole('auditor'), async (req, res) => {
    const q = parseQuery(AuditLogQuery, req);
    const from = q.from === undefined ? undefined : startOfInstant(q.from);
    try {
      const page = auditLog(await readWholeLedger(store), { recordedBy: q.recordedBy, name: q.name, from, to: q.to === undefined ? undefined : toInstant(q.to), after: q.after, limit: q.limit });
      res.json({ count: page.entries.length, next: page.next, entries: page.entries });
    } catch (error) {
      if (error instanceof UnknownCursorError) throw new ProblemError(400, 'validation', 'Invalid request', `query after: ${error.message}`, 'after');
      throw error;
    }
  });

  router.get('/audit/checkpoints', requireRole('auditor'), noQuery, async (_req, res) => {
    const checkpoints = checkpointEvents(await readWholeLedger(store)).map(asRecordedCheckpoint).filter((c) => c !== undefined);
    res.json({ count: checkpoints.length, checkpoints });
  });

  router.post('/audit/checkpoints', requireRole('auditor', 'secretariat'), noQuery, async (req, res) => {
    emptyBody(req);
    try {
      // idempotent: a ledger unchanged since its latest checkpoint gets that checkpoint back (200), not a new one
      const { recorded, checkpoint } = await storage.observe(() => recordCheckpoint(store, { actor: req.principal!, onlyIfChanged: true }));
      res.status(recorded ? 201 : 200).json(checkpoint);
    } catch (error) {
      if (error instanceof UnverifiedLedgerError) throw new ProblemError(409, 'ledger-does-not-verify', 'Conflict', `${error.message}; see GET /api/audit/verify`);
      throw error;
    }
  });

  // A GET never writes: the export ends at the latest checkpoint recorded (POST /api/audit/checkpoints first to cover everything).
  router.get('/audit/export', requireRole('auditor'), noQuery, async (_req, res) => {
    const made = exportToLatestCheckpoint(await readWholeLedger(store));
    if (!made) throw new ProblemError(409, 'no-checkpoint', 'Conflict', 'no checkpoint is recorded yet, and an export ends with one: record one with POST /api/audit/checkpoints, then export');
    res.type('application/x-ndjson').set('Content-Disposition', 'attachment; filename="ledger-export.ndjson"');
    res.set('Ledger-Events-After-Export', String(made.later));
    res.send(made.text);
  });

  return router;
}

const secured = [{ bearer: [] }];
const problems = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [String(c), { description: { 400: 'malformed request: the problem names the field', 401: 'missing or invalid bearer token', 403: 'the token’s role may not do this', 409: 'the ledger does not verify: no checkpoint vouches for it' }[c] ?? 'error', content: { 'application/problem+json': { schema: Problem } } }]));
const RecordedCheckpoint = z
  .object({ eventId: z.string(), streamId: z.string(), revision: z.number().int(), position: z.string(), hash: z.string().nullable(), checkpoint: Checkpoint })
  .meta({ id: 'RecordedCheckpoint' });

describeRoute({
  method: 'get', path: '/api/audit/verify', summary: 'Verify the whole ledger (auditor): every hash and chain, every checkpoint, the live read model against a rebuild from event one', security: secured,
  request: { query: AuditVerifyQuery },
  responses: { 200: { description: 'the report: ok, counts, and each problem with the event it is about (eventId, streamId, revision, position), the check and what is wrong' }, ...problems(400, 401, 403) },
});
describeRoute({
  method: 'get', path: '/api/audit/log', summary: 'Who recorded what and when (auditor), in recording order, with corrections beside the event they correct', security: secured,
  request: { query: AuditLogQuery },
  responses: { 200: { description: 'a page of entries and `next`, the position to continue after' }, ...problems(400, 401, 403) },
});
describeRoute({
  method: 'get', path: '/api/audit/checkpoints', summary: 'Every checkpoint recorded in the ledger (auditor)', security: secured,
  responses: { 200: { description: 'checkpoints', content: { 'application/json': { schema: z.object({ count: z.number(), checkpoints: z.array(RecordedCheckpoint) }) } } }, ...problems(401, 403) },
});
describeRoute({
  method: 'post', path: '/api/audit/checkpoints', summary: 'Record a checkpoint now (auditor or secretariat): keep its rootHash. Idempotent: when nothing was recorded since the latest checkpoint, that one is returned (200) and nothing is recorded. No query, and no body (or an empty JSON object)', security: secured,
  responses: { 201: { description: 'the checkpoint recorded', content: { 'application/json': { schema: RecordedCheckpoint } } }, 200: { description: 'nothing recorded since the latest checkpoint: that checkpoint', content: { 'application/json': { schema: RecordedCheckpoint } } }, ...problems(400, 401, 403, 409) },
});
describeRoute({
  method: 'get', path: '/api/audit/export', summary: 'The ledger as NDJSON (auditor), up to its latest checkpoint: one event per line in global order, then that checkpoint; prove it offline with `ledger verify --file`. A GET records nothing: POST /api/audit/checkpoints first for an export of everything (header Ledger-Events-After-Export counts the events recorded after the export\'s checkpoint)', security: secured,
  responses: { 200: { description: 'the export', content: { 'application/x-ndjson': { schema: z.string() } } }, ...problems(401, 403), 409: { description: 'no checkpoint recorded yet', content: { 'application/problem+json': { schema: Problem } } } },
});
