import type { Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { SourceCitation } from '../domain/primitives';
import type { LedgerVersion } from '../projections/ledger-projection';

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

/**
 * Sends rows as CSV or NDJSON, each citing the ledger version it comes from (a CSV column and an
 * NDJSON header line survive being passed around, where an HTTP header would not).
 */
export function sendExport(res: Response, format: Exclude<Format, 'json'>, name: string, version: LedgerVersion, url: string, rows: Record<string, unknown>[]): void {
  const cite = citation(version, url, new Date());
  const versionLabel = `${version.version}-${(version.digest ?? 'empty').slice(0, 8)}`;
  res.set('Ledger-Version', `${version.version}/${version.digest ?? 'empty'}`);
  res.set('Content-Disposition', `attachment; filename="${name}-v${versionLabel}.${format}"`);
  if (format === 'ndjson') {
    res.type('application/x-ndjson');
    const header = { kind: 'position-ledger-export', ledgerVersion: version, citation: cite };
    res.send([header, ...rows].map((r) => JSON.stringify(r)).join('\n') + '\n');
    return;
  }
  const flat = rows.map((r) => ({ ...flattenRow(r), citation: cite }));
  // the union of all rows' columns, so an optional field absent from the first row keeps its column
  const columns = [...new Set(flat.flatMap((r) => Object.keys(r)))];
  res.type('text/csv').send(stringify(flat, { header: true, columns: columns.length ? columns : ['citation'] }));
}

/** A citation as three spreadsheet columns, the same in every export. */
export function sourceColumns(source: SourceCitation | undefined): { sourceDocument: string; sourceLocator: string; sourceQuote: string } {
  return { sourceDocument: source?.documentId ?? '', sourceLocator: source?.locator ?? '', sourceQuote: source?.quote ?? '' };
}

/** Nested objects become dotted columns (source.documentId, source.locator, source.quote): one fact per spreadsheet cell. */
function flattenRow(row: Record<string, unknown>, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(row)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) Object.assign(out, flattenRow(value as Record<string, unknown>, `${prefix}${key}.`));
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
