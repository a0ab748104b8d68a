import { readSourceText, SourceTextUnavailableError, type RegisteredFile } from './source-text';

export interface SourceFileProblem {
  readonly documentId: string;
  readonly reason: 'missing' | 'changed';
  readonly detail: string;
}

/**
 * Registered documents whose file this server cannot serve as registered (absent from the sources
 * directory, or with another SHA-256). Checked at start so that an operator learns it from the log,
 * not from a researcher's 404 or 409 on GET /api/documents/:id/text.
 */
export async function sourceFileProblems(sourcesDir: string, documents: readonly RegisteredFile[]): Promise<SourceFileProblem[]> {
  const problems: SourceFileProblem[] = [];
  for (const doc of documents) {
    if (!doc.file) continue;
    try {
      await readSourceText(sourcesDir, doc);
    } catch (error) {
      if (!(error instanceof SourceTextUnavailableError) || error.reason === 'no-file') throw error;
      problems.push({ documentId: doc.documentId, reason: error.reason, detail: error.message });
    }
  }
  return problems;
}
