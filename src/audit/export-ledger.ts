import type { Actor } from '../command-handling/command-handler';
import type { EventStore } from '../store/event-store';
import type { StoredEvent } from '../store/event-store';
import { latestCheckpoint, type RecordedCheckpoint } from './checkpoint';
import { exportLines } from './export-file';
import { readWholeLedger } from './read-ledger';
import { atOnce, STEP, type Steps } from './slices';
import { recordCheckpoint, UnverifiedLedgerError } from './record-checkpoint';

export interface LedgerExport {
  readonly text: string;
  readonly events: number;
  /** the checkpoint recorded for this export, when events had come after the latest one */
  readonly recorded?: RecordedCheckpoint;
  /** why no checkpoint could be recorded: the ledger does not verify, and the export will show where */
  readonly unverified?: string;
}

/**
 * The export as `ledger export` and `GET /api/audit/export` both make it: a checkpoint over every
 * event is recorded first when one is missing, so the export's final line covers all of it and
 * `verify --file` can treat any event after that line as not vouched for.
 */
export async function exportLedger(store: EventStore, actor: Actor): Promise<LedgerExport> {
  let recorded: RecordedCheckpoint | undefined;
  let unverified: string | undefined;
  try {
    const outcome = await recordCheckpoint(store, { actor, onlyIfChanged: true });
    if (outcome.recorded) recorded = outcome.checkpoint;
  } catch (error) {
    if (!(error instanceof UnverifiedLedgerError)) throw error;
    unverified = error.message;
  }
  const events = await readWholeLedger(store);
  return { text: [...exportLines(events)].join(''), events: events.length, recorded, unverified };
}

/**
 * The export a read can make without recording anything: every event up to and including the
 * latest checkpoint, which covers them all, so it verifies offline; `later` counts the events
 * recorded after it. Undefined when no checkpoint is recorded yet.
 */
export interface LedgerExportText {
  readonly text: string;
  readonly events: number;
  /** events recorded after the export's checkpoint */
  readonly later: number;
}

export function exportToLatestCheckpoint(events: readonly StoredEvent[]): LedgerExportText | undefined {
  return atOnce(exportToLatestCheckpointSteps(events));
}

/** {@link exportToLatestCheckpoint} in steps (see slices.ts), for a server without a worker. */
export function* exportToLatestCheckpointSteps(events: readonly StoredEvent[]): Steps<LedgerExportText | undefined> {
  const latest = latestCheckpoint(events);
  if (!latest) return undefined;
  const covered = events.slice(0, events.findIndex((e) => e.id === latest.eventId) + 1);
  const lines: string[] = [];
  for (const line of exportLines(covered)) if (lines.push(line) % STEP === 0) yield;
  return { text: lines.join(''), events: covered.length, later: events.length - covered.length };
}
