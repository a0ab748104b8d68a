import { businessDate } from '../business-date';
import type { EventDataOf, PositionEvent } from '../events';
import type { PositionRelation, RelationKind, SourceCitation } from '../primitives';
import type { Addressee, Theme } from '../themes';

/**
 * One recorded event of a position as it stands after any corrections. `recordedEvent` keeps the
 * data as originally recorded, so views can show both.
 */
export interface HistoryEntry {
  readonly eventId: string;
  readonly streamRevision: number;
  readonly event: Exclude<PositionEvent, { type: 'PositionRecordCorrected' }>;
  readonly corrections: readonly { eventId: string; streamRevision: number; reason: string; changes: Record<string, unknown> }[];
}

export interface TextSnapshot {
  readonly revision: number;
  readonly title: string;
  readonly statement: string;
  readonly themes: readonly Theme[];
  readonly addressees: readonly Addressee[];
  readonly source: SourceCitation;
  readonly decidedOn: string;
}

export interface EndorsementView {
  readonly revision: number;
  readonly endorsedBy: string;
  readonly decidedOn: string;
  readonly reference?: string;
}

/** A relation to an earlier position, with the text revision that made it. */
export interface RelationView {
  readonly positionId: string;
  readonly kind: RelationKind;
  readonly revision: number;
  readonly decidedOn: string;
}

/** A position folded in business order up to some business date. */
export interface PositionFold {
  readonly positionId: string;
  readonly addedOn: string;
  readonly current: TextSnapshot;
  readonly revisions: ReadonlyMap<number, TextSnapshot>;
  readonly endorsements: readonly EndorsementView[];
  /** relations made by the texts in the fold, in business order */
  readonly relations: readonly RelationView[];
  readonly withdrawal?: { readonly decidedOn: string; readonly reason: string };
  readonly lastDecidedOn: string;
  readonly included: readonly HistoryEntry[];
}

export const businessKey = (entry: HistoryEntry): string => businessDate(entry.event.data.decidedOn).latest;

/** Business order: by the latest possible day, then in recording order for decisions of the same day. */
export function inBusinessOrder(entries: readonly HistoryEntry[]): HistoryEntry[] {
  return [...entries].sort((a, b) => {
    const ka = businessKey(a);
    const kb = businessKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : a.streamRevision - b.streamRevision;
  });
}

/**
 * Folds the entries whose business key is on or before `untilKey` (all when absent). Endorsements
 * of a revision that is not yet in the fold are left out, so a view never shows an endorsement
 * of a text it does not have.
 */
export function foldPosition(entries: readonly HistoryEntry[], untilKey?: string): PositionFold | undefined {
  const ordered = inBusinessOrder(entries).filter((e) => untilKey === undefined || businessKey(e) <= untilKey);
  let current: TextSnapshot | undefined;
  let addedOn = '';
  let positionId = '';
  const revisions = new Map<number, TextSnapshot>();
  const endorsements: EndorsementView[] = [];
  const relations: RelationView[] = [];
  const relate = (rs: readonly PositionRelation[] | undefined, revision: number, decidedOn: string) => {
    for (const r of rs ?? []) relations.push({ positionId: r.positionId, kind: r.kind, revision, decidedOn });
  };
  let withdrawal: PositionFold['withdrawal'];
  let lastDecidedOn = '';
  const included: HistoryEntry[] = [];

  for (const entry of ordered) {
    const { event } = entry;
    switch (event.type) {
      case 'PositionAdded':
        current = snapshotOfAdded(event.data);
        addedOn = event.data.decidedOn;
        positionId = event.data.positionId;
        revisions.set(1, current);
        relate(event.data.relatesTo, 1, event.data.decidedOn);
        break;
      case 'PositionRevised': {
        if (!current) continue;
        const d = event.data;
        current = {
          revision: d.revision,
          title: d.title ?? current.title,
          statement: d.statement ?? current.statement,
          themes: d.themes ?? current.themes,
          addressees: d.addressees ?? current.addressees,
          source: d.source,
          decidedOn: d.decidedOn,
        };
        revisions.set(d.revision, current);
        relate(d.relatesTo, d.revision, d.decidedOn);
        break;
      }
      case 'PositionEndorsed':
        if (!revisions.has(event.data.revision)) continue;
        endorsements.push(withoutUndefined({
          revision: event.data.revision,
          endorsedBy: event.data.endorsedBy,
          decidedOn: event.data.decidedOn,
          reference: event.data.reference,
        }));
        break;
      case 'PositionWithdrawn':
        if (!current) continue;
        withdrawal = { decidedOn: event.data.decidedOn, reason: event.data.reason };
        break;
    }
    lastDecidedOn = event.data.decidedOn;
    included.push(entry);
  }
  if (!current) return undefined;
  return { positionId, addedOn, current, revisions, endorsements, relations, withdrawal, lastDecidedOn, included };
}

function snapshotOfAdded(d: EventDataOf<'PositionAdded'>): TextSnapshot {
  return {
    revision: 1,
    title: d.title,
    statement: d.statement,
    themes: d.themes,
    addressees: d.addressees,
    source: d.source,
    decidedOn: d.decidedOn,
  };
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
