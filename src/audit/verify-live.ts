import type { ReadModel } from '../projections/read-model';
import type { EventStore, StoredEvent } from '../store/event-store';
import { snapshotOf, type ProjectionSnapshot } from './projection-snapshot';
import { readWholeLedger } from './read-ledger';
import { storeGuardProblems } from './store-guards';
import { atOnce, inSlices, settled, type Steps } from './slices';
import { verifySteps, type VerifyReport } from './verify';

/**
 * Verifies the whole ledger in the store and holds the running read model to a rebuild from event
 * one: what `GET /api/audit/verify` answers and the auditors' page shows. This runs on the
 * calling thread; a server on a SQLite file runs it in a worker process instead (verify-worker.ts).
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
  // no worker here (KurrentDB, a store handed in): the hashing and the rebuild run in slices, so other requests are answered meanwhile
  return verifyAtOneState(store, events, live, (all) => readModel.tableDriftSteps?.(all) ?? settled([]), keptRoots, inSlices);
}

/**
 * The whole report, once the events and the read model's view of them are at the same state:
 * hashes, chains and checkpoints, the views against a rebuild, the read store's own tables row by
 * row (`tableDrift`), and what the store no longer enforces.
 */
export async function verifyAtOneState(
  store: EventStore,
  events: readonly StoredEvent[],
  live: ProjectionSnapshot,
  tableDrift: (events: readonly StoredEvent[]) => Steps<string[]>,
  keptRoots: readonly string[],
  run: <T>(steps: Steps<T>) => T | Promise<T> = atOnce,
): Promise<VerifyReport> {
  // the tables' steps are made first: they compare the read store as it is now, while verify runs in slices and it may apply events recorded since
  const tableSteps = tableDrift(events);
  let report: VerifyReport;
  let tables: { check: 'projection'; problem: string }[];
  try {
    report = await run(verifySteps(events, { kept: keptRoots.map((rootHash) => ({ rootHash })), live }));
    tables = (await run(tableSteps)).map((problem) => ({ check: 'projection' as const, problem }));
  } finally {
    // ends the steps' read transaction if verify failed before them
    tableSteps.return([]);
  }
  const problems = [...storeGuardProblems(store), ...report.problems, ...tables];
  return { ...report, ok: problems.length === 0, problems };
}
