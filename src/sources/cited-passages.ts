import { sha256Hex } from '../integrity/event-hash';

/**
 * The anchor of a quoted passage in its document's page: derived from the quote itself, so a
 * position page can link to it without reading the document, and the link stays the same for as
 * long as the quote does.
 */
export function passageAnchor(quote: string): string {
  return `passage-${sha256Hex(quote.trim()).slice(0, 12)}`;
}

export interface Citation {
  readonly quote: string;
  readonly positionId: string;
}

/** A stretch of the source text that one or more citations quote. */
export interface CitedRange {
  readonly start: number;
  readonly end: number;
  /** the anchors of every quote that falls in this stretch (the first is the stretch's id) */
  readonly anchors: readonly string[];
  readonly positionIds: readonly string[];
}

/**
 * Where each quoted passage is in the source text. Quotes are compared as the seed review compares
 * them: markup asterisks dropped and white space collapsed; a quote of several passages joined by
 * " […] " is found passage by passage. Overlapping stretches are merged, so each part of the text
 * is highlighted once, naming every position that cites it. Quotes not found are returned apart.
 */
export function locateCitations(text: string, citations: readonly Citation[]): { ranges: CitedRange[]; missing: Citation[] } {
  const { normal, origin } = normalised(text);
  const found: { start: number; end: number; anchor: string; positionId: string }[] = [];
  const missing: Citation[] = [];
  for (const c of citations) {
    const anchor = passageAnchor(c.quote);
    const parts = c.quote
      .split(' […] ')
      .map((p) => normalised(p).normal.trim())
      .filter((p) => p.length > 0);
    let from = 0;
    let all = true;
    for (const part of parts) {
      const at = normal.indexOf(part, from);
      if (at < 0) {
        all = false;
        break;
      }
      found.push({ start: origin[at]!, end: origin[at + part.length - 1]! + 1, anchor, positionId: c.positionId });
      from = at + part.length;
    }
    if (!all || parts.length === 0) missing.push(c);
  }
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const ranges: { start: number; end: number; anchors: string[]; positionIds: string[] }[] = [];
  for (const f of found) {
    const last = ranges.at(-1);
    if (last && f.start < last.end) {
      last.end = Math.max(last.end, f.end);
      if (!last.anchors.includes(f.anchor)) last.anchors.push(f.anchor);
      if (!last.positionIds.includes(f.positionId)) last.positionIds.push(f.positionId);
    } else {
      ranges.push({ start: f.start, end: f.end, anchors: [f.anchor], positionIds: [f.positionId] });
    }
  }
  // a quote of several passages keeps its anchor on the first only: an id appears once in a page
  const seen = new Set<string>();
  for (const r of ranges) {
    r.anchors = r.anchors.filter((a) => !seen.has(a));
    r.anchors.forEach((a) => seen.add(a));
    r.positionIds.sort();
  }
  return { ranges, missing };
}

/** The text without asterisks and with each run of white space as one space, and for each of its characters the index it came from. */
function normalised(text: string): { normal: string; origin: number[] } {
  let normal = '';
  const origin: number[] = [];
  let space = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '*') continue;
    if (/\s/.test(ch)) {
      if (!space && normal.length > 0) {
        normal += ' ';
        origin.push(i);
      }
      space = true;
      continue;
    }
    space = false;
    normal += ch;
    origin.push(i);
  }
  return { normal, origin };
}
