import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { request } from 'node:http';
import { EXPORT_PAGE, pagesOf, sendExport } from '../../src/api/export-format';
import { encodeCursor, decodeCursor, type Page, type PageRequest } from '../../src/projections/read-model';

/**
 * Exports stream: rows are read a page at a time as the client takes them (never the whole list
 * at once), so a million-row export keeps memory flat, and a client that goes away stops the
 * reading.
 */
const VERSION = { version: 3, digest: 'abc', events: 3, lastPosition: '3' };

function list(rows: number, reads: PageRequest[]) {
  return (page: PageRequest): Page<{ id: string; n: number }> => {
    reads.push(page);
    const start = page.cursor === undefined ? 0 : (decodeCursor('positions', page.cursor, ['number'])[0] as number) + 1;
    const items = Array.from({ length: Math.max(0, Math.min(page.limit, rows - start)) }, (_, i) => ({ id: `p-${start + i}`, n: start + i }));
    const more = start + page.limit < rows;
    return { items, total: rows, totalCapped: false, next: more ? encodeCursor('positions', [start + page.limit - 1]) : null };
  };
}

let server: Server;
let reads: PageRequest[];
let rows: number;

beforeAll(async () => {
  const app = express();
  app.get('/export', async (req, res) => {
    await sendExport(res, req.query.format === 'csv' ? 'csv' : 'ndjson', 'positions', VERSION, req.originalUrl, pagesOf(list(rows, reads)));
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  reads = [];
});

const url = (path: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;

describe('exports', () => {
  it('read every page of the list, a page at a time, and write every row (NDJSON and CSV)', async () => {
    rows = EXPORT_PAGE * 2 + 5;
    const nd = (await (await fetch(url('/export?format=ndjson'))).text()).trim().split('\n');
    expect(nd).toHaveLength(1 + rows);
    expect(JSON.parse(nd[0]!)).toMatchObject({ kind: 'position-ledger-export', ledgerVersion: VERSION });
    expect(JSON.parse(nd.at(-1)!)).toEqual({ id: `p-${rows - 1}`, n: rows - 1 });
    expect(reads.map((r) => r.limit)).toEqual([EXPORT_PAGE, EXPORT_PAGE, EXPORT_PAGE]);
    reads = [];
    const csv = (await (await fetch(url('/export?format=csv'))).text()).trim().split('\n');
    expect(csv[0]).toBe('id,n,citation');
    expect(csv).toHaveLength(1 + rows);
    expect(csv[rows]).toMatch(new RegExp(`^p-${rows - 1},${rows - 1},"position-ledger, version 3/abc`));
    expect(reads).toHaveLength(3);
  });

  it('of an empty list are a header alone', async () => {
    rows = 0;
    expect(await (await fetch(url('/export?format=csv'))).text()).toBe('citation\n');
    expect((await (await fetch(url('/export?format=ndjson'))).text()).trim().split('\n')).toHaveLength(1);
  });

  it('stop reading pages when the client goes away', async () => {
    rows = EXPORT_PAGE * 10_000;
    await new Promise<void>((resolve, reject) => {
      const req = request(url('/export?format=ndjson'), (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
      req.end();
    });
    // the server notices the closed socket at its next write and reads no further
    const readsThen = await new Promise<number>((resolve) => setTimeout(() => resolve(reads.length), 300));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(reads.length).toBe(readsThen);
    expect(reads.length).toBeLessThan(10_000);
  });
});
