import { businessDate } from '../domain/business-date';
import { z } from 'zod';
import { foldPosition, type PositionFold } from '../domain/position/history';
import { RelationKind, SourceCitation } from '../domain/primitives';
import { AddresseeId, ThemeId } from '../domain/themes';
import type { LedgerEvent } from '../domain/ledger-event';
import { positionStateOf } from '../domain/position/state';

export const Status = z.enum(['proposed', 'endorsed', 'withdrawn']);
export type Status = z.infer<typeof Status>;

const Endorsement = z
  .object({ revision: z.number().int(), endorsedBy: z.string(), decidedOn: z.string(), reference: z.string().optional() })
  .meta({ id: 'Endorsement' });

const Relation = z
  .object({
    positionId: z.string(),
    kind: RelationKind,
    revision: z.number().int().meta({ description: 'text revision of the relating position that made the relation' }),
    decidedOn: z.string(),
  })
  .meta({ id: 'Relation' });

/** The current stance of one position, or its stance in a bitemporal view. */
export const Stance = z
  .object({
    id: z.string(),
    title: z.string(),
    statement: z.string(),
    themes: z.array(ThemeId).readonly(),
    addressees: z.array(AddresseeId).readonly(),
    status: Status,
    revision: z.number().int().meta({ description: 'text revision in force (1 = as added)' }),
    decidedOn: z.string().meta({ description: 'business date of the text in force' }),
    addedOn: z.string(),
    lastDecidedOn: z.string(),
    source: SourceCitation,
    lastEndorsed: z.object({ revision: z.number().int(), title: z.string(), statement: z.string() }).nullable(),
    latestEndorsement: Endorsement.nullable(),
    relatesTo: z.array(Relation).readonly().meta({ description: 'earlier positions this one relates to (lineage), as of the view' }),
    withdrawal: z.object({ decidedOn: z.string(), reason: z.string() }).nullable(),
    streamRevision: z.number().int().meta({ description: "revision of the position's stream this view reflects (the ETag)" }),
    firstRecordedAt: z.string(),
    lastRecordedAt: z.string(),
    corrections: z.number().int(),
  })
  .meta({ id: 'Stance' });
export type Stance = z.infer<typeof Stance>;

/** One position as served on its own: its stance and the later positions that relate to it. */
export const PositionView = Stance.extend({
  relatedFrom: z
    .array(Relation.extend({ positionId: z.string().meta({ description: 'the relating position' }) }))
    .readonly()
    .meta({ description: 'positions that relate to this one, as of the view' }),
}).meta({ id: 'PositionView' });
export type PositionView = z.infer<typeof PositionView>;

/** The relations to one position made by the others of a view (a list of stances in that view). */
export function relatedFrom(id: string, stances: readonly Stance[]): PositionView['relatedFrom'] {
  return stances.flatMap((s) => s.relatesTo.filter((r) => r.positionId === id).map((r) => ({ ...r, positionId: s.id })));
}

export interface ViewPoint {
  /** business date: only decisions certainly taken by the end of it */
  readonly asOf?: string;
  /** instant: only what the ledger had recorded by then */
  readonly recordedAsOf?: string;
  /** ledger version: only the first `version` decisions the ledger recorded (a permalink: the same answer forever) */
  readonly version?: number;
}

/** The events of one stream that the ledger had recorded by `recordedAsOf`. */
export function recordedBy(events: readonly LedgerEvent[], recordedAsOf?: string): LedgerEvent[] {
  if (recordedAsOf === undefined) return [...events];
  const limit = Date.parse(recordedAsOf);
  return events.filter((e) => Date.parse(e.metadata.recordedAt) <= limit);
}

export function foldAt(stream: readonly LedgerEvent[], view: ViewPoint = {}): { fold: PositionFold; known: LedgerEvent[] } | undefined {
  const known = recordedBy(stream, view.recordedAsOf);
  const state = positionStateOf(known);
  const fold = foldPosition(state.entries, view.asOf === undefined ? undefined : businessDate(view.asOf).latest);
  return fold && { fold, known };
}

export function stanceOf(stream: readonly LedgerEvent[], view: ViewPoint = {}): Stance | undefined {
  const at = foldAt(stream, view);
  return at && stanceFromFold(at.fold, at.known);
}

/** What a stance holds that depends on recording time only (the stream revision and recording instants). */
export type KnownField = 'streamRevision' | 'firstRecordedAt' | 'lastRecordedAt' | 'corrections';

/** The stance a fold gives, with what the ledger knew (`known`: the recorded events it was folded from). */
export function stanceFromFold(fold: PositionFold, known: readonly LedgerEvent[]): Stance {
  return { ...stanceContent(fold), ...knownFields(known) };
}

/** The stance a fold gives, without what depends on recording time only. */
export function stanceContent(fold: PositionFold): Omit<Stance, KnownField> {
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
    relatesTo: fold.relations,
    withdrawal: fold.withdrawal ?? null,
  };
}

/** The stance's fields that depend on recording time only: from the recorded events (at least one). */
export function knownFields(known: readonly LedgerEvent[]): Pick<Stance, KnownField> {
  let corrections = 0;
  for (const e of known) if (e.type === 'PositionRecordCorrected') corrections += 1;
  return {
    streamRevision: known.at(-1)!.streamRevision,
    firstRecordedAt: known[0]!.metadata.recordedAt,
    lastRecordedAt: known.at(-1)!.metadata.recordedAt,
    corrections,
  };
}
