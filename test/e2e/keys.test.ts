import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { ledgerCli, serve, stop } from '../support/ledger-cli';

/** As an operator does it: keys made with the CLI, used on a running server, revoked while it runs. */
describe('named keys, end to end', () => {
  jest.setTimeout(120_000);
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-keys-e2e-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('`keys add` prints a key once; a running server takes it; `keys revoke` takes effect at its next request; the log never holds the secret', async () => {
    const env = {
      LEDGER_SQLITE_PATH: join(dir, 'ledger.db'),
      LEDGER_READ_MODEL_DIR: join(dir, 'read-model'),
      LEDGER_SEED_ON_START: 'false',
      LEDGER_TOKENS: '',
    };
    const added = ledgerCli(['keys', 'add', '--name', 'Ana López', '--role', 'secretariat'], env);
    expect(added.status).toBe(0);
    const key = added.stdout.trim();
    expect(key).toMatch(/^plk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const [id, secret] = [key.slice(0, 16), key.slice(17)];
    expect(added.stderr).toContain(`added key ${id} for Ana López (secretariat) to ${join(dir, 'ledger.keys.db')}`);

    const { url, child } = await serve(env);
    let log = '';
    child.stdout!.on('data', (c: Buffer) => (log += c.toString()));
    try {
      // a connection each: a kept-alive one may be closed by the server while the CLI runs
      const record = (docId: string) =>
        request(url)
          .post('/api/documents')
          .set('Connection', 'close')
          .set('Authorization', `Bearer ${key}`)
          .send({ id: docId, title: 'A document', publisher: 'EUROCITIES', issuedOn: '2010', language: 'en' });
      const read = (path: string) => request(url).get(path).set('Connection', 'close');
      const first = await record('doc-1');
      expect(first.status).toBe(201);
      expect((await read('/api/documents/doc-1')).body.recordedBy).toBe(`secretariat/${id} (Ana López)`);

      const listed = ledgerCli(['keys', 'list'], env);
      expect(listed.status).toBe(0);
      expect(listed.stdout).toMatch(new RegExp(`${id}\\s+secretariat\\s+Ana López\\s+\\S+\\s+-`));
      expect(listed.stdout + listed.stderr).not.toContain(secret);

      const revoked = ledgerCli(['keys', 'revoke', id], env);
      expect(revoked.status).toBe(0);
      const after = await record('doc-2');
      expect(after.status).toBe(401);
      expect(after.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect((await read('/api/documents/doc-2')).status).toBe(404);

      expect(ledgerCli(['keys', 'revoke', 'plk_000000000000'], env).status).toBe(2);
    } finally {
      await stop(child);
    }
    expect(log).toMatch(/"url":"\/api\/documents"/); // the requests were logged…
    expect(log).not.toContain(secret); // …without the key
  });
});
