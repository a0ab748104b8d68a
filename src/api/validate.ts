import type { Request } from 'express';
import type { z } from 'zod';
import { ProblemError, validationProblem } from './problem';

export function parseBody<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  if (!req.is('application/json')) {
    throw new ProblemError(415, 'unsupported-media-type', 'Unsupported media type', 'send the body as application/json', 'Content-Type');
  }
  const result = schema.safeParse(req.body);
  if (!result.success) throw validationProblem(result.error, 'body');
  return result.data;
}

export function parseQuery<S extends z.ZodType>(schema: S, req: Request): z.infer<S> {
  const result = schema.safeParse(req.query);
  if (!result.success) throw validationProblem(result.error, 'query');
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
