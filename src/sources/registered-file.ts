import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RegisterDocumentBody } from '../domain/commands';
import { sha256Hex } from '../integrity/event-hash';

/**
 * A document registered with a file must name a file the ledger can serve and vouch for: it is
 * read from the sources directory now, and its SHA-256 recorded (or, when given, checked), so
 * that GET /api/documents/:id/text can later prove it serves the very text that was cited.
 */
export async function withVerifiedFile(sourcesDir: string, body: RegisterDocumentBody): Promise<RegisterDocumentBody> {
  if (body.file === undefined) {
    if (body.contentSha256 !== undefined) throw new DocumentFileError('contentSha256', 'contentSha256 is the SHA-256 of `file`: give the file too');
    return body;
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(join(sourcesDir, body.file));
  } catch {
    throw new DocumentFileError('file', `the file ${body.file} is not in the sources directory (LEDGER_SOURCES_DIR); put it there first`);
  }
  const actual = sha256Hex(bytes);
  if (body.contentSha256 !== undefined && body.contentSha256 !== actual) {
    throw new DocumentFileError('contentSha256', `the file ${body.file} has SHA-256 ${actual}, not ${body.contentSha256}`);
  }
  return { ...body, contentSha256: actual };
}

/** The file a document names cannot be vouched for; `field` is the input at fault. */
export class DocumentFileError extends Error {
  override name = 'DocumentFileError';
  constructor(readonly field: 'file' | 'contentSha256', detail: string) {
    super(detail);
  }
}
