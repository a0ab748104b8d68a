import request from 'supertest';
import { mkdtempSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { composeLedger, type LedgerApp } from '../../src/app/compose';
import { loadConfig } from '../../src/app/config';
import pino from 'pino';
import { SqliteEventStore } from '../../src/store/sqlite-store';

/** GET /api/documents/:id/text serves the cited text only while it is the file that was registered. */
describe('GET /api/documents/:id/text', () => {
  const TEXT = 'WE, THE PUBLIC AUTHORITIES OF THE CITIES OF EUROPE, COMMIT OURSELVES\n';
  let dir: string;
  let ledger: LedgerApp;
  const token = 'secretariat-source-text';

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-sources-'));
    writeFileSync(join(dir, 'recommendations.txt'), TEXT);
    const config = loadConfig({
      LEDGER_TOKENS: `secretariat:${token}`,
      LEDGER_SEED_ON_START: 'false',
      LEDGER_SOURCES_DIR: dir,
      LEDGER_RATE_LIMIT_PER_MINUTE: '0',
    });
    ledger = await composeLedger(config, { store: new SqliteEventStore(':memory:') });
    const register = (body: object) => request(ledger.app).post('/api/documents').set('Authorization', `Bearer ${token}`).send(body).expect(201);
    const base = { title: 'T', publisher: 'EUROCITIES', issuedOn: '2006', language: 'en' };
    await register({ ...base, id: 'with-file', file: 'recommendations.txt', contentSha256: createHash('sha256').update(TEXT).digest('hex') });
    await register({ ...base, id: 'without-file' });
    writeFileSync(join(dir, 'removed-later.txt'), TEXT);
    await register({ ...base, id: 'file-removed', file: 'removed-later.txt' });
    unlinkSync(join(dir, 'removed-later.txt'));
  });
  afterEach(async () => ledger.close());

  it('serves the registered text with its hash', async () => {
    const res = await request(ledger.app).get('/api/documents/with-file/text');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toBe(TEXT);
    expect(res.headers['repr-digest']).toBe(`sha-256=:${createHash('sha256').update(TEXT).digest('base64')}:`);
  });

  it('refuses a file that changed since it was registered (409)', async () => {
    writeFileSync(join(dir, 'recommendations.txt'), TEXT.replace('EUROPE', 'EUROPA'));
    const res = await request(ledger.app).get('/api/documents/with-file/text');
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.detail).toMatch(/differs from the one registered/);
  });

  it('registration vouches for the file: it must be there, a bare name, with the SHA-256 given; the hash is recorded when not given', async () => {
    const post = (body: object) =>
      request(ledger.app)
        .post('/api/documents')
        .set('Authorization', `Bearer ${token}`)
        .send({ title: 'T', publisher: 'EUROCITIES', issuedOn: '2006', language: 'en', ...body });
    const expectField = (res: request.Response, status: number, field: string) =>
      expect({ status: res.status, field: res.body.field, type: res.headers['content-type'] }).toEqual({
        status,
        field,
        type: expect.stringMatching(/^application\/problem\+json/),
      });
    expectField(await post({ id: 'elsewhere', file: 'not-here.txt' }), 422, 'file');
    expectField(await post({ id: 'escaping', file: '../../etc/passwd' }), 400, 'file');
    expectField(await post({ id: 'wrong-hash', file: 'recommendations.txt', contentSha256: '0'.repeat(64) }), 422, 'contentSha256');
    expectField(await post({ id: 'hash-alone', contentSha256: '0'.repeat(64) }), 422, 'contentSha256');
    expectField(await post({ id: 'not-yet-issued', issuedOn: '2020/2099' }), 422, 'issuedOn');
    for (const id of ['elsewhere', 'escaping', 'wrong-hash', 'hash-alone', 'not-yet-issued'])
      expect((await request(ledger.app).get(`/api/documents/${id}`)).status).toBe(404);
    const hashed = await post({ id: 'hashed-by-ledger', file: 'recommendations.txt' });
    expect(hashed.status).toBe(201);
    expect(hashed.body.contentSha256).toBe(createHash('sha256').update(TEXT).digest('hex'));
  });

  it('answers 404 problems for an unknown document, one without a file, and a file no longer there', async () => {
    for (const id of ['no-such-document', 'without-file', 'file-removed']) {
      const res = await request(ledger.app).get(`/api/documents/${id}/text`);
      expect({ id, status: res.status, type: res.headers['content-type'] }).toEqual({
        id,
        status: 404,
        type: expect.stringMatching(/^application\/problem\+json/),
      });
    }
  });

  it('a server starting on a ledger whose document files are missing or changed warns, naming each document', async () => {
    writeFileSync(join(dir, 'recommendations.txt'), TEXT.replace('EUROPE', 'EUROPA'));
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const config = loadConfig({
      LEDGER_SEED_ON_START: 'false',
      LEDGER_SOURCES_DIR: dir,
      LEDGER_RATE_LIMIT_PER_MINUTE: '0',
      LEDGER_CHECKPOINT_INTERVAL_MINUTES: '0',
    });
    // a second server on the same store: the first stays open and closes the store in afterEach
    const second = await composeLedger(config, { store: ledger.store, logger });
    await second.projection.stop();
    const warnings = lines.map((l) => JSON.parse(l) as { level: number; documentId: string; reason: string; msg: string });
    expect(warnings.map((w) => [w.level, w.documentId, w.reason]).sort()).toEqual([
      [40, 'file-removed', 'missing'],
      [40, 'with-file', 'changed'],
    ]);
    expect(warnings.find((w) => w.documentId === 'with-file')!.msg).toMatch(/recommendations\.txt differs/);
  });

  it('a server starting with every document file in place logs no warning', async () => {
    writeFileSync(join(dir, 'removed-later.txt'), TEXT);
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const config = loadConfig({
      LEDGER_SEED_ON_START: 'false',
      LEDGER_SOURCES_DIR: dir,
      LEDGER_RATE_LIMIT_PER_MINUTE: '0',
      LEDGER_CHECKPOINT_INTERVAL_MINUTES: '0',
    });
    const second = await composeLedger(config, { store: ledger.store, logger });
    await second.projection.stop();
    expect(lines).toEqual([]);
  });
});
