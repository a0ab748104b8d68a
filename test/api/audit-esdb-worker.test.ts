import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeLedger, stopServing, type LedgerApp } from '../../src/app/compose';
import { loadConfig } from '../../src/app/config';
import { listenLocally, QUIET_SERVER_ENV } from '../support/listen';
import type { KurrentDbProtocolFake } from '../support/esdb-protocol-fake';
import { generatedOnKurrentDb } from '../support/generated-on-kurrentdb';
import { workerProcesses } from '../support/worker-processes';

/**
 * A server configured on KurrentDB does its whole-ledger work (verify, export, checkpoints) in a
 * worker process with a connection of its own, as on SQLite: what a verify of a large ledger
 * holds is never the server's memory.
 */
describe('on KurrentDB by configuration, whole-ledger work is done in a worker process', () => {
  jest.setTimeout(120_000);
  const token = 'auditor-token-on-kurrentdb-worker';
  let dir: string;
  let fake: KurrentDbProtocolFake;
  let ledger: LedgerApp;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-esdb-worker-'));
    const copied = await generatedOnKurrentDb(dir, 400);
    fake = copied.fake;
    // the server connects by its configuration, as in production
    await copied.store.close();
    const config = loadConfig({
      LEDGER_STORE: 'esdb',
      ESDB_CONNECTION_STRING: fake.connectionString,
      LEDGER_READ_MODEL_DIR: join(dir, 'read-model'),
      LEDGER_KEYS_PATH: join(dir, 'keys.db'),
      LEDGER_TOKENS: `auditor:${token}`,
      ...QUIET_SERVER_ENV,
    });
    ledger = await composeLedger(config);
    ({ server, url } = await listenLocally(ledger));
  });
  afterAll(async () => {
    await stopServing(server, ledger);
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (path: string, method = 'GET') => {
    const res = await fetch(`${url}${path}`, { method, headers: { Authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('verifies in a worker that reads KurrentDB itself and compares the read store table by table', async () => {
    expect(workerProcesses()).toHaveLength(0);
    const { status, body } = await get('/api/audit/verify');
    expect([status, body]).toMatchObject([200, { ok: true, events: 400, problems: [], projection: 'rebuilt and compared with the live read model' }]);
    // the worker is kept for the next job
    expect(workerProcesses()).toHaveLength(1);
  });

  it('plans a checkpoint in the worker, and appends it from the server', async () => {
    const { status, body } = await get('/api/audit/checkpoints', 'POST');
    expect([status, body]).toMatchObject([201, { checkpoint: { eventCount: 400 } }]);
    const again = await get('/api/audit/verify');
    expect([again.status, again.body]).toMatchObject([200, { ok: true, events: 401, checkpoints: 1 }]);
  });
});
