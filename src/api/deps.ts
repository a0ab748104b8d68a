import type { Config } from '../app/config';
import type { Ledger } from '../command-handling/ledger';
import type { LedgerProjection } from '../projections/ledger-projection';
import type { EventStore } from '../store/event-store';

/** Everything a route may use, built once by the composition root. */
export interface ApiDeps {
  readonly config: Config;
  readonly store: EventStore;
  readonly ledger: Ledger;
  readonly projection: LedgerProjection;
}
