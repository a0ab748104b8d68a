import type { Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { SourceCitation } from '../domain/primitives';
import type { LedgerVersion } from '../projections/ledger-projection';
import type { Page, PageRequest } from '../projections/read-model';

export const Format = z.enum(['json', 'csv', 'ndjson']).default('json').meta({ description: 'json (default), csv or ndjson' });
export type Format = z.infer<typeof Format>;

/**
 * How a researcher cites what they downloaded: the ledger version (recorded decisions and their
 * digest) and a permalink, the same URL pinned to that version, which answers the same forever.
 */
export function citation(version: LedgerVersion, url: string, at: Date): string {
  const digest = version.digest ? version.digest.slice(0, 16) : 'empty';
  return `position-ledger, version ${version.version}/${digest}, ${permalink(url, version.version)}, retrieved ${at.toISOString()}`;
}

/** The URL (path and query) with `version` set, so it serves this very view again. */
export function permalink(url: string, version: number): string {
  const [path, query = ''] = url.split('?', 2) as [string, string?];
  const params = new URLSearchParams(query);
  params.set('version', String(version));
  return `${path}?${params.toString()}`;
}

/** Rows read a page at a time (a million-event ledger's export is never held whole in memory). */
export const EXPORT_PAGE = 1000;

/** Every page of a list, following its cursor, letting other requests in between two pages. */
export async function* pagesOf<T>(read: (page: PageRequest) => Page<T>): AsyncGenerator<T[]> {
  let cursor: string | undefined;
  do {
    const page = read({ limit: EXPORT_PAGE, cursor });
    yield page.items;
    cursor = page.next ?? undefined;
    if (cursor) await new Promise((resolve) => setImmediate(resolve));
  } while (cursor);
}

export async function* mapPages<T, R>(pages: AsyncIterable<T[]>, map: (t: T) => R): AsyncGenerator<R[]> {
  for await (const items of pages) yield items.map(map);
}

/**
 * Streams rows as CSV or NDJSON, each citing the ledger version it comes from (a CSV column and
 * an NDJSON header line survive being passed around, where an HTTP header would not). Rows come
 * page by page and are written as the client takes them, so memory stays flat however many. A
 * decision recorded while a long export streams may show in the rows read after it.
 */
export async function sendExport(
  res: Response,
  format: Exclude<Format, 'json'>,
  name: string,
  version: LedgerVersion,
  url: string,
  pages: AsyncIterable<Record<string, unknown>[]>,
): Promise<void> {
  const cite = citation(version, url, new Date());
  const versionLabel = `${version.version}-${(version.digest ?? 'empty').slice(0, 8)}`;
  res.set('Ledger-Version', `${version.version}/${version.digest ?? 'empty'}`);
  res.set('Content-Disposition', `attachment; filename="${name}-v${versionLabel}.${format}"`);
  res.type(format === 'ndjson' ? 'application/x-ndjson' : 'text/csv');
  if (format === 'ndjson') {
    await write(res, `${JSON.stringify({ kind: 'position-ledger-export', ledgerVersion: version, citation: cite })}\n`);
    for await (const rows of pages) if (rows.length > 0 && !(await write(res, rows.map((r) => `${JSON.stringify(r)}\n`).join('')))) return;
    res.end();
    return;
  }
  // every row of a list has the same fields: the first page's columns are the export's
  let columns: string[] | undefined;
  for await (const rows of pages) {
    const flat = rows.map((r) => ({ ...flattenRow(r), citation: cite }));
    const header = columns === undefined;
    columns ??= [...new Set(flat.flatMap((r) => Object.keys(r)))];
    if (columns.length === 0) columns = undefined;
    else if (!(await write(res, stringify(flat, { header, columns })))) return;
  }
  if (columns === undefined) await write(res, stringify([], { header: true, columns: ['citation'] }));
  res.end();
}

/** Writes and waits while the client is slow to take it; false once the client has gone. */
async function write(res: Response, text: string): Promise<boolean> {
  if (res.destroyed) return false;
  if (res.write(text)) return true;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
  return !res.destroyed;
}

/** A citation as three spreadsheet columns, the same in every export. */
export function sourceColumns(source: SourceCitation | undefined): { sourceDocument: string; sourceLocator: string; sourceQuote: string } {
  return { sourceDocument: source?.documentId ?? '', sourceLocator: source?.locator ?? '', sourceQuote: source?.quote ?? '' };
}

/** Nested objects become dotted columns (source.documentId, source.locator, source.quote): one fact per spreadsheet cell. */
function flattenRow(row: Record<string, unknown>, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(row)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      Object.assign(out, flattenRow(value as Record<string, unknown>, `${prefix}${key}.`));
    else out[`${prefix}${key}`] = cell(value);
  }
  return out;
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.every((x) => typeof x !== 'object' || x === null) ? v.map(cell).join('; ') : JSON.stringify(v);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
