import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLedger } from '../../bench/read-model/generate-ledger';
import { readWholeLedger } from '../../src/audit/read-ledger';
import { comparisonNote, TablesRebuiltBeside } from '../../src/projections/read-store/rebuilt-beside';
import { ReadStoreTables } from '../../src/projections/read-store/tables';
import type { StoredEvent } from '../../src/store/event-store';
import { SqliteEventStore } from '../../src/store/sqlite-store';

/**
 * Verify rebuilds every projection beside the read store as it reads the ledger, and compares
 * the two at the events the read store had applied when verify began: what a server applies
 * meanwhile, or has not applied yet, is never a difference; a read store ahead of the ledger, or
 * of another ledger, is.
 */
describe('the tables rebuilt beside a read store', () => {
  jest.setTimeout(60_000);
  let dir: string;
  let events: StoredEvent[];
  let other: StoredEvent[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-beside-'));
    const read = async (name: string) => {
      generateLedger(join(dir, name), 300);
      const store = new SqliteEventStore(join(dir, name), { access: 'read-only' });
      try {
        return await readWholeLedger(store);
      } finally {
        await store.close();
      }
    };
    events = await read('ledger.db');
    other = await read('other.db');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let generations = 0;
  /** a read store generation that has applied these events */
  const generation = (applied: readonly StoredEvent[]): string => {
    const path = join(dir, `generation-${(generations += 1)}.sqlite`);
    const tables = new ReadStoreTables(path, { bulk: true });
    tables.applyBatch(applied);
    tables.finishBulk();
    tables.close();
    return path;
  };
  /** verify's pass over the ledger, a page at a time */
  const feed = (beside: TablesRebuiltBeside, ledger: readonly StoredEvent[]) => {
    try {
      for (let i = 0; i < ledger.length; i += 64) beside.add(ledger.slice(i, i + 64));
      return beside.finish();
    } finally {
      beside.close();
    }
  };

  it('compares a read store behind the ledger at the events it applied, and rebuilds every event all the same', () => {
    const path = generation(events.slice(0, 200));
    const applied = jest.spyOn(ReadStoreTables.prototype, 'applyBatch');
    try {
      const c = feed(TablesRebuiltBeside.forGeneration(path), events);
      expect([c.compared, c.problems, c.applied]).toEqual([true, [], 200]);
      expect(comparisonNote(c, events.length)).toContain('(100 later events not applied yet');
      expect(applied.mock.calls.reduce((n, [batch]) => n + batch.length, 0)).toBe(300);
    } finally {
      applied.mockRestore();
    }
  });

  it('holds the read store as it was when verify began: a change made meanwhile is not seen, a change made before is named', () => {
    const path = generation(events);
    const change = () => {
      const db = new Database(path);
      db.prepare("UPDATE stances SET status = 'withdrawn' WHERE rowid = (SELECT min(rowid) FROM stances)").run();
      db.close();
    };
    const beside = TablesRebuiltBeside.forGeneration(path);
    change();
    expect(feed(beside, events).problems).toEqual([]);
    const after = feed(TablesRebuiltBeside.forGeneration(path), events);
    expect(after.problems).toHaveLength(1);
    expect(after.problems[0]).toMatch(/^read store table stances, row 1: /);
  });

  it('names a ledger version that is not the one of the events', () => {
    const path = generation(events);
    const db = new Database(path);
    db.prepare("UPDATE meta SET value = 'forged' WHERE key = 'digest'").run();
    db.close();
    expect(feed(TablesRebuiltBeside.forGeneration(path), events).problems).toEqual([
      expect.stringMatching(/^the read store's ledger version has digest forged, the events give /),
    ]);
  });

  it('finds a read store ahead of the ledger, or following another ledger, and compares nothing then', () => {
    const path = generation(events);
    const ahead = feed(TablesRebuiltBeside.forGeneration(path), events.slice(0, 250));
    expect([ahead.compared, ahead.problems]).toEqual([
      false,
      [expect.stringContaining('it has applied 300 events, the ledger holds 250: it is ahead of the ledger')],
    ]);
    const elsewhere = feed(TablesRebuiltBeside.forGeneration(path), other);
    expect([elsewhere.compared, elsewhere.problems]).toEqual([false, [expect.stringContaining('it follows another ledger, or a ledger that was changed')]]);
  });

  it('compares a read store that applied nothing with no rows, whatever the ledger holds after', () => {
    const empty = feed(TablesRebuiltBeside.forGeneration(generation([])), events);
    expect([empty.compared, empty.problems, empty.applied]).toEqual([true, [], 0]);
  });
});
