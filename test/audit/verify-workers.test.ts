import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLedger } from '../../bench/read-model/generate-ledger';
import { VerifyWorkers } from '../../src/audit/verify-in-worker';
import { workerProcesses } from '../support/worker-processes';

/** A worker that read a large ledger whole is ended, not kept idle: its heap would stay in the server's memory. */
describe('the whole-ledger workers', () => {
  jest.setTimeout(60_000);
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-workers-'));
    generateLedger(join(dir, 'ledger.db'), 500);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('works in a process of its own, which is gone when stopped: what a large job used is given back whole', async () => {
    const store = { kind: 'sqlite' as const, path: join(dir, 'ledger.db') };
    const workers = new VerifyWorkers();
    const before = workerProcesses();
    try {
      await workers.planCheckpoint({ store, recordedAt: '2030-01-01T00:00:00.000Z', onlyIfChanged: false });
      expect(workerProcesses().filter((pid) => !before.includes(pid))).toHaveLength(1);
    } finally {
      await workers.stop();
    }
    expect(workerProcesses().filter((pid) => !before.includes(pid))).toHaveLength(0);
  });

  it('keeps a worker whose heap stayed small for the next job, and ends one whose heap grew past the limit', async () => {
    const store = { kind: 'sqlite' as const, path: join(dir, 'ledger.db') };
    const small = new VerifyWorkers();
    const large = new VerifyWorkers(0);
    try {
      for (const workers of [small, large]) {
        const plan = await workers.planCheckpoint({ store, recordedAt: '2030-01-01T00:00:00.000Z', onlyIfChanged: false });
        expect(plan).toBeDefined();
      }
      expect([small.idleWorkers, large.idleWorkers]).toEqual([1, 0]);
      // the next job starts a fresh worker and is answered as well
      expect(await large.planCheckpoint({ store, recordedAt: '2030-01-01T00:00:00.000Z', onlyIfChanged: false })).toEqual(
        await small.planCheckpoint({ store, recordedAt: '2030-01-01T00:00:00.000Z', onlyIfChanged: false }),
      );
    } finally {
      await Promise.all([small.stop(), large.stop()]);
    }
  });
});
