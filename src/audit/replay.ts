import { DateTime } from 'luxon';
import { parseBusinessDate } from '../domain/business-date';
import type { DocumentView } from '../projections/ledger-projection';
import type { Stance } from '../projections/stance';
import type { StoredEvent } from '../store/event-store';
import { rebuildProjection } from './projection-snapshot';

/**
 * The point in history to replay to. Three questions, three forms:
 * - a business date ("2010", "2014-02", "2014-01-21"): every position as the working group had
 *   decided it by the end of that date, from everything recorded since (asOf);
 * - an instant with a time and an offset ("2014-02-01T12:00:00Z"): every position as the ledger
 *   showed it then, from only what had been recorded by that instant (recordedAsOf);
 * - a global position ("position:57"): the ledger replayed from event one up to and including
 *   the event at that position.
 */
export type Until =
  | { readonly kind: 'business-date'; readonly asOf: string }
  | { readonly kind: 'recorded-instant'; readonly recordedAsOf: string }
  | { readonly kind: 'position'; readonly position: string };

export function parseUntil(text: string): Until | undefined {
  if (text.startsWith('position:')) {
    const position = text.slice('position:'.length);
    return position.length > 0 ? { kind: 'position', position } : undefined;
  }
  if (text.includes('T')) {
    if (!/(?:[zZ]|[+-]\d{2}:?\d{2})$/.test(text)) return undefined;
    const t = DateTime.fromISO(text, { setZone: true });
    return t.isValid ? { kind: 'recorded-instant', recordedAsOf: t.toUTC().toISO()! } : undefined;
  }
  return parseBusinessDate(text) ? { kind: 'business-date', asOf: text } : undefined;
}

export const UNTIL_HELP =
  'a business date (2010, 2014-02, 2014-01-21): positions as decided by the end of that date, from all that is recorded; ' +
  'an instant with time and offset (2014-02-01T12:00:00Z): positions as the ledger showed them then, from only what was recorded by that instant; ' +
  'or position:<global position> (position:57): the ledger replayed from event one through that event';

export interface ReplayResult {
  readonly until: Until;
  readonly meaning: string;
  /** events replayed: all of them for a business date (the fold keeps what was decided by then), those recorded by an instant, those up to a position */
  readonly eventsReplayed: number;
  readonly lastEvent: { id: string; streamId: string; revision: number; position: string; recordedAt: string | null } | null;
  readonly count: number;
  readonly positions: readonly Stance[];
  readonly documents: readonly DocumentView[];
}

export class UnknownPositionError extends Error {
  constructor(readonly position: string) {
    super(`no event is at position ${position} in this ledger`);
    this.name = 'UnknownPositionError';
  }
}

/** The state of every position at that point, replayed from event one. Pure. */
export function replay(events: readonly StoredEvent[], until: Until): ReplayResult {
  let upTo = events.length;
  if (until.kind === 'position') {
    const index = events.findIndex((e) => e.position === until.position);
    if (index === -1) throw new UnknownPositionError(until.position);
    upTo = index + 1;
  }
  const recordedBy = until.kind === 'recorded-instant' ? Date.parse(until.recordedAsOf) : undefined;
  // for an instant, only what had been recorded by then is replayed: the ledger knew nothing else
  const replayed = events.slice(0, upTo).filter((e) => recordedBy === undefined || Date.parse(String(e.metadata.recordedAt)) <= recordedBy);
  const projection = rebuildProjection(replayed);
  const view = until.kind === 'business-date' ? { asOf: until.asOf } : until.kind === 'recorded-instant' ? { recordedAsOf: until.recordedAsOf } : {};
  const positions = projection.positions(view);
  const documents = projection.documentList().filter((d) => recordedBy === undefined || Date.parse(d.recordedAt) <= recordedBy);
  const last = replayed.at(-1);
  return {
    until,
    meaning: meaningOf(until),
    eventsReplayed: replayed.length,
    lastEvent: last
      ? {
          id: last.id,
          streamId: last.streamId,
          revision: last.revision,
          position: last.position,
          recordedAt: typeof last.metadata.recordedAt === 'string' ? last.metadata.recordedAt : null,
        }
      : null,
    count: positions.length,
    positions,
    documents,
  };
}

function meaningOf(until: Until): string {
  switch (until.kind) {
    case 'business-date':
      return `every position as the working group had decided it by the end of ${until.asOf} (business time), from all that the ledger records now`;
    case 'recorded-instant':
      return `every position as the ledger showed it at ${until.recordedAsOf}, from only what it had recorded by then`;
    case 'position':
      return `every position after replaying the ledger from event one through the event at position ${until.position}`;
  }
}
