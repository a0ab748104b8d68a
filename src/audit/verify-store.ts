import { TablesRebuiltBeside, type OnDiskComparison } from '../projections/read-store/rebuilt-beside';
import type { EventStore } from '../store/event-store';
import { readLedgerForVerify } from './read-for-verify';
import { storeGuardProblems } from './store-guards';
import { verifyLedger, type KeptCheckpoint, type VerifyReport } from './verify';

export interface StoreVerification {
  readonly report: VerifyReport;
  /** the read store held to the rebuild */
  readonly readStore: OnDiskComparison;
}

/**
 * Verifies the ledger in a store without holding it whole: each event is checked and applied to
 * every projection rebuilt beside the read store (`beside`) as it is read, then the chains,
 * checkpoints and global order are checked over what verify keeps of each event. What `ledger
 * verify` and `GET /api/audit/verify` run on a store.
 */
export async function verifyStore(store: EventStore, beside: TablesRebuiltBeside, kept: readonly KeptCheckpoint[]): Promise<StoreVerification> {
  try {
    const { events, checked } = await readLedgerForVerify(store, (page) => beside.add(page));
    const readStore = beside.finish();
    const report = verifyLedger(events, { kept, checked, rebuild: false });
    const problems = [...storeGuardProblems(store), ...report.problems, ...readStore.problems.map((problem) => ({ check: 'projection' as const, problem }))];
    return {
      report: {
        ...report,
        ok: problems.length === 0,
        problems,
        projection: readStore.compared ? 'rebuilt and compared with the live read model' : 'rebuilt from event one',
      },
      readStore,
    };
  } finally {
    beside.close();
  }
}
