import type { ReadModel } from '../projections/read-model';
import type { EventStore } from '../store/event-store';
import { snapshotOf } from './projection-snapshot';
import { readWholeLedger } from './read-ledger';
import { storeGuardProblems } from './store-guards';
import { verifyLedger, type VerifyReport } from './verify';

/**
 * Verifies the whole ledger in the store and holds the running read model to a rebuild from event
 * one: what `GET /api/audit/verify` answers and the auditors' page shows.
 */
export async function verifyAgainstLive(store: EventStore, readModel: ReadModel, keptRoots: readonly string[] = []): Promise<VerifyReport> {
  // the read model is compared at the same state of the ledger: every event read applied, none beyond
  let events = await readWholeLedger(store);
  let live = snapshotOf(readModel);
  for (let attempt = 1; attempt <= 3 && live.version.events !== events.length; attempt += 1) {
    await Promise.all(events.map((e) => readModel.waitFor(e.id, 2000)));
    live = snapshotOf(readModel);
    if (live.version.events > events.length) events = await readWholeLedger(store);
  }
  const report = verifyLedger(events, { kept: keptRoots.map((rootHash) => ({ rootHash })), live });
  // and the read store's own tables, row by row, against the same tables built from event one
  const tables = (readModel.tableDrift?.(events) ?? []).map((problem) => ({ check: 'projection' as const, problem }));
  const problems = [...storeGuardProblems(store), ...report.problems, ...tables];
  return { ...report, ok: problems.length === 0, problems };
}
