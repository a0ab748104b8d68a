import { z } from 'zod';
import type { StoredEvent } from '../store/event-store';
import { asRecordedCheckpoint, Checkpoint, latestCheckpoint, type RecordedCheckpoint } from './checkpoint';
import { CHECKPOINT_STREAM } from './checkpoint-stream';
import { verifyLedger, type AuditedEvent, type KeptCheckpoint, type VerifyOptions, type VerifyProblem, type VerifyReport } from './verify';

/**
 * The auditor's export: NDJSON, one event per line with its whole envelope, in global order, then
 * one final line with the latest checkpoint. Everything needed to verify it is in the file.
 */
export const ExportEventLine = z.strictObject({
  kind: z.literal('event'),
  position: z.string(),
  streamId: z.string().min(1),
  revision: z.number().int().min(0),
  id: z.string().min(1),
  type: z.string().min(1),
  data: z.record(z.string(), z.unknown()),
  metadata: z.record(z.string(), z.unknown()),
});

export const ExportCheckpointLine = z.union([
  z.strictObject({
    kind: z.literal('checkpoint'),
    eventId: z.string(),
    streamId: z.string(),
    revision: z.number().int().min(0),
    position: z.string(),
    hash: z.string().nullable(),
    checkpoint: Checkpoint,
  }),
  z.strictObject({ kind: z.literal('checkpoint'), checkpoint: z.null() }),
]);
export type ExportCheckpointLine = z.infer<typeof ExportCheckpointLine>;

export function eventLine(e: StoredEvent): string {
  return JSON.stringify({
    kind: 'event',
    position: e.position,
    streamId: e.streamId,
    revision: e.revision,
    id: e.id,
    type: e.type,
    data: e.data,
    metadata: e.metadata,
  });
}

export function checkpointLine(c: RecordedCheckpoint | undefined): string {
  if (!c) return JSON.stringify({ kind: 'checkpoint', checkpoint: null });
  return JSON.stringify({
    kind: 'checkpoint',
    eventId: c.eventId,
    streamId: c.streamId,
    revision: c.revision,
    position: c.position,
    hash: c.hash,
    checkpoint: c.checkpoint,
  });
}

/** Every line of the export of these events (global order), each ending in a newline. */
export function* exportLines(events: readonly StoredEvent[]): Generator<string> {
  for (const e of events) yield `${eventLine(e)}\n`;
  yield `${checkpointLine(latestCheckpoint(events))}\n`;
}

export interface ParsedExport {
  readonly events: AuditedEvent[];
  readonly checkpointLine: ExportCheckpointLine | undefined;
  readonly checkpointLineNumber: number | undefined;
  readonly problems: VerifyProblem[];
}

/** Reads an export; lines that are not events or the checkpoint are reported by line number, never guessed at. */
export function parseExport(text: string): ParsedExport {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return parseExportLines(lines);
}

/**
 * {@link parseExport} over the export's lines as they are read (a file too large to be one
 * string); `keep` gives what is kept of each event line, with its index among the events
 * (verify checks each one as it comes and keeps it without its data).
 */
export function parseExportLines(lines: Iterable<string>, keep: (e: AuditedEvent, index: number) => AuditedEvent = (e) => e): ParsedExport {
  const events: AuditedEvent[] = [];
  const problems: VerifyProblem[] = [];
  let checkpoint: ExportCheckpointLine | undefined;
  let checkpointLineNumber: number | undefined;
  let i = -1;
  for (const raw of lines) {
    i += 1;
    const line = i + 1;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      problems.push({ check: 'format', line, problem: `line ${line} is not JSON: ${raw.length > 60 ? `${raw.slice(0, 57)}...` : raw}` });
      continue;
    }
    const kind = (value as { kind?: unknown } | null)?.kind;
    if (checkpoint !== undefined) {
      problems.push({ check: 'format', line, problem: `line ${line} follows the checkpoint line ${checkpointLineNumber!}, which must be the last` });
    }
    if (kind === 'event') {
      const parsed = ExportEventLine.safeParse(value);
      if (!parsed.success) {
        problems.push({ check: 'format', line, problem: `line ${line} is not an event line: ${z.prettifyError(parsed.error)}` });
        continue;
      }
      const { kind: _kind, ...event } = parsed.data;
      events.push(keep({ ...event, line }, events.length));
    } else if (kind === 'checkpoint') {
      const parsed = ExportCheckpointLine.safeParse(value);
      if (!parsed.success) {
        problems.push({ check: 'format', line, problem: `line ${line} is not a checkpoint line: ${z.prettifyError(parsed.error)}` });
        continue;
      }
      checkpoint = parsed.data;
      checkpointLineNumber = line;
    } else {
      problems.push({ check: 'format', line, problem: `line ${line} is neither an event nor the checkpoint (kind ${JSON.stringify(kind)})` });
    }
  }
  return { events, checkpointLine: checkpoint, checkpointLineNumber, problems };
}

/**
 * Proves an export offline: everything {@link verifyLedger} proves of a store, plus that the
 * export ends with the latest checkpoint recorded in it, which also covers the export's own tail.
 */
export function verifyExport(text: string, options: Omit<VerifyOptions, 'live'> = {}): VerifyReport {
  return verifyParsedExport(parseExport(text), options);
}

/** {@link verifyExport} of an export already read (see verifyExportFile). */
export function verifyParsedExport(parsed: ParsedExport, options: Omit<VerifyOptions, 'live'> = {}): VerifyReport {
  const extra: VerifyProblem[] = [...parsed.problems];
  const kept: KeptCheckpoint[] = [...(options.kept ?? [])];
  const line = parsed.checkpointLine;
  const latest = latestCheckpoint(parsed.events);
  if (line === undefined) {
    extra.push({ check: 'export', problem: 'the export has no final checkpoint line: it was cut short' });
  } else if (line.checkpoint === null) {
    if (latest)
      extra.push({
        check: 'export',
        line: parsed.checkpointLineNumber,
        problem: `the final line says there is no checkpoint, but event ${latest.eventId} is one`,
      });
  } else {
    const named = parsed.events.find((e) => e.id === line.eventId);
    const recorded = named && asRecordedCheckpoint(named);
    if (!named) {
      extra.push({
        check: 'export',
        line: parsed.checkpointLineNumber,
        eventId: line.eventId,
        problem: `the final checkpoint line names event ${line.eventId}, which is not in the export: events were removed`,
      });
    } else if (!recorded || recorded.hash !== line.hash || JSON.stringify(recorded.checkpoint) !== JSON.stringify(line.checkpoint)) {
      extra.push({
        check: 'export',
        line: parsed.checkpointLineNumber,
        eventId: line.eventId,
        problem: `the final checkpoint line differs from event ${line.eventId} (line ${named.line ?? '?'}) that it names`,
      });
    } else if (latest && latest.eventId !== line.eventId) {
      extra.push({
        check: 'export',
        line: parsed.checkpointLineNumber,
        eventId: line.eventId,
        problem: `the final checkpoint line names ${line.eventId}, but ${latest.eventId} is a later checkpoint`,
      });
    }
    // the line is a checkpoint in its own right: it still covers what it covered if its event is gone
    if (!recorded || recorded.hash !== line.hash)
      kept.push({ checkpoint: line.checkpoint, label: `the export's final checkpoint line (${line.checkpoint.rootHash})` });
  }
  const report = verifyLedger(parsed.events, { ...options, kept });
  // An export ends with a checkpoint over every event it holds; anything after it was added to the file
  // (unless a checkpoint already fails: events inserted among what it covers push real ones past its end).
  const coverageBroken = report.problems.some((p) => p.check === 'checkpoint' || p.check === 'kept-checkpoint');
  const firstUncovered =
    report.uncovered > 0 && !coverageBroken
      ? parsed.events.slice(report.latestCheckpoint?.eventCount ?? 0).find((e) => e.streamId !== CHECKPOINT_STREAM)
      : undefined;
  if (firstUncovered) {
    extra.push({
      check: 'export',
      eventId: firstUncovered.id,
      streamId: firstUncovered.streamId,
      revision: firstUncovered.revision,
      position: firstUncovered.position,
      ...(firstUncovered.line === undefined ? {} : { line: firstUncovered.line }),
      problem: `${report.uncovered} event${report.uncovered === 1 ? '' : 's'} from event ${firstUncovered.id} (${firstUncovered.streamId}@${firstUncovered.revision}) on ${report.latestCheckpoint ? `follow the export's final checkpoint, which does not cover them` : 'are covered by no checkpoint'}: an export is made with a checkpoint over all it holds, so these were added to the file afterwards`,
    });
  }
  const problems = [...extra, ...report.problems];
  return { ...report, keptCheckpoints: options.kept?.length ?? 0, ok: problems.length === 0, problems };
}
