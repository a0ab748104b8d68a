import { DomainError } from '../domain/errors';
import { IdempotencyKeyReusedError, StaleRevisionError } from '../command-handling/errors';
import { InvalidRecordedEventError } from '../domain/ledger-event';
import { DocumentFileError } from '../sources/registered-file';
import { QuoteNotInSourceError } from '../sources/cited-quote';
import {
  AppendOutcomeUnknownError,
  AppendTooLargeError,
  DuplicateEventIdError,
  InvalidPositionError,
  StoreUnavailableError,
  WrongExpectedRevisionError,
} from '../store/event-store';
import { PROBLEM_TYPE, ProblemError, type Problem } from './problem';

const DOMAIN_STATUS = { 'not-found': 404, conflict: 409, rule: 422 } as const;

/** The one mapping from anything thrown to a problem; nothing a client sends ends in a 500. */
export function toProblem(error: unknown, instance: string, request: RequestKeys = {}): Problem {
  return asProblemError(error, request).toProblem(instance);
}

/** What the request carried that changes the advice a problem gives. */
export interface RequestKeys {
  /** the request carried an Idempotency-Key (a web form always does); without one a retry may record twice */
  readonly idempotencyKey?: boolean;
}

export function asProblemError(error: unknown, request: RequestKeys = {}): ProblemError {
  if (error instanceof ProblemError) return error;
  if (error instanceof DomainError) return new ProblemError(DOMAIN_STATUS[error.kind], error.code, titleOf(error.code), error.message, error.field);
  if (error instanceof DocumentFileError) return new ProblemError(422, 'document-file', 'Document file', error.message, error.field);
  if (error instanceof QuoteNotInSourceError) return new ProblemError(422, 'quote-not-in-source', 'Quote not in source', error.message, error.field);
  if (error instanceof StaleRevisionError) {
    return new ProblemError(412, 'stale-revision', 'Precondition failed', error.message, 'If-Match');
  }
  if (error instanceof WrongExpectedRevisionError) {
    return new ProblemError(409, 'concurrent-change', 'Conflict', `${error.streamId} kept changing while this was recorded; try again`);
  }
  if (error instanceof IdempotencyKeyReusedError)
    return new ProblemError(422, 'idempotency-key-reused', 'Idempotency-Key reused', error.message, 'Idempotency-Key');
  if (error instanceof DuplicateEventIdError) return new ProblemError(409, 'duplicate-event-id', 'Conflict', error.message);
  if (error instanceof InvalidPositionError) return new ProblemError(400, 'validation', 'Invalid request', `query after: ${error.message}`, 'after');
  if (error instanceof AppendOutcomeUnknownError) {
    // Not a failure: the events may be recorded. The same request with the same Idempotency-Key is answered either way, never recorded twice.
    if (request.idempotencyKey === false)
      return new ProblemError(
        503,
        'outcome-unknown',
        'Outcome unknown',
        'the event store did not confirm in time whether this was recorded, and the request carried no Idempotency-Key: sent again as it is, it may be recorded twice. Read the stream (its revision) to see whether it was recorded before sending it again; send an Idempotency-Key with writes to make a retry safe',
      );
    return new ProblemError(
      503,
      'outcome-unknown',
      'Outcome unknown',
      'the event store did not confirm in time whether this was recorded; send the same request again with the same Idempotency-Key (it will not be recorded twice)',
      'Idempotency-Key',
    );
  }
  if (error instanceof StoreUnavailableError) {
    // an unreachable server's own message may name hosts: the client gets the plain words, /health and the log the rest
    const why = error.fault === 'unavailable' ? 'the event store cannot be reached at the moment' : error.message;
    const problem = new ProblemError(
      503,
      'store-unavailable',
      'Service unavailable',
      `${why}: nothing was recorded${error.retryAfterSeconds === undefined ? '' : '; send the same request again shortly'}`,
    );
    problem.retryAfterSeconds = error.retryAfterSeconds;
    return problem;
  }
  if (error instanceof AppendTooLargeError)
    return new ProblemError(
      413,
      'too-large',
      'Payload too large',
      `the events to record are ${error.bytes} bytes, more than the event store takes in one write (${error.maxBytes})`,
      'body',
    );
  if (error instanceof InvalidRecordedEventError) return new ProblemError(500, 'corrupt-ledger', 'Ledger integrity problem', error.message);
  const http = error as { type?: string; status?: number; expose?: boolean; message?: string };
  if (http && typeof http.status === 'number' && http.status >= 400 && http.status < 500) {
    if (http.type === 'entity.parse.failed') return new ProblemError(400, 'malformed-json', 'Malformed JSON', 'the body is not valid JSON', 'body');
    if (http.type === 'entity.too.large') return new ProblemError(413, 'too-large', 'Payload too large', 'the body is larger than 256 kB', 'body');
    if (http.type === 'charset.unsupported')
      return new ProblemError(
        415,
        'unsupported-media-type',
        'Unsupported media type',
        'send the body as UTF-8 JSON (charset=utf-8, or no charset)',
        'Content-Type',
      );
    if (http.type === 'encoding.unsupported')
      return new ProblemError(
        415,
        'unsupported-media-type',
        'Unsupported media type',
        'send the body without Content-Encoding, or gzip/deflate/br encoded',
        'Content-Encoding',
      );
    return new ProblemError(http.status, 'bad-request', 'Bad request', http.expose && http.message ? http.message : 'the request could not be read');
  }
  return new ProblemError(500, 'internal', 'Internal error', 'the ledger could not complete the request; nothing partial was recorded');
}

function titleOf(code: string): string {
  return code.charAt(0).toUpperCase() + code.slice(1).replace(/-/g, ' ');
}

export { PROBLEM_TYPE };
