import { closeSync, openSync, readSync } from 'node:fs';
import { TablesRebuiltBeside } from '../projections/read-store/rebuilt-beside';
import { parseExportLines, verifyParsedExport } from './export-file';
import { EachEventChecks, interned, withoutData, type AuditedEvent, type KeptCheckpoint, type VerifyReport } from './verify';

/** events applied to the rebuilt projections at a time */
const BATCH = 1000;

/**
 * `ledger verify --file`: an export proved offline, read from its file a line at a time. At a
 * million events an export is about 800 MB, longer than any string V8 can make, and its events
 * whole would be gigabytes: each event is checked on its own and applied to every projection
 * rebuilt from event one (in a temporary file) as it is read, and kept without its data for the
 * chains and checkpoints. The file is opened before anything else, so a missing one throws at once.
 * `each` sees every event line as it is read (a replay of the export, shown only if it verifies).
 */
export function verifyExportFile(path: string, kept: readonly KeptCheckpoint[] = [], each?: (e: AuditedEvent) => void): VerifyReport {
  const lines = linesOf(path);
  const checked = new EachEventChecks();
  const beside = TablesRebuiltBeside.alone();
  const once = interned();
  let pending: AuditedEvent[] = [];
  let unprojectable: string | undefined;
  const flush = () => {
    // an export can hold anything: events that cannot be projected are a problem to report, not a crash
    if (unprojectable === undefined && pending.length > 0) {
      try {
        beside.add(pending);
      } catch (error) {
        unprojectable = error instanceof Error ? error.message : String(error);
      }
    }
    pending = [];
  };
  try {
    // a copied event is verify's to report (duplicate); the projections are rebuilt from each event once
    const projected = new Set<string>();
    const parsed = parseExportLines(lines, (e, index) => {
      checked.check(e, index);
      each?.(e);
      if (!projected.has(e.id)) pending.push(e);
      projected.add(e.id);
      if (pending.length >= BATCH) flush();
      return withoutData(e, once);
    });
    flush();
    if (unprojectable === undefined) {
      try {
        beside.finish();
      } catch (error) {
        unprojectable = error instanceof Error ? error.message : String(error);
      }
    }
    const report = verifyParsedExport(parsed, { kept, checked, rebuild: false });
    if (unprojectable === undefined) return { ...report, projection: 'rebuilt from event one' };
    const problems = [...report.problems, { check: 'projection' as const, problem: `the events cannot be projected from event one: ${unprojectable}` }];
    return { ...report, ok: false, problems };
  } finally {
    beside.close();
  }
}

/** The file's lines (without their newline), read a megabyte at a time; opened now, read as they are asked for. */
function linesOf(path: string): Iterable<string> {
  const fd = openSync(path, 'r');
  return (function* () {
    const buffer = Buffer.alloc(1 << 20);
    let rest = Buffer.alloc(0);
    try {
      for (;;) {
        const n = readSync(fd, buffer, 0, buffer.length, null);
        if (n === 0) break;
        const chunk = rest.length > 0 ? Buffer.concat([rest, buffer.subarray(0, n)]) : buffer.subarray(0, n);
        let start = 0;
        for (let end = chunk.indexOf(10, start); end !== -1; end = chunk.indexOf(10, start)) {
          yield chunk.toString('utf8', start, end);
          start = end + 1;
        }
        // copied: the buffer is read into again
        rest = Buffer.from(chunk.subarray(start));
      }
      if (rest.length > 0) yield rest.toString('utf8');
    } finally {
      closeSync(fd);
    }
  })();
}
