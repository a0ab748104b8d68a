import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderToString } from 'preact-render-to-string';
import { readSeedDir } from '../../src/seed/import';
import { locateCitations, passageAnchor, type Citation } from '../../src/sources/cited-passages';
import { SourceDocument } from '../../src/web/components/source-document';

const ROOT = join(__dirname, '../..');
const entries = readSeedDir(join(ROOT, 'events')).flatMap((f) => f.entries);

/** Every quote the seed history takes from a document, with the position quoting it. */
function seedCitations(documentId: string): Citation[] {
  return entries.flatMap((e) => {
    if (e.command !== 'AddPosition' && e.command !== 'RevisePosition') return [];
    const { documentId: cited, quote } = e.body.source;
    const positionId = e.command === 'AddPosition' ? e.body.id : e.positionId;
    return cited === documentId && quote ? [{ quote, positionId }] : [];
  });
}

const render = (text: string, citations: readonly Citation[]) =>
  renderToString(<SourceDocument text={text} ranges={locateCitations(text, citations).ranges} />);
const ids = (html: string) => [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
const visibleText = (html: string) => html.replace(/<span class="cited-by">.*?<\/span>/g, '').replace(/<[^>]+>/g, '');

describe('a source document rendered for reading', () => {
  const documents = entries.flatMap((e) => (e.command === 'RegisterDocument' && e.body.file ? [e.body] : []));

  it.each(documents.map((d) => [d.id, d.file!]))('%s: formatted, every cited passage highlighted and anchored once', (documentId, file) => {
    const text = readFileSync(join(ROOT, 'sources', file), 'utf8');
    const citations = seedCitations(documentId);
    expect(citations.length).toBeGreaterThan(0);
    const html = render(text, citations);

    // formatted, not the plain fallback: the Markdown marks are gone from what a reader sees
    expect(html).toMatch(/^<div class="source-text" lang="en">/);
    expect(html).toMatch(/<li>/);
    expect(html).toMatch(/<strong>/);
    expect(visibleText(html)).not.toMatch(/\*\*|^- |^#+ /m);
    // each quote's anchor is in the page exactly once, where a position's link lands
    const anchors = ids(html);
    for (const c of citations) expect(anchors.filter((a) => a === passageAnchor(c.quote))).toHaveLength(1);
    expect(new Set(anchors).size).toBe(anchors.length);
    // each highlighted stretch says once who cites it
    const ranges = locateCitations(text, citations).ranges;
    expect(html.match(/class="cited-by"/g)).toHaveLength(ranges.length);
  });

  it('splits a passage that crosses an emphasis into marks, anchoring the first and naming the citing position after the last', () => {
    const text = 'Intro.\n\n- **We  call on** the EU\n  to act. Then more.';
    const html = render(text, [{ quote: 'We call on the EU to act.', positionId: 'eu-1' }]);
    expect(html).toContain(`<ul><li><strong><mark id="${passageAnchor('We call on the EU to act.')}">We  call on</mark></strong><mark> the EU`);
    expect(html).toMatch(/to act\.<\/mark><span class="cited-by"> \[cited by <a href="\/positions\/eu-1">eu-1<\/a>\]<\/span> Then more\./);
  });

  it('shifts the document headings below the page own h2', () => {
    const html = render('## Title\n\n### 1.\n\ntext', []);
    expect(html).toContain('<h3>Title</h3><h4>1.</h4>');
  });

  it('falls back to the plain text, anchors kept, when the parser rewrites a cited passage', () => {
    const text = 'Cities &amp; regions call on the EU.';
    const html = render(text, [{ quote: 'Cities &amp; regions call', positionId: 'eu-1' }]);
    expect(html).toMatch(/^<div class="source-text plain" lang="en">/);
    expect(ids(html)).toEqual([passageAnchor('Cities &amp; regions call')]);
  });
});
