import request from 'supertest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { composeLedger, type LedgerApp } from '../../src/app/compose';
import { loadConfig } from '../../src/app/config';
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
    const config = loadConfig({ LEDGER_TOKENS: `secretariat:${token}`, LEDGER_SEED_ON_START: 'false', LEDGER_SOURCES_DIR: dir, LEDGER_RATE_LIMIT_PER_MINUTE: '0' });
    ledger = await composeLedger(config, { store: new SqliteEventStore(':memory:') });
    const register = (body: object) => request(ledger.app).post('/api/documents').set('Authorization', `Bearer ${token}`).send(body).expect(201);
    const base = { title: 'T', publisher: 'EUROCITIES', issuedOn: '2006', language: 'en' };
    await register({ ...base, id: 'with-file', file: 'recommendations.txt', contentSha256: createHash('sha256').update(TEXT).digest('hex') });
    await register({ ...base, id: 'without-file' });
    await register({ ...base, id: 'file-elsewhere', file: 'not-here.txt' });
    await register({ ...base, id: 'escaping', file: '../../etc/passwd' });
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

  it('answers 404 problems for an unknown document, one without a file, a missing file, and a path out of the directory', async () => {
    for (const id of ['no-such-document', 'without-file', 'file-elsewhere', 'escaping']) {
      const res = await request(ledger.app).get(`/api/documents/${id}/text`);
      expect({ id, status: res.status, type: res.headers['content-type'] }).toEqual({ id, status: 404, type: expect.stringMatching(/^application\/problem\+json/) });
    }
  });
});
