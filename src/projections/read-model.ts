import type { Addressee, Theme } from '../domain/themes';
import type { Steps } from '../audit/slices';
import type { LedgerEvent } from '../domain/ledger-event';
import type { StoredEvent } from '../store/event-store';
import type { PositionView, Stance, Status, ViewPoint } from './stance';
import type { TimelineEntry } from './timeline';
import type { DocumentView, LedgerVersion, Unreadable } from './ledger-projection';

export interface PositionQuery extends ViewPoint {
  readonly theme?: Theme;
  readonly addressee?: Addressee;
  readonly status?: Status;
  /** free text over the title, statement and source quote of the text in force in the view */
  readonly q?: string;
}

export interface TimelineQuery extends ViewPoint {
  readonly from?: string;
  readonly to?: string;
  readonly theme?: Theme;
  readonly addressee?: Addressee;
  /** free text over the title, statement and source quote a decision recorded */
  readonly q?: string;
}

export interface PageRequest {
  readonly limit: number;
  /** opaque: the `next` of a previous page */
  readonly cursor?: string;
}

export interface Page<T> {
  readonly items: T[];
  /** every match, on all pages; when `totalCapped`, the count stopped there: at least this many match */
  readonly total: number;
  /**
   * true when counting stopped before the last match (counting every match of a million-event ledger
   * is not cheap): more than TOTAL_CAP match and `total` is TOTAL_CAP, or the rows a count may read
   * ran out first (a search, a list as recorded by an instant) and `total` is what was counted
   */
  readonly totalCapped: boolean;
  /** the cursor of the following page, or null on the last */
  readonly next: string | null;
}

/**
 * The one query layer: the API routes and the web pages both ask it, whatever holds the read
 * model (memory or the SQLite read store). Lists are paged by an opaque keyset cursor; without a
 * page request a list is whole (exports).
 */
/** How many positions a view holds, by status, theme and addressee (a position counts once under each of its themes and addressees). */
export interface PositionCounts {
  readonly total: number;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly byTheme: Readonly<Record<string, number>>;
  readonly byAddressee: Readonly<Record<string, number>>;
}

/** Counts of positions given as (status, themes, addressees, n) groups, themes and addressees each a list. */
export function positionCountsOf(groups: Iterable<{ status: string; themes: readonly string[]; addressees: readonly string[]; n: number }>): PositionCounts {
  const byStatus: Record<string, number> = {};
  const byTheme: Record<string, number> = {};
  const byAddressee: Record<string, number> = {};
  let total = 0;
  for (const g of groups) {
    total += g.n;
    byStatus[g.status] = (byStatus[g.status] ?? 0) + g.n;
    for (const t of g.themes) byTheme[t] = (byTheme[t] ?? 0) + g.n;
    for (const a of g.addressees) byAddressee[a] = (byAddressee[a] ?? 0) + g.n;
  }
  return { total, byStatus, byTheme, byAddressee };
}

export interface ReadModel {
  positionPage(query: PositionQuery, page?: PageRequest): Page<Stance>;
  /** the positions of a view counted, without reading them (the overview's figures) */
  positionCounts(view?: ViewPoint): PositionCounts;
  position(id: string, view?: ViewPoint): Stance | undefined;
  /** the positions of the view that relate to this one (lineage), by relating position */
  relatedFrom(id: string, view?: ViewPoint): PositionView['relatedFrom'];
  positionTimeline(id: string, view?: ViewPoint): TimelineEntry[] | undefined;
  timelinePage(query: TimelineQuery, page?: PageRequest): Page<TimelineEntry>;
  /** every document, each with the first CITED_BY_PREVIEW citing positions and how many cite it */
  documentList(view?: Pick<ViewPoint, 'version'>): DocumentView[];
  /** one document with a page of the positions citing it (`citedByNext` for the next) */
  document(id: string, view?: Pick<ViewPoint, 'version'>, page?: PageRequest): DocumentView | undefined;
  /** the version now, or (`at`) the one the ledger had when it had recorded `at` decisions; `at` is at most the current version */
  version(at?: number): LedgerVersion;
  unreadableEvents(): readonly Unreadable[];
  /** who recorded the decisions (each recordedBy once, in order): the audit log's choice of recorders */
  recorders(): string[];
  /** events with this idempotency key recorded by this actor (across all streams) */
  recordedWithKey(actorId: string, key: string): readonly LedgerEvent[];
  /** resolves once the event is in the read model (read-your-writes after an append) */
  waitFor(eventId: string, timeoutMs?: number): Promise<boolean>;
  stop(): Promise<void>;
  /**
   * a read store's tables, row by row, against the same tables built from these events (the
   * ledger's whole history), as steps to run at once or in slices; the tables are compared as they
   * are when this is called, whatever the read store applies while the steps run
   */
  tableDriftSteps?(events: readonly StoredEvent[]): Steps<string[]>;
}

/** A cursor that this read model did not give out (or for another list). */
export class BadCursorError extends Error {
  override name = 'BadCursorError';
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
/**
 * Where counting stops. A list's `total` is exact up to here; beyond, it is TOTAL_CAP with
 * `totalCapped` (the current positions, unsearched, are counted exactly from maintained counts).
 * Counting a million rows would cost more than the page itself.
 */
export const TOTAL_CAP = 1000;
/** the citing positions each document of the list shows (a document's own page pages them all) */
export const CITED_BY_PREVIEW = 10;

type ListName = 'positions' | 'timeline' | 'citedBy';

/** The sort key of the last item of a page, for the list it belongs to, as an opaque string. */
export function encodeCursor(list: ListName, key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify([list, ...key]), 'utf8').toString('base64url');
}

export function decodeCursor(list: ListName, cursor: string, shape: readonly ('string' | 'number')[]): (string | number)[] {
  let parsed: unknown;
  try {
    parsed = /^[A-Za-z0-9_-]{1,2000}$/.test(cursor) ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed[0] !== list || parsed.length !== shape.length + 1) {
    throw new BadCursorError(`not a cursor of this ${list} list: pass the \`next\` of a previous response unchanged`);
  }
  const key = parsed.slice(1) as unknown[];
  if (!key.every((v, i) => typeof v === shape[i]))
    throw new BadCursorError(`not a cursor of this ${list} list: pass the \`next\` of a previous response unchanged`);
  return key as (string | number)[];
}

/**
 * The words of a text as the search sees them: letters and digits, case and accents folded (as
 * SQLite FTS5's unicode61 tokenizer does, so both read models find the same things).
 */
export function searchTerms(text: string): string[] {
  return fold(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/**
 * True when every word of the query begins a word of one of the texts: a researcher typing
 * "migrant" or "undocument" means "migrants" and "undocumented" too (as FTS5's prefix query does).
 */
export function matchesText(query: string, texts: readonly (string | undefined)[]): boolean {
  return textMatcher(query)(texts);
}

/** matchesText with the query prepared once, for testing many texts (a word begins where no letter or digit precedes it). */
export function textMatcher(query: string): (texts: readonly (string | undefined)[]) => boolean {
  const wanted = searchTerms(query).map((w) => new RegExp(`(?<![\\p{L}\\p{N}])${w}`, 'u'));
  return (texts) => {
    const folded = fold(texts.filter((t) => t !== undefined).join('\n'));
    return wanted.every((w) => w.test(folded));
  };
}

// most texts are plain ASCII, where decomposing and stripping marks changes nothing (and costs most of a search's text tests)
const fold = (text: string) =>
  /^[\x00-\x7f]*$/.test(text)
    ? text.toLowerCase()
    : text
        .normalize('NFD')
        .replace(/\p{M}+/gu, '')
        .toLowerCase();

/** The total of a list of `n` matches, exact or capped (see TOTAL_CAP). */
export function totalOf(n: number, exact: boolean): Pick<Page<unknown>, 'total' | 'totalCapped'> {
  return exact || n <= TOTAL_CAP ? { total: n, totalCapped: false } : { total: TOTAL_CAP, totalCapped: true };
}

/** Whether a position list's total is counted exactly: the current positions, unsearched (from maintained counts). */
export const exactPositionTotal = (q: PositionQuery): boolean =>
  q.asOf === undefined && q.recordedAsOf === undefined && q.version === undefined && q.q === undefined;

/** Sorted items, paged after the cursor's key; `keyOf` gives each item's position in the sort order. */
export function pageOf<T>(
  list: ListName,
  sorted: readonly T[],
  keyOf: (t: T) => (string | number)[],
  shape: readonly ('string' | 'number')[],
  page?: PageRequest,
  exactTotal = false,
): Page<T> {
  if (!page) return { items: [...sorted], ...totalOf(sorted.length, exactTotal), next: null };
  let start = 0;
  if (page.cursor !== undefined) {
    const after = decodeCursor(list, page.cursor, shape);
    start = sorted.findIndex((t) => compareKeys(keyOf(t), after) > 0);
    if (start < 0) start = sorted.length;
  }
  const items = sorted.slice(start, start + page.limit);
  const more = start + page.limit < sorted.length;
  return { items, ...totalOf(sorted.length, exactTotal), next: more && items.length > 0 ? encodeCursor(list, keyOf(items.at(-1)!)) : null };
}

export function compareKeys(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}
