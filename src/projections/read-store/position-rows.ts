import { businessDate } from '../../domain/business-date';
import { businessKey, foldPosition } from '../../domain/position/history';
import { ADDRESSEES, THEME_IDS, type Addressee, type Theme } from '../../domain/themes';
import type { LedgerEvent } from '../../domain/ledger-event';
import { positionStateOf } from '../../domain/position/state';
import { stanceFromFold, type Stance } from '../stance';
import { positionTimeline, timelineTexts, type TimelineEntry } from '../timeline';

/**
 * The rows of the read store that one position stream gives, over both times: each row holds for
 * a range of recording time [recFrom, recTo) (what the ledger had recorded, epoch ms) and, for
 * stances, a range of business time [bizFrom, bizTo) (latest possible days, ISO). A view "as of
 * X as recorded by Y" is then one indexed lookup per position instead of a fold.
 *
 * Pure: computed from the stream's events alone, the same whether followed live or rebuilt.
 */
export interface StanceVersionRow {
  readonly recFrom: number;
  readonly recTo: number | null;
  readonly bizFrom: string;
  readonly bizTo: string | null;
  /** the stance without what depends on recording time only (see KnownRow) */
  readonly stance: Omit<Stance, KnownField>;
}

type KnownField = 'streamRevision' | 'firstRecordedAt' | 'lastRecordedAt' | 'corrections';
export type KnownRow = Pick<Stance, KnownField> & { readonly recFrom: number; readonly recTo: number | null };

export interface TimelineRow {
  readonly recFrom: number;
  readonly recTo: number | null;
  readonly entry: TimelineEntry;
}

export interface PositionRows {
  readonly positionId: string;
  readonly stances: StanceVersionRow[];
  readonly known: KnownRow[];
  readonly timeline: TimelineRow[];
  /** every document the stream cites, in any event or correction */
  readonly cites: string[];
  /** the documents it cites over recording time: while the stream has cited them and has a stance */
  readonly citations: CitationRow[];
}

export interface CitationRow {
  readonly documentId: string;
  readonly recFrom: number;
  readonly recTo: number | null;
}

export function positionRows(positionId: string, stream: readonly LedgerEvent[]): PositionRows {
  const instants = [...new Set(stream.map((e) => Date.parse(e.metadata.recordedAt)))].sort((a, b) => a - b);
  const stances = new Versions<StanceVersionRow>();
  const timeline = new Versions<TimelineRow>();
  const known: KnownRow[] = [];
  const citations = new Versions<CitationRow>();
  for (const [j, at] of instants.entries()) {
    const until = instants[j + 1] ?? null;
    const knownEvents = stream.filter((e) => Date.parse(e.metadata.recordedAt) <= at);
    const state = positionStateOf(knownEvents);
    const keys = [...new Set(state.entries.map(businessKey))].sort();
    let stanceOfVersion: Stance | undefined;
    for (const [i, key] of keys.entries()) {
      const fold = foldPosition(state.entries, key);
      if (!fold) continue;
      const stance = stanceFromFold(fold, knownEvents);
      stanceOfVersion = stance;
      const { streamRevision: _r, firstRecordedAt: _f, lastRecordedAt: _l, corrections: _c, ...content } = stance;
      const bizTo = keys[i + 1] ?? null;
      stances.hold(`${key}|${bizTo}|${JSON.stringify(content)}`, () => ({ recFrom: at, recTo: null, bizFrom: key, bizTo, stance: content }));
    }
    if (stanceOfVersion) {
      const { streamRevision, firstRecordedAt, lastRecordedAt, corrections } = stanceOfVersion;
      known.push({ recFrom: at, recTo: until, streamRevision, firstRecordedAt, lastRecordedAt, corrections });
      for (const documentId of citedDocuments(knownEvents)) citations.hold(documentId, () => ({ documentId, recFrom: at, recTo: null }));
    }
    for (const entry of positionTimeline(knownEvents)) {
      timeline.hold(`${entry.eventId}|${JSON.stringify(entry)}`, () => ({ recFrom: at, recTo: null, entry }));
    }
    stances.endVersion(at);
    timeline.endVersion(at);
    citations.endVersion(at);
  }
  return { positionId, stances: stances.rows, known, timeline: timeline.rows, cites: citedDocuments(stream), citations: citations.rows };
}

/** Rows that stay the same from one recorded version to the next are one row with a longer recording range. */
class Versions<R extends { recTo: number | null }> {
  readonly rows: R[] = [];
  private open = new Map<string, R>();
  private seen = new Set<string>();

  hold(key: string, create: () => R): void {
    this.seen.add(key);
    if (this.open.has(key)) return;
    const row = create();
    this.open.set(key, row);
    this.rows.push(row);
  }

  /** closes the rows of earlier versions that this version (begun at `at`) no longer holds */
  endVersion(at: number): void {
    for (const [key, row] of this.open) {
      if (this.seen.has(key)) continue;
      (row as { recTo: number | null }).recTo = at;
      this.open.delete(key);
    }
    this.seen = new Set();
  }
}

export function citedDocuments(stream: readonly LedgerEvent[]): string[] {
  const cited = new Set<string>();
  for (const e of stream) {
    const data = e.data as { source?: { documentId?: string }; changes?: { source?: { documentId?: string } } };
    if (data.source?.documentId) cited.add(data.source.documentId);
    if (data.changes?.source?.documentId) cited.add(data.changes.source.documentId);
  }
  return [...cited].sort();
}

/** Themes and addressees as bit sets, so a filter on them is read from an index without the row. */
export function themeMask(themes: readonly Theme[]): number {
  return themes.reduce((m, t) => m | (1 << THEME_IDS.indexOf(t)), 0);
}

/** The themes a mask holds (themeMask's inverse). */
export function themesOfMask(mask: number): Theme[] {
  return THEME_IDS.filter((_, i) => (mask & (1 << i)) !== 0);
}

const ADDRESSEE_IDS = Object.keys(ADDRESSEES) as Addressee[];
/** The addressees a mask holds (addresseeMask's inverse). */
export function addresseesOfMask(mask: number): Addressee[] {
  return ADDRESSEE_IDS.filter((_, i) => (mask & (1 << i)) !== 0);
}
export function addresseeMask(addressees: readonly Addressee[]): number {
  return addressees.reduce((m, a) => m | (1 << ADDRESSEE_IDS.indexOf(a)), 0);
}

export function stanceTexts(s: Pick<Stance, 'title' | 'statement' | 'source'>): [string, string, string] {
  return [s.title, s.statement, s.source.quote ?? ''];
}

export function entryTexts(e: TimelineEntry): [string, string, string] | undefined {
  const [title, statement, quote] = timelineTexts(e);
  if (title === undefined && statement === undefined && quote === undefined) return undefined;
  return [title ?? '', statement ?? '', quote ?? ''];
}

export const timelineSortKey = (e: TimelineEntry): string => businessDate(e.decidedOn).latest;
