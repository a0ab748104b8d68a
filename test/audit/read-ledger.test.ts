import { forEachPage } from '../../src/audit/read-ledger';
import { planHere } from '../../src/audit/record-checkpoint';
import { SqliteEventStore } from '../../src/store/sqlite-store';

/** How many turns the event loop took while `work` ran: a macrotask that counts itself and comes back. */
async function turnsDuring(work: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  let ticking = true;
  const tick = () => {
    if (!ticking) return;
    turns += 1;
    setImmediate(tick);
  };
  setImmediate(tick);
  try {
    await work();
  } finally {
    ticking = false;
  }
  return turns;
}

/**
 * A SQLite store's reads do not wait: a loop over its pages would keep a server's thread until the
 * whole ledger is read and checked (a checkpoint planned on the server's thread, for a store
 * handed in by code). The page loop gives the event loop a turn between pages.
 */
describe('reading the ledger page by page', () => {
  const store = new SqliteEventStore(':memory:');
  beforeAll(async () => {
    for (let s = 0; s < 100; s += 1) {
      const events = Array.from({ length: 100 }, (_, i) => ({
        id: `00000000-0000-4000-8000-${String(s * 100 + i).padStart(12, '0')}`,
        type: 'Noted',
        data: { i },
        metadata: {},
      }));
      await store.append(`note-${s}`, events, 'no-stream');
    }
  });
  afterAll(() => store.close());

  it('gives the event loop a turn between pages, even from a store whose reads do not wait', async () => {
    let read = 0;
    expect(await turnsDuring(async () => (read = await forEachPage(store, () => undefined, 1000)))).toBeGreaterThanOrEqual(2);
    expect(read).toBe(10_000);
  });

  it('so does a checkpoint planned on the server’s thread, and again while it computes what it read', async () => {
    // ten pages give nine turns; the chains and Merkle roots computed after them, in slices, give more
    const turns = await turnsDuring(() => planHere(store)('2030-01-01T00:00:00.000Z', false));
    expect(turns).toBeGreaterThanOrEqual(9 + 2);
  });
});
