import { randomUUID } from 'node:crypto';
import type { DecisionContext, PositionCommand } from '../../src/domain/commands';
import { DomainError } from '../../src/domain/errors';
import type { PositionEvent } from '../../src/domain/events';
import { decidePosition } from '../../src/domain/position/decide';
import { evolvePosition, initialPositionState, type PositionState } from '../../src/domain/position/state';

export const CONTEXT: DecisionContext = {
  today: '2026-11-23',
  historyStart: '2006-01-01',
  isDocumentRegistered: (id) => id === 'recommendations' || id === 'contribution',
  // positions recorded elsewhere in the ledger, with the date each was added
  positionAddedOn: (id) => (({ 'national-5': '1999-10/2007-02', 'eu-later': '2020' }) as Record<string, string>)[id],
};

export interface Given {
  readonly events: readonly PositionEvent[];
  readonly ids: readonly string[];
}

/**
 * Given / when / then for the position decider, in the manner of Emmett's DeciderSpecification:
 * `given(past events).when(command).then(new events)` or `.thenRefuses(code)`.
 */
export function given(events: readonly PositionEvent[], ids: readonly string[] = events.map(() => randomUUID())) {
  const state = events.reduce<PositionState>((s, event, i) => evolvePosition(s, { eventId: ids[i]!, streamRevision: i, event }), initialPositionState);
  return {
    state,
    when(command: PositionCommand, ctx: DecisionContext = CONTEXT) {
      const run = () => decidePosition(command, state, ctx);
      return {
        then(expected: readonly PositionEvent[]) {
          expect(run()).toEqual(expected);
        },
        thenRefuses(code: string, field?: string) {
          let error: unknown;
          try {
            run();
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(DomainError);
          expect((error as DomainError).code).toBe(code);
          if (field !== undefined) expect((error as DomainError).field).toBe(field);
          return error as DomainError;
        },
      };
    },
  };
}
