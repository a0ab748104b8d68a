import MarkdownIt from 'markdown-it';
import { createContext, h, type ComponentChildren, type VNode } from 'preact';
import { useContext } from 'preact/hooks';
import type { CitedRange } from '../../sources/cited-passages';

type Token = MarkdownIt.Token;

// the sources are Markdown transcriptions of printed documents: no raw HTML, no autolinking, no typographic rewriting
const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });

/**
 * A source document as its reader expects it (headings, lists, emphasis), with every cited passage
 * highlighted where it stands. Citations are located in the stored text, byte for byte what was
 * registered and hashed, so each piece of rendered text is mapped back to its place in that text:
 * markdown-it gives each block its lines, and the inline pieces are found in order within them.
 * A passage that cannot be placed this way (text the parser rewrote, such as an entity) makes
 * the whole text fall back to the plain rendering, so no anchor a position links to goes missing.
 */
export function SourceDocument({
  text,
  ranges,
  positionHref = (id) => `/positions/${id}`,
}: {
  text: string;
  ranges: readonly CitedRange[];
  /** where a citing position is linked (the page of a cited version keeps its version) */
  positionHref?: (positionId: string) => string;
}): VNode {
  const rendered = formatted(text, ranges);
  return (
    <PositionHref.Provider value={positionHref}>
      {rendered ? (
        <div class="source-text" lang="en">
          {rendered}
        </div>
      ) : (
        <div class="source-text plain" lang="en">
          {plain(text, ranges)}
        </div>
      )}
    </PositionHref.Provider>
  );
}

/** the link of a citing position, given by the page, so the passages deep in the text need not be handed it */
const PositionHref = createContext((positionId: string) => `/positions/${positionId}`);

interface Frame {
  readonly tag: string;
  readonly props: Record<string, string>;
  readonly children: ComponentChildren[];
  /** a paragraph markdown-it hides in a tight list: its children go to the list item itself */
  readonly hidden: boolean;
}

function formatted(text: string, ranges: readonly CitedRange[]): ComponentChildren[] | undefined {
  const tokens = markdown.parse(text, {});
  const lineStart = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStart.push(i + 1);
  const headingLevels = tokens.filter((t) => t.type === 'heading_open').map((t) => Number(t.tag.slice(1)));
  // the page has its own h1 and h2 ("Text"): the document's top heading level becomes h3
  const shift = headingLevels.length > 0 ? 3 - Math.min(...headingLevels) : 0;
  const placed = new Set<CitedRange>();

  const root: Frame = { tag: 'div', props: {}, children: [], hidden: false };
  const stack = [root];
  for (const t of tokens) {
    const top = stack.at(-1)!;
    if (t.nesting === 1) {
      stack.push({ tag: blockTag(t, shift), props: blockProps(t), children: [], hidden: t.hidden });
    } else if (t.nesting === -1) {
      const done = stack.pop()!;
      const parent = stack.at(-1)!;
      if (done.hidden) parent.children.push(...done.children);
      else parent.children.push(h(done.tag, done.props, ...done.children));
    } else if (t.type === 'inline') {
      const from = lineStart[t.map?.[0] ?? 0] ?? 0;
      const to = t.map ? (lineStart[t.map[1]] ?? text.length) : text.length;
      top.children.push(...inline(text, t.children ?? [], from, to, ranges, placed));
    } else if (t.type === 'hr') {
      top.children.push(<hr />);
    } else if (t.content) {
      top.children.push(<pre>{t.content}</pre>);
    }
  }
  return ranges.every((r) => placed.has(r)) ? root.children : undefined;
}

function blockTag(t: Token, shift: number): string {
  if (t.type === 'heading_open') return `h${Math.min(6, Number(t.tag.slice(1)) + shift)}`;
  return t.tag || 'div';
}

function blockProps(t: Token): Record<string, string> {
  const start = t.type === 'ordered_list_open' ? t.attrGet('start') : null;
  return start !== null ? { start: String(start) } : {};
}

/** The inline pieces of one block, each text piece located in `text` between `from` and `to` and split where cited passages begin and end. */
function inline(
  text: string,
  children: readonly Token[],
  from: number,
  to: number,
  ranges: readonly CitedRange[],
  placed: Set<CitedRange>,
): ComponentChildren[] {
  let cursor = from;
  const root: Frame = { tag: 'span', props: {}, children: [], hidden: true };
  const stack = [root];
  const skip = (markup: string) => {
    const at = text.indexOf(markup, cursor);
    if (at >= 0 && at < to) cursor = at + markup.length;
  };
  for (const c of children) {
    const top = stack.at(-1)!;
    if (c.type === 'text' || c.type === 'code_inline') {
      const at = text.indexOf(c.content, cursor);
      const pieces = at >= 0 && at + c.content.length <= to ? highlighted(c.content, at, ranges, placed) : [c.content];
      if (at >= 0 && at + c.content.length <= to) cursor = at + c.content.length;
      top.children.push(...(c.type === 'code_inline' ? [<code>{pieces}</code>] : pieces));
    } else if (c.type === 'softbreak' || c.type === 'hardbreak') {
      skip('\n');
      top.children.push(c.type === 'hardbreak' ? <br /> : '\n');
    } else if (c.nesting === 1) {
      skip(c.markup);
      stack.push({ tag: c.tag, props: {}, children: [], hidden: false });
    } else if (c.nesting === -1 && stack.length > 1) {
      skip(c.markup);
      const done = stack.pop()!;
      stack.at(-1)!.children.push(h(done.tag, done.props, ...done.children));
    } else if (c.content) {
      top.children.push(c.content);
    }
  }
  // an emphasis left open by the parser is closed at the end of its block
  while (stack.length > 1) {
    const done = stack.pop()!;
    stack.at(-1)!.children.push(h(done.tag, done.props, ...done.children));
  }
  return root.children;
}

/** `content`, which stands at `at` in the source text, cut where cited passages start and end; each cut inside a passage is a <mark>. */
function highlighted(content: string, at: number, ranges: readonly CitedRange[], placed: Set<CitedRange>): ComponentChildren[] {
  const end = at + content.length;
  const out: ComponentChildren[] = [];
  let i = at;
  for (const r of ranges) {
    if (r.end <= i || r.start >= end) continue;
    if (r.start > i) out.push(content.slice(i - at, r.start - at));
    const pieceStart = Math.max(i, r.start);
    const pieceEnd = Math.min(end, r.end);
    const first = r.start >= at;
    if (first) placed.add(r);
    out.push(<Passage range={r} first={first} last={r.end <= end} text={content.slice(pieceStart - at, pieceEnd - at)} />);
    i = pieceEnd;
  }
  if (i < end) out.push(content.slice(i - at));
  return out;
}

/** One stretch of a cited passage: the first carries its anchors, the last says who cites it. */
function Passage({ range, first, last, text }: { range: CitedRange; first: boolean; last: boolean; text: string }) {
  return (
    <>
      {first ? range.anchors.slice(1).map((a) => <span id={a} />) : null}
      <mark id={first ? range.anchors[0] : undefined}>{text}</mark>
      {last ? <CitedBy positionIds={range.positionIds} /> : null}
    </>
  );
}

function CitedBy({ positionIds }: { positionIds: readonly string[] }) {
  const positionHref = useContext(PositionHref);
  return (
    <span class="cited-by">
      {' '}
      [cited by{' '}
      {positionIds.map((id, i) => (
        <>
          {i > 0 ? ', ' : ''}
          <a href={positionHref(id)}>{id}</a>
        </>
      ))}
      ]
    </span>
  );
}

/** The stored text as it is, white space kept, for a text whose formatting cannot carry every passage. */
function plain(text: string, ranges: readonly CitedRange[]): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  let at = 0;
  for (const r of ranges) {
    if (r.start > at) out.push(text.slice(at, r.start));
    out.push(<Passage range={r} first last text={text.slice(r.start, r.end)} />);
    at = r.end;
  }
  out.push(text.slice(at));
  return out;
}
