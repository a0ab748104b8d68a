import request from 'supertest';
import type { Express } from 'express';
import { composeLedger, type LedgerApp } from '../../src/app/compose';
import { loadConfig } from '../../src/app/config';
import type { EventStore } from '../../src/store/event-store';
import { addBody, reviseBody } from '../support/builders';

export const SECRETARIAT = 'secretariat-token-1';
export const AUDITOR = 'auditor-token-1';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

const recommendations = { id: 'recommendations', title: 'Political recommendations', publisher: 'EUROCITIES', issuedOn: '1999-10/2007-03-01', language: 'en' };
const contribution = {
  id: 'contribution',
  title: 'Informal contribution',
  publisher: 'EUROCITIES working group on migrant integration',
  issuedOn: '2011-07-20/2014-01-21',
  language: 'en',
};

/**
 * The HTTP API, end to end over a real store: every endpoint and every error status. Written once
 * and run against every store adapter (`apiSuite('sqlite', …)`, `apiSuite('kurrentdb …', …)`).
 */
export function apiSuite(name: string, openStore: () => Promise<EventStore>, env: NodeJS.ProcessEnv = {}): void {
  describe(`HTTP API on ${name}`, () => {
    let ledger: LedgerApp;
    let app: Express;
    let prefix: string;
    const pid = (s: string) => `${prefix}-${s}`;

    beforeEach(async () => {
      const config = loadConfig({
        LEDGER_TOKENS: `secretariat:${SECRETARIAT},auditor:${AUDITOR}`,
        LEDGER_SEED_ON_START: 'false',
        LEDGER_RATE_LIMIT_PER_MINUTE: '0',
        ...env,
      });
      ledger = await composeLedger(config, { store: await openStore() });
      app = ledger.app;
      prefix = `p${Math.random().toString(36).slice(2, 8)}`;
      await post('/api/documents', { ...recommendations, id: `${prefix}-rec` });
      await post('/api/documents', { ...contribution, id: `${prefix}-con` });
    });
    afterEach(async () => ledger.close());

    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      request(app)
        .post(path)
        .set(bearer(SECRETARIAT))
        .set(headers)
        .send(body as object);
    const src = (which: 'rec' | 'con', locator = 'item 4') => ({ documentId: pid(which), locator });
    const add = (id = 'eu-4', over = {}) => post('/api/positions', addBody({ id: pid(id), source: src('rec'), ...over }));
    const revise = (id: string, etag: string | undefined, over = {}, headers: Record<string, string> = {}) =>
      post(
        `/api/positions/${pid(id)}/revisions`,
        reviseBody({ source: src('con', 'bullet 1'), ...over }),
        etag === undefined ? headers : { 'If-Match': etag, ...headers },
      );
    const eventCount = async () => {
      const res = await request(app).get('/api/events?limit=1000').set(bearer(AUDITOR));
      return (res.body.events as { streamId: string }[]).filter((e) => e.streamId.includes(prefix)).length;
    };
    const expectProblem = (res: request.Response, status: number, field?: string) => {
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({
        status,
        type: expect.stringMatching(/^urn:position-ledger:problem:/),
        title: expect.any(String),
        detail: expect.any(String),
      });
      expect(JSON.stringify(res.body)).not.toMatch(/\bat .*\.(ts|js):\d+/);
      if (field !== undefined) expect(res.body.field).toBe(field);
    };

    describe('reads', () => {
      it('GET /health reports the store and the ledger version', async () => {
        const res = await request(app).get('/health');
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ status: 'ok', store: ledger.store.kind, ledgerVersion: { events: expect.any(Number) } });
      });

      it('GET /api/positions lists stances and filters them', async () => {
        await add('eu-4');
        await add('cities-1', { addressees: ['cities'], themes: ['city-exchange'] });
        const all = await request(app).get('/api/positions');
        expect(all.status).toBe(200);
        const mine = (r: request.Response) => (r.body.positions as { id: string }[]).map((p) => p.id).filter((id) => id.startsWith(prefix));
        expect(mine(all)).toEqual([pid('cities-1'), pid('eu-4')]);
        expect(mine(await request(app).get('/api/positions?addressee=cities'))).toEqual([pid('cities-1')]);
        expect(mine(await request(app).get('/api/positions?theme=city-exchange'))).toEqual([pid('cities-1')]);
        expect(mine(await request(app).get('/api/positions?status=endorsed'))).toEqual([]);
        expect(mine(await request(app).get('/api/positions?asOf=2005'))).toEqual([]);
      });

      it('GET /api/positions refuses unknown or invalid filters, naming them', async () => {
        expectProblem(await request(app).get('/api/positions?tehme=governance'), 400, 'tehme');
        expectProblem(await request(app).get('/api/positions?theme=weather'), 400, 'theme');
        expectProblem(await request(app).get('/api/positions?asOf=2014-02-30'), 400, 'asOf');
        expectProblem(await request(app).get('/api/positions?recordedAsOf=yesterday'), 400, 'recordedAsOf');
        const twice = await request(app).get('/api/positions?theme=governance&theme=free-movement');
        expectProblem(twice, 400, 'theme');
        expect(twice.body.detail).toBe('query theme: may be given only once');
      });

      it('GET /api/positions/:id serves the stance with its stream revision as ETag, and time travels', async () => {
        await add();
        const res = await request(app).get(`/api/positions/${pid('eu-4')}`);
        expect(res.status).toBe(200);
        expect(res.headers.etag).toBe('"0"');
        expect(res.body).toMatchObject({ id: pid('eu-4'), status: 'proposed', revision: 1, addedOn: '2006' });
        const r = await revise('eu-4', '"0"');
        expect(r.status).toBe(201);
        const old = await request(app).get(`/api/positions/${pid('eu-4')}?asOf=2010`);
        expect(old.body.statement).toBe(addBody().statement);
        const before = await request(app).get(`/api/positions/${pid('eu-4')}?recordedAsOf=2000-01-01`);
        expectProblem(before, 404);
      });

      it('GET /api/positions/:id answers 404 for an unknown position and 400 for a malformed id', async () => {
        expectProblem(await request(app).get(`/api/positions/${pid('nope')}`), 404);
        expectProblem(await request(app).get('/api/positions/Not_A_Slug'), 400, 'id');
      });

      it('GET /api/positions/:id/timeline and /api/timeline order by decidedOn', async () => {
        await add();
        await revise('eu-4', '"0"', { decidedOn: '2014-01-21' });
        await revise('eu-4', '"1"', { statement: 'A 2009 text recorded late.', decidedOn: '2009' });
        const t = await request(app).get(`/api/positions/${pid('eu-4')}/timeline`);
        expect(t.status).toBe(200);
        expect((t.body.entries as { decidedOn: string }[]).map((e) => e.decidedOn)).toEqual(['2006', '2009', '2014-01-21']);
        const all = await request(app).get('/api/timeline?from=2008&to=2010');
        expect((all.body.entries as { positionId: string; decidedOn: string }[]).filter((e) => e.positionId === pid('eu-4')).map((e) => e.decidedOn)).toEqual([
          '2009',
        ]);
        expectProblem(await request(app).get(`/api/positions/${pid('nope')}/timeline`), 404);
        expectProblem(await request(app).get('/api/timeline?from=last-year'), 400, 'from');
      });

      it('GET /api/positions/:id/diff shows how the statement changed between two dates', async () => {
        await add('eu-4', { statement: 'Cities should be consulted.' });
        await revise('eu-4', '"0"', { statement: 'Cities should be equal partners.', decidedOn: '2014' });
        const res = await request(app).get(`/api/positions/${pid('eu-4')}/diff?from=2010&to=2015`);
        expect(res.status).toBe(200);
        expect(res.body.changed).toBe(true);
        expect(res.body.statement).toEqual(
          expect.arrayContaining([
            { op: 'removed', text: 'consulted' },
            { op: 'added', text: 'equal partners' },
          ]),
        );
        expectProblem(await request(app).get(`/api/positions/${pid('eu-4')}/diff?from=2005`), 404, 'from');
        expectProblem(await request(app).get(`/api/positions/${pid('eu-4')}/diff`), 400, 'from');
      });

      it('GET /api/documents and /api/documents/:id list sources and who cites them', async () => {
        await add();
        const list = await request(app).get('/api/documents');
        expect((list.body.documents as { documentId: string }[]).map((d) => d.documentId)).toEqual(expect.arrayContaining([pid('rec'), pid('con')]));
        const one = await request(app).get(`/api/documents/${pid('rec')}`);
        expect(one.body).toMatchObject({ documentId: pid('rec'), issuedOn: '1999-10/2007-03-01', citedBy: [pid('eu-4')] });
        expectProblem(await request(app).get(`/api/documents/${pid('none')}`), 404);
      });

      it('GET /api/events pages the log for auditors, with opaque positions', async () => {
        await add();
        expectProblem(await request(app).get('/api/events'), 401);
        const first = await request(app).get('/api/events?limit=1').set(bearer(AUDITOR));
        expect(first.status).toBe(200);
        expect(first.body.events).toHaveLength(1);
        expect(first.body.events[0].metadata).toMatchObject({
          recordedBy: expect.any(String),
          recordedAt: expect.any(String),
          hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        });
        const next = await request(app)
          .get(`/api/events?limit=1&after=${encodeURIComponent(first.body.next)}`)
          .set(bearer(AUDITOR));
        expect(next.body.events[0].id).not.toBe(first.body.events[0].id);
        expectProblem(await request(app).get('/api/events?limit=0').set(bearer(AUDITOR)), 400, 'limit');
        expectProblem(await request(app).get('/api/events?after=not-a-position').set(bearer(AUDITOR)), 400, 'after');
      });

      it('GET /api/themes and /api/openapi.json describe the API from the same schemas', async () => {
        const themes = await request(app).get('/api/themes');
        expect(themes.body.version).toBe('1');
        const doc = await request(app).get('/api/openapi.json');
        expect(doc.body.openapi).toBe('3.1.0');
        expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/positions', '/api/positions/{id}/revisions', '/api/events']));
        expect(doc.body.components.schemas.AddPositionBody.required).toEqual(expect.arrayContaining(['id', 'statement', 'decidedOn', 'source']));
        expect(doc.body.components.schemas.AddPositionBody.additionalProperties).toBe(false);
      });

      it('exports positions and the timeline as CSV and NDJSON that cite the ledger version', async () => {
        await add('eu-4', { statement: 'A statement, with "quotes" and a comma.' });
        const version = (await request(app).get('/health')).body.ledgerVersion;
        const csv = await request(app).get('/api/positions?format=csv');
        expect(csv.status).toBe(200);
        expect(csv.headers['content-type']).toMatch(/^text\/csv/);
        expect(csv.headers['ledger-version']).toBe(`${version.version}/${version.digest}`);
        const lines = csv.text.trim().split('\n');
        expect(lines[0]).toMatch(/^id,title,statement,themes,addressees,status,/);
        expect(lines[0]!.split(',')).toEqual(expect.arrayContaining(['sourceDocument', 'sourceLocator', 'sourceQuote', 'citation']));
        const timelineCsv = await request(app).get('/api/timeline?format=csv');
        expect(timelineCsv.text.split('\n')[0]!.split(',')).toEqual(
          expect.arrayContaining(['decidedOn', 'positionId', 'sourceDocument', 'sourceLocator', 'citation']),
        );
        expect(timelineCsv.text).toMatch(new RegExp(`${pid('eu-4')},PositionAdded,1,[^,]*,"A statement, with ""quotes"" and a comma\\."`));
        const row = lines.find((l) => l.startsWith(pid('eu-4')))!;
        expect(row).toContain('"A statement, with ""quotes"" and a comma."');
        expect(row).toContain(`position-ledger, version ${version.version}/${version.digest.slice(0, 16)}`);
        const nd = await request(app).get('/api/timeline?format=ndjson');
        const [header, ...rest] = nd.text
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
        expect(header).toMatchObject({ kind: 'position-ledger-export', ledgerVersion: version });
        expect(rest.some((r: { positionId: string }) => r.positionId === pid('eu-4'))).toBe(true);
        // an endorsement's row says who endorsed it and on what reference
        expect(
          (await post(`/api/positions/${pid('eu-4')}/endorsements`, { revision: 1, endorsedBy: 'WG', decidedOn: '2007', reference: 'minutes' })).status,
        ).toBe(201);
        const withEndorsement = (await request(app).get('/api/timeline?format=csv')).text.split('\n');
        const columns = withEndorsement[0]!.split(',');
        const endorsement = withEndorsement.find((l) => l.startsWith(`2007,year,${pid('eu-4')},PositionEndorsed`))!.split(',');
        expect(endorsement[columns.indexOf('endorsedBy')]).toBe('WG');
        expect(endorsement[columns.indexOf('reference')]).toBe('minutes');
        expectProblem(await request(app).get('/api/positions?format=xml'), 400, 'format');
      });

      it('?version=N serves any read view as the ledger had recorded it at that version: a permalink, the same answer forever', async () => {
        await add('eu-4');
        const v1 = (await request(app).get('/health')).body.ledgerVersion;
        const etag = (await request(app).get(`/api/positions/${pid('eu-4')}`)).headers.etag as string;
        expect((await revise('eu-4', etag)).status).toBe(201);
        const reads = [
          `/api/positions/${pid('eu-4')}?version=${v1.version}`,
          `/api/positions?version=${v1.version}&limit=500`,
          `/api/positions/${pid('eu-4')}/timeline?version=${v1.version}`,
          `/api/timeline?version=${v1.version}&limit=500`,
          `/api/documents?version=${v1.version}`,
          `/api/documents/${pid('rec')}?version=${v1.version}`,
          `/api/positions/${pid('eu-4')}/diff?from=2006&version=${v1.version}`,
        ];
        const first = await Promise.all(reads.map((path) => request(app).get(path)));
        for (const res of first) expect(res.status).toBe(200);
        expect(first[0]!.body).toMatchObject({ revision: 1, statement: addBody().statement });
        expect((await request(app).get(`/api/positions/${pid('eu-4')}`)).body.revision).toBe(2);
        expect(first[1]!.body.ledgerVersion).toEqual(v1);
        expect((first[2]!.body.entries as unknown[]).length).toBe(1);
        // later recording (a checkpoint, a correction, another position) changes nothing a cited version shows
        const added = first[2]!.body.entries[0].eventId as string;
        const now = (await request(app).get(`/api/positions/${pid('eu-4')}`)).headers.etag as string;
        expect(
          (await post(`/api/positions/${pid('eu-4')}/corrections`, { eventId: added, changes: { title: 'Corrected' }, reason: 'typo' }, { 'If-Match': now }))
            .status,
        ).toBe(201);
        await add('eu-5');
        await request(app).post('/api/audit/checkpoints').set(bearer(AUDITOR));
        const again = await Promise.all(reads.map((path) => request(app).get(path)));
        again.forEach((res, i) => expect({ path: reads[i], body: res.body }).toEqual({ path: reads[i], body: first[i]!.body }));
        // the version is counted in decisions: a checkpoint is none
        const current = (await request(app).get('/health')).body.ledgerVersion;
        expect(current.version).toBe(v1.version + 3); // the revision, the correction, eu-5
        const empty = await request(app).get('/api/documents?version=0');
        expect(empty.body).toMatchObject({ count: 0, documents: [], ledgerVersion: { version: 0, digest: null } });
      });

      it('a position missing from a view is a 404 that names what leaves it out and when it came, not "does not exist"', async () => {
        const before = (await request(app).get('/health')).body.ledgerVersion.version as number;
        const at = new Date().toISOString();
        await add('eu-4', { decidedOn: '2011-07-20/2014-01-21', source: src('con', 'bullet 1') });
        const { firstRecordedAt } = (await request(app).get(`/api/positions/${pid('eu-4')}`)).body as { firstRecordedAt: string };
        const byVersion = await request(app).get(`/api/positions/${pid('eu-4')}?version=${before}`);
        expectProblem(byVersion, 404, 'version');
        expect(byVersion.body.detail).toBe(
          `position "${pid('eu-4')}" was not yet recorded at ledger version ${before}: it was first recorded at ${firstRecordedAt}`,
        );
        expectProblem(await request(app).get(`/api/positions/${pid('eu-4')}/timeline?version=${before}`), 404, 'version');
        const byInstant = await request(app).get(`/api/positions/${pid('eu-4')}?recordedAsOf=2000-01-01T00:00:00Z`);
        expectProblem(byInstant, 404, 'recordedAsOf');
        expect(byInstant.body.detail).toMatch(/was not yet recorded by 2000-01-01T00:00:00(\.000)?Z: it was first recorded at /);
        const byDate = await request(app).get(`/api/positions/${pid('eu-4')}?asOf=2012`);
        expectProblem(byDate, 404, 'asOf');
        expect(byDate.body.detail).toBe(`position "${pid('eu-4')}" was not yet decided by the end of 2012: it was added on 2011-07-20/2014-01-21`);
        expect(firstRecordedAt >= at).toBe(true);
        const unknown = await request(app).get(`/api/positions/${pid('nope')}?version=${before}`);
        expect(unknown.status).toBe(404);
        expect(unknown.body.detail).toBe(`position "${pid('nope')}" does not exist`);
      });

      it('?version=<the current version> answers exactly as the unpinned view (one query layer, whichever way it is served)', async () => {
        await add('eu-4', { relatesTo: undefined });
        await add('eu-6', { decidedOn: '2014', relatesTo: [{ positionId: pid('eu-4'), kind: 'extends' }] });
        const { version } = (await request(app).get('/health')).body.ledgerVersion;
        for (const path of [
          '/api/positions?limit=500',
          `/api/positions/${pid('eu-4')}`,
          `/api/positions/${pid('eu-6')}/timeline`,
          '/api/timeline?limit=500',
          '/api/documents',
          `/api/positions?q=cities&limit=500`,
        ]) {
          const [now, pinned] = await Promise.all([request(app).get(path), request(app).get(`${path}${path.includes('?') ? '&' : '?'}version=${version}`)]);
          const { ledgerVersion: a, ...unpinned } = now.body;
          const { ledgerVersion: b, version: _v, ...atVersion } = pinned.body;
          expect({ path, body: atVersion }).toEqual({ path, body: unpinned });
          if (a) expect({ version: b.version, digest: b.digest }).toEqual({ version: a.version, digest: a.digest });
        }
      });

      it('?version beyond the current one is a 404 naming version; a malformed one a 400', async () => {
        const { version } = (await request(app).get('/health')).body.ledgerVersion;
        for (const path of [
          `/api/positions?version=${version + 1}`,
          `/api/positions/${pid('x')}?version=${version + 1}`,
          `/api/timeline?version=${version + 1}`,
          `/api/documents?version=${version + 1}`,
        ]) {
          expectProblem(await request(app).get(path), 404, 'version');
        }
        for (const bad of ['-1', 'latest', '1.5']) expectProblem(await request(app).get(`/api/positions?version=${bad}`), 400, 'version');
      });

      it('a CSV or NDJSON export cites the version and a permalink to it', async () => {
        await add('eu-4');
        const { version, digest } = (await request(app).get('/health')).body.ledgerVersion;
        const csv = await request(app).get('/api/positions?format=csv&theme=governance');
        expect(csv.headers['ledger-version']).toBe(`${version}/${digest}`);
        expect(csv.text).toContain(
          `position-ledger, version ${version}/${digest.slice(0, 16)}, /api/positions?format=csv&theme=governance&version=${version}, retrieved `,
        );
        await request(app).post('/api/audit/checkpoints').set(bearer(AUDITOR));
        // an unchanged ledger cites the same version, checkpoint or not
        expect((await request(app).get('/api/positions?format=csv&theme=governance')).headers['ledger-version']).toBe(`${version}/${digest}`);
        const cited = await request(app).get(`/api/positions?format=csv&theme=governance&version=${version}`);
        expect(cited.headers['ledger-version']).toBe(`${version}/${digest}`);
      });

      it('answers unknown routes with a 404 problem', async () => {
        expectProblem(await request(app).get('/api/nothing-here'), 404);
      });
    });

    describe('writes', () => {
      it('POST /api/positions records a position: 201, Location, ETag, recordedBy from the token', async () => {
        const res = await add();
        expect(res.status).toBe(201);
        expect(res.headers.location).toBe(`/api/positions/${pid('eu-4')}`);
        expect(res.headers.etag).toBe('"0"');
        expect(res.body).toMatchObject({ id: pid('eu-4'), status: 'proposed', revision: 1 });
        const events = await request(app).get('/api/events?limit=1000').set(bearer(AUDITOR));
        const mine = (events.body.events as { streamId: string; metadata: { recordedBy: string } }[]).find((e) => e.streamId === `position-${pid('eu-4')}`)!;
        expect(mine.metadata.recordedBy).toMatch(/^secretariat\/[0-9a-f]{12}$/);
        expect(JSON.stringify(events.body)).not.toContain(SECRETARIAT);
      });

      it('relations between positions: recorded with a text, served on both positions and in the timeline; a bad relation is 422/400 and records nothing', async () => {
        await add('national-5', { addressees: ['national-governments'] });
        const related = await add('eu-funding', { decidedOn: '2014', relatesTo: [{ positionId: pid('national-5'), kind: 'readdresses' }] });
        expect(related.status).toBe(201);
        expect(related.body.relatesTo).toEqual([{ positionId: pid('national-5'), kind: 'readdresses', revision: 1, decidedOn: '2014' }]);
        const target = await request(app).get(`/api/positions/${pid('national-5')}`);
        expect(target.body.relatedFrom).toEqual([{ positionId: pid('eu-funding'), kind: 'readdresses', revision: 1, decidedOn: '2014' }]);
        expect((await request(app).get(`/api/positions/${pid('national-5')}?asOf=2013`)).body.relatedFrom).toEqual([]);
        const timeline = await request(app).get(`/api/positions/${pid('eu-funding')}/timeline`);
        expect(timeline.body.entries[0].data.relatesTo).toEqual([{ positionId: pid('national-5'), kind: 'readdresses' }]);
        const before = await eventCount();
        expectProblem(await add('eu-x', { decidedOn: '2014', relatesTo: [{ positionId: pid('nowhere'), kind: 'extends' }] }), 422, 'relatesTo.0.positionId');
        expectProblem(await add('eu-y', { decidedOn: '2014', relatesTo: [{ positionId: pid('eu-y'), kind: 'extends' }] }), 422, 'relatesTo.0.positionId');
        expectProblem(await add('eu-z', { decidedOn: '2014', relatesTo: [{ positionId: pid('national-5'), kind: 'inspired-by' }] }), 400, 'relatesTo.0.kind');
        expect(await eventCount()).toBe(before);
      });

      it('400: malformed JSON, unknown fields, invalid values — naming the field, recording nothing', async () => {
        const before = await eventCount();
        const bad = await request(app).post('/api/positions').set(bearer(SECRETARIAT)).set('Content-Type', 'application/json').send('{"id": ');
        expectProblem(bad, 400, 'body');
        expectProblem(await post('/api/positions', { ...addBody({ id: pid('x'), source: src('rec') }), colour: 'red' }), 400, 'colour');
        expectProblem(await post('/api/positions', addBody({ id: pid('x'), source: src('rec'), decidedOn: '2014-13' })), 400, 'decidedOn');
        expectProblem(await post('/api/positions', { ...addBody({ id: pid('x') }), source: { documentId: pid('rec') } }), 400, 'source.locator');
        expectProblem(await post('/api/positions', addBody({ id: pid('x'), source: src('rec'), themes: [] })), 400, 'themes');
        const raw = (text: string) => request(app).post('/api/positions').set(bearer(SECRETARIAT)).set('Content-Type', 'application/json').send(text);
        const empty = await request(app).post('/api/positions').set(bearer(SECRETARIAT)).set('Content-Type', 'application/json');
        expectProblem(empty, 400, 'body');
        expect(empty.body.detail).toBe('body: a JSON object body is required');
        for (const [text, what] of [
          ['null', 'null'],
          ['"hi"', 'a string'],
          ['[1]', 'an array'],
          ['42', 'a number'],
        ] as const) {
          const res = await raw(text);
          expectProblem(res, 400, 'body');
          expect(res.body.detail).toBe(`body: the body must be a JSON object, not ${what}`);
        }
        expectProblem(await post('/api/positions', addBody({ id: pid('x'), source: src('rec'), title: 'nul \u0000 inside' })), 400, 'title');
        expectProblem(await raw(JSON.stringify({ ...addBody({ id: pid('x'), source: src('rec') }) }).replace('"title":"', '"title":"\\ud800')), 400, 'title');
        const withQuery = await request(app)
          .post('/api/positions?asOf=2010')
          .set(bearer(SECRETARIAT))
          .send(addBody({ id: pid('x'), source: src('rec') }));
        expectProblem(withQuery, 400, 'asOf');
        expect(await eventCount()).toBe(before);
      });

      it('415 when the body is not JSON, or not UTF-8', async () => {
        const res = await request(app).post('/api/positions').set(bearer(SECRETARIAT)).set('Content-Type', 'text/plain').send('hello');
        expectProblem(res, 415, 'Content-Type');
        const latin1 = await request(app).post('/api/positions').set(bearer(SECRETARIAT)).set('Content-Type', 'application/json; charset=latin1').send('{}');
        expectProblem(latin1, 415, 'Content-Type');
        expect(latin1.body.code).toBe('unsupported-media-type');
      });

      it('401 without or with a wrong token, 403 for the auditor role', async () => {
        const body = addBody({ id: pid('x'), source: src('rec') });
        expectProblem(await request(app).post('/api/positions').send(body), 401, 'Authorization');
        expectProblem(await request(app).post('/api/positions').set(bearer('wrong-token-123')).send(body), 401, 'Authorization');
        expectProblem(await request(app).post('/api/positions').set('Authorization', 'Basic abc').send(body), 401, 'Authorization');
        expectProblem(await request(app).post('/api/positions').set(bearer(AUDITOR)).send(body), 403);
      });

      it('409 for a position or document that exists', async () => {
        await add();
        expectProblem(await add(), 409, 'id');
        expectProblem(await post('/api/documents', { ...recommendations, id: pid('rec') }), 409, 'id');
      });

      it('422 when a rule of the ledger is broken', async () => {
        expectProblem(await add('x', { decidedOn: '2005' }), 422, 'decidedOn');
        expectProblem(await add('x', { source: { documentId: pid('unregistered'), locator: 'p. 1' } }), 422, 'source.documentId');
        await add();
        expectProblem(await revise('eu-4', '"0"', { statement: addBody().statement, decidedOn: '2014' }), 422, 'statement');
        expectProblem(await post(`/api/positions/${pid('eu-4')}/endorsements`, { revision: 7, endorsedBy: 'WG', decidedOn: '2014' }), 422, 'revision');
      });

      it('404 for writes to a position that does not exist', async () => {
        expectProblem(await post(`/api/positions/${pid('ghost')}/endorsements`, { revision: 1, endorsedBy: 'WG', decidedOn: '2014' }), 404);
        expectProblem(await revise('ghost', '"0"'), 404);
      });

      it('revisions need If-Match: 428 without it, 412 when stale, 400 when malformed', async () => {
        await add();
        expectProblem(await revise('eu-4', undefined), 428, 'If-Match');
        expectProblem(await revise('eu-4', '"5"'), 412, 'If-Match');
        expectProblem(await revise('eu-4', 'yesterday'), 400, 'If-Match');
        const ok = await revise('eu-4', '"0"');
        expect(ok.status).toBe(201);
        expect(ok.headers.etag).toBe('"1"');
        expect(ok.body).toMatchObject({ revision: 2, status: 'proposed' });
      });

      it('two people revising at once: exactly one wins, the other gets 412 and nothing is lost', async () => {
        await add();
        const [a, b] = await Promise.all([revise('eu-4', '"0"', { statement: 'Alice’s text' }), revise('eu-4', '"0"', { statement: 'Bob’s text' })]);
        expect([a.status, b.status].sort()).toEqual([201, 412]);
        const winner = a.status === 201 ? 'Alice’s text' : 'Bob’s text';
        expect((await request(app).get(`/api/positions/${pid('eu-4')}`)).body.statement).toBe(winner);
      });

      it('endorsement, withdrawal and correction move the stance', async () => {
        await add();
        const e = await post(`/api/positions/${pid('eu-4')}/endorsements`, { revision: 1, endorsedBy: 'WG', decidedOn: '2007', reference: 'minutes' });
        expect(e.status).toBe(201);
        expect(e.body).toMatchObject({ status: 'endorsed', latestEndorsement: { revision: 1, endorsedBy: 'WG' } });
        expectProblem(await post(`/api/positions/${pid('eu-4')}/endorsements`, { revision: 1, endorsedBy: 'WG', decidedOn: '2008' }), 409);
        const addedId = (await request(app).get(`/api/positions/${pid('eu-4')}/timeline`)).body.entries[0].eventId;
        expectProblem(await post(`/api/positions/${pid('eu-4')}/corrections`, { eventId: addedId, changes: { title: 'Fixed title' }, reason: 'typo' }), 428);
        const c = await post(
          `/api/positions/${pid('eu-4')}/corrections`,
          { eventId: addedId, changes: { title: 'Fixed title' }, reason: 'typo' },
          { 'If-Match': '"1"' },
        );
        expect(c.status).toBe(201);
        expect(c.body).toMatchObject({ title: 'Fixed title', corrections: 1 });
        const w = await post(`/api/positions/${pid('eu-4')}/withdrawal`, { decidedOn: '2015', reason: 'superseded' });
        expect(w.status).toBe(201);
        expect(w.body.status).toBe('withdrawn');
        expectProblem(await post(`/api/positions/${pid('eu-4')}/withdrawal`, { decidedOn: '2016', reason: 'again' }), 409);
        expectProblem(await revise('eu-4', '"3"', { decidedOn: '2016' }), 422, 'decidedOn');
        expectProblem(await post(`/api/positions/${pid('eu-4')}/withdrawal`, { decidedOn: '2016', reason: 'x' }, { 'If-Match': '"0"' }), 412);
      });

      it('Idempotency-Key: a retry returns the first response and records nothing new; another body is refused', async () => {
        const body = addBody({ id: pid('eu-9'), source: src('rec') });
        const key = { 'Idempotency-Key': `${prefix}-key-1` };
        const first = await post('/api/positions', body, key);
        expect(first.status).toBe(201);
        const count = await eventCount();
        const again = await post('/api/positions', body, key);
        expect(again.status).toBe(201);
        expect(again.body).toEqual(first.body);
        expect(again.headers['idempotent-replayed']).toBe('true');
        expect(again.headers['ledger-event-ids']).toBe(first.headers['ledger-event-ids']);
        expect(await eventCount()).toBe(count);
        expectProblem(await post('/api/positions', { ...body, title: 'Another title' }, key), 422, 'Idempotency-Key');
        expectProblem(await post('/api/positions', addBody({ id: pid('eu-10'), source: src('rec') }), key), 422, 'Idempotency-Key');
        expect(await eventCount()).toBe(count);
        expectProblem(await post('/api/positions', body, { 'Idempotency-Key': '' }), 400, 'Idempotency-Key');
      });

      it('Idempotency-Key: a retried revision after success replays even though If-Match is now stale', async () => {
        await add();
        const key = { 'Idempotency-Key': `${prefix}-rev` };
        const first = await revise('eu-4', '"0"', {}, key);
        const retry = await revise('eu-4', '"0"', {}, key);
        expect([first.status, retry.status]).toEqual([201, 201]);
        expect(retry.body).toEqual(first.body);
        expect(await eventCount()).toBe(4);
      });

      it('Idempotency-Key: concurrent identical requests record once', async () => {
        const body = addBody({ id: pid('eu-11'), source: src('rec') });
        const key = { 'Idempotency-Key': `${prefix}-race` };
        const results = await Promise.all([post('/api/positions', body, key), post('/api/positions', body, key), post('/api/positions', body, key)]);
        expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
        expect(new Set(results.map((r) => r.headers['ledger-event-ids'])).size).toBe(1);
        expect(await eventCount()).toBe(3);
      });
    });
  });
}
