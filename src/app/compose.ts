import { randomUUID } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { createApp } from '../api/app';
import { LiveStreams } from '../api/live-streams';
import { everyInterval, periodicCheckpoints, type Schedule } from '../audit/periodic-checkpoints';
import { Ledger } from '../command-handling/ledger';
import { ReadStore, type ReadStoreLocation } from '../projections/read-store/read-store';
import type { ImportReport } from '../seed/import';
import { sourceFileProblems } from '../sources/check-sources';
import type { EventStore } from '../store/event-store';
import { ConfigError, type Config } from './config';
import { openStore } from './open-store';
import { completeSeed } from './complete-seed';
import { StorageHealth } from '../api/storage-health';
import { WholeLedgerWork } from '../api/whole-ledger-work';
import type { Audits } from '../api/deps';
import { VerifyWorkers } from '../audit/verify-in-worker';
import { verifyAgainstLive } from '../audit/verify-live';
import { writeExportToLatestCheckpoint } from '../audit/export-ledger';
import { planHere, recordCheckpoint, type PlanCheckpoint } from '../audit/record-checkpoint';
import { KeyStore } from '../keys/key-store';

export interface LedgerApp {
  readonly config: Config;
  readonly store: EventStore;
  readonly ledger: Ledger;
  readonly projection: ReadStore;
  readonly app: Express;
  /** the open live-feed connections: end them before closing the HTTP server (see stopServing) */
  readonly streams: LiveStreams;
  readonly seeded?: ImportReport;
  close(): Promise<void>;
}

/** The composition root: configuration in, a running ledger (store, command handling, live read model, HTTP app) out. */
export async function composeLedger(
  config: Config,
  options: {
    logger?: Logger;
    store?: EventStore;
    now?: () => Date;
    schedule?: Schedule;
    readModel?: ReadStoreLocation;
    keys?: KeyStore;
    /** where an export is written before it is sent (the system's temporary directory) */
    exportDir?: string;
  } = {},
): Promise<LedgerApp> {
  // a store handed in (tests, tools) comes without a key file either: its keys are kept in memory
  const keys = options.keys ?? (options.store ? KeyStore.open(':memory:') : openKeys(config, options.logger));
  const store = options.store ?? (await openStore(config.store, config.readOnly ? 'read-only' : 'create'));
  const ledger = new Ledger(store, { historyStart: config.historyStart, now: options.now });
  // a store handed in (tests, tools) comes without a place for its read store: it is kept in memory
  const location = options.readModel ?? (options.store ? 'memory' : { dir: config.readModelDir });
  const projection = await ReadStore.follow(store, {
    location,
    onError: (error) => options.logger?.error({ err: error }, 'read model stopped following the store'),
    onRebuild: (reason) => options.logger?.warn(`rebuilding the read store from event one: ${reason}`),
    onProgress: (applied) => {
      if (applied % 100_000 === 0) options.logger?.info(`read store: ${applied} events applied`);
    },
    // a new, empty ledger's read store has nothing to index: said only when there is something to wait for
    onIndexing: (applied) => {
      if (applied > 0) options.logger?.info(`read store: ${applied} events applied; building its query and search indexes`);
    },
  });
  const seeded = config.seedOnStart && !config.readOnly ? await completeSeed(ledger, projection, config.seedDir, options.logger) : undefined;
  for (const problem of await sourceFileProblems(config.sourcesDir, projection.documentList())) {
    options.logger?.warn(
      { documentId: problem.documentId, reason: problem.reason, sourcesDir: config.sourcesDir },
      `source document ${problem.documentId}: ${problem.detail}`,
    );
  }
  const streams = new LiveStreams(config.streamHeartbeatSeconds * 1000);
  const storage = new StorageHealth(store, config.readOnly);
  const work = new WholeLedgerWork();
  // ends the periodic checkpoint's worker job when the ledger closes
  const closing = new AbortController();
  const workers = new VerifyWorkers();
  // a worker process opens the configured store (the SQLite file, or its own KurrentDB connection) and the read store on its own;
  // a store handed in (tests, tools) is worked on on this thread, yielding between slices
  const workerStore = !options.store && location !== 'memory' ? config.store : undefined;
  // the checkpoint's Merkle roots are computed in a worker too; only its append is on this thread
  const planCheckpoint = (signal?: AbortSignal): PlanCheckpoint =>
    workerStore === undefined
      ? planHere(store)
      : (recordedAt, onlyIfChanged) => workers.planCheckpoint({ store: workerStore, recordedAt, onlyIfChanged }, signal);
  const audits: Audits = {
    verify: (callerId, keptRoots) =>
      work.run(callerId, 'verify', (signal) =>
        workerStore === undefined
          ? verifyAgainstLive(store, projection, keptRoots)
          : workers.verify({ store: workerStore, readStorePath: projection.currentTables().path, keptRoots }, signal),
      ),
    export: (callerId) =>
      work.run(callerId, 'export', (signal) => {
        // a file of its own (an export is too large to hold: about 800 MB at a million events), removed by the route once sent
        const path = join(options.exportDir ?? tmpdir(), `ledger-export-${randomUUID()}.ndjson`);
        const written = workerStore === undefined ? writeExportToLatestCheckpoint(store, path) : workers.export({ store: workerStore, path }, signal);
        // a worker ended mid-way (the server stopping) leaves what it wrote: removed here
        return written.catch((error: unknown) => {
          rmSync(path, { force: true });
          throw error;
        });
      }),
    checkpoint: (callerId, actor) =>
      work.run(callerId, 'checkpoint', (signal) =>
        // idempotent: a ledger unchanged since its latest checkpoint gets that checkpoint back, not a new one
        storage.observe(() => recordCheckpoint(store, { actor, onlyIfChanged: true, plan: planCheckpoint(signal) })),
      ),
  };
  const app = createApp({ config, store, ledger, projection, streams, storage, audits, keys, now: options.now }, options.logger);
  const checkpoints = periodicCheckpoints(store, config.readOnly ? 0 : config.checkpointIntervalMinutes, {
    schedule: options.schedule ?? everyInterval,
    now: options.now,
    logger: options.logger,
    storage,
    plan: planCheckpoint(closing.signal),
  });
  return {
    config,
    store,
    ledger,
    projection,
    app,
    streams,
    seeded,
    close: async () => {
      streams.closeAll();
      work.stop();
      closing.abort();
      const checkpointsStopped = checkpoints.stop();
      await workers.stop();
      await checkpointsStopped;
      await projection.stop();
      await store.close();
      keys?.close();
    },
  };
}

/** The key file, created beside the ledger; served read-only on purpose, it is only read, and only if it is there. */
function openKeys(config: Config, logger?: Logger): KeyStore | undefined {
  if (!config.readOnly) {
    try {
      return KeyStore.open(config.keysPath, 'create');
    } catch (error) {
      // refused at start, not found out at the first request with a key
      throw new ConfigError(
        `cannot open the named keys' file at ${config.keysPath} (${(error as Error).message}): set LEDGER_KEYS_PATH to a place this user may write`,
      );
    }
  }
  if (!existsSync(config.keysPath)) return undefined;
  try {
    return KeyStore.open(config.keysPath, 'read-only');
  } catch (error) {
    logger?.warn(`named keys are off: the key file ${config.keysPath} cannot be read (${(error as Error).message}); LEDGER_TOKENS tokens still work`);
    return undefined;
  }
}

/**
 * Stops serving: ends the live feeds first (an event stream never ends by itself, so
 * `server.close()` would otherwise wait for it forever), then the HTTP server, then the ledger.
 */
export async function stopServing(server: Server, ledger: LedgerApp): Promise<void> {
  ledger.streams.closeAll();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await closed;
  await ledger.close();
}
