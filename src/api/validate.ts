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
    throw new ProblemError(400, 'validation', 'Invalid request', `query ${unexpected}: unknown parameter: ${req.method} takes its input in the body`, unexpected);
  }
  // body-parser turns an empty body into {} (or leaves it undefined): either way nothing was sent
  const sentNothing = req.body === undefined || (req.get('transfer-encoding') === undefined && Number(req.get('content-length') ?? 0) === 0);
  if (sentNothing) throw new ProblemError(400, 'validation', 'Invalid request', 'body: a JSON object body is required', 'body');
  if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
    throw new ProblemError(400, 'validation', 'Invalid request', `body: the body must be a JSON object, not ${req.body === null ? 'null' : Array.isArray(req.body) ? 'an array' : `a ${typeof req.body}`}`, 'body');
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

/** A stream revision from an If-Match header: `"3"`, `W/"3"` or `3`. */
export function ifMatchRevision(req: Request, required: boolean): number | undefined {
  const header = req.get('if-match');
  if (header === undefined) {
    if (!required) return undefined;
    throw new ProblemError(
      428,
      'precondition-required',
      'Precondition required',
      "send If-Match with the position's ETag, so that a change someone else recorded meanwhile is not overwritten",
      'If-Match',
    );
  }
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(header.trim());
  if (!match) throw new ProblemError(400, 'validation', 'Invalid request', 'If-Match must be an ETag of this API, such as "3"', 'If-Match');
  return Number(match[1]);
}

export const etag = (streamRevision: number): string => `"${streamRevision}"`;

const NoQuery = z.strictObject({});

/** For routes that take no query parameters: an unknown one is refused, as on every other route. */
export function noQuery(req: Request, _res: unknown, next: () => void): void {
  parseQuery(NoQuery, req);
  next();
}

/**
 * For a POST that takes no input: no body, or an empty JSON object. Anything else is refused, so
 * that a client never believes an option it sent was applied.
 */
export function emptyBody(req: Request): void {
  const body: unknown = req.body;
  if (body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0)) {
    if (Number(req.get('content-length') ?? 0) === 0 || isJsonContentType(req.get('content-type'))) return;
    throw new ProblemError(415, 'unsupported-media-type', 'Unsupported media type', 'send no body, or an empty JSON object as application/json', 'Content-Type');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ProblemError(400, 'validation', 'Invalid request', 'body: this request takes no body (or an empty JSON object)', 'body');
  }
  const field = Object.keys(body)[0]!;
  throw new ProblemError(400, 'validation', 'Invalid request', `body ${field}: unknown field: this request takes no input`, field);
}
