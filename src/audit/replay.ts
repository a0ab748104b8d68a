import { DateTime } from 'luxon';
import { parseBusinessDate } from '../domain/business-date';
import { LedgerProjection, type DocumentView } from '../projections/ledger-projection';
import type { Stance } from '../projections/stance';
import type { StoredEvent } from '../store/event-store';

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
export function replay(events: Iterable<StoredEvent>, until: Until): ReplayResult {
  const replaying = new Replay(until);
  for (const e of events) if (!replaying.add(e)) break;
  return replaying.result();
}

/**
 * A replay fed one event at a time, in global order (a ledger or an export of a million events is
 * read a page or a line at a time, never held whole). Only the projection is kept.
 */
export class Replay {
  private readonly projection = new LedgerProjection();
  /** for an instant, only what had been recorded by then is replayed: the ledger knew nothing else */
  private readonly recordedBy: number | undefined;
  private replayed = 0;
  private last: StoredEvent | undefined;
  private reached = false;

  constructor(readonly until: Until) {
    this.recordedBy = until.kind === 'recorded-instant' ? Date.parse(until.recordedAsOf) : undefined;
  }

  /** Replays the next event; false once the event named by a position has been replayed (nothing after it counts). */
  add(e: StoredEvent): boolean {
    if (this.reached) return false;
    if (this.recordedBy !== undefined && !(Date.parse(String(e.metadata.recordedAt)) <= this.recordedBy)) return true;
    this.projection.apply(e);
    this.replayed += 1;
    this.last = e;
    if (this.until.kind === 'position' && e.position === this.until.position) this.reached = true;
    return !this.reached;
  }

  /** What the events replayed show; a position that no event had is an error, not an empty ledger. */
  result(): ReplayResult {
    const { until, recordedBy, last } = this;
    if (until.kind === 'position' && !this.reached) throw new UnknownPositionError(until.position);
    const view = until.kind === 'business-date' ? { asOf: until.asOf } : until.kind === 'recorded-instant' ? { recordedAsOf: until.recordedAsOf } : {};
    const positions = this.projection.positions(view);
    const documents = this.projection.documentList().filter((d) => recordedBy === undefined || Date.parse(d.recordedAt) <= recordedBy);
    return {
      until,
      meaning: meaningOf(until),
      eventsReplayed: this.replayed,
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
}

/**
 * `JSON.stringify(result, null, 2)`, an element of its lists at a time: at a million events a
 * replay's JSON is longer than any one string can be. (json-stream-stringify writes the same bytes
 * but took 8.7 s against 1.0 s for 200,000 positions: it walks every value; this stringifies each
 * position natively and only indents it.)
 */
export function* replayJson(result: ReplayResult): Generator<string> {
  const fields = Object.entries(result).filter(([, v]) => v !== undefined);
  yield '{';
  for (const [i, [key, value]] of fields.entries()) {
    yield `${i === 0 ? '' : ','}\n  ${JSON.stringify(key)}: `;
    if (!Array.isArray(value) || value.length === 0) {
      yield indented(JSON.stringify(value, null, 2), '  ');
      continue;
    }
    yield '[';
    for (const [j, element] of (value as unknown[]).entries())
      yield `${j === 0 ? '' : ','}\n    ${indented(JSON.stringify(element, null, 2) ?? 'null', '    ')}`;
    yield '\n  ]';
  }
  yield fields.length === 0 ? '}' : '\n}';
}

// JSON.stringify escapes the newlines in strings: every newline in its output is between tokens
const indented = (json: string, by: string) => json.replace(/\n/g, `\n${by}`);

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
