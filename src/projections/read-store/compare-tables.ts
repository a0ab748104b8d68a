import type { StoredEvent } from '../../store/event-store';
import { atOnce, type Steps } from '../../audit/slices';
import { COMPARED_TABLES } from './schema';
import { ReadStoreTables } from './tables';

export interface TableDrift {
  readonly table: string;
  readonly problem: string;
}

const SHOWN_PER_TABLE = 5;

/** A read store built from event one (in memory, or in a fresh file at `path`) by the same code that follows the store live. */
export function rebuildTables(events: readonly StoredEvent[], path = ':memory:'): ReadStoreTables {
  const tables = new ReadStoreTables(path, { bulk: true });
  for (let i = 0; i < events.length; i += 10_000) tables.applyBatch(events.slice(i, i + 10_000));
  tables.finishBulk();
  return tables;
}

/** The live read store's tables against the same tables built from these events (the ledger's whole history): each difference, worded. */
export function tableDriftFromEvents(events: readonly StoredEvent[], live: ReadStoreTables): string[] {
  return atOnce(tableDriftSteps(events, live));
}

/** events applied, or rows compared, between two chances to yield */
const SLICE = 1_000;

/**
 * The same comparison as steps that yield between slices (see audit/slices), so that a server with
 * no worker process answers other requests meanwhile. `live` must not move while they run: a read
 * transaction pinned on it (ReadStore.tableDriftSteps) or a worker's own snapshot.
 */
export function* tableDriftSteps(events: readonly StoredEvent[], live: ReadStoreTables): Steps<string[]> {
  const rebuilt = new ReadStoreTables(':memory:', { bulk: true });
  try {
    for (let i = 0; i < events.length; i += SLICE) {
      rebuilt.applyBatch(events.slice(i, i + SLICE));
      yield;
    }
    rebuilt.finishBulk();
    yield;
    return (yield* compareTableSteps(rebuilt, live)).map((d) => d.problem);
  } finally {
    rebuilt.close();
  }
}

/** Every table of the live read store, row by row, against one rebuilt from event one. */
export function compareTables(rebuilt: ReadStoreTables, live: ReadStoreTables): TableDrift[] {
  return atOnce(compareTableSteps(rebuilt, live));
}

function* compareTableSteps(rebuilt: ReadStoreTables, live: ReadStoreTables): Steps<TableDrift[]> {
  const drift: TableDrift[] = [];
  for (const table of COMPARED_TABLES) {
    const a = rebuilt.tableRows(table)[Symbol.iterator]();
    const b = live.tableRows(table)[Symbol.iterator]();
    let shown = 0;
    for (let row = 1; ; row += 1) {
      if (row % SLICE === 0) yield;
      const r = a.next();
      const l = b.next();
      if (r.done && l.done) break;
      const expected = r.done ? undefined : JSON.stringify(r.value);
      const actual = l.done ? undefined : JSON.stringify(l.value);
      if (expected === actual) continue;
      if (shown < SHOWN_PER_TABLE) {
        drift.push({ table: table.table, problem: `read store table ${table.table}, row ${row}: live ${brief(actual)}, from the events ${brief(expected)}` });
      }
      shown += 1;
      if (r.done || l.done) {
        // one side ended: the rest of the other is all difference
        a.return?.();
        b.return?.();
        break;
      }
    }
  }
  // the ledger version every answer cites, kept beside the tables
  const expected = rebuilt.version();
  const actual = live.version();
  for (const key of ['events', 'lastPosition', 'version', 'digest'] as const) {
    if (expected[key] !== actual[key])
      drift.push({ table: 'meta', problem: `the read store's ledger version has ${key} ${String(actual[key])}, the events give ${String(expected[key])}` });
  }
  return drift;
}

function brief(row: string | undefined): string {
  if (row === undefined) return '(no row)';
  return row.length > 160 ? `${row.slice(0, 157)}...` : row;
}
