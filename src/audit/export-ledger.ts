import type { Actor } from '../command-handling/command-handler';
import type { EventStore } from '../store/event-store';
import { closeSync, ftruncateSync, openSync, rmSync, writeSync } from 'node:fs';
import { asRecordedCheckpoint, isCheckpointEvent, latestCheckpoint, type RecordedCheckpoint } from './checkpoint';
import { forEachPage } from './read-ledger';
import { checkpointLine, eventLine } from './export-file';
import { recordCheckpoint, UnverifiedLedgerError } from './record-checkpoint';

export interface LedgerExport {
  readonly events: number;
  /** the checkpoint recorded for this export, when events had come after the latest one */
  readonly recorded?: RecordedCheckpoint;
  /** why no checkpoint could be recorded: the ledger does not verify, and the export will show where */
  readonly unverified?: string;
}

/**
 * The export as `ledger export` makes it: a checkpoint over every event is recorded first when
 * one is missing, so the export's final line covers all of it and `verify --file` can treat any
 * event after that line as not vouched for. Written to `write` page by page: at a million events
 * an export is about 800 MB, longer than any string V8 can make.
 */
export async function exportLedger(store: EventStore, actor: Actor, write: (chunk: string) => void): Promise<LedgerExport> {
  let recorded: RecordedCheckpoint | undefined;
  let unverified: string | undefined;
  try {
    const outcome = await recordCheckpoint(store, { actor, onlyIfChanged: true });
    if (outcome.recorded) recorded = outcome.checkpoint;
  } catch (error) {
    if (!(error instanceof UnverifiedLedgerError)) throw error;
    unverified = error.message;
  }
  let latest: RecordedCheckpoint | undefined;
  const events = await forEachPage(store, (page) => {
    write(page.map((e) => `${eventLine(e)}\n`).join(''));
    latest = latestCheckpoint(page) ?? latest;
  });
  write(`${checkpointLine(latest)}\n`);
  return { events, recorded, unverified };
}

/** An export a read made without recording anything, in a file of its own (see writeExportToLatestCheckpoint). */
export interface LedgerExportFile {
  readonly path: string;
  readonly bytes: number;
  readonly events: number;
  /** events recorded after the export's checkpoint */
  readonly later: number;
}

/**
 * The export a read can make without recording anything, written to the file at `path`: every
 * event up to and including the latest checkpoint, which covers them all, so it verifies
 * offline; `later` counts the events recorded after it. Written page by page in one pass, then
 * cut back to the end of the latest checkpoint's line. Undefined, and no file, when no checkpoint
 * is recorded yet.
 */
export async function writeExportToLatestCheckpoint(store: EventStore, path: string): Promise<LedgerExportFile | undefined> {
  const fd = openSync(path, 'w', 0o600);
  let complete = false;
  try {
    let bytes = 0;
    let latest: { checkpoint: RecordedCheckpoint; bytes: number; events: number } | undefined;
    let events = 0;
    await forEachPage(store, (page) => {
      let chunk = '';
      for (const e of page) {
        const line = `${eventLine(e)}\n`;
        chunk += line;
        bytes += Buffer.byteLength(line);
        events += 1;
        const checkpoint = isCheckpointEvent(e) ? asRecordedCheckpoint(e) : undefined;
        if (checkpoint) latest = { checkpoint, bytes, events };
      }
      writeSync(fd, chunk);
    });
    if (!latest) return undefined;
    ftruncateSync(fd, latest.bytes);
    const last = `${checkpointLine(latest.checkpoint)}\n`;
    writeSync(fd, last, latest.bytes);
    complete = true;
    return { path, bytes: latest.bytes + Buffer.byteLength(last), events: latest.events, later: events - latest.events };
  } finally {
    closeSync(fd);
    if (!complete) rmSync(path, { force: true });
  }
}
