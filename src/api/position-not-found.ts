import { errors } from '../domain/errors';
import type { ReadModel } from '../projections/read-model';
import type { ViewPoint } from '../projections/stance';
import { ProblemError } from './problem';

/** How dates read in the answer: as given (the API) or in words (the pages). */
export interface DateWords {
  readonly endOf: (businessDate: string) => string;
  readonly businessDate: (businessDate: string) => string;
  readonly instant: (iso: string) => string;
}

export const DATES_AS_GIVEN: DateWords = { endOf: (d) => `the end of ${d}`, businessDate: (d) => `on ${d}`, instant: (iso) => iso };

/**
 * The 404 for a position missing from a view, saying which part of the view leaves it out. A
 * reader who follows a citation to a version (or an instant) before the position was recorded, or
 * asks for a date before it was decided, is told when it came, not that it "does not exist".
 */
export function positionNotFound(readModel: ReadModel, id: string, view: ViewPoint, words: DateWords = DATES_AS_GIVEN): ProblemError {
  const e = errors.positionNotFound(id);
  const missing = (detail: string, field?: string) => new ProblemError(404, e.code, 'Not found', detail, field);
  const now = readModel.position(id);
  if (!now) return missing(e.message);
  const recorded = readModel.position(id, { recordedAsOf: view.recordedAsOf, version: view.version });
  if (recorded) {
    if (view.asOf === undefined) return missing(e.message);
    return missing(`position "${id}" was not yet decided by ${words.endOf(view.asOf)}: it was added ${words.businessDate(recorded.addedOn)}`, 'asOf');
  }
  const first = words.instant(now.firstRecordedAt);
  if (view.version !== undefined && !readModel.position(id, { version: view.version }))
    return missing(`position "${id}" was not yet recorded at ledger version ${view.version}: it was first recorded at ${first}`, 'version');
  return missing(`position "${id}" was not yet recorded by ${view.recordedAsOf}: it was first recorded at ${first}`, 'recordedAsOf');
}
