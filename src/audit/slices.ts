/**
 * Long pure work over the whole ledger written once as steps (a generator that yields between
 * slices of events), run either at once (a worker process, the CLI) or in slices that give the
 * event loop a turn (a server whose store has no worker: KurrentDB), so that `/health` and every
 * other request are answered while it runs.
 */
export type Steps<T> = Generator<void, T, void>;

/** events between two chances to yield: small enough that a slice stays short, large enough to cost nothing */
export const STEP = 256;

/** Runs the steps to the end on this thread, without yielding. */
export function atOnce<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** Runs the steps, giving the event loop a turn (setImmediate) whenever a slice has run for `sliceMs`. */
export async function inSlices<T>(steps: Steps<T>, sliceMs = 10): Promise<T> {
  let started = performance.now();
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    if (performance.now() - started >= sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      started = performance.now();
    }
  }
}

/** Steps whose result is already known: nothing to run, nothing to yield. */
export function* settled<T>(value: T): Steps<T> {
  yield* [];
  return value;
}
