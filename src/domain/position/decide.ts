import { businessDate } from '../business-date';
import type { DecisionContext, PositionCommand } from '../commands';
import { DomainError, errors } from '../errors';
import type { EventDataOf, PositionEvent } from '../events';
import { businessKey, foldPosition, type HistoryEntry } from './history';
import { definedOnly, evolvePosition, type PositionState } from './state';

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
      const { id, ...rest } = d;
      return [{ type: 'PositionAdded', data: { positionId: id, ...rest } }];
    }
    case 'RevisePosition': {
      const d = command.data;
      const id = command.positionId;
      checkDate(d.decidedOn, ctx);
      checkSource(d.source.documentId, ctx);
      const fold = foldAt(state, id, d.decidedOn);
      const changed = (['statement', 'title', 'themes', 'addressees'] as const).some(
        (field) => d[field] !== undefined && !sameValue(d[field], fold.current[field]),
      );
      if (!changed) throw errors.revisionChangesNothing();
      return [{ type: 'PositionRevised', data: { positionId: id, revision: state.textRevisions + 1, ...d } }];
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

  const event: PositionEvent = { type: 'PositionRecordCorrected', data: { positionId: id, correctsEventId: eventId, changes, reason } };
  const after = evolvePosition(state, { eventId: '00000000-0000-4000-8000-000000000000', streamRevision: state.streamRevision + 1, event });
  const problem = historyProblem(after.entries);
  if (problem) throw errors.correctionBreaksHistory(problem);
  return [event];
}

const CORRECTABLE: Record<HistoryEntry['event']['type'], readonly string[]> = {
  PositionAdded: ['title', 'statement', 'themes', 'addressees', 'decidedOn', 'source', 'note'],
  PositionRevised: ['title', 'statement', 'themes', 'addressees', 'decidedOn', 'source', 'rationale'],
  PositionEndorsed: ['endorsedBy', 'decidedOn', 'reference'],
  PositionWithdrawn: ['decidedOn', 'reason'],
};

/** The rules every command enforces, checked over a whole history (used when a correction moves a date). */
export function historyProblem(entries: readonly HistoryEntry[]): string | undefined {
  const added = entries.find((e) => e.event.type === 'PositionAdded');
  if (!added) return 'the position has no addition';
  const addedKey = businessKey(added);
  for (const e of entries) {
    if (businessKey(e) < addedKey) return `${e.event.type} ${e.eventId} is dated ${e.event.data.decidedOn}, before the position was added (${added.event.data.decidedOn})`;
  }
  const withdrawal = entries.find((e) => e.event.type === 'PositionWithdrawn');
  if (withdrawal) {
    const wKey = businessKey(withdrawal);
    const followsWithdrawal = (e: HistoryEntry) =>
      e !== withdrawal && (businessKey(e) > wKey || (businessKey(e) === wKey && e.streamRevision > withdrawal.streamRevision));
    const later = entries.find(followsWithdrawal);
    if (later) return `${later.event.type} ${later.eventId} is dated ${later.event.data.decidedOn}, not before the withdrawal (${withdrawal.event.data.decidedOn})`;
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
  if (date.earliest < ctx.historyStart) throw errors.beforeHistory(decidedOn, ctx.historyStart);
  if (date.earliest > ctx.today) throw errors.inFuture(decidedOn, ctx.today);
}

function checkSource(documentId: string, ctx: DecisionContext, field?: string): void {
  if (!ctx.isDocumentRegistered(documentId)) throw errors.unregisteredSource(documentId, field);
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export { DomainError };
