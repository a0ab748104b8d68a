import { BadCursorError } from '../projections/read-model';
import { ProblemError } from './problem';

/** A page of a list; a cursor the read model did not give out is the client's mistake (400 naming `cursor`). */
export function pageOrProblem<P>(query: () => P): P {
  try {
    return query();
  } catch (error) {
    if (error instanceof BadCursorError) throw new ProblemError(400, 'validation', 'Invalid request', `query cursor: ${error.message}`, 'cursor');
    throw error;
  }
}
