import { businessDate } from '../business-date';
import type { DecisionContext, PositionCommand } from '../commands';
import { DomainError, errors } from '../errors';
import { PositionAdded, PositionEndorsed, PositionRevised, PositionWithdrawn, type EventDataOf, type PositionEvent } from '../events';
import type { PositionRelation } from '../primitives';
import { businessKey, foldPosition, inBusinessOrder, type EndorsementView, type HistoryEntry, type TextSnapshot } from './history';
import type { Decider } from '../decider';
import { definedOnly, evolvePosition, initialPositionState, type PositionState } from './state';

type Decision = PositionEvent[];

/**
 * decide(command, state, context) → the new events, or throws a DomainError. Invariants are
 * checked in business time (history is recorded late and out of order), using the latest
 * possible day of each date as its place in time.
 */
export function decidePosition(command: PositionCommand, state: PositionState, ctx: DecisionContext): Decision {
  switch (command.type) {
    case 'AddPosition': {
      const d = command.data;
      if (state.entries.length > 0) throw errors.positionExists(d.id);
      checkDate(d.decidedOn, ctx);
      checkSource(d.source.documentId, ctx);
      checkRelations(d.relatesTo, d.id, d.decidedOn, ctx);
      const { id, ...rest } = d;
      return [{ type: 'PositionAdded', data: { positionId: id, ...rest } }];
    }
    case 'RevisePosition': {
      const d = command.data;
      const id = command.positionId;
      checkDate(d.decidedOn, ctx);
      checkSource(d.source.documentId, ctx);
      const fold = foldAt(state, id, d.decidedOn);
      checkRelations(d.relatesTo, id, d.decidedOn, ctx);
      const changed = TEXT_FIELDS.some((field) => d[field] !== undefined && !sameValue(d[field], fold.current[field]));
      if (!changed) throw errors.revisionChangesNothing();
      const event: PositionEvent = { type: 'PositionRevised', data: { positionId: id, revision: state.textRevisions + 1, ...d } };
      // Recorded late, a revision dated before an endorsed one would silently rewrite what the working group endorsed.
      const after = evolvePosition(state, { eventId: PROVISIONAL_EVENT_ID, streamRevision: state.streamRevision + 1, event });
      const altered = alteredEndorsement(state.entries, after.entries);
      if (altered) throw errors.changesEndorsedText(altered.revision, altered.endorsedBy, altered.decidedOn);
      return [event];
    }
    case 'EndorsePosition': {
      const d = command.data;
      const id = command.positionId;
      checkDate(d.decidedOn, ctx);
      const fold = foldAt(state, id, d.decidedOn);
      if (d.revision > state.textRevisions) throw errors.unknownRevision(id, d.revision, state.textRevisions);
      const revisionOn = textRevisionDate(state, d.revision);
      if (!fold.revisions.has(d.revision)) throw errors.revisionNotYetDecided(d.revision, revisionOn, d.decidedOn);
      const same = fold.endorsements.find((e) => e.revision === d.revision && e.endorsedBy === d.endorsedBy);
      if (same) throw errors.alreadyEndorsed(d.revision, same.endorsedBy);
      return [{ type: 'PositionEndorsed', data: { positionId: id, ...d } }];
    }
    case 'WithdrawPosition': {
      const d = command.data;
      const id = command.positionId;
      checkDate(d.decidedOn, ctx);
      const all = foldPosition(state.entries);
      if (!all) throw errors.positionNotFound(id);
      if (all.withdrawal) throw errors.alreadyWithdrawn(id, all.withdrawal.decidedOn);
      foldAt(state, id, d.decidedOn);
      const key = businessDate(d.decidedOn).latest;
      const later = state.entries.filter((e) => businessKey(e) > key).map((e) => e.event.data.decidedOn);
      if (later.length > 0) throw errors.decisionsAfterWithdrawal(id, d.decidedOn, later.join(', '));
      return [{ type: 'PositionWithdrawn', data: { positionId: id, ...d } }];
    }
    case 'CorrectRecord':
      return correct(command, state, ctx);
  }
}

function correct(command: Extract<PositionCommand, { type: 'CorrectRecord' }>, state: PositionState, ctx: DecisionContext): Decision {
  const id = command.positionId;
  const { eventId, changes, reason } = command.data;
  if (state.entries.length === 0) throw errors.positionNotFound(id);
  const entry = state.entries.find((e) => e.eventId === eventId);
  if (!entry) throw errors.unknownEvent(eventId);
  const given = definedOnly(changes);
  const allowed = CORRECTABLE[entry.event.type];
  for (const field of Object.keys(given)) {
    if (!allowed.includes(field)) throw errors.notCorrectable(eventId, field, entry.event.type);
  }
  const current = entry.event.data as Record<string, unknown>;
  if (Object.entries(given).every(([k, v]) => sameValue(v, current[k]))) throw errors.correctionChangesNothing();
  if (typeof given.decidedOn === 'string') checkDate(given.decidedOn, ctx);
  const source = given.source as { documentId: string } | undefined;
  if (source) checkSource(source.documentId, ctx, 'changes.source.documentId');
  if (given.relatesTo)
    checkRelations(given.relatesTo as PositionRelation[], id, (given.decidedOn as string | undefined) ?? entry.event.data.decidedOn, ctx, 'changes.relatesTo');

  const event: PositionEvent = { type: 'PositionRecordCorrected', data: { positionId: id, correctsEventId: eventId, changes, reason } };
  const after = evolvePosition(state, { eventId: PROVISIONAL_EVENT_ID, streamRevision: state.streamRevision + 1, event });
  const problem = historyProblem(after.entries);
  if (problem) throw errors.correctionBreaksHistory(problem);
  // The rule "a revision must change something" holds for a corrected revision as for a new one.
  if (entry.event.type === 'PositionRevised' && idleRevisions(after.entries).includes(eventId))
    throw errors.correctionLeavesRevisionIdle(entry.event.data.revision);
  return [event];
}

/** Stands in for the id of an event not yet recorded, when a decision tries a history with it. */
const PROVISIONAL_EVENT_ID = '00000000-0000-4000-8000-000000000000';

/** The first endorsement whose endorsed text differs between two histories of the same position. */
function alteredEndorsement(before: readonly HistoryEntry[], after: readonly HistoryEntry[]): EndorsementView | undefined {
  const was = foldPosition(before);
  // nothing endorsed, nothing to alter: the new history is not even folded
  if (!was || was.endorsements.length === 0) return undefined;
  const will = foldPosition(after);
  if (!will) return undefined;
  return was.endorsements.find((e) => !sameText(was.revisions.get(e.revision), will.revisions.get(e.revision)));
}

function sameText(a: TextSnapshot | undefined, b: TextSnapshot | undefined): boolean {
  return TEXT_FIELDS.every((field) => sameValue(a?.[field], b?.[field]));
}

const TEXT_FIELDS = ['statement', 'title', 'themes', 'addressees'] as const;

/** What a correction may change: every field of the corrected event but those that place it (its position, its revision number). */
const CORRECTABLE: Record<HistoryEntry['event']['type'], readonly string[]> = {
  PositionAdded: PositionAdded.omit({ positionId: true }).keyof().options,
  PositionRevised: PositionRevised.omit({ positionId: true, revision: true }).keyof().options,
  PositionEndorsed: PositionEndorsed.omit({ positionId: true, revision: true }).keyof().options,
  PositionWithdrawn: PositionWithdrawn.omit({ positionId: true }).keyof().options,
};

/** The rules every command enforces, checked over a whole history (used when a correction moves a date). */
export function historyProblem(entries: readonly HistoryEntry[]): string | undefined {
  const added = entries.find((e) => e.event.type === 'PositionAdded');
  if (!added) return 'the position has no addition';
  const addedKey = businessKey(added);
  for (const e of entries) {
    if (businessKey(e) < addedKey)
      return `${e.event.type} ${e.eventId} is dated ${e.event.data.decidedOn}, before the position was added (${added.event.data.decidedOn})`;
  }
  const withdrawal = entries.find((e) => e.event.type === 'PositionWithdrawn');
  if (withdrawal) {
    const wKey = businessKey(withdrawal);
    const followsWithdrawal = (e: HistoryEntry) =>
      e !== withdrawal && (businessKey(e) > wKey || (businessKey(e) === wKey && e.streamRevision > withdrawal.streamRevision));
    const later = entries.find(followsWithdrawal);
    if (later)
      return `${later.event.type} ${later.eventId} is dated ${later.event.data.decidedOn}, not before the withdrawal (${withdrawal.event.data.decidedOn})`;
  }
  for (const e of entries) {
    if (e.event.type !== 'PositionEndorsed') continue;
    const endorsed = e.event.data as EventDataOf<'PositionEndorsed'>;
    const rev = entries.find((r) => textRevisionOf(r) === endorsed.revision);
    if (rev && businessKey(rev) > businessKey(e)) {
      return `endorsement ${e.eventId} of revision ${endorsed.revision} is dated ${endorsed.decidedOn}, before that revision (${rev.event.data.decidedOn})`;
    }
  }
  return undefined;
}

/**
 * The ids of revisions that change nothing, in business order. Only a correction is refused for
 * making its own revision idle: a revision recorded late may make a later one a restatement, which
 * is history as it was.
 */
function idleRevisions(entries: readonly HistoryEntry[]): string[] {
  const idle: string[] = [];
  let text: Record<(typeof TEXT_FIELDS)[number], unknown> | undefined;
  for (const entry of inBusinessOrder(entries)) {
    const { event } = entry;
    if (event.type === 'PositionAdded')
      text = { statement: event.data.statement, title: event.data.title, themes: event.data.themes, addressees: event.data.addressees };
    if (event.type !== 'PositionRevised' || !text) continue;
    const d = event.data;
    const changed = TEXT_FIELDS.some((field) => d[field] !== undefined && !sameValue(d[field], text![field]));
    if (!changed) idle.push(entry.eventId);
    text = { ...text, ...definedOnly({ statement: d.statement, title: d.title, themes: d.themes, addressees: d.addressees }) };
  }
  return idle;
}

function textRevisionOf(entry: HistoryEntry): number | undefined {
  if (entry.event.type === 'PositionAdded') return 1;
  if (entry.event.type === 'PositionRevised') return (entry.event.data as EventDataOf<'PositionRevised'>).revision;
  return undefined;
}

function textRevisionDate(state: PositionState, revision: number): string {
  const entry = state.entries.find((e) => textRevisionOf(e) === revision);
  return entry ? entry.event.data.decidedOn : '?';
}

/** The position as it stood on the command's date; refuses when it did not exist or was withdrawn. */
function foldAt(state: PositionState, id: string, decidedOn: string) {
  const all = foldPosition(state.entries);
  if (!all) throw errors.positionNotFound(id);
  const key = businessDate(decidedOn).latest;
  const fold = foldPosition(state.entries, key);
  if (!fold) throw errors.notYetAdded(id, decidedOn, all.addedOn);
  if (fold.withdrawal) throw errors.withdrawn(id, fold.withdrawal.decidedOn);
  return fold;
}

function checkDate(decidedOn: string, ctx: DecisionContext): void {
  const date = businessDate(decidedOn);
  // Refused only when certainly before the history: an undated source known only to lie between 1999 and 2007 still belongs to it, counted (as every date) from its latest day.
  if (date.latest < ctx.historyStart) throw errors.beforeHistory(decidedOn, ctx.historyStart);
  // Compared by the latest possible day, as every view is: a decision that may still lie ahead would be missing from today's as-of view.
  if (date.latest > ctx.today)
    throw errors.inFuture(decidedOn, date.latest, ctx.today, date.earliest <= ctx.today ? `${date.earliest}/${ctx.today}` : undefined);
}

/** Lineage only reaches back: a related position must exist, be another one, and have been added by the date of this text. */
function checkRelations(
  relations: readonly PositionRelation[] | undefined,
  selfId: string,
  decidedOn: string,
  ctx: DecisionContext,
  field = 'relatesTo',
): void {
  const key = businessDate(decidedOn).latest;
  (relations ?? []).forEach((relation, i) => {
    const at = `${field}.${i}.positionId`;
    if (relation.positionId === selfId) throw errors.selfRelation(at);
    const addedOn = ctx.positionAddedOn(relation.positionId);
    if (addedOn === undefined) throw errors.unknownRelatedPosition(relation.positionId, at);
    if (businessDate(addedOn).latest > key) throw errors.relatedPositionLater(relation.positionId, addedOn, decidedOn, at);
  });
}

function checkSource(documentId: string, ctx: DecisionContext, field?: string): void {
  if (!ctx.isDocumentRegistered(documentId)) throw errors.unregisteredSource(documentId, field);
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export { DomainError };

/** The position aggregate as a value: stream `position-<id>`. */
export const positionDecider: Decider<PositionState, PositionCommand, PositionEvent, DecisionContext> = {
  initialState: initialPositionState,
  decide: decidePosition,
  evolve: (state, e) => evolvePosition(state, { eventId: e.eventId, streamRevision: e.streamRevision, event: { type: e.type, data: e.data } as PositionEvent }),
};
