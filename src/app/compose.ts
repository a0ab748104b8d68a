import type { Express } from 'express';
import type { Logger } from 'pino';
import { createApp } from '../api/app';
import { everyInterval, periodicCheckpoints, type Schedule } from '../audit/periodic-checkpoints';
import { Ledger } from '../ledger/ledger';
import { LedgerProjection } from '../projections/ledger-projection';
import type { ImportReport } from '../seed/import';
import { sourceFileProblems } from '../sources/check-sources';
import type { EventStore } from '../store/event-store';
import type { Config } from './config';
import { openStore } from './open-store';
import { completeSeed } from './complete-seed';
import { StorageHealth } from '../api/storage-health';

export interface LedgerApp {
  readonly config: Config;
  readonly store: EventStore;
  readonly ledger: Ledger;
  readonly projection: LedgerProjection;
  readonly app: Express;
  readonly seeded?: ImportReport;
  close(): Promise<void>;
}

/** The composition root: configuration in, a running ledger (store, command handling, live read model, HTTP app) out. */
export async function composeLedger(config: Config, options: { logger?: Logger; store?: EventStore; now?: () => Date; schedule?: Schedule } = {}): Promise<LedgerApp> {
  const store = options.store ?? (await openStore(config.store, config.readOnly ? 'read-only' : 'create'));
  const ledger = new Ledger(store, { historyStart: config.historyStart, now: options.now });
  const projection = await LedgerProjection.follow(store, (error) => options.logger?.error({ err: error }, 'read model stopped following the store'));
  const seeded = config.seedOnStart && !config.readOnly ? await completeSeed(ledger, projection, config.seedDir, options.logger) : undefined;
  for (const problem of await sourceFileProblems(config.sourcesDir, projection.documentList())) {
    options.logger?.warn({ documentId: problem.documentId, reason: problem.reason, sourcesDir: config.sourcesDir }, `source document ${problem.documentId}: ${problem.detail}`);
  }
  const storage = new StorageHealth(store, config.readOnly);
  const app = createApp({ config, store, ledger, projection, storage }, options.logger);
  const checkpoints = periodicCheckpoints(store, config.readOnly ? 0 : config.checkpointIntervalMinutes, { schedule: options.schedule ?? everyInterval, now: options.now, logger: options.logger, storage });
  return {
    config,
    store,
    ledger,
    projection,
    app,
    seeded,
    close: async () => {
      await checkpoints.stop();
      await projection.stop();
      await store.close();
    },
  };
}
