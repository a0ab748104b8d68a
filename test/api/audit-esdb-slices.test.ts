import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLedger } from '../../bench/read-model/generate-ledger';
import { composeLedger, stopServing, type LedgerApp } from '../../src/app/compose';
import { loadConfig } from '../../src/app/config';
import { copyLedger } from '../../src/migrate/copy';
import { EsdbEventStore } from '../../src/store/esdb-store';
import type { EventStore } from '../../src/store/event-store';
import { SqliteEventStore } from '../../src/store/sqlite-store';
import { KurrentDbProtocolFake } from '../support/esdb-protocol-fake';

/**
 * Issue 9, item 7, on KurrentDB: no worker thread can open the store, so verify and a checkpoint
 * hash on the server's own thread, in slices that give the event loop a turn. Each test
 * asks /health the moment the whole ledger has been read (the reads go over gRPC and yield anyway):
 * the hashing that follows must let /health through before the job answers.
 */
describe('on KurrentDB, whole-ledger work is done in slices that let other requests through', () => {
  jest.setTimeout(120_000);
  const token = 'auditor-token-on-kurrentdb';
  let dir: string;
  let fake: KurrentDbProtocolFake;
  let ledger: LedgerApp;
  let server: Server;
  let url: string;
  /** resolves when the next read of the whole ledger has read its last page */
  let wholeLedgerRead: () => Promise<void>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-esdb-slices-'));
    generateLedger(join(dir, 'ledger.db'), 1_500);
    fake = await KurrentDbProtocolFake.start();
    const store = EsdbEventStore.connect(fake.connectionString);
    const source = new SqliteEventStore(join(dir, 'ledger.db'), { access: 'read-only' });
    await copyLedger(source, store);
    await source.close();
    wholeLedgerRead = watchLastPage(store);
    // recording a checkpoint reads its stream once computed (the command handler's read before the append): then the hashing is over
    const readStream = store.readStream.bind(store);
    store.readStream = (...args) => (finished.push('computed'), readStream(...args));
    const config = loadConfig({
      LEDGER_TOKENS: `auditor:${token}`,
      LEDGER_SEED_ON_START: 'false',
      LEDGER_RATE_LIMIT_PER_MINUTE: '0',
      LEDGER_CHECKPOINT_INTERVAL_MINUTES: '0',
    });
    ledger = await composeLedger(config, { store });
    server = ledger.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await stopServing(server, ledger);
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The job, and /health asked once the job has read the whole ledger: which answered first, and the job's answer. */
  let finished: string[] = [];
  async function jobAndHealth(path: string, method = 'GET') {
    finished = [];
    const read = wholeLedgerRead();
    const job = fetch(`${url}${path}`, { method, headers: { Authorization: `Bearer ${token}` } }).then(async (res) => {
      finished.push('job');
      return { status: res.status, text: await res.text() };
    });
    await read;
    const health = await fetch(`${url}/health`);
    finished.push('health');
    return { health: health.status, job: await job, finished };
  }

  it('verify: /health answers while its hashing and rebuild run', async () => {
    const { health, job, finished } = await jobAndHealth('/api/audit/verify');
    expect(health).toBe(200);
    expect([job.status, JSON.parse(job.text)]).toMatchObject([200, { ok: true, events: 1_500, problems: [] }]);
    expect(finished).toEqual(['health', 'job']);
  });

  it('recording a checkpoint: /health answers while its Merkle roots are computed', async () => {
    const { health, job, finished } = await jobAndHealth('/api/audit/checkpoints', 'POST');
    expect(health).toBe(200);
    expect([job.status, JSON.parse(job.text)]).toMatchObject([201, { checkpoint: { eventCount: 1_500 } }]);
    expect(finished).toEqual(['health', 'computed', 'job']);
  });
});

/** A hook on the store's reads of $all: a promise for the next read that ends (a page shorter than asked). */
function watchLastPage(store: EventStore): () => Promise<void> {
  const readAll = store.readAll.bind(store);
  let waiting: (() => void) | undefined;
  store.readAll = async (options) => {
    const page = await readAll(options);
    if (waiting && page.length < (options?.maxCount ?? Infinity)) {
      waiting();
      waiting = undefined;
    }
    return page;
  };
  return () => new Promise<void>((resolve) => (waiting = resolve));
}
