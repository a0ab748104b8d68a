import request from 'supertest';
import type { Express } from 'express';
import { composeLedger, type LedgerApp } from '../../src/app/compose';
import { loadConfig } from '../../src/app/config';
import type { EventStore } from '../../src/store/event-store';
import { addBody, reviseBody } from '../support/builders';

const SECRETARIAT = 'secretariat-token-1';

/**
 * The shared list contract (issue 11, consumed by the web pages): `q`, `limit`, `cursor` on the
 * positions and the timeline, `addressee` on the timeline, `total` and `next` in responses. Every
 * position here carries a word unique to the test, so the suite runs on a store others share.
 */
export function listSuite(name: string, openStore: () => Promise<EventStore>): void {
  describe(`lists with search and paging on ${name}`, () => {
    let ledger: LedgerApp;
    let app: Express;
    let word: string;
    const pid = (s: string) => `${word}-${s}`;

    beforeEach(async () => {
      const config = loadConfig({ LEDGER_TOKENS: `secretariat:${SECRETARIAT}`, LEDGER_SEED_ON_START: 'false', LEDGER_RATE_LIMIT_PER_MINUTE: '0' });
      ledger = await composeLedger(config, { store: await openStore() });
      app = ledger.app;
      word = `w${Math.random().toString(36).slice(2, 9)}`;
      await post('/api/documents', {
        id: `${word}-rec`,
        title: 'Political recommendations',
        publisher: 'EUROCITIES',
        issuedOn: '1999-10/2007-03-01',
        language: 'en',
      });
      await post('/api/documents', {
        id: `${word}-con`,
        title: 'Informal contribution',
        publisher: 'EUROCITIES',
        issuedOn: '2011-07-20/2014-01-21',
        language: 'en',
      });
    });
    afterEach(async () => ledger.close());

    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      request(app)
        .post(path)
        .set('Authorization', `Bearer ${SECRETARIAT}`)
        .set(headers)
        .send(body as object);
    const add = async (id: string, over = {}) => {
      const res = await post(
        '/api/positions',
        addBody({ id: pid(id), statement: `Cities ask for ${word} support.`, source: { documentId: pid('rec'), locator: 'item 1' }, ...over }),
      );
      expect(res.status).toBe(201);
    };
    const get = (path: string) => request(app).get(path);
    const ids = (res: request.Response) => (res.body.positions as { id: string }[]).map((p) => p.id);

    it('positions: q finds every word of the text in force, case and accents folded, with every filter', async () => {
      await add('a');
      await add('b', { addressees: ['cities'], themes: ['city-exchange'] });
      await add('c', {
        statement: `La réception des ${word} nouveaux arrivants.`,
        source: { documentId: pid('rec'), locator: 'item 3', quote: 'Quoted ZEBRA words' },
      });
      expect(ids(await get(`/api/positions?q=${word}`))).toEqual([pid('a'), pid('b'), pid('c')]);
      expect(ids(await get(`/api/positions?q=${word}&addressee=cities`))).toEqual([pid('b')]);
      expect(ids(await get(`/api/positions?q=${word}&theme=city-exchange`))).toEqual([pid('b')]);
      expect(ids(await get(`/api/positions?q=${word}&status=endorsed`))).toEqual([]);
      expect(ids(await get(`/api/positions?q=${encodeURIComponent(`RECEPTION ${word.toUpperCase()}`)}`))).toEqual([pid('c')]);
      expect(ids(await get(`/api/positions?q=${encodeURIComponent(`zebra ${word}`)}`))).toEqual([pid('c')]);
      expect(ids(await get(`/api/positions?q=${encodeURIComponent(`${word} unicorn`)}`))).toEqual([]);
    });

    it('positions and timeline: a word of q finds the words it begins ("migrant" finds "migrants", "undocument" finds "undocumented")', async () => {
      await add('a', { statement: `Safeguard undocumented migrants in ${word} cities.` });
      await add('b', { statement: `A ${word} migration policy.` });
      expect(ids(await get(`/api/positions?q=${encodeURIComponent(`migrant ${word}`)}`))).toEqual([pid('a')]);
      expect(ids(await get(`/api/positions?q=${encodeURIComponent(`undocument ${word}`)}`))).toEqual([pid('a')]);
      expect(ids(await get(`/api/positions?q=${encodeURIComponent(`migra ${word.slice(0, 5)}`)}`))).toEqual([pid('a'), pid('b')]);
      const timeline = await get(`/api/timeline?q=${encodeURIComponent(`undocument ${word}`)}`);
      expect((timeline.body.entries as { positionId: string }[]).map((e) => e.positionId)).toEqual([pid('a')]);
    });

    it('positions: q searches the text that was in force at asOf, as recorded by recordedAsOf', async () => {
      await add('a', { statement: 'The first text.' });
      const before = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 5));
      expect(
        (
          await post(
            `/api/positions/${pid('a')}/revisions`,
            reviseBody({ statement: `The ${word} text of 2014.`, source: { documentId: pid('con'), locator: 'b1' } }),
            { 'If-Match': '"0"' },
          )
        ).status,
      ).toBe(201);
      expect(ids(await get(`/api/positions?q=${word}`))).toEqual([pid('a')]);
      expect(ids(await get(`/api/positions?q=${word}&asOf=2010`))).toEqual([]);
      expect(ids(await get(`/api/positions?q=${word}&asOf=2015`))).toEqual([pid('a')]);
      expect(ids(await get(`/api/positions?q=${word}&recordedAsOf=${before}`))).toEqual([]);
    });

    it('positions: pages of `limit` follow `next` to the end; `total` counts every match', async () => {
      for (const id of ['e', 'a', 'd', 'b', 'c']) await add(id);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: request.Response = await get(`/api/positions?q=${word}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ total: 5, totalCapped: false, count: res.body.positions.length, ledgerVersion: { events: expect.any(Number) } });
        seen.push(...ids(res));
        cursor = res.body.next;
        pages += 1;
      } while (cursor !== null);
      expect(pages).toBe(3);
      expect(seen).toEqual(['a', 'b', 'c', 'd', 'e'].map(pid));
      const defaults = await get(`/api/positions?q=${word}`);
      expect(defaults.body).toMatchObject({ count: 5, total: 5, next: null });
    });

    it('positions exports are whole, not paged', async () => {
      for (const id of ['a', 'b', 'c']) await add(id);
      const nd = await get(`/api/positions?q=${word}&limit=1&format=ndjson`);
      expect(nd.text.trim().split('\n')).toHaveLength(1 + 3);
    });

    it('timeline: addressee, q, paging, total and next', async () => {
      await add('a');
      await add('b', { addressees: ['cities'], decidedOn: '2008' });
      expect((await post(`/api/positions/${pid('a')}/endorsements`, { revision: 1, endorsedBy: 'WG', decidedOn: '2007' })).status).toBe(201);
      const all = await get(`/api/timeline?q=${word}`);
      expect(all.status).toBe(200);
      // the endorsement records no text, so a search does not find it
      expect(all.body).toMatchObject({ count: 2, total: 2, next: null });
      expect((all.body.entries as { positionId: string; addressees: string[] }[]).map((e) => [e.positionId, e.addressees])).toEqual([
        [pid('a'), ['eu-institutions']],
        [pid('b'), ['cities']],
      ]);
      const cities = await get(`/api/timeline?q=${word}&addressee=cities`);
      expect((cities.body.entries as { positionId: string }[]).map((e) => e.positionId)).toEqual([pid('b')]);
      const first = await get(`/api/timeline?q=${word}&limit=1`);
      expect(first.body).toMatchObject({ count: 1, total: 2, next: expect.any(String) });
      const second = await get(`/api/timeline?q=${word}&limit=1&cursor=${encodeURIComponent(first.body.next)}`);
      expect(second.body).toMatchObject({ count: 1, total: 2, next: null });
      expect(second.body.entries[0].positionId).toBe(pid('b'));
      const mine = await get(`/api/timeline?addressee=eu-institutions&from=2007&to=2007`);
      expect((mine.body.entries as { positionId: string; type: string }[]).filter((e) => e.positionId === pid('a')).map((e) => e.type)).toEqual([
        'PositionEndorsed',
      ]);
    });

    it('bad input names the field: a cursor not given out, a cursor of another list, limit out of range, a q without words', async () => {
      await add('a');
      await add('b');
      const page = await get(`/api/positions?q=${word}&limit=1`);
      const expect400 = (res: request.Response, field: string) => {
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body.field).toBe(field);
      };
      expect400(await get('/api/positions?cursor=garbage'), 'cursor');
      expect400(await get(`/api/positions?cursor=${Buffer.from('["positions",1]').toString('base64url')}`), 'cursor');
      expect400(await get(`/api/timeline?cursor=${encodeURIComponent(page.body.next)}`), 'cursor');
      expect400(await get('/api/positions?limit=0'), 'limit');
      expect400(await get('/api/positions?limit=501'), 'limit');
      expect400(await get('/api/timeline?limit=ten'), 'limit');
      expect400(await get('/api/positions?q=%21%21%21'), 'q');
      expect400(await get('/api/timeline?addressee=mayors'), 'addressee');
    });

    it('the OpenAPI document describes q, limit, cursor, total and next', async () => {
      const doc = (await get('/api/openapi.json')).body;
      for (const path of ['/api/positions', '/api/timeline']) {
        const names = (doc.paths[path].get.parameters as { name: string }[]).map((p) => p.name);
        expect(names).toEqual(expect.arrayContaining(['q', 'limit', 'cursor', 'addressee']));
        const schema = doc.paths[path].get.responses['200'].content['application/json'].schema;
        expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['count', 'total', 'totalCapped', 'next', 'ledgerVersion']));
      }
      const document = doc.paths['/api/documents/{id}'].get;
      expect((document.parameters as { name: string }[]).map((p) => p.name)).toEqual(expect.arrayContaining(['limit', 'cursor']));
      expect(Object.keys(doc.components.schemas.DocumentView.properties)).toEqual(expect.arrayContaining(['citedBy', 'citedByCount', 'citedByNext']));
    });

    it('documents: the positions citing one are paged (limit, cursor from citedByNext) and counted; the list shows the first few of each', async () => {
      for (const id of ['e', 'a', 'd', 'b', 'c']) await add(id);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await get(`/api/documents/${pid('rec')}?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ documentId: pid('rec'), citedByCount: 5 });
        expect(res.body.citedBy.length).toBeLessThanOrEqual(2);
        seen.push(...(res.body.citedBy as string[]));
        cursor = res.body.citedByNext;
      } while (cursor !== null);
      expect(seen).toEqual(['a', 'b', 'c', 'd', 'e'].map(pid));
      const listed = ((await get('/api/documents')).body.documents as { documentId: string; citedBy: string[]; citedByCount: number }[]).find(
        (d) => d.documentId === pid('rec'),
      );
      expect(listed).toMatchObject({ citedByCount: 5, citedBy: ['a', 'b', 'c', 'd', 'e'].map(pid) });
      const other = await get(`/api/documents/${pid('con')}`);
      expect(other.body).toMatchObject({ citedBy: [], citedByCount: 0, citedByNext: null });
      const bad = await get(`/api/documents/${pid('rec')}?cursor=${encodeURIComponent((await get(`/api/positions?q=${word}&limit=1`)).body.next)}`);
      expect([bad.status, bad.body.field]).toEqual([400, 'cursor']);
    });
  });
}
