import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerCli, SEEDS, serve, stop } from '../support/ledger-cli';

describe('the read store, end to end', () => {
  jest.setTimeout(120_000);
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-rebuild-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a restart catches up instead of rebuilding; `ledger rebuild` swaps a fresh read store under a server that keeps answering', async () => {
    const env = {
      LEDGER_SQLITE_PATH: join(dir, 'ledger.db'),
      LEDGER_SEED_DIR: SEEDS,
      LEDGER_TOKENS: 'secretariat:e2e-secretariat-token',
      LEDGER_LOG_LEVEL: 'info',
    };
    const readModel = join(dir, 'ledger.read-model');
    const first = await serve(env);
    const version = ((await (await fetch(`${first.url}/health`)).json()) as { ledgerVersion: { events: number } }).ledgerVersion;
    await stop(first.child);
    const generation = readFileSync(join(readModel, 'CURRENT'), 'utf8').trim();

    const server = await serve(env);
    // the same generation, caught up from its checkpoint
    expect(readFileSync(join(readModel, 'CURRENT'), 'utf8').trim()).toBe(generation);
    expect(((await (await fetch(`${server.url}/health`)).json()) as { ledgerVersion: unknown }).ledgerVersion).toEqual(version);

    const rebuild = ledgerCli(['rebuild'], env);
    expect(rebuild.status).toBe(0);
    expect(rebuild.stdout).toMatch(new RegExp(`read store rebuilt from event one in [\\d.]+ s \\(indexes [\\d.]+ s\\): ${version.events} events`));
    // not a terminal: no bar, but the phase that follows the last event is told
    expect(rebuild.stderr).toMatch(/^every event applied in [\d.]+ s; building the query and search indexes$/m);
    const fresh = readFileSync(join(readModel, 'CURRENT'), 'utf8').trim();
    expect(fresh).not.toBe(generation);
    // the server answers meanwhile, then switches and removes the old generation
    for (let i = 0; i < 50 && existsSync(join(readModel, generation)); i += 1) {
      expect((await fetch(`${server.url}/api/positions?limit=1`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(existsSync(join(readModel, generation))).toBe(false);
    const add = await fetch(`${server.url}/api/documents`, {
      method: 'POST',
      headers: { Authorization: 'Bearer e2e-secretariat-token', 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: 'after-rebuild', title: 'E2E', publisher: 'test', issuedOn: '2020', language: 'en' }),
    });
    expect(add.status).toBe(201);
    expect((await fetch(`${server.url}/api/documents/after-rebuild`)).status).toBe(200);
    await stop(server.child);

    // with no server running, a rebuild leaves only the generation it made (each is ~5 GB at a million events)
    expect(ledgerCli(['rebuild'], env).status).toBe(0);
    expect(readdirSync(readModel).filter((n) => n.startsWith('read-model-'))).toEqual([readFileSync(join(readModel, 'CURRENT'), 'utf8').trim()]);
  });
});
