import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { composeLedger, type LedgerApp } from '../../src/app/compose';
import { loadConfig } from '../../src/app/config';
import { SqliteEventStore } from '../../src/store/sqlite-store';
import { webSessions } from '../../src/web/session';
import { safeNext } from '../../src/web/signin';
import express from 'express';

const SECRETARIAT = 'secretariat-token-1';
const AUDITOR = 'auditor-token-1';

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const cookieOf = (res: request.Response) => {
  const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const line = set.find((c) => c.startsWith('ledger_session='));
  return { line, pair: line?.split(';')[0] };
};

/** Signing in to the pages: a token exchanged for a session cookie, CSRF on every form, sign out, expiry. */
describe('web sessions', () => {
  let ledger: LedgerApp;
  let clock: Date;
  let logs: string;

  beforeEach(async () => {
    clock = new Date('2026-11-23T10:00:00Z');
    logs = '';
    const sink = new Writable({
      write: (chunk, _enc, done) => {
        logs += String(chunk);
        done();
      },
    });
    const config = loadConfig({
      LEDGER_TOKENS: `secretariat:${SECRETARIAT},auditor:${AUDITOR}`,
      LEDGER_SEED_ON_START: 'false',
      LEDGER_RATE_LIMIT_PER_MINUTE: '0',
      LEDGER_SESSION_MINUTES: '60',
    });
    ledger = await composeLedger(config, { store: new SqliteEventStore(':memory:'), now: () => clock, logger: pino({ level: 'trace' }, sink) });
  });
  afterEach(async () => ledger.close());

  /** GET /signin, then POST it with the token: the session cookie of a signed-in browser. */
  const signIn = async (token: string, next?: string) => {
    const form = await request(ledger.app).get('/signin');
    const before = cookieOf(form).pair!;
    const res = await request(ledger.app)
      .post('/signin')
      .set('Cookie', before)
      .type('form')
      .send({ _csrf: csrfOf(form.text), token, ...(next ? { next } : {}) });
    return { res, before, cookie: cookieOf(res).pair, line: cookieOf(res).line };
  };

  it('the sign-in page sets an HttpOnly, SameSite=Strict session cookie (not Secure over http) and carries a form token', async () => {
    const form = await request(ledger.app).get('/signin');
    expect(form.status).toBe(200);
    expect(form.headers['content-type']).toMatch(/^text\/html/);
    expect(csrfOf(form.text)).toMatch(/.{16,}/);
    const { line } = cookieOf(form);
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/SameSite=Strict/);
    expect(line).not.toMatch(/Secure/);
  });

  it('signing in exchanges a valid token for a new session and goes where the reader was heading', async () => {
    const { res, before, cookie } = await signIn(AUDITOR, '/audit?from=2026-01-01');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/audit?from=2026-01-01');
    expect(cookie).toBeDefined();
    expect(cookie).not.toBe(before); // a new session id: one planted before signing in is worth nothing
    const log = await request(ledger.app).get('/api/audit/log').set('Cookie', cookie!);
    expect(log.status).toBe(200);
  });

  it('the session never authenticates an API write: those keep their bearer token', async () => {
    const { cookie } = await signIn(SECRETARIAT);
    const res = await request(ledger.app)
      .post('/api/documents')
      .set('Cookie', cookie!)
      .send({ id: 'd', title: 't', publisher: 'p', issuedOn: '2010', language: 'en' });
    expect(res.status).toBe(401);
  });

  it('a wrong or empty token is refused beside the field, and no session is signed in', async () => {
    const { res, cookie } = await signIn('not-a-token-at-all');
    expect(res.status).toBe(401);
    expect(res.text).toMatch(/aria-describedby="token-error"/);
    expect(res.text).toMatch(/id="token-error"[^>]*>[^<]*not valid/);
    const empty = await signIn('');
    expect(empty.res.status).toBe(401);
    expect(empty.res.text).toMatch(/Enter your/);
    const log = await request(ledger.app)
      .get('/api/audit/log')
      .set('Cookie', cookie ?? '');
    expect(log.status).toBe(401);
  });

  it('a form without the session’s token is refused (403) and signs nobody in', async () => {
    const form = await request(ledger.app).get('/signin');
    const cookie = cookieOf(form).pair!;
    const forged = await request(ledger.app).post('/signin').set('Cookie', cookie).type('form').send({ token: AUDITOR });
    expect(forged.status).toBe(403);
    const wrong = await request(ledger.app).post('/signin').set('Cookie', cookie).type('form').send({ token: AUDITOR, _csrf: 'guessed' });
    expect(wrong.status).toBe(403);
    expect((await request(ledger.app).get('/api/audit/log').set('Cookie', cookie)).status).toBe(401);
  });

  it('signing out ends the session: the old cookie is worth nothing afterwards', async () => {
    const { cookie } = await signIn(AUDITOR);
    const page = await request(ledger.app).get('/signout').set('Cookie', cookie!);
    expect(page.text).toMatch(/auditor\//);
    const out = await request(ledger.app)
      .post('/signout')
      .set('Cookie', cookie!)
      .type('form')
      .send({ _csrf: csrfOf(page.text) });
    expect(out.status).toBe(303);
    expect(cookieOf(out).line).toMatch(/ledger_session=;.*Expires=Thu, 01 Jan 1970/);
    expect((await request(ledger.app).get('/api/audit/log').set('Cookie', cookie!)).status).toBe(401);
  });

  it('signing out needs the form token too (no sign-out by a cross-site link or form)', async () => {
    const { cookie } = await signIn(AUDITOR);
    expect((await request(ledger.app).post('/signout').set('Cookie', cookie!).type('form').send({})).status).toBe(403);
    expect((await request(ledger.app).get('/api/audit/log').set('Cookie', cookie!)).status).toBe(200);
  });

  it('a session expires LEDGER_SESSION_MINUTES after signing in, however busy', async () => {
    const { cookie } = await signIn(AUDITOR);
    clock = new Date('2026-11-23T10:59:00Z');
    expect((await request(ledger.app).get('/api/audit/log').set('Cookie', cookie!)).status).toBe(200);
    clock = new Date('2026-11-23T11:00:00Z');
    expect((await request(ledger.app).get('/api/audit/log').set('Cookie', cookie!)).status).toBe(401);
  });

  it('never logs the token or the session cookie', async () => {
    const { cookie } = await signIn(SECRETARIAT);
    await request(ledger.app).get('/api/positions').set('Cookie', cookie!);
    await request(ledger.app).get('/api/positions').set('Authorization', `Bearer ${AUDITOR}`);
    expect(logs).toMatch(/\/signin/); // the requests were logged…
    expect(logs).not.toContain(SECRETARIAT); // …without the secrets
    expect(logs).not.toContain(AUDITOR);
    expect(logs).not.toContain(cookie!.split('=')[1]!);
    expect(logs).not.toContain(decodeURIComponent(cookie!.split('=')[1]!));
  });

  it('only goes on to a path of this site after signing in', () => {
    expect(safeNext('/positions/eu-4?asOf=2010')).toBe('/positions/eu-4?asOf=2010');
    expect(safeNext('//evil.example/')).toBe('/');
    expect(safeNext('/\\evil.example')).toBe('/');
    expect(safeNext('https://evil.example/')).toBe('/');
    expect(safeNext('/signin')).toBe('/');
    expect(safeNext(undefined, { role: 'auditor', id: 'auditor/x' })).toBe('/audit');
  });

  describe('over https', () => {
    let server: Server;
    afterEach(async () => new Promise<void>((resolve) => server.close(() => resolve())));

    it('the session cookie is Secure', async () => {
      const tls = join(__dirname, '../support/tls');
      server = createServer({ key: readFileSync(join(tls, 'key.pem')), cert: readFileSync(join(tls, 'cert.pem')) }, ledger.app).listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      const res = await request(`https://127.0.0.1:${(server.address() as AddressInfo).port}`)
        .get('/signin')
        .ca(readFileSync(join(tls, 'cert.pem')));
      expect(cookieOf(res).line).toMatch(/; Secure/);
      expect(cookieOf(res).line).toMatch(/HttpOnly/);
    });
  });
});

describe('a session is made only where one can be found or kept', () => {
  it('an API request without the session cookie is given none; a page, and an API request carrying the cookie, are', async () => {
    const app = express();
    app.use(webSessions({ minutes: 60 }).middleware);
    app.get(['/api/probe', '/probe'], (req, res) => void res.json({ session: req.session !== undefined }));
    expect((await request(app).get('/api/probe')).body).toEqual({ session: false });
    expect((await request(app).get('/api/probe').set('Cookie', 'other=1')).body).toEqual({ session: false });
    expect((await request(app).get('/probe')).body).toEqual({ session: true });
    expect((await request(app).get('/api/probe').set('Cookie', 'ledger_session=s%3Aunknown.sig')).body).toEqual({ session: true });
  });
});
