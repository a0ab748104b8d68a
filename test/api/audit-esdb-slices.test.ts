import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeLedger, stopServing, type LedgerApp } from '../../src/app/compose';
import { loadConfig } from '../../src/app/config';
import { listenLocally } from '../support/listen';
import { EsdbEventStore } from '../../src/store/esdb-store';
import type { EventStore } from '../../src/store/event-store';
import type { KurrentDbProtocolFake } from '../support/esdb-protocol-fake';
import { generatedOnKurrentDb } from '../support/generated-on-kurrentdb';

/**
 * Issue 9, item 7, on a store handed in (here KurrentDB): no worker can open a store it was not
 * configured with, so verify and a checkpoint hash on the server's own thread, in slices that give the event loop a turn. Each test
 * asks /health the moment the whole ledger has been read (the reads go over gRPC and yield anyway):
 * the work that follows (verify's rebuild and comparison; a checkpoint's chains and Merkle roots,
 * its events' hashes having been checked page by page as they were read) must let /health through
 * before the job answers.
 */
describe('on a KurrentDB store handed in, whole-ledger work is done in slices that let other requests through', () => {
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
    let store: EsdbEventStore;
    ({ fake, store } = await generatedOnKurrentDb(dir, 1_500));
    wholeLedgerRead = watchLastPage(store);
    const config = loadConfig({
      LEDGER_TOKENS: `auditor:${token}`,
      LEDGER_SEED_ON_START: 'false',
      LEDGER_RATE_LIMIT_PER_MINUTE: '0',
      LEDGER_CHECKPOINT_INTERVAL_MINUTES: '0',
    });
    ledger = await composeLedger(config, { store });
    ({ server, url } = await listenLocally(ledger));
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
    expect(finished).toEqual(['health', 'job']);
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
