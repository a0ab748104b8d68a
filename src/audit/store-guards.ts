import type { EventStore } from '../store/event-store';
import { SqliteEventStore } from '../store/sqlite-store';
import type { VerifyProblem } from './verify';

/**
 * What the store itself no longer enforces. On SQLite, triggers refuse UPDATE and DELETE on the
 * events table; a file without them has been opened by something other than the ledger, and
 * verify must say so rather than quietly restore them.
 */
export function storeGuardProblems(store: EventStore): VerifyProblem[] {
  if (!(store instanceof SqliteEventStore)) return [];
  return store.missingAppendOnlyTriggers().map((trigger) => ({
    check: 'store' as const,
    problem: `the SQLite file ${store.path} lacks the trigger ${trigger} that keeps the events table append-only: it was dropped outside the ledger, so rows may have been changed or deleted in place (the hash, chain and checkpoint checks say whether any were)`,
  }));
}
