import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLedger } from '../../bench/read-model/generate-ledger';
import { composeLedger, stopServing, type LedgerApp } from '../../src/app/compose';
import { loadConfig } from '../../src/app/config';
import { listenLocally } from '../support/listen';
import { CHECKPOINT_STREAM } from '../../src/audit/checkpoint-stream';

/**
 * Issue 9, item 7: ten concurrent verifies of a ledger of a few thousand events held /health for
 * 1.4 s. Verify now runs in worker threads (each opening the SQLite files read-only on its own)
 * and is limited per caller, so the server keeps answering while they run.
 */
describe('whole-ledger audit work does not hold the server', () => {
  jest.setTimeout(120_000);
  const auditors = Array.from({ length: 10 }, (_, i) => `auditor-token-${i}-of-ten`);
  let dir: string;
  let ledger: LedgerApp;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-off-thread-'));
    generateLedger(join(dir, 'ledger.db'), 2_500);
    const config = loadConfig({
      LEDGER_SQLITE_PATH: join(dir, 'ledger.db'),
      LEDGER_READ_MODEL_DIR: join(dir, 'read-model'),
      LEDGER_SEED_ON_START: 'false',
      LEDGER_TOKENS: auditors.map((t) => `auditor:${t}`).join(','),
      LEDGER_RATE_LIMIT_PER_MINUTE: '0',
      LEDGER_CHECKPOINT_INTERVAL_MINUTES: '0',
    });
    ledger = await composeLedger(config);
    ({ server, url } = await listenLocally(ledger));
  });
  afterAll(async () => {
    await stopServing(server, ledger);
    rmSync(dir, { recursive: true, force: true });
  });

  it('while ten verifies run, /health answers before any of them, and a caller asking again meanwhile gets 429', async () => {
    const finished: string[] = [];
    const timed = <T>(name: string, p: Promise<T>) => p.then((value) => (finished.push(name), value));
    const verify = (token: string) => fetch(`${url}/api/audit/verify`, { headers: { Authorization: `Bearer ${token}` } });
    const verifies = auditors.map((token, i) =>
      timed(
        `verify ${i}`,
        verify(token).then(async (res) => ({ status: res.status, body: (await res.json()) as { ok: boolean; events: number; problems: unknown[] } })),
      ),
    );
    // the requests are under way (the server answers them in order of arrival on one loop): now the others
    await new Promise((resolve) => setTimeout(resolve, 100));
    const health = await timed('health', fetch(`${url}/health`));
    const again = await timed('again', verify(auditors[0]!));
    const results = await Promise.all(verifies);

    expect(health.status).toBe(200);
    expect(again.status).toBe(429);
    expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(again.headers.get('retry-after')).toBe('5');
    expect(await again.json()).toMatchObject({ status: 429, code: 'too-many-audits', detail: expect.stringContaining('still running') });
    // every verify did its whole work, and came back after the server had answered the others
    expect(results.map((r) => [r.status, r.body.ok, r.body.events, r.body.problems])).toEqual(auditors.map(() => [200, true, 2_500, []]));
    expect(finished.slice(0, 2)).toEqual(['health', 'again']);
  });

  /**
   * Ten callers at once, each asking once, then /health as soon as the server has received all ten:
   * the order the answers came back in, and the answers. On the event loop, the ten jobs would all be
   * done (each running to its end, the next started from the last) before /health is read.
   */
  async function tenAndHealth(ask: (token: string) => Promise<Response>) {
    const finished: string[] = [];
    let received = 0;
    const allReceived = new Promise<void>((resolve) => {
      const count = () => {
        if (++received < auditors.length) return;
        server.off('request', count);
        resolve();
      };
      server.on('request', count);
    });
    const jobs = auditors.map((token, i) =>
      ask(token).then(async (res) => {
        finished.push(`job ${i}`);
        return { status: res.status, headers: res.headers, text: await res.text() };
      }),
    );
    await allReceived;
    const health = await fetch(`${url}/health`);
    finished.push('health');
    return { health: health.status, results: await Promise.all(jobs), finished };
  }
  const as = (token: string, init: RequestInit = {}) => ({ ...init, headers: { Authorization: `Bearer ${token}` } });

  it('recording checkpoints: the Merkle roots are computed in a worker, /health answers while they run', async () => {
    const { health, results, finished } = await tenAndHealth((token) => fetch(`${url}/api/audit/checkpoints`, as(token, { method: 'POST' })));
    expect(health).toBe(200);
    // one is recorded; the others find nothing recorded since and get it back
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const roots = new Set(results.map((r) => (JSON.parse(r.text) as { checkpoint: { eventCount: number; rootHash: string } }).checkpoint.rootHash));
    expect(roots.size).toBe(1);
    expect(finished.indexOf('health')).toBeLessThan(auditors.length);
  });

  it('exports: made in a worker, /health answers while they run', async () => {
    const { health, results, finished } = await tenAndHealth((token) => fetch(`${url}/api/audit/export`, as(token)));
    expect(health).toBe(200);
    for (const r of results) {
      expect(r.status).toBe(200);
      expect(r.headers.get('ledger-events-after-export')).toBe('0');
      // every event, then the checkpoint's own line
      expect(r.text.trimEnd().split('\n')).toHaveLength(2_502);
    }
    expect(finished.indexOf('health')).toBeLessThan(auditors.length);
  });

  it('the worker reports what it finds: a kept checkpoint that is not in the ledger', async () => {
    const res = await fetch(`${url}/api/audit/verify?checkpoint=${'ab'.repeat(32)}`, { headers: { Authorization: `Bearer ${auditors[1]}` } });
    const body = (await res.json()) as { ok: boolean; problems: { check: string }[] };
    expect([res.status, body.ok, body.problems.map((p) => p.check)]).toEqual([200, false, ['kept-checkpoint']]);
  });
});

describe('the periodic checkpoint does not hold the server', () => {
  jest.setTimeout(60_000);
  let dir: string;
  let ledger: LedgerApp;
  let server: Server;
  let tick: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-off-thread-timer-'));
    generateLedger(join(dir, 'ledger.db'), 2_500);
    const config = loadConfig({
      LEDGER_SQLITE_PATH: join(dir, 'ledger.db'),
      LEDGER_READ_MODEL_DIR: join(dir, 'read-model'),
      LEDGER_SEED_ON_START: 'false',
      LEDGER_RATE_LIMIT_PER_MINUTE: '0',
      LEDGER_CHECKPOINT_INTERVAL_MINUTES: '60',
    });
    // the timer is the test's: it runs the task when the test says
    ledger = await composeLedger(config, { schedule: (_ms, task) => ((tick = task), () => undefined) });
    server = ledger.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
  });
  afterAll(async () => {
    await stopServing(server, ledger);
    rmSync(dir, { recursive: true, force: true });
  });

  it('while the timer computes a checkpoint over every event, /health answers first; then the checkpoint is recorded', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const finished: string[] = [];
    const checkpoint = tick!().then(() => finished.push('checkpoint'));
    const health = await fetch(`${url}/health`);
    finished.push('health');
    await checkpoint;
    expect(health.status).toBe(200);
    expect(finished).toEqual(['health', 'checkpoint']);
    const recorded = (await ledger.store.readStream(CHECKPOINT_STREAM)).at(-1);
    expect(recorded?.data).toMatchObject({ eventCount: 2_500 });
  });
});
