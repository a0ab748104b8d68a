import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '../../store/event-store';
import { compareTables, rebuildTables } from './compare-tables';
import { currentGeneration } from './read-store';
import { PROJECTION_VERSION } from './schema';
import { ReadStoreTables } from './tables';

export interface OnDiskComparison {
  /** what was compared, or why nothing was */
  readonly note: string;
  /** each difference between the read store on disk and one rebuilt from the same events */
  readonly problems: readonly string[];
  /** events the read store on disk has applied; more than the ledger holds: read the ledger again */
  readonly applied: number;
  /** whether tables were rebuilt from event one and compared (not when there is no read store, or one of another version, or at another checkpoint) */
  readonly compared: boolean;
}

/**
 * `ledger verify` without a server: the read store on disk (its CURRENT generation, opened
 * read-only, so a running server is not disturbed) against one rebuilt from the same events, table
 * by table. A read store behind the ledger (it catches up at the next start) is compared with the
 * events it has applied; one that holds events the ledger does not, or follows another ledger, is
 * a difference.
 */
export function compareOnDisk(dir: string, events: readonly StoredEvent[]): OnDiskComparison {
  const path = currentGeneration(dir);
  if (path === undefined) return { note: `no read store in ${dir}`, problems: [], applied: 0, compared: false };
  if (ReadStoreTables.projectionVersionOf(path) !== PROJECTION_VERSION) {
    return {
      note: `the read store in ${dir} is of another projection version (it is rebuilt at the next start): not compared`,
      problems: [],
      applied: 0,
      compared: false,
    };
  }
  const live = ReadStoreTables.openReadOnly(path);
  try {
    const { events: applied, lastPosition } = live.version();
    if (applied > events.length) {
      return {
        note: '',
        applied,
        compared: false,
        problems: [
          `read store ${path}: it has applied ${applied} events, the ledger holds ${events.length}: it is ahead of the ledger (rebuilt at the next start)`,
        ],
      };
    }
    const same = events.slice(0, applied);
    if (applied > 0 && (same.at(-1)!.position !== lastPosition || same[0]!.id !== live.ledgerId())) {
      return {
        note: '',
        applied,
        compared: false,
        problems: [
          `read store ${path}: its checkpoint (event ${applied}, position ${lastPosition}) is not where the ledger has its event ${applied} (position ${same.at(-1)!.position}): it follows another ledger, or a ledger that was changed`,
        ],
      };
    }
    // rebuilt into a temporary file: a large ledger's tables need not fit in memory
    const tmp = mkdtempSync(join(tmpdir(), 'ledger-verify-read-store-'));
    const rebuilt = rebuildTables(same, join(tmp, 'rebuilt.sqlite'));
    try {
      const problems = compareTables(rebuilt, live).map((d) => d.problem);
      const behind = events.length - applied;
      const note = `the read store on disk compared table by table with one rebuilt from its ${applied} events${behind > 0 ? ` (${behind} later events not applied yet: it catches up at the next start)` : ''}`;
      return { note, problems, applied, compared: true };
    } finally {
      rebuilt.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  } finally {
    live.close();
  }
}
