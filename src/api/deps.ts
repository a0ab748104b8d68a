import type { Config } from '../app/config';
import type { Ledger } from '../command-handling/ledger';
import type { VerifyReport } from '../audit/verify';
import type { LedgerExportFile } from '../audit/export-ledger';
import type { CheckpointOutcome } from '../audit/record-checkpoint';
import type { Actor } from '../command-handling/command-handler';
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
  /** whole-ledger audit work, limited per caller (429 over the limit) and, on a SQLite file, in a worker process */
  readonly audits: Audits;
  /** the named API keys (LEDGER_KEYS_PATH); without it only LEDGER_TOKENS tokens are known */
  readonly keys?: KeyStore;
  /** the clock for session expiry (tests move it) */
  readonly now?: () => Date;
}

export interface Audits {
  /** verify the whole ledger against the live read model, for this caller (their principal id) */
  verify(callerId: string, keptRoots: readonly string[]): Promise<VerifyReport>;
  /** the export up to the latest checkpoint, in a file of its own that the caller removes once sent (undefined: none recorded yet) */
  export(callerId: string): Promise<LedgerExportFile | undefined>;
  /** record a checkpoint now unless nothing was recorded since the latest (computed off the event loop) */
  checkpoint(callerId: string, actor: Actor): Promise<CheckpointOutcome>;
}
