import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { API_KEY_PATTERN } from '../../src/api/redact';
import { composeLedger, type LedgerApp } from '../../src/app/compose';
import { cliDependencies } from '../../src/app/compose-cli';
import { ConfigError, loadConfig } from '../../src/app/config';
import { runKeysAdd, runKeysList, runKeysRevoke } from '../../src/cli/commands/keys';
import { EXIT, UsageError } from '../../src/cli/exit-codes';
import { namedRecorder, parseApiKey } from '../../src/keys/api-key';
import { KeyStore } from '../../src/keys/key-store';
import { SqliteEventStore } from '../../src/store/sqlite-store';

const TOKEN = 'secretariat-token-1';
const DOCUMENT = { title: 'A document', publisher: 'EUROCITIES', issuedOn: '2010', language: 'en' };

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const cookieOf = (res: request.Response) =>
  ([] as string[])
    .concat(res.headers['set-cookie'] ?? [])
    .find((c) => c.startsWith('ledger_session='))
    ?.split(';')[0];

/** Named API keys: one per person, stored hashed, revocable at once, recorded by id and name. */
describe('named API keys', () => {
  let dir: string;
  let keysPath: string;
  let ledger: LedgerApp;
  /** the server's handle on the key file; the tests add and revoke through a second one, as the CLI would */
  let serverKeys: KeyStore;
  let cli: KeyStore;
  let logs: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-keys-'));
    keysPath = join(dir, 'ledger.keys.db');
    logs = '';
    const sink = new Writable({
      write: (chunk, _enc, done) => {
        logs += String(chunk);
        done();
      },
    });
    const config = loadConfig({
      LEDGER_TOKENS: `secretariat:${TOKEN}`,
      LEDGER_SEED_ON_START: 'false',
      LEDGER_RATE_LIMIT_PER_MINUTE: '0',
      LEDGER_KEYS_PATH: keysPath,
    });
    serverKeys = KeyStore.open(keysPath);
    cli = KeyStore.open(keysPath);
    ledger = await composeLedger(config, { store: new SqliteEventStore(':memory:'), keys: serverKeys, logger: pino({ level: 'trace' }, sink) });
  });
  afterEach(async () => {
    await ledger.close();
    cli.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const addDocument = (key: string, id: string) =>
    request(ledger.app)
      .post('/api/documents')
      .set('Authorization', `Bearer ${key}`)
      .send({ id, ...DOCUMENT });

  it('a key has the shape the logs mask, and the key file holds only its hash', async () => {
    const { key, record } = await cli.add('Ana López', 'secretariat');
    expect(key).toMatch(new RegExp(`^${API_KEY_PATTERN.source}$`));
    expect(key.startsWith(`${record.id}_`)).toBe(true);
    const { secret } = parseApiKey(key)!;
    expect(JSON.stringify(cli.list())).not.toContain(secret);
    cli.close();
    serverKeys.close();
    // every byte SQLite wrote (the file, its WAL and shared memory): neither the key nor its secret, in any encoding
    const stored = Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir, f))));
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.includes('Ana L')).toBe(true); // the file was read: the name is there…
    for (const form of [key, secret, Buffer.from(secret, 'base64url').toString('hex'), Buffer.from(secret, 'base64url').toString('base64')])
      expect(stored.includes(form)).toBe(false); // …the secret is not
    expect(stored.includes(Buffer.from(secret, 'base64url'))).toBe(false);
    cli = KeyStore.open(keysPath);
  });

  it('the API accepts a key with the right role and refuses the wrong role, an unknown key and a revoked one', async () => {
    const ana = await cli.add('Ana López', 'secretariat');
    const bob = await cli.add('Bob Auditor', 'auditor');
    expect((await addDocument(ana.key, 'doc-a')).status).toBe(201);
    expect((await request(ledger.app).get('/api/audit/log').set('Authorization', `Bearer ${bob.key}`)).status).toBe(200);

    const wrongRole = await addDocument(bob.key, 'doc-b');
    expect(wrongRole.status).toBe(403);
    expect(wrongRole.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await request(ledger.app).get('/api/audit/log').set('Authorization', `Bearer ${ana.key}`)).status).toBe(403);

    const forged = `${ana.record.id}_${'A'.repeat(43)}`; // a real id, another secret
    const unknownId = `plk_000000000000_${parseApiKey(ana.key)!.secret}`;
    for (const key of [forged, unknownId]) {
      const res = await addDocument(key, 'doc-c');
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }

    cli.revoke(ana.record.id);
    const revoked = await addDocument(ana.key, 'doc-d');
    expect(revoked.status).toBe(401);
    expect(revoked.body.code).toBe('unauthenticated');
    // its holder is told why; someone with its id and another secret is not
    expect(revoked.body.detail).toMatch(/^this key was revoked on \d{4}-\d\d-\d\dT/);
    expect((await addDocument(forged, 'doc-d')).body.detail).toBe('the bearer token is not valid');
    expect((await request(ledger.app).get('/api/documents/doc-d')).status).toBe(404); // nothing recorded
    // LEDGER_TOKENS keeps working beside the keys
    expect((await addDocument(TOKEN, 'doc-e')).status).toBe(201);
  });

  it('a key revoked through another handle on the file is refused at the very next request, although it was verified (and remembered) before', async () => {
    const ana = await cli.add('Ana López', 'secretariat');
    expect((await addDocument(ana.key, 'doc-1')).status).toBe(201);
    expect((await addDocument(ana.key, 'doc-2')).status).toBe(201); // from memory, no scrypt
    cli.revoke(ana.record.id);
    expect((await addDocument(ana.key, 'doc-3')).status).toBe(401);
    expect(await serverKeys.holderOf(ana.key)).toBeUndefined();
  });

  it('recordedBy carries the key id and the person’s name; the audit log filters by name', async () => {
    const ana = await cli.add('Ana López', 'secretariat');
    const bea = await cli.add('Beatriz Ana Souza', 'secretariat');
    const carl = await cli.add('Carl Berg', 'secretariat');
    const auditor = await cli.add('Dora Audit', 'auditor');
    await addDocument(ana.key, 'doc-ana');
    await addDocument(bea.key, 'doc-bea');
    await addDocument(carl.key, 'doc-carl');
    await addDocument(TOKEN, 'doc-token');

    const recorded = await request(ledger.app).get('/api/documents/doc-ana');
    expect(recorded.body.recordedBy).toBe(`secretariat/${ana.record.id} (Ana López)`);
    expect(namedRecorder(recorded.body.recordedBy)).toEqual({ keyId: ana.record.id, name: 'Ana López' });

    const audit = (query: string) => request(ledger.app).get(`/api/audit/log${query}`).set('Authorization', `Bearer ${auditor.key}`);
    const byName = await audit('?name=L%C3%B3PEZ');
    expect(byName.status).toBe(200);
    expect(byName.body.entries.map((e: { recordedBy: string }) => e.recordedBy)).toEqual([`secretariat/${ana.record.id} (Ana López)`]);
    // accents and case aside, as search does elsewhere
    expect((await audit('?name=lopez')).body.entries.map((e: { recordedBy: string }) => e.recordedBy)).toEqual([`secretariat/${ana.record.id} (Ana López)`]);
    const part = await audit('?name=ana');
    expect(new Set(part.body.entries.map((e: { recordedBy: string }) => e.recordedBy))).toEqual(
      new Set([`secretariat/${ana.record.id} (Ana López)`, `secretariat/${bea.record.id} (Beatriz Ana Souza)`]),
    );
    expect((await audit('?name=nobody')).body.entries).toEqual([]);
    expect((await audit('?name=')).status).toBe(400);
    expect((await audit('?who=ana')).status).toBe(400); // unknown parameters stay refused

    const spec = await request(ledger.app).get('/api/openapi.json');
    const params = spec.body.paths['/api/audit/log'].get.parameters.map((p: { name: string }) => p.name);
    expect(params).toContain('name');

    // the same filter on /audit, signed in with the auditor's key
    const form = await request(ledger.app).get('/signin');
    const signedIn = await request(ledger.app)
      .post('/signin')
      .set('Cookie', cookieOf(form)!)
      .type('form')
      .send({ _csrf: csrfOf(form.text), token: auditor.key });
    const page = await request(ledger.app).get('/audit?name=carl').set('Cookie', cookieOf(signedIn)!);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`secretariat/${carl.record.id} (Carl Berg)`);
    expect(page.text).not.toContain(`(Ana López)</td>`);
    expect(page.text).toMatch(/<input id="a-name" name="name" type="search" value="carl"/);
    // a refused filter is a page that leads back to the audit, not only to the overview
    const refused = await request(ledger.app).get('/audit?colour=red').set('Cookie', cookieOf(signedIn)!);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('<a href="/audit">Back to the audit</a>');
  });

  it('the pages sign in with a named key and say who is signed in; revoking the key ends the session', async () => {
    const ana = await cli.add('Ana López', 'auditor');
    const form = await request(ledger.app).get('/signin');
    const res = await request(ledger.app)
      .post('/signin')
      .set('Cookie', cookieOf(form)!)
      .type('form')
      .send({ _csrf: csrfOf(form.text), token: ana.key });
    expect(res.status).toBe(303);
    const cookie = cookieOf(res)!;
    const page = await request(ledger.app).get('/audit').set('Cookie', cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Signed in: Ana López (auditor)');
    expect((await request(ledger.app).get('/signout').set('Cookie', cookie)).text).toContain(
      `<strong>Ana López</strong> (key <span class="mono">${ana.record.id}</span>)`,
    );

    cli.revoke(ana.record.id);
    expect((await request(ledger.app).get('/api/audit/log').set('Cookie', cookie)).status).toBe(401);
    expect((await request(ledger.app).get('/audit').set('Cookie', cookie)).text).not.toContain('Ana López');

    const again = await request(ledger.app).get('/signin');
    const refused = await request(ledger.app)
      .post('/signin')
      .set('Cookie', cookieOf(again)!)
      .type('form')
      .send({ _csrf: csrfOf(again.text), token: ana.key });
    expect(refused.status).toBe(401);
    expect(refused.text).toMatch(/id="token-error"[^>]*>This key was revoked\./);
  });

  it('no key secret reaches a log line or a response, wherever the client put it', async () => {
    const ana = await cli.add('Ana López', 'secretariat');
    const { secret } = parseApiKey(ana.key)!;
    await addDocument(ana.key, 'doc-1');
    const inQuery = await request(ledger.app).get(`/api/positions?access_token=${ana.key}`);
    const inPath = await request(ledger.app).get(`/api/positions/${ana.key}`);
    const form = await request(ledger.app).get('/signin');
    await request(ledger.app)
      .post('/signin')
      .set('Cookie', cookieOf(form)!)
      .type('form')
      .send({ _csrf: csrfOf(form.text), token: ana.key });
    cli.revoke(ana.record.id);
    await addDocument(ana.key, 'doc-2');
    expect(logs).toContain(ana.record.id); // the requests were logged, the key's id may show…
    expect(logs).not.toContain(secret); // …its secret never
    for (const res of [inQuery, inPath]) expect(JSON.stringify(res.body) + JSON.stringify(res.headers)).not.toContain(secret);
  });

  it('the CLI adds (printing the key once, on stdout alone), lists without secrets and revokes, with the exit codes of every command', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = cliDependencies({ out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), env: { LEDGER_KEYS_PATH: keysPath } });
    expect(await runKeysAdd({ name: 'Ana López', role: 'secretariat' }, io)).toBe(EXIT.ok);
    const key = out.join('').trim();
    expect(parseApiKey(key)).toBeDefined();
    const { id, secret } = parseApiKey(key)!;
    expect(err.join('')).toContain(id);
    expect(err.join('')).not.toContain(secret);
    out.length = 0;
    expect(await runKeysList({}, io)).toBe(EXIT.ok);
    expect(out.join('')).toMatch(new RegExp(`${id}\\s+secretariat\\s+Ana López\\s+\\S+Z\\s+-`));
    expect(out.join('')).not.toContain(secret);
    expect(await runKeysRevoke(id, io)).toBe(EXIT.ok);
    expect(await runKeysRevoke(id.slice(4), io)).toBe(EXIT.ok); // again, and without the prefix: already revoked, nothing changes
    out.length = 0;
    expect(await runKeysList({ json: true }, io)).toBe(EXIT.ok);
    const [listed] = JSON.parse(out.join(''));
    expect(listed).toEqual({ id, name: 'Ana López', role: 'secretariat', createdAt: expect.any(String), revokedAt: expect.any(String) });
    expect(await serverKeys.holderOf(key)).toBeUndefined();

    await expect(runKeysAdd({ name: 'Ana', role: 'admin' }, io)).rejects.toThrow(UsageError);
    await expect(runKeysAdd({ name: ' ', role: 'auditor' }, io)).rejects.toThrow(/name is required/);
    await expect(runKeysRevoke('plk_000000000000', io)).rejects.toThrow(UsageError);
    await expect(runKeysRevoke('not-an-id', io)).rejects.toThrow(UsageError);
    const elsewhere = cliDependencies({ out: () => {}, err: () => {}, env: { LEDGER_KEYS_PATH: join(dir, 'none', 'keys.db') } });
    await expect(runKeysRevoke(id, elsewhere)).rejects.toThrow(/no key file/);
    expect(await runKeysList({ json: true }, elsewhere)).toBe(EXIT.ok);
    // a key file with no key in it (a server made it at its start) is said to be empty, not listed as nothing
    const emptyErr: string[] = [];
    const emptyOut: string[] = [];
    const emptyPath = join(dir, 'empty.keys.db');
    KeyStore.open(emptyPath).close();
    const empty = cliDependencies({
      out: (t: string) => void emptyOut.push(t),
      err: (t: string) => void emptyErr.push(t),
      env: { LEDGER_KEYS_PATH: emptyPath },
    });
    expect(await runKeysList({}, empty)).toBe(EXIT.ok);
    expect(emptyOut.join('')).toBe('');
    expect(emptyErr.join('')).toContain(`no named keys yet in ${emptyPath}: add one with \`ledger keys add`);
    expect(await runKeysList({ json: true }, empty)).toBe(EXIT.ok);
    expect(JSON.parse(emptyOut.join(''))).toEqual([]);
  });

  it('the key file is a file of its own beside the ledger, or beside the read store on KurrentDB; one the server cannot open stops it at start', async () => {
    expect(loadConfig({ LEDGER_SQLITE_PATH: '/srv/ledger/main.db' }).keysPath).toBe('/srv/ledger/main.keys.db');
    expect(
      loadConfig({ LEDGER_STORE: 'esdb', ESDB_CONNECTION_STRING: 'esdb://127.0.0.1:2113?tls=false', LEDGER_READ_MODEL_DIR: '/data/read-model' }).keysPath,
    ).toBe('/data/keys.db');
    expect(loadConfig({ LEDGER_KEYS_PATH: '/elsewhere/k.db' }).keysPath).toBe('/elsewhere/k.db');
    const notADir = join(dir, 'ledger.keys.db', 'keys.db'); // below a file
    const config = loadConfig({ LEDGER_SQLITE_PATH: join(dir, 'never.db'), LEDGER_KEYS_PATH: notADir, LEDGER_SEED_ON_START: 'false' });
    await expect(composeLedger(config)).rejects.toThrow(ConfigError);
    expect(readdirSync(dir)).not.toContain('never.db'); // refused before the ledger was opened
  });
});
