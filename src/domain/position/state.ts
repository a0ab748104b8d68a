import type { Recorded } from '../decider';
import type { DomainEvent, PositionEvent } from '../events';
import { extendFold, type HistoryEntry } from './history';

/** The decider's state: the position's recorded events, corrections applied, in recording order. */
export interface PositionState {
  readonly entries: readonly HistoryEntry[];
  /** number of text revisions recorded (added + revised), which numbers the next revision */
  readonly textRevisions: number;
  readonly streamRevision: number;
}

export const initialPositionState: PositionState = { entries: [], textRevisions: 0, streamRevision: -1 };

export interface RecordedPositionEvent {
  readonly eventId: string;
  readonly streamRevision: number;
  readonly event: PositionEvent;
}

export function evolvePosition(state: PositionState, recorded: RecordedPositionEvent): PositionState {
  const { event, eventId, streamRevision } = recorded;
  if (event.type === 'PositionRecordCorrected') {
    const { correctsEventId, changes, reason } = event.data;
    return {
      ...state,
      streamRevision,
      entries: state.entries.map((entry) =>
        entry.eventId !== correctsEventId
          ? entry
          : {
              ...entry,
              event: { ...entry.event, data: { ...entry.event.data, ...definedOnly(changes) } } as HistoryEntry['event'],
              corrections: [...entry.corrections, { eventId, streamRevision, reason, changes: definedOnly(changes) }],
            },
      ),
    };
  }
  const isText = event.type === 'PositionAdded' || event.type === 'PositionRevised';
  const entry: HistoryEntry = { eventId, streamRevision, event, corrections: [] };
  const entries = [...state.entries, entry];
  extendFold(state.entries, entries, entry);
  return {
    entries,
    textRevisions: state.textRevisions + (isText ? 1 : 0),
    streamRevision,
  };
}

/**
 * When the position was added (its addition's decidedOn, corrections applied), undefined when it is
 * not recorded: what a relation to it is checked against, read from the addition itself rather than
 * by folding the related position's whole history for each command that names it.
 */
export function addedOnOf(state: PositionState): string | undefined {
  for (const entry of state.entries) if (entry.event.type === 'PositionAdded') return entry.event.data.decidedOn;
  return undefined;
}

export function definedOnly(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** The state of a position after the events of its stream (a document event, never in a position stream, is passed over). */
export function positionStateOf(events: readonly Recorded<DomainEvent>[]): PositionState {
  let state = initialPositionState;
  for (const e of events) {
    if (e.type !== 'SourceDocumentRegistered')
      state = evolvePosition(state, { eventId: e.eventId, streamRevision: e.streamRevision, event: { type: e.type, data: e.data } as PositionEvent });
  }
  return state;
}
