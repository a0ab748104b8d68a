import type { Config } from '../app/config';
import type { Ledger } from '../command-handling/ledger';
import type { ReadModel } from '../projections/read-model';
import type { EventStore } from '../store/event-store';

/** Everything a route may use, built once by the composition root. */
export interface ApiDeps {
  readonly config: Config;
  readonly store: EventStore;
  readonly ledger: Ledger;
  /** the query layer every read goes through (the web pages ask the same one) */
  readonly projection: ReadModel;
}
