import type { Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { LedgerVersion } from '../projections/ledger-projection';

export const Format = z.enum(['json', 'csv', 'ndjson']).default('json').meta({ description: 'json (default), csv or ndjson' });
export type Format = z.infer<typeof Format>;

/** How a researcher cites what they downloaded: the exact ledger state, and when. */
export function citation(version: LedgerVersion, url: string, at: Date): string {
  const digest = version.digest ? version.digest.slice(0, 16) : 'empty';
  return `position-ledger, version ${version.events}/${digest}, ${url}, retrieved ${at.toISOString()}`;
}

/**
 * Sends rows as CSV or NDJSON, each citing the ledger version it comes from (a CSV column and an
 * NDJSON header line survive being passed around, where an HTTP header would not).
 */
export function sendExport(res: Response, format: Exclude<Format, 'json'>, name: string, version: LedgerVersion, url: string, rows: Record<string, unknown>[]): void {
  const cite = citation(version, url, new Date());
  const versionLabel = `${version.events}-${(version.digest ?? 'empty').slice(0, 8)}`;
  res.set('Ledger-Version', `${version.events}/${version.digest ?? 'empty'}`);
  res.set('Content-Disposition', `attachment; filename="${name}-v${versionLabel}.${format}"`);
  if (format === 'ndjson') {
    res.type('application/x-ndjson');
    const header = { kind: 'position-ledger-export', ledgerVersion: version, citation: cite };
    res.send([header, ...rows].map((r) => JSON.stringify(r)).join('\n') + '\n');
    return;
  }
  const flat = rows.map((r) => ({ ...Object.fromEntries(Object.entries(r).map(([k, v]) => [k, flatten(v)])), citation: cite }));
  res.type('text/csv').send(stringify(flat, { header: true, columns: flat.length ? Object.keys(flat[0]!) : ['citation'] }));
}

function flatten(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(flatten).join('; ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
