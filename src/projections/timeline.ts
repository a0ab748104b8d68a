import { businessDate } from '../domain/business-date';
import { DecisionType } from '../domain/events';
import { businessKey, inBusinessOrder, type HistoryEntry } from '../domain/position/history';
import { z } from 'zod';
import { AddresseeId, ThemeId, type Addressee, type Theme } from '../domain/themes';
import type { LedgerEvent } from '../domain/ledger-event';
import { positionStateOf, type PositionState } from '../domain/position/state';
import { compareKeys, matchesText, type TimelineQuery } from './read-model';
import { recordedBy, type ViewPoint } from './stance';

/** One decision in a timeline, with how and when the ledger learnt of it, and any corrections beside it. */
export const TimelineEntry = z
  .object({
    positionId: z.string(),
    eventId: z.string(),
    type: DecisionType,
    decidedOn: z.string(),
    precision: z.enum(['year', 'month', 'day', 'interval']),
    recordedAt: z.string(),
    recordedBy: z.string(),
    streamRevision: z.number().int(),
    revision: z.number().int().optional().meta({ description: 'text revision this entry creates or endorses' }),
    themes: z.array(ThemeId).readonly().meta({ description: 'themes in force once this decision was taken' }),
    addressees: z.array(AddresseeId).readonly().meta({ description: 'addressees in force once this decision was taken' }),
    data: z.record(z.string(), z.unknown()).meta({ description: 'the event data, corrections applied' }),
    corrections: z
      .array(
        z.object({
          eventId: z.string(),
          recordedAt: z.string(),
          recordedBy: z.string(),
          reason: z.string(),
          changes: z.record(z.string(), z.unknown()),
          original: z.record(z.string(), z.unknown()).meta({ description: 'the values as first recorded, for each corrected field' }),
        }),
      )
      .readonly(),
  })
  .meta({ id: 'TimelineEntry' });
export type TimelineEntry = z.infer<typeof TimelineEntry>;

/** The decisions of one position in business order (decidedOn), as known at `recordedAsOf`, up to `asOf`. */
export function positionTimeline(stream: readonly LedgerEvent[], view: ViewPoint = {}): TimelineEntry[] {
  const known = recordedBy(stream, view.recordedAsOf);
  return timelineOfState(known, positionStateOf(known), view.asOf === undefined ? undefined : businessDate(view.asOf).latest);
}

/**
 * Timeline entries already built, by event id, with what they were built from: an entry whose
 * history entry (a new object when corrected) and text in force are the same is the same entry.
 */
export type TimelineMemo = Map<
  string,
  { readonly source: HistoryEntry; readonly themes: readonly Theme[]; readonly addressees: readonly Addressee[]; readonly entry: TimelineEntry }
>;

/** The timeline of the recorded events `known` whose state (folded from them) is `state`, up to the business day `until`. */
export function timelineOfState(known: readonly LedgerEvent[], state: PositionState, until?: string, memo?: TimelineMemo): TimelineEntry[] {
  const byId = new Map(known.map((e) => [e.eventId, e]));
  const inForce = textInForce(state.entries);
  return inBusinessOrder(state.entries)
    .filter((entry) => until === undefined || businessDate(entry.event.data.decidedOn).latest <= until)
    .map((entry) => {
      const { themes, addressees } = inForce.get(entry.eventId) ?? { themes: [], addressees: [] };
      const kept = memo?.get(entry.eventId);
      if (kept && kept.source === entry && kept.themes === themes && kept.addressees === addressees) return kept.entry;
      const recorded = byId.get(entry.eventId)!;
      const data = entry.event.data as Record<string, unknown>;
      const built: TimelineEntry = {
        positionId: recorded.streamId.replace(/^position-/, ''),
        eventId: entry.eventId,
        type: entry.event.type,
        decidedOn: entry.event.data.decidedOn,
        precision: businessDate(entry.event.data.decidedOn).precision,
        recordedAt: recorded.metadata.recordedAt,
        recordedBy: recorded.metadata.recordedBy,
        streamRevision: entry.streamRevision,
        revision: entry.event.type === 'PositionAdded' ? 1 : (data.revision as number | undefined),
        themes,
        addressees,
        data,
        corrections: entry.corrections.map((c) => {
          const correction = byId.get(c.eventId)!;
          const original = recorded.data as Record<string, unknown>;
          return {
            eventId: c.eventId,
            recordedAt: correction.metadata.recordedAt,
            recordedBy: correction.metadata.recordedBy,
            reason: c.reason,
            changes: c.changes,
            original: Object.fromEntries(Object.keys(c.changes).map((k) => [k, original[k] ?? null])),
          };
        }),
      };
      memo?.set(entry.eventId, { source: entry, themes, addressees, entry: built });
      return built;
    });
}

/** For each entry, the themes and addressees in force once every decision of its business day was taken, in one pass. */
function textInForce(entries: readonly HistoryEntry[]): Map<string, { themes: readonly Theme[]; addressees: readonly Addressee[] }> {
  const ordered = inBusinessOrder(entries);
  const out = new Map<string, { themes: readonly Theme[]; addressees: readonly Addressee[] }>();
  let current: { themes: readonly Theme[]; addressees: readonly Addressee[] } = { themes: [], addressees: [] };
  let group: HistoryEntry[] = [];
  const flush = () => {
    for (const e of group) out.set(e.eventId, current);
    group = [];
  };
  for (const entry of ordered) {
    if (group.length > 0 && businessKey(group[0]!) !== businessKey(entry)) flush();
    const data = entry.event.data as { themes?: readonly Theme[]; addressees?: readonly Addressee[] };
    if (entry.event.type === 'PositionAdded' || entry.event.type === 'PositionRevised') {
      current = { themes: data.themes ?? current.themes, addressees: data.addressees ?? current.addressees };
    }
    group.push(entry);
  }
  flush();
  return out;
}

export type LedgerTimelineFilter = TimelineQuery;

/** The place of an entry in the ledger timeline: business day, then recording, then stream revision, then position. */
export function timelineKey(e: TimelineEntry): [string, string, number, string] {
  return [businessDate(e.decidedOn).latest, e.recordedAt, e.streamRevision, e.positionId];
}

/** The words a timeline entry is found by: the title, statement and source quote its decision recorded. */
export function timelineTexts(e: TimelineEntry): (string | undefined)[] {
  const data = e.data as { title?: string; statement?: string; source?: { quote?: string } };
  return [data.title, data.statement, data.source?.quote];
}

/** Every position's decisions, merged in business order; ties keep the order the ledger recorded them in. */
export function ledgerTimeline(streams: Iterable<readonly LedgerEvent[]>, filter: LedgerTimelineFilter = {}): TimelineEntry[] {
  const from = filter.from === undefined ? undefined : businessDate(filter.from).earliest;
  const to = filter.to === undefined ? undefined : businessDate(filter.to).latest;
  const all: TimelineEntry[] = [];
  for (const stream of streams) all.push(...positionTimeline(stream, filter));
  return all
    .filter((e) => {
      const d = businessDate(e.decidedOn);
      return (
        (from === undefined || d.latest >= from) &&
        (to === undefined || d.latest <= to) &&
        (!filter.theme || e.themes.includes(filter.theme)) &&
        (!filter.addressee || e.addressees.includes(filter.addressee)) &&
        (filter.q === undefined || matchesText(filter.q, timelineTexts(e)))
      );
    })
    .sort((a, b) => compareKeys(timelineKey(a), timelineKey(b)));
}
