import { isUtf8 } from 'node:buffer';
import type { NextFunction, Request, Response } from 'express';
import { ProblemError } from './problem';

/**
 * The ledger records text verbatim and hash-chains it: bytes that are not UTF-8 must be refused,
 * not decoded into U+FFFD and recorded. A charset other than UTF-8 is a 415 before the body is read
 * (the JSON parser would otherwise accept utf-16 and utf-32).
 */
export function requireUtf8Charset(req: Request, _res: Response, next: NextFunction): void {
  const header = req.get('content-type');
  const charset = header === undefined ? undefined : /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(header)?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new ProblemError(
      415,
      'unsupported-media-type',
      'Unsupported media type',
      'send the body as UTF-8 JSON (charset=utf-8, or no charset)',
      'Content-Type',
    );
  }
  next();
}

/** body-parser's `verify` hook: sees the raw bytes before they are decoded. */
export function refuseInvalidUtf8(_req: unknown, _res: unknown, bytes: Buffer): void {
  if (!isUtf8(bytes))
    throw new ProblemError(
      400,
      'invalid-utf8',
      'Invalid request',
      'body: is not valid UTF-8 (the ledger records text exactly as sent, so undecodable bytes are refused)',
      'body',
    );
}
