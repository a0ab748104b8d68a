import { Router } from 'express';
import { createReadStream, rmSync } from 'node:fs';
import { z } from 'zod';
import { AUDIT_LOG_SCAN, auditLog, UnknownCursorError } from '../../audit/audit-log';
import { Checkpoint, recordedCheckpoints } from '../../audit/checkpoint';
import { UnverifiedLedgerError } from '../../audit/record-checkpoint';
import type { ApiDeps } from '../deps';
import { json, mount, operation, problem } from '../operation';
import { ProblemError } from '../problem';
import { AuditLogQuery, AuditVerifyQuery, startOfInstant, toInstant } from '../queries';

const RecordedCheckpoint = z
  .object({ eventId: z.string(), streamId: z.string(), revision: z.number().int(), position: z.string(), hash: z.string().nullable(), checkpoint: Checkpoint })
  .meta({ id: 'RecordedCheckpoint' });
const nullable = <T extends z.ZodType>(t: T) => t.nullable();
const AuditedEventRef = {
  eventId: z.string(),
  type: z.string(),
  streamId: z.string(),
  revision: z.number().int(),
  recordedAt: nullable(z.string()),
  recordedBy: nullable(z.string()),
  decidedOn: nullable(z.string()),
};
const AuditLogEntry = z
  .object({
    ...AuditedEventRef,
    position: z.string(),
    hash: nullable(z.string()),
    corrects: z.object({ ...AuditedEventRef, data: z.record(z.string(), z.unknown()) }).optional(),
    correctedBy: z
      .array(
        z.object({
          eventId: z.string(),
          recordedAt: nullable(z.string()),
          recordedBy: nullable(z.string()),
          reason: nullable(z.string()),
          changes: z.record(z.string(), z.unknown()),
        }),
      )
      .optional(),
  })
  .meta({ id: 'AuditLogEntry' });
const VerifyReport = z
  .object({
    ok: z.boolean(),
    events: z.number().int(),
    streams: z.number().int(),
    hashesVerified: z.number().int(),
    checkpoints: z.number().int(),
    keptCheckpoints: z.number().int(),
    latestCheckpoint: z.object({ eventId: z.string(), rootHash: z.string(), eventCount: z.number().int(), recordedAt: z.string() }).nullable(),
    uncovered: z.number().int().meta({ description: 'events no checkpoint covers yet' }),
    projection: z.string(),
    problems: z.array(
      z
        .object({
          check: z.string(),
          problem: z.string(),
          eventId: z.string().optional(),
          streamId: z.string().optional(),
          revision: z.number().int().optional(),
          position: z.string().optional(),
        })
        .meta({ description: 'what is wrong, with the event it is about (eventId, streamId, revision, position)' }),
    ),
  })
  .meta({ id: 'VerifyReport' });

const auditor = ['auditor'] as const;
export const verifyLedger = operation({
  method: 'get',
  path: '/api/audit/verify',
  summary: 'Verify the whole ledger (auditor): every hash and chain, every checkpoint, the live read model against a rebuild from event one',
  roles: auditor,
  readsStore: true,
  query: AuditVerifyQuery,
  responses: {
    200: json(
      'the report: ok, counts, and each problem with the event it is about (eventId, streamId, revision, position), the check and what is wrong',
      VerifyReport,
    ),
  },
});
export const auditLogPage = operation({
  method: 'get',
  path: '/api/audit/log',
  summary: 'Who recorded what and when (auditor), in recording order, with corrections beside the event they correct',
  description:
    `A page reads the ledger from the cursor, never all of it: at most ${AUDIT_LOG_SCAN.toLocaleString('en')} events. ` +
    'With a filter that few events match, a page can hold fewer entries than `limit`, even none, and still have a `next`: ' +
    'follow `next` until it is null, which is the end of the ledger.',
  roles: auditor,
  readsStore: true,
  query: AuditLogQuery,
  responses: {
    200: json(
      'a page of entries and `next`, the position to continue after (null at the end of the ledger)',
      z.object({ count: z.number().int(), next: z.string().nullable(), entries: z.array(AuditLogEntry) }),
    ),
  },
});
export const listCheckpoints = operation({
  method: 'get',
  path: '/api/audit/checkpoints',
  summary: 'Every checkpoint recorded in the ledger (auditor)',
  roles: auditor,
  readsStore: true,
  responses: { 200: json('checkpoints', z.object({ count: z.number().int(), checkpoints: z.array(RecordedCheckpoint) })) },
});
export const recordCheckpointNow = operation({
  method: 'post',
  path: '/api/audit/checkpoints',
  roles: ['auditor', 'secretariat'],
  body: 'empty',
  summary:
    'Record a checkpoint now (auditor or secretariat): keep its rootHash. Idempotent: when nothing was recorded since the latest checkpoint, that one is returned (200) and nothing is recorded. No query, and no body (or an empty JSON object)',
  responses: {
    201: json('the checkpoint recorded', RecordedCheckpoint),
    200: json('nothing recorded since the latest checkpoint: that checkpoint', RecordedCheckpoint),
    409: problem('the ledger does not verify: no checkpoint vouches for it'),
  },
});
export const exportLedger = operation({
  method: 'get',
  path: '/api/audit/export',
  roles: auditor,
  readsStore: true,
  summary:
    "The ledger as NDJSON (auditor), up to its latest checkpoint: one event per line in global order, then that checkpoint; prove it offline with `ledger verify --file`. A GET records nothing: POST /api/audit/checkpoints first for an export of everything (header Ledger-Events-After-Export counts the events recorded after the export's checkpoint)",
  responses: {
    200: {
      description: 'the export',
      headers: {
        'Ledger-Events-After-Export': {
          description: 'events recorded after the export’s checkpoint',
          required: true,
          schema: { type: 'string', pattern: '^\\d+$' },
        },
      },
      content: { 'application/x-ndjson': { schema: z.string() } },
    },
    409: problem('no checkpoint recorded yet'),
  },
});

/** The auditors' endpoints: verification against the live read model, the audit log, checkpoints, the export. */
export function auditRoutes({ store, audits }: ApiDeps): Router {
  const router = Router();

  mount(router, '/api', verifyLedger, async ({ query: q }, req, res) => {
    const roots = q.checkpoint === undefined ? [] : Array.isArray(q.checkpoint) ? q.checkpoint : [q.checkpoint];
    res.json(await audits.verify(req.principal!.id, roots));
  });

  mount(router, '/api', auditLogPage, async ({ query: q }, _req, res) => {
    const from = q.from === undefined ? undefined : startOfInstant(q.from);
    try {
      const page = await auditLog(store, {
        recordedBy: q.recordedBy,
        name: q.name,
        from,
        to: q.to === undefined ? undefined : toInstant(q.to),
        after: q.after,
        limit: q.limit,
      });
      res.json({ count: page.entries.length, next: page.next, entries: page.entries });
    } catch (error) {
      if (error instanceof UnknownCursorError) throw new ProblemError(400, 'validation', 'Invalid request', `query after: ${error.message}`, 'after');
      throw error;
    }
  });

  mount(router, '/api', listCheckpoints, async (_input, _req, res) => {
    const checkpoints = await recordedCheckpoints(store);
    res.json({ count: checkpoints.length, checkpoints });
  });

  mount(router, '/api', recordCheckpointNow, async (_input, req, res) => {
    try {
      // idempotent: a ledger unchanged since its latest checkpoint gets that checkpoint back (200), not a new one
      const { recorded, checkpoint } = await audits.checkpoint(req.principal!.id, req.principal!);
      res.status(recorded ? 201 : 200).json(checkpoint);
    } catch (error) {
      if (error instanceof UnverifiedLedgerError)
        throw new ProblemError(409, 'ledger-does-not-verify', 'Conflict', `${error.message}; see GET /api/audit/verify`);
      throw error;
    }
  });

  // A GET never writes: the export ends at the latest checkpoint recorded (POST /api/audit/checkpoints first to cover everything).
  mount(router, '/api', exportLedger, async (_input, req, res) => {
    const made = await audits.export(req.principal!.id);
    if (!made)
      throw new ProblemError(
        409,
        'no-checkpoint',
        'Conflict',
        'no checkpoint is recorded yet, and an export ends with one: record one with POST /api/audit/checkpoints, then export',
      );
    try {
      res.type('application/x-ndjson').set('Content-Disposition', 'attachment; filename="ledger-export.ndjson"');
      res.set('Ledger-Events-After-Export', String(made.later)).set('Content-Length', String(made.bytes));
      // sent as it is read; the file is removed once the response is closed, whether it ended or the client went away
      await new Promise<void>((resolve) => {
        const body = createReadStream(made.path);
        body.on('error', () => res.destroy());
        res.on('close', () => {
          body.destroy();
          resolve();
        });
        body.pipe(res);
      });
    } finally {
      rmSync(made.path, { force: true });
    }
  });

  return router;
}
