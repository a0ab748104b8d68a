import { namedRecorder } from '../keys/api-key';
import type { StoredEvent } from '../store/event-store';
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
    super(`no event is at position ${position}: use the "next" of a previous page`);
    this.name = 'UnknownCursorError';
  }
}

/** A name as it is looked for: case and accents aside ("lopez" finds "Ana López"), as search does elsewhere. */
const folded = (name: string) => name.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase();

/** A page of the audit log, in global (recording) order. Pure. */
export function auditLog(events: readonly StoredEvent[], filter: AuditLogFilter): { entries: AuditLogEntry[]; next: string | null } {
  const byId = new Map(events.map((e) => [e.id, e]));
  const corrections = new Map<string, StoredEvent[]>();
  for (const e of events) {
    const target = correctedId(e);
    if (target) corrections.set(target, [...(corrections.get(target) ?? []), e]);
  }
  let start = 0;
  if (filter.after !== undefined) {
    const index = events.findIndex((e) => e.position === filter.after);
    if (index === -1) throw new UnknownCursorError(filter.after);
    start = index + 1;
  }
  const from = filter.from === undefined ? undefined : Date.parse(filter.from);
  const to = filter.to === undefined ? undefined : Date.parse(filter.to);
  const name = filter.name === undefined ? undefined : folded(filter.name);
  const entries: AuditLogEntry[] = [];
  let next: string | null = null;
  for (let i = start; i < events.length; i += 1) {
    const e = events[i]!;
    const at = Date.parse(String(e.metadata.recordedAt));
    if (filter.recordedBy !== undefined && e.metadata.recordedBy !== filter.recordedBy) continue;
    if (name !== undefined && !folded(namedRecorder(e.metadata.recordedBy)?.name ?? '').includes(name)) continue;
    if (from !== undefined && !(at >= from)) continue;
    if (to !== undefined && !(at <= to)) continue;
    if (entries.length === filter.limit) {
      next = entries.at(-1)!.position;
      break;
    }
    const target = correctedId(e);
    const corrected = target ? byId.get(target) : undefined;
    const notes = corrections.get(e.id);
    entries.push({
      ...summary(e),
      position: e.position,
      hash: recordedHash(e),
      ...(corrected ? { corrects: { ...summary(corrected), data: corrected.data } } : {}),
      ...(notes ? { correctedBy: notes.map(note) } : {}),
    });
  }
  return { entries, next };
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
