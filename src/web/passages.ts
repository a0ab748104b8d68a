import type { SourceCitation } from '../domain/primitives';
import { href } from './query';
import { passageAnchor } from '../sources/cited-passages';

/** Where a citation points: the document's page, at the quoted passage when there is a quote. */
export function citationHref(source: SourceCitation): string {
  return `${href(`/documents/${source.documentId}`, {})}${source.quote ? `#${passageAnchor(source.quote)}` : ''}`;
}
