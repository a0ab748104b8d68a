import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { composeLedger, type LedgerApp } from '../../src/app/compose';
import { loadConfig } from '../../src/app/config';
import { verifyExport } from '../../src/audit/export-file';
import type { Schedule } from '../../src/audit/periodic-checkpoints';
import type { EventStore } from '../../src/store/event-store';
import { addBody } from '../support/builders';

const SECRETARIAT = 'secretariat-token-audit';
const AUDITOR = 'auditor-token-audit';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/**
 * The auditors' endpoints, end to end over a real store. Written once and run against every store
 * adapter: `auditSuite('sqlite', …)` in audit.sqlite.test.ts; a KurrentDB run passes its own openStore.
 * Streams are prefixed per test, so a store shared between tests is fine.
 */
export function auditSuite(name: string, openStore: () => Promise<EventStore>): void {
  describe(`auditor API on ${name}`, () => {
    let ledger: LedgerApp;
    let prefix: string;
    let tasks: (() => Promise<void>)[];
    let cancelled: number;
    const pid = (s: string) => `${prefix}-${s}`;
    const schedule: Schedule = (_ms, task) => {
      tasks.push(task);
      return () => {
        cancelled += 1;
      };
    };

    const exportDir = mkdtempSync(join(tmpdir(), 'ledger-export-files-'));
    beforeEach(async () => {
      tasks = [];
      cancelled = 0;
      const config = loadConfig({
        LEDGER_TOKENS: `secretariat:${SECRETARIAT},auditor:${AUDITOR}`,
        LEDGER_SEED_ON_START: 'false',
        LEDGER_RATE_LIMIT_PER_MINUTE: '0',
        LEDGER_CHECKPOINT_INTERVAL_MINUTES: '60',
      });
      ledger = await composeLedger(config, { store: await openStore(), schedule, exportDir });
      prefix = `a${Math.random().toString(36).slice(2, 8)}`;
      await post('/api/documents', {
        id: pid('rec'),
        title: 'Political recommendations',
        publisher: 'EUROCITIES',
        issuedOn: '1999-10/2007-03-01',
        language: 'en',
      });
      await add('eu-4');
    });
    afterEach(async () => ledger.close());

    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      request(ledger.app)
        .post(path)
        .set(bearer(SECRETARIAT))
        .set(headers)
        .send(body as object);
    const add = (id: string) => post('/api/positions', addBody({ id: pid(id), source: { documentId: pid('rec'), locator: 'item 4' } }));
    const audit = (path: string) => request(ledger.app).get(path).set(bearer(AUDITOR));

    it('GET /api/audit/verify is for auditors only', async () => {
      expect((await request(ledger.app).get('/api/audit/verify')).status).toBe(401);
      expect((await request(ledger.app).get('/api/audit/verify').set(bearer(SECRETARIAT))).status).toBe(403);
      expect((await request(ledger.app).get('/api/audit/log').set(bearer(SECRETARIAT))).status).toBe(403);
      expect((await request(ledger.app).get('/api/audit/export')).status).toBe(401);
    });

    it('GET /api/audit/verify: a clean ledger verifies clean, the live read model compared with a rebuild', async () => {
      const res = await audit('/api/audit/verify');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ok: true, problems: [], projection: 'rebuilt and compared with the live read model' });
      expect(res.body.hashesVerified).toBe(res.body.events);
    });

    it('GET /api/audit/verify finds a live read model that drifted from the events, at the position it concerns', async () => {
      const [added] = await ledger.store.readStream(`position-${pid('eu-4')}`);
      // the read model applies an event that the store never recorded
      ledger.projection.apply({
        ...added!,
        id: '3f1d8a52-4a43-4c1e-9c55-2b7b1d7e9a10',
        revision: 1,
        position: `${added!.position}-drift`,
        type: 'PositionRevised',
        data: {
          positionId: pid('eu-4'),
          revision: 2,
          statement: 'A statement nobody decided.',
          decidedOn: '2014',
          source: { documentId: pid('rec'), locator: 'item 4' },
          rationale: 'drift',
        },
      });
      const res = await audit('/api/audit/verify');
      expect(res.body.ok).toBe(false);
      expect(res.body.problems).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            check: 'projection',
            streamId: `position-${pid('eu-4')}`,
            eventId: added!.id,
            problem: expect.stringContaining('statement'),
          }),
        ]),
      );
      expect(res.body.problems.every((p: { check: string }) => p.check === 'projection')).toBe(true);
    });

    it('checkpoints on demand: POST records one, GET lists it, verify holds the ledger to a kept root', async () => {
      expect((await request(ledger.app).post('/api/audit/checkpoints')).status).toBe(401);
      const res = await request(ledger.app).post('/api/audit/checkpoints').set(bearer(AUDITOR));
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ streamId: 'ledger-checkpoints', checkpoint: { rootHash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
      const root = res.body.checkpoint.rootHash as string;
      expect(res.body.checkpoint.streamHeads).toEqual(expect.arrayContaining([expect.objectContaining({ streamId: `position-${pid('eu-4')}`, revision: 0 })]));
      const list = await audit('/api/audit/checkpoints');
      expect(list.body.checkpoints.map((c: { eventId: string }) => c.eventId)).toContain(res.body.eventId);
      expect((await audit(`/api/audit/verify?checkpoint=${root}`)).body).toMatchObject({ ok: true, keptCheckpoints: 1 });
      const unknown = 'ab'.repeat(32);
      const bad = await audit(`/api/audit/verify?checkpoint=${root}&checkpoint=${unknown}`);
      expect(bad.body.problems).toEqual([expect.objectContaining({ check: 'kept-checkpoint', problem: expect.stringContaining(unknown) })]);
      const malformed = await audit('/api/audit/verify?checkpoint=xyz');
      expect(malformed.status).toBe(400);
      expect(malformed.body.field).toBe('checkpoint');
      // the checkpoint stream is no position: the read model still serves the same positions, and health is ok
      expect((await request(ledger.app).get('/health')).body.status).toBe('ok');
      expect((await request(ledger.app).get(`/api/positions/${pid('eu-4')}`)).status).toBe(200);
    });

    it('GET /api/audit/log: who recorded what and when, filtered, paged, with corrections beside what they correct', async () => {
      await add('eu-7');
      const addedId = (await request(ledger.app).get(`/api/positions/${pid('eu-4')}/timeline`)).body.entries[0].eventId as string;
      const c = await post(
        `/api/positions/${pid('eu-4')}/corrections`,
        { eventId: addedId, changes: { title: 'Fixed title' }, reason: 'typo' },
        { 'If-Match': '"0"' },
      );
      expect(c.status).toBe(201);
      const all = await audit('/api/audit/log?limit=1000');
      expect(all.status).toBe(200);
      const mine = (all.body.entries as { streamId: string }[]).filter((e) => e.streamId.includes(prefix)) as Record<string, unknown>[];
      expect(mine.map((e) => e.type)).toEqual(['SourceDocumentRegistered', 'PositionAdded', 'PositionAdded', 'PositionRecordCorrected']);
      const who = mine[0]!.recordedBy as string;
      expect(who).toMatch(/^secretariat\//);
      expect(mine[1]).toMatchObject({
        eventId: addedId,
        decidedOn: '2006',
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        correctedBy: [expect.objectContaining({ reason: 'typo', changes: { title: 'Fixed title' } })],
      });
      expect(mine[3]).toMatchObject({ corrects: { eventId: addedId, type: 'PositionAdded', data: expect.objectContaining({ title: 'Role of cities' }) } });

      const byWho = await audit(`/api/audit/log?limit=1000&recordedBy=${encodeURIComponent(who)}`);
      expect((byWho.body.entries as { recordedBy: string }[]).every((e) => e.recordedBy === who)).toBe(true);
      const nobody = await audit('/api/audit/log?recordedBy=auditor%2Fnobody');
      expect(nobody.body).toMatchObject({ count: 0, entries: [] });
      const future = await audit('/api/audit/log?from=2999-01-01');
      expect(future.body.count).toBe(0);
      const past = await audit('/api/audit/log?to=2000-01-01T00:00:00Z');
      expect(past.body.count).toBe(0);

      const first = await audit('/api/audit/log?limit=1');
      expect(first.body.count).toBe(1);
      const second = await audit(`/api/audit/log?limit=1&after=${encodeURIComponent(first.body.next as string)}`);
      expect(second.body.entries[0].eventId).not.toBe(first.body.entries[0].eventId);
      expect((await audit('/api/audit/log?after=nowhere')).status).toBe(400);
      expect((await audit('/api/audit/log?from=yesterday')).body.field).toBe('from');
    });

    it('GET /api/audit/export never writes: it serves the ledger up to its latest checkpoint, which verifies offline', async () => {
      const count = async () => (await audit('/api/audit/checkpoints')).body.count as number;
      const checkpoint = await request(ledger.app).post('/api/audit/checkpoints').set(bearer(AUDITOR));
      expect([200, 201]).toContain(checkpoint.status);
      const before = await count();
      const res = await audit('/api/audit/export');
      // the export was written to a file of its own, removed once the response is closed (a moment after the client has it all)
      for (let wait = 0; wait < 100 && readdirSync(exportDir).length > 0; wait += 1) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(readdirSync(exportDir)).toEqual([]);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
      expect(res.headers['ledger-events-after-export']).toBe('0');
      const report = verifyExport(res.text);
      expect(report.problems).toEqual([]);
      expect(res.text.trimEnd().split('\n').at(-1)).toMatch(/^\{"kind":"checkpoint","eventId"/);
      expect(report.uncovered).toBe(0);
      // a decision recorded after the checkpoint: the export still ends at that checkpoint, and says what it leaves out
      await add('eu-8');
      const later = await audit('/api/audit/export');
      expect(later.headers['ledger-events-after-export']).toBe('1');
      expect(later.text).toBe(res.text);
      expect(verifyExport(later.text).ok).toBe(true);
      expect(await count()).toBe(before); // the GETs recorded nothing
    });

    it('POST /api/audit/checkpoints is idempotent when nothing changed, and strict about its input', async () => {
      const checkpoint = (body?: unknown, path = '/api/audit/checkpoints') => {
        const r = request(ledger.app).post(path).set(bearer(AUDITOR));
        return body === undefined ? r : r.send(body as object);
      };
      const first = await checkpoint();
      expect([200, 201]).toContain(first.status);
      const again = await checkpoint();
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      expect((await checkpoint({})).status).toBe(200);
      const version = (await request(ledger.app).get('/health')).body.ledgerVersion;
      await add('eu-9');
      const changed = await checkpoint();
      expect(changed.status).toBe(201);
      expect(changed.body.eventId).not.toBe(first.body.eventId);
      // checkpoints are no decision: the version researchers cite counts the one position added, nothing else
      expect((await request(ledger.app).get('/health')).body.ledgerVersion.version).toBe(version.version + 1);
      for (const [res, field] of [
        [await checkpoint({ force: true }), 'force'],
        [await checkpoint(undefined, '/api/audit/checkpoints?force=true'), 'force'],
        [await request(ledger.app).post('/api/audit/checkpoints').set(bearer(AUDITOR)).set('Content-Type', 'application/json').send('[1]'), 'body'],
      ] as const) {
        expect({ status: res.status, field: res.body.field }).toEqual({ status: 400, field });
      }
      const text = await request(ledger.app).post('/api/audit/checkpoints').set(bearer(AUDITOR)).set('Content-Type', 'text/plain').send('now please');
      expect(text.status).toBe(415);
    });

    it('the periodic checkpoint records one when something changed since the latest, and stops on close', async () => {
      expect(tasks).toHaveLength(1);
      const count = async () => (await audit('/api/audit/checkpoints')).body.count as number;
      const before = await count();
      await tasks[0]!();
      expect(await count()).toBe(before + 1);
      await tasks[0]!(); // nothing recorded since: no new checkpoint
      expect(await count()).toBe(before + 1);
      await add('eu-9');
      await tasks[0]!();
      expect(await count()).toBe(before + 2);
      await ledger.close();
      expect(cancelled).toBe(1);
      ledger = await composeLedger(ledger.config, { store: await openStore(), schedule }); // for afterEach
    });

    it('/api/openapi.json lists the auditors’ endpoints', async () => {
      const doc = await request(ledger.app).get('/api/openapi.json');
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining(['/api/audit/verify', '/api/audit/log', '/api/audit/checkpoints', '/api/audit/export']),
      );
    });
  });
}
