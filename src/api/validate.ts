import type { Request } from 'express';
import { z } from 'zod';
import { ProblemError, validationProblem } from './problem';

/** zod says "expected string, received undefined" for a field that was not sent; people say "is required". */
export const PLAIN_MESSAGES: z.core.ParseContext<z.core.$ZodIssue> = {
  error: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined),
};

export function parseBody<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  // req.is() is null for an empty body whatever its Content-Type, so the header is read directly
  if (!isJsonContentType(req.get('content-type'))) {
    throw new ProblemError(415, 'unsupported-media-type', 'Unsupported media type', 'send the body as application/json', 'Content-Type');
  }
  const unexpected = Object.keys(req.query)[0];
  if (unexpected !== undefined) {
    throw new ProblemError(
      400,
      'validation',
      'Invalid request',
      `query ${unexpected}: unknown parameter: ${req.method} takes its input in the body`,
      unexpected,
    );
  }
  // body-parser turns an empty body into {} (or leaves it undefined): either way nothing was sent
  const sentNothing = req.body === undefined || (req.get('transfer-encoding') === undefined && Number(req.get('content-length') ?? 0) === 0);
  if (sentNothing) throw new ProblemError(400, 'validation', 'Invalid request', 'body: a JSON object body is required', 'body');
  if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
    throw new ProblemError(
      400,
      'validation',
      'Invalid request',
      `body: the body must be a JSON object, not ${req.body === null ? 'null' : Array.isArray(req.body) ? 'an array' : `a ${typeof req.body}`}`,
      'body',
    );
  }
  const result = schema.safeParse(req.body, PLAIN_MESSAGES);
  if (!result.success) throw validationProblem(result.error, 'body');
  return result.data;
}

function isJsonContentType(header: string | undefined): boolean {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json' || (type !== undefined && /^application\/[\w.+-]+\+json$/.test(type));
}

export function parseQuery<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  const result = schema.safeParse(req.query, PLAIN_MESSAGES);
  if (!result.success) {
    // a parameter given twice arrives as an array: say that, rather than that its value is invalid
    const repeated = result.error.issues.map((i) => String(i.path[0] ?? '')).find((k) => k !== '' && Array.isArray(req.query[k]));
    if (repeated !== undefined) throw new ProblemError(400, 'validation', 'Invalid request', `query ${repeated}: may be given only once`, repeated);
    throw validationProblem(result.error, 'query');
  }
  return result.data;
}

/** The path's parameters, e.g. a position's id: a 400 naming the parameter. */
export function parseParams<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  const result = schema.safeParse(req.params, PLAIN_MESSAGES);
  if (!result.success) throw validationProblem(result.error, 'path');
  return result.data;
}

/** `"3"`, `W/"3"` or `3`: a position's ETag (its stream revision), as this API gives it out. */
export const IfMatch = z
  .string()
  .regex(/^(?:W\/)?"?(\d{1,9})"?$/, 'must be an ETag of this API, such as "3"')
  .meta({ description: 'the position’s ETag (its stream revision), as a GET or a write gave it: `"3"` (also `W/"3"` or `3`)', example: '"3"' });

/** What a client sends to make a write safe to retry. */
export const IdempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{1,200}$/, 'must be 1 to 200 visible ASCII characters')
  .meta({
    description:
      'retry-safe key (1 to 200 visible ASCII characters): the same key with the same request gets the first answer and records nothing twice; with another request, 422',
    example: 'wg-2014-03-eu-4',
  });

/** Header names as people write them, for the problem's `field`. */
const HEADER_NAMES: Record<string, string> = { 'if-match': 'If-Match', 'idempotency-key': 'Idempotency-Key', 'last-event-id': 'Last-Event-ID' };

/**
 * The headers an operation declares (others are not its input). A required If-Match that is
 * missing is a 428, not a 400: the client must be told to send the ETag it read.
 */
export function parseHeaders<S extends z.ZodObject>(schema: S, req: Request): z.infer<S> {
  const sent = Object.fromEntries(
    Object.keys(schema.shape).flatMap((name) => {
      const value = req.get(name);
      return value === undefined ? [] : [[name, value]];
    }),
  );
  const result = schema.safeParse(sent, PLAIN_MESSAGES);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = String(issue.path[0] ?? '');
  const field = HEADER_NAMES[name] ?? name;
  if (name === 'if-match' && sent[name] === undefined) {
    throw new ProblemError(
      428,
      'precondition-required',
      'Precondition required',
      "send If-Match with the position's ETag, so that a change someone else recorded meanwhile is not overwritten",
      field,
    );
  }
  throw new ProblemError(400, 'validation', 'Invalid request', `${field} ${issue.message}`, field);
}

/** The stream revision an If-Match names (already checked by {@link IfMatch}). */
export function ifMatchRevision(header: string | undefined): number | undefined {
  return header === undefined ? undefined : Number(IfMatch.parse(header.trim()).replace(/\D/g, ''));
}

export const etag = (streamRevision: number): string => `"${streamRevision}"`;

/**
 * For a POST that takes no input: no body, or an empty JSON object. Anything else is refused, so
 * that a client never believes an option it sent was applied.
 */
export function emptyBody(req: Request): void {
  const body: unknown = req.body;
  if (body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0)) {
    if (Number(req.get('content-length') ?? 0) === 0 || isJsonContentType(req.get('content-type'))) return;
    throw new ProblemError(
      415,
      'unsupported-media-type',
      'Unsupported media type',
      'send no body, or an empty JSON object as application/json',
      'Content-Type',
    );
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ProblemError(400, 'validation', 'Invalid request', 'body: this request takes no body (or an empty JSON object)', 'body');
  }
  const field = Object.keys(body)[0]!;
  throw new ProblemError(400, 'validation', 'Invalid request', `body ${field}: unknown field: this request takes no input`, field);
}
