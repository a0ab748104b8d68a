import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { composeLedger, type LedgerApp } from '../../src/app/compose';
import { ConfigError, loadConfig } from '../../src/app/config';
import { SqliteEventStore } from '../../src/store/sqlite-store';
import { addBody, reviseBody } from '../support/builders';

const SECRETARIAT = 'secretariat-token-hardening';
const AUDITOR = 'auditor-token-hardening';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Probed from outside as an attacker and an unlucky operator would: bad bytes, secrets, odd methods and queries. */
describe('HTTP API hardening', () => {
  let ledger: LedgerApp;
  let logLines: string[];

  beforeEach(async () => {
    logLines = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    const config = loadConfig({
      LEDGER_TOKENS: `secretariat:${SECRETARIAT},auditor:${AUDITOR}`,
      LEDGER_SEED_ON_START: 'false',
      LEDGER_RATE_LIMIT_PER_MINUTE: '0',
      LEDGER_CHECKPOINT_INTERVAL_MINUTES: '0',
    });
    ledger = await composeLedger(config, { store: new SqliteEventStore(':memory:'), logger: pino({ level: 'info' }, sink) });
    await request(ledger.app)
      .post('/api/documents')
      .set(bearer(SECRETARIAT))
      .send({ id: 'recommendations', title: 'Political recommendations', publisher: 'EUROCITIES', issuedOn: '1999-10/2007-03-01', language: 'en' });
    await request(ledger.app)
      .post('/api/documents')
      .set(bearer(SECRETARIAT))
      .send({ id: 'contribution', title: 'Informal contribution', publisher: 'EUROCITIES', issuedOn: '2011-07-20/2014-01-21', language: 'en' });
  });
  afterEach(async () => ledger.close());
  const app = () => ledger.app;
  /** supertest would serialise a Buffer as JSON: the bytes go out as they are through a real socket */
  const rawPost = async (path: string, contentType: string, bytes: Buffer) => {
    const server = ledger.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, {
        method: 'POST',
        headers: { ...bearer(SECRETARIAT), 'Content-Type': contentType },
        body: new Uint8Array(bytes),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    } finally {
      server.close();
    }
  };
  const eventCount = async () => (await ledger.store.readAll()).length;

  describe('bytes and charsets', () => {
    it('a body that is not valid UTF-8 is a 400 naming the body, and nothing is recorded', async () => {
      const before = await eventCount();
      const json = Buffer.from(JSON.stringify(addBody({ id: 'bad-bytes', statement: 'STATEMENT' })));
      const at = json.indexOf('STATEMENT');
      const bytes = Buffer.concat([json.subarray(0, at), Buffer.from([0xff, 0xfe]), json.subarray(at)]);
      const res = await rawPost('/api/positions', 'application/json', bytes);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'invalid-utf8', field: 'body' });
      expect(await eventCount()).toBe(before);
    });

    it.each(['utf-16', 'UTF-16LE', 'utf-32', 'iso-8859-1'])('charset=%s is a 415', async (charset) => {
      const body = Buffer.from(JSON.stringify(addBody({ id: 'wide' })), charset.toLowerCase().startsWith('utf-16') ? 'utf16le' : 'latin1');
      const res = await rawPost('/api/positions', `application/json; charset=${charset}`, body);
      expect(res.status).toBe(415);
      expect(res.body.field).toBe('Content-Type');
    });

    it('charset=utf-8 is accepted', async () => {
      const res = await request(app())
        .post('/api/positions')
        .set(bearer(SECRETARIAT))
        .set('Content-Type', 'application/json; charset=UTF-8')
        .send(JSON.stringify(addBody({ id: 'fine' })));
      expect(res.status).toBe(201);
    });
  });

  describe('no credential in any log line, error or response', () => {
    const SECRET = 'query-string-secret-42';
    it.each([
      [`/api/positions?access_token=${SECRET}`],
      [`/api/nowhere?token=${SECRET}`],
      [`/api/positions/eu-4?api_key=${SECRET}&asOf=2010`],
      [`/api/positions/${SECRETARIAT}`],
      [`/api/positions?theme=${SECRETARIAT}`],
      [`/api/positions?x=${encodeURIComponent(AUDITOR)}`],
    ])('GET %s', async (path) => {
      const res = await request(app()).get(path);
      expect(res.status).toBeGreaterThanOrEqual(400);
      const everything = [res.text, JSON.stringify(res.headers), ...logLines].join('\n');
      expect(logLines.length).toBeGreaterThan(0);
      for (const secret of [SECRET, SECRETARIAT, AUDITOR]) expect(everything).not.toContain(secret);
    });

    it('a configuration error never repeats any part of LEDGER_TOKENS', () => {
      for (const spec of ['my-secret-token', 'my-secret-token:secretariat', 'secretariat:short', 'admin:my-secret-token']) {
        let message = '';
        try {
          loadConfig({ LEDGER_TOKENS: spec });
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          message = (error as Error).message;
        }
        expect(message).toMatch(/LEDGER_TOKENS/);
        for (const part of spec.split(':')) if (part !== 'secretariat') expect(message).not.toContain(part.slice(0, 6));
      }
    });
  });

  describe('methods and query parameters', () => {
    it.each(['/health', '/api/documents', '/api/documents/recommendations', '/api/themes', '/api/openapi.json'])(
      'GET %s refuses an unknown query parameter',
      async (path) => {
        const res = await request(app()).get(`${path}?bogus=1`);
        expect(res.status).toBe(400);
        expect(res.body.field).toBe('bogus');
      },
    );

    it('auditor routes without parameters refuse unknown ones too', async () => {
      for (const path of ['/api/audit/checkpoints', '/api/audit/export']) {
        const res = await request(app()).get(`${path}?bogus=1`).set(bearer(AUDITOR));
        expect([path, res.status, res.body.field]).toEqual([path, 400, 'bogus']);
      }
    });

    it('PUT, DELETE and PATCH on a resource are 405 with Allow', async () => {
      const put = await request(app()).put('/api/positions/eu-4').set(bearer(SECRETARIAT)).send({});
      expect(put.status).toBe(405);
      expect(put.headers.allow).toBe('GET, HEAD');
      expect(put.headers['content-type']).toMatch(/problem\+json/);
      const del = await request(app()).delete('/api/positions').set(bearer(SECRETARIAT));
      expect(del.status).toBe(405);
      expect(del.headers.allow).toBe('GET, POST, HEAD');
      expect((await request(app()).patch('/api/documents/recommendations')).status).toBe(405);
      expect((await request(app()).put('/api/no-such-thing')).status).toBe(404);
    });

    it('a reversed range is a 400 naming `to`', async () => {
      await request(app()).post('/api/positions').set(bearer(SECRETARIAT)).send(addBody());
      for (const path of ['/api/timeline?from=2015&to=2010', '/api/positions/eu-4/diff?from=2015&to=2010']) {
        const res = await request(app()).get(path);
        expect([path, res.status, res.body.field]).toEqual([path, 400, 'to']);
      }
      const log = await request(app()).get('/api/audit/log?from=2026-02-01&to=2026-01-01').set(bearer(AUDITOR));
      expect([log.status, log.body.field]).toEqual([400, 'to']);
      expect((await request(app()).get('/api/timeline?from=2014&to=2014-06')).status).toBe(200);
    });
  });

  describe('messages', () => {
    it('a missing field "is required", in plain words', async () => {
      const { title: _t, ...withoutTitle } = addBody({ id: 'no-title' });
      const res = await request(app()).post('/api/positions').set(bearer(SECRETARIAT)).send(withoutTitle);
      expect(res.status).toBe(400);
      expect(res.body.detail).toBe('body title: is required');
      expect(res.text).not.toMatch(/received undefined/);
    });

    it('the stream revision of If-Match and the text revision are named apart', async () => {
      await request(app()).post('/api/positions').set(bearer(SECRETARIAT)).send(addBody());
      const stale = await request(app()).post('/api/positions/eu-4/revisions').set(bearer(SECRETARIAT)).set('If-Match', '"7"').send(reviseBody());
      expect(stale.status).toBe(412);
      expect(stale.body.detail).toMatch(/stream revision 0/);
      const unknown = await request(app())
        .post('/api/positions/eu-4/endorsements')
        .set(bearer(SECRETARIAT))
        .send({ revision: 5, endorsedBy: 'the working group', decidedOn: '2007' });
      expect(unknown.status).toBe(422);
      expect(unknown.body.detail).toMatch(/no text revision 5/);
    });
  });
});
