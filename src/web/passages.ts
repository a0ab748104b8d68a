import { sha256Hex } from '../integrity/event-hash';
import type { SourceCitation } from '../domain/primitives';
import { href } from './query';

/**
 * The anchor of a quoted passage in its document's page: derived from the quote itself, so a
 * position page can link to it without reading the document, and the link stays the same for as
 * long as the quote does.
 */
export function passageAnchor(quote: string): string {
  return `passage-${sha256Hex(quote.trim()).slice(0, 12)}`;
}

/** Where a citation points: the document's page, at the quoted passage when there is a quote. */
export function citationHref(source: SourceCitation): string {
  return `${href(`/documents/${source.documentId}`, {})}${source.quote ? `#${passageAnchor(source.quote)}` : ''}`;
}
