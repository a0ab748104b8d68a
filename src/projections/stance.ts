import { businessDate } from '../domain/business-date';
import { foldPosition, type EndorsementView, type PositionFold } from '../domain/position/history';
import type { SourceCitation } from '../domain/primitives';
import type { Addressee, Theme } from '../domain/themes';
import type { LedgerEvent } from '../ledger/ledger-event';
import { positionState } from '../ledger/ledger';

export type Status = 'proposed' | 'endorsed' | 'withdrawn';

/** The current stance of one position, or its stance in a bitemporal view. */
export interface Stance {
  readonly id: string;
  readonly title: string;
  readonly statement: string;
  readonly themes: readonly Theme[];
  readonly addressees: readonly Addressee[];
  readonly status: Status;
  /** text revision in force (1 = as added) */
  readonly revision: number;
  readonly decidedOn: string;
  readonly addedOn: string;
  readonly lastDecidedOn: string;
  readonly source: SourceCitation;
  readonly lastEndorsed: { readonly revision: number; readonly title: string; readonly statement: string } | null;
  readonly latestEndorsement: EndorsementView | null;
  readonly withdrawal: { readonly decidedOn: string; readonly reason: string } | null;
  /** revision of the position's stream that this view reflects: the ETag */
  readonly streamRevision: number;
  readonly firstRecordedAt: string;
  readonly lastRecordedAt: string;
  readonly corrections: number;
}

export interface ViewPoint {
  /** business date: only decisions certainly taken by the end of it */
  readonly asOf?: string;
  /** instant: only what the ledger had recorded by then */
  readonly recordedAsOf?: string;
}

/** The events of one stream that the ledger had recorded by `recordedAsOf`. */
export function recordedBy(events: readonly LedgerEvent[], recordedAsOf?: string): LedgerEvent[] {
  if (recordedAsOf === undefined) return [...events];
  const limit = Date.parse(recordedAsOf);
  return events.filter((e) => Date.parse(e.metadata.recordedAt) <= limit);
}

export function foldAt(stream: readonly LedgerEvent[], view: ViewPoint = {}): { fold: PositionFold; known: LedgerEvent[] } | undefined {
  const known = recordedBy(stream, view.recordedAsOf);
  const state = positionState(known);
  const fold = foldPosition(state.entries, view.asOf === undefined ? undefined : businessDate(view.asOf).latest);
  return fold && { fold, known };
}

export function stanceOf(stream: readonly LedgerEvent[], view: ViewPoint = {}): Stance | undefined {
  const at = foldAt(stream, view);
  if (!at) return undefined;
  const { fold, known } = at;
  const { current } = fold;
  const endorsedNow = fold.endorsements.some((e) => e.revision === current.revision);
  const latestEndorsement = fold.endorsements.at(-1) ?? null;
  const lastEndorsedRevision = latestEndorsement && fold.revisions.get(latestEndorsement.revision);
  return {
    id: fold.positionId,
    title: current.title,
    statement: current.statement,
    themes: current.themes,
    addressees: current.addressees,
    status: fold.withdrawal ? 'withdrawn' : endorsedNow ? 'endorsed' : 'proposed',
    revision: current.revision,
    decidedOn: current.decidedOn,
    addedOn: fold.addedOn,
    lastDecidedOn: fold.lastDecidedOn,
    source: current.source,
    lastEndorsed: lastEndorsedRevision
      ? { revision: lastEndorsedRevision.revision, title: lastEndorsedRevision.title, statement: lastEndorsedRevision.statement }
      : null,
    latestEndorsement,
    withdrawal: fold.withdrawal ?? null,
    streamRevision: known.at(-1)!.streamRevision,
    firstRecordedAt: known[0]!.metadata.recordedAt,
    lastRecordedAt: known.at(-1)!.metadata.recordedAt,
    corrections: known.filter((e) => e.type === 'PositionRecordCorrected').length,
  };
}
