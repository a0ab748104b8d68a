import { namedRecorder } from '../keys/api-key';
import { InvalidPositionError, type EventStore, type StoredEvent } from '../store/event-store';
import { isPositionStream } from '../domain/stream-names';
import { recordedHash } from './checkpoint';

/** Who recorded what and when: one entry per event, with corrections beside the event they correct. */
export interface AuditLogEntry {
  readonly eventId: string;
  readonly position: string;
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
  readonly recordedAt: string | null;
  readonly recordedBy: string | null;
  readonly decidedOn: string | null;
  readonly hash: string | null;
  /** for a correction: the event it corrects, as first recorded */
  readonly corrects?: CorrectedEvent;
  /** for an event later corrected: the corrections, in the order recorded */
  readonly correctedBy?: readonly CorrectionNote[];
}

export interface CorrectedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly streamId: string;
  readonly revision: number;
  readonly recordedAt: string | null;
  readonly recordedBy: string | null;
  readonly decidedOn: string | null;
  readonly data: Record<string, unknown>;
}

export interface CorrectionNote {
  readonly eventId: string;
  readonly recordedAt: string | null;
  readonly recordedBy: string | null;
  readonly reason: string | null;
  readonly changes: Record<string, unknown>;
}

export interface AuditLogFilter {
  readonly recordedBy?: string;
  /** part of the name of the person whose named key recorded the event, in any case */
  readonly name?: string;
  /** instants (UTC ISO), inclusive */
  readonly from?: string;
  readonly to?: string;
  /** the position of the last entry of the previous page */
  readonly after?: string;
  readonly limit: number;
}

export class UnknownCursorError extends Error {
  constructor(readonly position: string) {
    super(`${position} is not a position of this ledger: use the "next" of a previous page`);
    this.name = 'UnknownCursorError';
  }
}

/** A name as it is looked for: case and accents aside ("lopez" finds "Ana López"), as search does elsewhere. */
const folded = (name: string) => name.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase();

/**
 * Events read at most for one page of the log. With no filter a page reads its own entries and one
 * more; a filter that few events match stops here, with `next` at the last event read, so a
 * request over a million events neither holds them nor reads them all: the client follows `next`.
 */
export const AUDIT_LOG_SCAN = 20_000;
const READ_PAGE = 1000;

/**
 * A page of the audit log, in global (recording) order, read from the store a page of events at
 * a time from the cursor. A page may hold fewer than `limit` entries and still have a `next`
 * (the scan stopped at AUDIT_LOG_SCAN events); `next` is null only at the end of the ledger.
 * Corrections are found in the stream of the event they correct: the ledger records a
 * correction only in its position's stream.
 */
export async function auditLog(store: EventStore, filter: AuditLogFilter, scan = AUDIT_LOG_SCAN): Promise<{ entries: AuditLogEntry[]; next: string | null }> {
  const from = filter.from === undefined ? undefined : Date.parse(filter.from);
  const to = filter.to === undefined ? undefined : Date.parse(filter.to);
  const name = filter.name === undefined ? undefined : folded(filter.name);
  const filtered = filter.recordedBy !== undefined || name !== undefined || from !== undefined || to !== undefined;
  const matches = (e: StoredEvent) => {
    const at = Date.parse(String(e.metadata.recordedAt));
    if (filter.recordedBy !== undefined && e.metadata.recordedBy !== filter.recordedBy) return false;
    if (name !== undefined && !folded(namedRecorder(e.metadata.recordedBy)?.name ?? '').includes(name)) return false;
    if (from !== undefined && !(at >= from)) return false;
    if (to !== undefined && !(at <= to)) return false;
    return true;
  };
  const found: StoredEvent[] = [];
  let next: string | null = null;
  let after = filter.after;
  let read = 0;
  const size = filtered ? READ_PAGE : filter.limit + 1;
  reading: for (;;) {
    const page = await readAfter(store, after, size);
    for (const [i, e] of page.entries()) {
      read += 1;
      if (matches(e)) {
        if (found.length === filter.limit) {
          next = found.at(-1)!.position;
          break reading;
        }
        found.push(e);
      }
      // a scan that stops short of the end says where to go on from
      if (read >= scan && (i < page.length - 1 || page.length === size)) {
        next = e.position;
        break reading;
      }
    }
    if (page.length < size) break;
    after = page.at(-1)!.position;
  }
  const streams = new Map<string, Promise<StoredEvent[]>>();
  const streamOf = (id: string) => streams.get(id) ?? streams.set(id, store.readStream(id)).get(id)!;
  const entries: AuditLogEntry[] = [];
  for (const e of found) {
    const target = correctedId(e);
    // only a position's events are corrected, and only in their own stream
    const stream = target !== undefined || isPositionStream(e.streamId) ? await streamOf(e.streamId) : [];
    const corrected = target === undefined ? undefined : stream.find((s) => s.id === target);
    const notes = stream.filter((s) => correctedId(s) === e.id);
    entries.push({
      ...summary(e),
      position: e.position,
      hash: recordedHash(e),
      ...(corrected ? { corrects: { ...summary(corrected), data: corrected.data } } : {}),
      ...(notes.length > 0 ? { correctedBy: notes.map(note) } : {}),
    });
  }
  return { entries, next };
}

/** A page of the ledger after the cursor; a cursor that is no position of this store is the client's mistake. */
async function readAfter(store: EventStore, after: string | undefined, maxCount: number): Promise<StoredEvent[]> {
  try {
    return await store.readAll({ after, maxCount });
  } catch (error) {
    if (after !== undefined && error instanceof InvalidPositionError) throw new UnknownCursorError(after);
    throw error;
  }
}

function summary(e: StoredEvent) {
  return {
    eventId: e.id,
    type: e.type,
    streamId: e.streamId,
    revision: e.revision,
    recordedAt: text(e.metadata.recordedAt),
    recordedBy: text(e.metadata.recordedBy),
    decidedOn: text(e.data.decidedOn),
  };
}

function note(c: StoredEvent): CorrectionNote {
  return {
    eventId: c.id,
    recordedAt: text(c.metadata.recordedAt),
    recordedBy: text(c.metadata.recordedBy),
    reason: text(c.data.reason),
    changes: (c.data.changes ?? {}) as Record<string, unknown>,
  };
}

function correctedId(e: StoredEvent): string | undefined {
  return e.type === 'PositionRecordCorrected' && typeof e.data.correctsEventId === 'string' ? e.data.correctsEventId : undefined;
}

function text(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
