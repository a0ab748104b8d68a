import type { Command } from '../domain/commands';
import { locateCitations } from './cited-passages';
import { readSourceText, SourceTextUnavailableError, type RegisteredFile } from './source-text';

/** A command's quote is not in the document it cites; `field` is the input at fault. */
export class QuoteNotInSourceError extends Error {
  override name = 'QuoteNotInSourceError';
  constructor(readonly field: string, detail: string) {
    super(detail);
  }
}

/** The source a command cites, with the name of its quote's field in the request body. */
function citedQuote(command: Command): { documentId: string; quote: string; field: string } | undefined {
  if (command.type === 'AddPosition' || command.type === 'RevisePosition') {
    const { documentId, quote } = command.data.source;
    return quote === undefined ? undefined : { documentId, quote, field: 'source.quote' };
  }
  if (command.type === 'CorrectRecord' && command.data.changes.source?.quote !== undefined) {
    return { documentId: command.data.changes.source.documentId, quote: command.data.changes.source.quote, field: 'changes.source.quote' };
  }
  return undefined;
}

/**
 * Refuses a quote that is not in the document it cites, when this server holds that document's
 * file as registered (same SHA-256): the ledger would otherwise vouch for words its own source
 * text contradicts. A quote is looked for exactly as the document page looks for it (white space
 * and emphasis marks aside, " […] " between passages), so an accepted quote is one the page
 * highlights. Without the registered file there is nothing to check against, and the quote is left
 * to review, as before.
 */
export async function checkCitedQuote(sourcesDir: string, command: Command, documentOf: (id: string) => RegisteredFile | undefined): Promise<void> {
  const cited = citedQuote(command);
  if (!cited) return;
  const doc = documentOf(cited.documentId);
  if (!doc) return; // the decider refuses an unregistered document, naming its own field
  let text: string;
  try {
    text = await readSourceText(sourcesDir, doc);
  } catch (error) {
    if (error instanceof SourceTextUnavailableError) return;
    throw error;
  }
  if (locateCitations(text, [{ quote: cited.quote, positionId: '' }]).missing.length > 0) {
    throw new QuoteNotInSourceError(cited.field, `the quote is not in the text of document ${cited.documentId} (compared as printed, apart from white space and emphasis marks; passages joined by " […] " are looked for in order)`);
  }
}
