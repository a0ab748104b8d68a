import { existsSync } from 'node:fs';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { createApp } from '../api/app';
import { everyInterval, periodicCheckpoints, type Schedule } from '../audit/periodic-checkpoints';
import { Ledger } from '../command-handling/ledger';
import { LedgerProjection } from '../projections/ledger-projection';
import { importSeedDir, type ImportReport } from '../seed/import';
import type { EventStore } from '../store/event-store';
import type { Config } from './config';
import { openStore } from './open-store';

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
  const store = options.store ?? (await openStore(config.store));
  const ledger = new Ledger(store, { historyStart: config.historyStart, now: options.now });
  let seeded: ImportReport | undefined;
  if (config.seedOnStart && existsSync(config.seedDir) && (await store.readAll({ maxCount: 1 })).length === 0) {
    seeded = await importSeedDir(ledger, config.seedDir);
    options.logger?.info({ seeded }, 'first start: seed history imported');
  }
  const projection = await LedgerProjection.follow(store, (error) => options.logger?.error({ err: error }, 'read model stopped following the store'));
  const app = createApp({ config, store, ledger, projection }, options.logger);
  const checkpoints = periodicCheckpoints(store, config.checkpointIntervalMinutes, { schedule: options.schedule ?? everyInterval, now: options.now, logger: options.logger });
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
