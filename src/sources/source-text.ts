import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { sha256Hex } from '../integrity/event-hash';

/** Why a registered document's text cannot be served as the ledger recorded it. */
export class SourceTextUnavailableError extends Error {
  override name = 'SourceTextUnavailableError';
  constructor(readonly documentId: string, readonly reason: 'no-file' | 'missing' | 'changed', detail: string) {
    super(detail);
  }
}

export interface RegisteredFile {
  readonly documentId: string;
  readonly file?: string;
  readonly contentSha256?: string;
}

/**
 * The text of a source document, read from the sources directory and served only when it is
 * byte for byte the file the ledger registered: a researcher checking a quote must read the
 * text that was cited, not a later edit of it.
 */
export async function readSourceText(sourcesDir: string, doc: RegisteredFile): Promise<string> {
  if (!doc.file) throw new SourceTextUnavailableError(doc.documentId, 'no-file', `document ${doc.documentId} was registered without a file`);
  // only a bare file name, never a path out of the sources directory
  const path = join(sourcesDir, basename(doc.file));
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    throw new SourceTextUnavailableError(doc.documentId, 'missing', `the file ${basename(doc.file)} of document ${doc.documentId} is not in this server's sources directory (LEDGER_SOURCES_DIR)`);
  }
  if (doc.contentSha256 && sha256Hex(bytes) !== doc.contentSha256) {
    throw new SourceTextUnavailableError(doc.documentId, 'changed', `the file ${basename(doc.file)} differs from the one registered for ${doc.documentId} (SHA-256 ${doc.contentSha256})`);
  }
  return bytes.toString('utf8');
}
