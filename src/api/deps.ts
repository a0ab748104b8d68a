import type { Config } from '../app/config';
import type { Ledger } from '../command-handling/ledger';
import type { KeyStore } from '../keys/key-store';
import type { ReadModel } from '../projections/read-model';
import type { EventStore } from '../store/event-store';
import type { StorageHealth } from './storage-health';
import type { LiveStreams } from './live-streams';

/** Everything a route may use, built once by the composition root. */
export interface ApiDeps {
  readonly config: Config;
  readonly store: EventStore;
  readonly ledger: Ledger;
  /** the query layer every read goes through (the web pages ask the same one) */
  readonly projection: ReadModel;
  /** every write goes through storage.observe, so /health knows when the store cannot take writes */
  readonly storage: StorageHealth;
  /** the open live-feed connections, ended when the server stops (one per app when absent) */
  readonly streams?: LiveStreams;
  /** the named API keys (LEDGER_KEYS_PATH); without it only LEDGER_TOKENS tokens are known */
  readonly keys?: KeyStore;
  /** the clock for session expiry (tests move it) */
  readonly now?: () => Date;
}
