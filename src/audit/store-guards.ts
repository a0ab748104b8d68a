import type { EventStore } from '../store/event-store';
import type { VerifyProblem } from './verify';

/**
 * What the store itself no longer enforces, asked through the port (SQLite keeps the events table
 * append-only with triggers; a file without them has been opened by something other than the
 * ledger, and verify must say so rather than quietly restore them).
 */
export function storeGuardProblems(store: EventStore): VerifyProblem[] {
  return (store.missingAppendOnlyGuards?.() ?? []).map((missing) => ({
    check: 'store' as const,
    problem: `${missing}, so rows may have been changed or deleted in place (the hash, chain and checkpoint checks say whether any were)`,
  }));
}
