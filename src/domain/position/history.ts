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

/** A fold under way: what foldPosition returns, plus the latest business key seen. */
interface Acc {
  current: TextSnapshot | undefined;
  addedOn: string;
  positionId: string;
  revisions: Map<number, TextSnapshot>;
  endorsements: EndorsementView[];
  relations: RelationView[];
  withdrawal: PositionFold['withdrawal'];
  lastDecidedOn: string;
  maxKey: string;
}

const emptyAcc = (): Acc => ({
  current: undefined,
  addedOn: '',
  positionId: '',
  revisions: new Map(),
  endorsements: [],
  relations: [],
  withdrawal: undefined,
  lastDecidedOn: '',
  maxKey: '',
});
const copyAcc = (a: Acc): Acc => ({ ...a, revisions: new Map(a.revisions), endorsements: [...a.endorsements], relations: [...a.relations] });

/** One entry, in business order, into the fold. */
function step(acc: Acc, entry: HistoryEntry): Acc {
  const { event } = entry;
  const key = businessKey(entry);
  if (key > acc.maxKey) acc.maxKey = key;
  const relate = (rs: readonly PositionRelation[] | undefined, revision: number, decidedOn: string) => {
    for (const r of rs ?? []) acc.relations.push({ positionId: r.positionId, kind: r.kind, revision, decidedOn });
  };
  switch (event.type) {
    case 'PositionAdded':
      acc.current = snapshotOfAdded(event.data);
      acc.addedOn = event.data.decidedOn;
      acc.positionId = event.data.positionId;
      acc.revisions.set(1, acc.current);
      relate(event.data.relatesTo, 1, event.data.decidedOn);
      break;
    case 'PositionRevised': {
      const current = acc.current;
      if (!current) return acc;
      const d = event.data;
      acc.current = {
        revision: d.revision,
        title: d.title ?? current.title,
        statement: d.statement ?? current.statement,
        themes: d.themes ?? current.themes,
        addressees: d.addressees ?? current.addressees,
        source: d.source,
        decidedOn: d.decidedOn,
      };
      acc.revisions.set(d.revision, acc.current);
      relate(d.relatesTo, d.revision, d.decidedOn);
      break;
    }
    case 'PositionEndorsed':
      if (!acc.revisions.has(event.data.revision)) return acc;
      acc.endorsements.push(
        withoutUndefined({
          revision: event.data.revision,
          endorsedBy: event.data.endorsedBy,
          decidedOn: event.data.decidedOn,
          reference: event.data.reference,
        }),
      );
      break;
    case 'PositionWithdrawn':
      if (!acc.current) return acc;
      acc.withdrawal = { decidedOn: event.data.decidedOn, reason: event.data.reason };
      break;
  }
  acc.lastDecidedOn = event.data.decidedOn;
  return acc;
}

function finish(acc: Acc): PositionFold | undefined {
  const { current, positionId, addedOn, revisions, endorsements, relations, withdrawal, lastDecidedOn } = acc;
  return current && { positionId, addedOn, current, revisions, endorsements, relations, withdrawal, lastDecidedOn };
}

// The fold of a whole history, kept per entries array (states are immutable, so it never goes
// stale): a decision folds the same history several times, and evolve extends the fold of the
// history before it when the new event comes last in business order too, as it mostly does.
// That keeps a command's cost from growing with the length of its stream. The extension is made
// when the fold is first asked for: a history a decision only tries (a revision checked against
// the endorsements) is often never folded, and the bulk paths fold each state once.
const wholeFolds = new WeakMap<readonly HistoryEntry[], Acc>();
const extensions = new WeakMap<readonly HistoryEntry[], { readonly base: Acc; readonly entry: HistoryEntry }>();

function wholeFold(entries: readonly HistoryEntry[]): Acc {
  let acc = wholeFolds.get(entries);
  if (!acc) {
    const extension = extensions.get(entries);
    if (extension) acc = step(copyAcc(extension.base), extension.entry);
    else {
      acc = emptyAcc();
      for (const entry of inBusinessOrder(entries)) step(acc, entry);
    }
    wholeFolds.set(entries, acc);
    extensions.delete(entries);
  }
  return acc;
}

/** `entries` is `before` with `entry` appended: its fold is the one before, one step further, when the entry sorts last. */
export function extendFold(before: readonly HistoryEntry[], entries: readonly HistoryEntry[], entry: HistoryEntry): void {
  const base = wholeFolds.get(before);
  if (base && businessKey(entry) >= base.maxKey) extensions.set(entries, { base, entry });
}

/**
 * Folds the entries whose business key is on or before `untilKey` (all when absent). Endorsements
 * of a revision that is not yet in the fold are left out, so a view never shows an endorsement
 * of a text it does not have.
 */
export function foldPosition(entries: readonly HistoryEntry[], untilKey?: string): PositionFold | undefined {
  if (untilKey === undefined || untilKey >= wholeFold(entries).maxKey) return finish(wholeFold(entries));
  const acc = emptyAcc();
  for (const entry of inBusinessOrder(entries)) if (businessKey(entry) <= untilKey) step(acc, entry);
  return finish(acc);
}

/** The fold at the end of one business day, and the entries it folded (`ordered[0..count)`, in business order). */
export interface DayFold {
  readonly key: string;
  readonly fold: PositionFold | undefined;
  readonly ordered: readonly HistoryEntry[];
  readonly count: number;
}

/**
 * The fold at the end of each business day the entries name, in one pass (what foldPosition gives
 * for each key, without folding the history once per key): every distinct key in order, with the
 * fold up to it, or undefined while nothing is added yet.
 */
export function foldsByBusinessDay(entries: readonly HistoryEntry[]): DayFold[] {
  const keyed = entries.map((entry) => ({ entry, key: businessKey(entry) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.entry.streamRevision - b.entry.streamRevision));
  const ordered = keyed.map((k) => k.entry);
  const acc = emptyAcc();
  const out: DayFold[] = [];
  for (const [i, { entry, key }] of keyed.entries()) {
    step(acc, entry);
    if (keyed[i + 1]?.key === key) continue;
    // a copy of what the rest of the pass changes in place
    const fold = finish(acc);
    out.push({
      key,
      fold: fold && { ...fold, revisions: new Map(fold.revisions), endorsements: [...fold.endorsements], relations: [...fold.relations] },
      ordered,
      count: i + 1,
    });
  }
  return out;
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
