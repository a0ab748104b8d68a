import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAIN, ROOT, SEEDS, TSX, ledgerCli, serve, stop } from '../support/ledger-cli';

describe('end to end, as a user runs it', () => {
  jest.setTimeout(120_000);
  const db = () => join(mkdtempSync(join(tmpdir(), 'ledger-e2e-')), 'ledger.db');

  it('serve seeds an empty ledger on first start, keeps it across a restart, and does not seed twice', async () => {
    const env = { LEDGER_SQLITE_PATH: db(), LEDGER_SEED_DIR: SEEDS, LEDGER_TOKENS: 'secretariat:e2e-secretariat-token', LEDGER_LOG_LEVEL: 'info' };
    const first = await serve(env);
    const health1 = (await (await fetch(`${first.url}/health`)).json()) as { status: string; ledgerVersion: { events: number } };
    const positions = (await (await fetch(`${first.url}/api/positions`)).json()) as { count: number };
    expect(health1.status).toBe('ok');
    expect(positions.count).toBeGreaterThanOrEqual(23);
    const add = await fetch(`${first.url}/api/documents`, {
      method: 'POST',
      headers: { Authorization: 'Bearer e2e-secretariat-token', 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: 'e2e-document', title: 'E2E', publisher: 'test', issuedOn: '2020', language: 'en' }),
    });
    expect(add.status).toBe(201);
    await stop(first.child);

    const second = await serve(env);
    const health2 = (await (await fetch(`${second.url}/health`)).json()) as { ledgerVersion: { events: number } };
    expect(health2.ledgerVersion.events).toBe(health1.ledgerVersion.events + 1);
    expect((await fetch(`${second.url}/api/documents/e2e-document`)).status).toBe(200);
    await stop(second.child);
  });

  it('import <dir> records the seed files once; running it again records nothing', () => {
    const env = { LEDGER_SQLITE_PATH: db() };
    const first = ledgerCli(['import', SEEDS], env);
    expect(first.status).toBe(0);
    const recorded = /(\d+) recorded, 0 already in the ledger/.exec(first.stdout);
    expect(recorded).not.toBeNull();
    expect(Number(recorded![1])).toBeGreaterThan(40);
    const again = ledgerCli(['import', SEEDS], env);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/ 0 recorded, \d+ already in the ledger/);
  });

  it('serve on a port already in use says so in one line and exits 1, no stack trace', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const child = spawn(TSX, [MAIN, 'serve'], {
        cwd: ROOT,
        env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LEDGER_SQLITE_PATH: db(), LEDGER_SEED_ON_START: 'false' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(err).toContain(`ledger: port ${port} on 127.0.0.1 is already in use; set PORT to another one`);
      expect(err).not.toMatch(/\n\s+at /);
      expect(code).toBe(1);
    } finally {
      taken.close();
    }
  });

  it('import reports a bad seed directory clearly and exits non-zero', () => {
    const result = ledgerCli(['import', join(ROOT, 'no-such-dir')], { LEDGER_SQLITE_PATH: db() });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/no-such-dir/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
