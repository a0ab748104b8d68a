/**
 * A decider (Jérémie Chassaing's pattern, Emmett's `Decider`): a value, not a class. Every
 * aggregate of the ledger is one, with the same signature, so that one generic command handler
 * can run them all. Pure: the context carries whatever else a decision depends on (today's date,
 * what other streams hold), handed in by the handler.
 */
export interface Decider<State, Command, Event, Context> {
  readonly initialState: State;
  /** the new events, or throws a DomainError */
  decide(command: Command, state: State, context: Context): Event[];
  evolve(state: State, event: Recorded<Event>): State;
}

/** An event as recorded in its stream: evolve may need its id and place (corrections name events by id). */
export type Recorded<E> = E & { readonly eventId: string; readonly streamRevision: number };

/** The state after these events, in stream order. */
export function foldEvents<S, E>(decider: Pick<Decider<S, unknown, E, unknown>, 'initialState' | 'evolve'>, events: readonly Recorded<E>[]): S {
  let state = decider.initialState;
  for (const e of events) state = decider.evolve(state, e);
  return state;
}
