import { foldsByBusinessDay, type HistoryEntry } from '../../domain/position/history';
import { evolvePosition, initialPositionState, type PositionState } from '../../domain/position/state';
import type { PositionEvent } from '../../domain/events';
import type { LedgerEvent } from '../../domain/ledger-event';
import { knownFields, stanceContent, type KnownField, type Stance } from '../stance';
import { timelineOfState, type TimelineEntry, type TimelineMemo } from '../timeline';
import { citedDocuments } from './position-rows';

/**
 * One position's rows followed forward event by event: the same rows as positionRows (the
 * from-scratch reference) gives, but each recorded version costs one fold of the stream, not a
 * refold of every earlier version. Only the difference with the rows open so far is written: the
 * rows a version no longer holds are closed at its instant, the new ones opened.
 *
 * Valid while the ledger records a stream in time order (each event's recordedAt after the
 * stream's last): `accepts` says when it is not, and the caller refolds the stream from scratch.
 *
 * Pure (no I/O): `id` is where the caller stored a row, so it knows which stored rows to close.
 */
export interface OpenStance {
  readonly bizFrom: string;
  readonly bizTo: string | null;
  /** absent for a row read back from the store (it is only ever closed) */
  readonly content?: Omit<Stance, KnownField>;
  readonly title: string;
  readonly statement: string;
  /** the stance without its title and statement (those are in the texts table), as stored */
  readonly json: string;
  /** the history entries folded into it, in business order: the same entries give the same stance (unknown for a row read back) */
  folded?: readonly HistoryEntry[];
  readonly recFrom: number;
  recTo: number | null;
  id?: number;
}

export interface OpenTimelineRow {
  readonly eventId: string;
  /** the entry as stored (JSON) */
  readonly json: string;
  /** the entry built (unknown for a row read back): the same object means the same entry */
  entry?: TimelineEntry;
  readonly recFrom: number;
  recTo: number | null;
  id?: number;
}

export interface KnownRowState extends Pick<Stance, KnownField> {
  readonly recFrom: number;
  recTo: number | null;
  stored?: boolean;
}

export class PositionProjection {
  private state: PositionState;
  /** the rows the latest version holds: stances by the business day they begin, timeline entries by event */
  private readonly stances = new Map<string, OpenStance>();
  private readonly timeline = new Map<string, OpenTimelineRow>();
  private known: KnownRowState | undefined;
  /** the timeline entries of the last version, so an entry that did not change is neither rebuilt nor serialised again */
  private readonly memo: TimelineMemo = new Map();
  readonly cites = new Set<string>();
  /** rows opened, or stored rows closed, since the caller last took them; documents first cited, with the instant */
  private touched = emptyTouched();
  /** the latest recording instant of the stream (epoch ms), -Infinity when empty (not always its last event's: a stream refolded from scratch may have been recorded out of order) */
  private lastInstant: number;

  constructor(
    readonly positionId: string,
    private readonly events: LedgerEvent[] = [],
    open: { stances?: readonly OpenStance[]; timeline?: readonly OpenTimelineRow[]; known?: KnownRowState } = {},
  ) {
    this.state = events.reduce(evolve, initialPositionState);
    this.lastInstant = events.reduce((max, e) => Math.max(max, Date.parse(e.metadata.recordedAt)), -Infinity);
    for (const s of open.stances ?? []) this.stances.set(s.bizFrom, s);
    for (const t of open.timeline ?? []) this.timeline.set(t.eventId, t);
    this.known = open.known;
    for (const d of citedDocuments(events)) this.cites.add(d);
  }

  /** whether these events, next in the stream, can be followed forward (recorded after every earlier one, in order) */
  accepts(next: readonly LedgerEvent[]): boolean {
    let at = this.lastInstant;
    for (const [i, e] of next.entries()) {
      const t = Date.parse(e.metadata.recordedAt);
      if (!(i === 0 ? t > at : t >= at)) return false;
      at = t;
    }
    return true;
  }

  /** Folds forward the events recorded at one instant `at` (after every earlier one) and opens and closes rows accordingly. */
  advance(recorded: readonly LedgerEvent[], at: number): void {
    this.lastInstant = at;
    const wasCiting = this.citing;
    const cited: string[] = [];
    for (const e of recorded) {
      this.events.push(e);
      this.state = evolve(this.state, e);
      for (const d of citedDocuments([e])) {
        if (this.cites.has(d)) continue;
        this.cites.add(d);
        this.touched.newCites.push(d);
        cited.push(d);
      }
    }
    this.advanceStances(at);
    this.advanceTimeline(at);
    // a known row holds from one recorded version to the next, whatever changed
    if (this.known) this.close(this.known, at, this.touched.known);
    this.known = this.stances.size > 0 ? { ...knownFields(this.events), recFrom: at, recTo: null } : undefined;
    if (this.known) this.touched.known.push(this.known);
    // the citations over recording time: opened as a document is cited while citing (or all at once as citing begins), all closed as it ends
    if (this.citing) for (const d of wasCiting ? cited : this.cites) this.touched.citations.push({ open: d, at });
    else if (wasCiting) this.touched.citations.push({ open: undefined, at });
  }

  /** The stance over each business range of this version; a range folded from the same entries as before keeps its row. */
  private advanceStances(at: number): void {
    const days = foldsByBusinessDay(this.state.entries);
    const holds = new Set<string>();
    for (const [i, day] of days.entries()) {
      if (!day.fold) continue;
      const bizTo = days[i + 1]?.key ?? null;
      holds.add(day.key);
      const open = this.stances.get(day.key);
      if (open?.bizTo === bizTo && open.folded && sameEntries(open.folded, day.ordered, day.count)) continue;
      const content = stanceContent(day.fold);
      const { title, statement, ...rest } = content;
      const json = JSON.stringify(rest);
      const folded = day.ordered.slice(0, day.count);
      // other entries may still give the same stance (a correction of what it does not show, a row read back)
      if (open?.bizTo === bizTo && open.title === title && open.statement === statement && open.json === json) {
        open.folded = folded;
        continue;
      }
      if (open) this.close(open, at, this.touched.stances);
      const row: OpenStance = { bizFrom: day.key, bizTo, content, title, statement, json, folded, recFrom: at, recTo: null };
      this.stances.set(day.key, row);
      this.touched.stances.push(row);
    }
    for (const [from, row] of this.stances) {
      if (holds.has(from)) continue;
      this.close(row, at, this.touched.stances);
      this.stances.delete(from);
    }
  }

  /** Each decision's timeline entry in this version; an entry built from the same history entry and text in force keeps its row. */
  private advanceTimeline(at: number): void {
    const holds = new Set<string>();
    for (const entry of timelineOfState(this.events, this.state, undefined, this.memo)) {
      holds.add(entry.eventId);
      const open = this.timeline.get(entry.eventId);
      if (open?.entry === entry) continue;
      const json = JSON.stringify(entry);
      if (open?.json === json) {
        open.entry = entry;
        continue;
      }
      if (open) this.close(open, at, this.touched.timeline);
      const row: OpenTimelineRow = { eventId: entry.eventId, json, entry, recFrom: at, recTo: null };
      this.timeline.set(entry.eventId, row);
      this.touched.timeline.push(row);
    }
    for (const [eventId, row] of this.timeline) {
      if (holds.has(eventId)) continue;
      this.close(row, at, this.touched.timeline);
      this.timeline.delete(eventId);
    }
  }

  /** a position is shown citing its documents once it has a stance now (as in the projection) */
  get citing(): boolean {
    return this.known !== undefined;
  }

  /** Closes a row at `at`; a stored one is listed so the caller updates it (a row not stored yet is still in the list). */
  private close<R extends { recTo: number | null }>(row: R & { id?: number; stored?: boolean }, at: number, touched: R[]): void {
    row.recTo = at;
    if (row.id !== undefined || row.stored === true) touched.push(row);
  }

  /** Takes the rows to write (new ones, and stored ones closed); what stays open keeps its place for the next version. */
  takeTouched(): Touched {
    const taken = this.touched;
    this.touched = emptyTouched();
    return taken;
  }
}

interface Touched {
  stances: OpenStance[];
  timeline: OpenTimelineRow[];
  known: KnownRowState[];
  newCites: string[];
  /** in order: a citation opened at `at`, or (no document) every open one closed */
  citations: { open: string | undefined; at: number }[];
}

const emptyTouched = (): Touched => ({ stances: [], timeline: [], known: [], newCites: [], citations: [] });

const evolve = (state: PositionState, e: LedgerEvent): PositionState =>
  evolvePosition(state, { eventId: e.eventId, streamRevision: e.streamRevision, event: { type: e.type, data: e.data } as PositionEvent });

function sameEntries(folded: readonly HistoryEntry[], ordered: readonly HistoryEntry[], count: number): boolean {
  if (folded.length !== count) return false;
  for (let i = 0; i < count; i += 1) if (folded[i] !== ordered[i]) return false;
  return true;
}
