import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliDependencies, composeCli, type Cli } from '../../src/app/compose-cli';
import { runRebuild } from '../../src/cli/commands/rebuild';
import { EXIT } from '../../src/cli/exit-codes';
import { runCli, type CliIo } from '../../src/cli/plumbing';

const SEEDS = join(__dirname, '../../events');

/** The CLI's composition root wires every command; commands write only through the io it hands them. */
describe('the CLI composition root', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-compose-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => {
    process.exitCode = undefined;
  });

  const io = (env: NodeJS.ProcessEnv) => {
    const out: string[] = [];
    const err: string[] = [];
    const cliIo: CliIo = { out: (t) => void out.push(t), err: (t) => void err.push(t), env };
    return { out, err, cliIo };
  };

  it('registers every command on one program', () => {
    const names = composeCli(io({}).cliIo).commands.map((c) => c.name());
    expect(names.sort()).toEqual(['checkpoint', 'export', 'import', 'keys', 'migrate', 'rebuild', 'replay', 'schemas', 'serve', 'verify']);
  });

  it('reads the configuration once, from the environment it was given', () => {
    const cli = cliDependencies(io({ LEDGER_SQLITE_PATH: join(dir, 'x.db') }).cliIo);
    expect(cli.config().store).toEqual({ kind: 'sqlite', path: join(dir, 'x.db') });
    expect(cli.config()).toBe(cli.config());
  });

  it('runs import, then verify, on the configured store, writing only through its io', async () => {
    const env = { LEDGER_SQLITE_PATH: join(dir, 'ledger.db') };
    const imported = io(env);
    await runCli(composeCli(imported.cliIo), ['node', 'ledger', 'import', SEEDS], imported.cliIo);
    expect(process.exitCode).toBe(EXIT.ok);
    expect(imported.out.join('')).toMatch(/^imported .*: \d+ entries in \d+ files; \d+ recorded, 0 already in the ledger\n$/);
    const verified = io(env);
    await runCli(composeCli(verified.cliIo), ['node', 'ledger', 'verify', '--json'], verified.cliIo);
    expect(process.exitCode).toBe(EXIT.ok);
    expect(JSON.parse(verified.out.join(''))).toMatchObject({ ok: true });
  });

  it('rebuild gives its progress bar the number of events the store holds as its end, and stops it before the indexes', async () => {
    const env = { LEDGER_SQLITE_PATH: join(dir, 'ledger.db'), LEDGER_READ_MODEL_DIR: join(dir, 'read-model') };
    const rebuilt = io(env);
    const cli = cliDependencies(rebuilt.cliIo);
    const calls: string[] = [];
    const recording: Cli = { ...cli, progress: () => ({ update: (done, total) => void calls.push(`${done}/${total}`), stop: () => void calls.push('stop') }) };
    expect(await runRebuild(recording)).toBe(EXIT.ok);
    const held = await cli.withStore('existing', async (store) => (await store.readAll()).length);
    expect(held).toBeGreaterThan(0);
    expect(calls.at(-2)).toBe(`${held}/${held}`);
    expect(calls.at(-1)).toBe('stop');
    expect(calls.every((c) => c === 'stop' || c.endsWith(`/${held}`))).toBe(true);
    expect(rebuilt.err.join('')).toMatch(/every event applied in [\d.]+ s; building the query and search indexes\n/);
  });

  it('rebuild stopped by a signal says so and leaves the read store in use as it was', async () => {
    const env = { LEDGER_SQLITE_PATH: join(dir, 'ledger.db'), LEDGER_READ_MODEL_DIR: join(dir, 'read-model') };
    const before = readdirSync(env.LEDGER_READ_MODEL_DIR).sort();
    await expect(runRebuild(cliDependencies(io(env).cliIo), AbortSignal.abort('SIGINT'))).rejects.toThrow(
      'rebuild stopped by SIGINT: its partial read store was removed; the one in use is unchanged',
    );
    expect(readdirSync(env.LEDGER_READ_MODEL_DIR).sort()).toEqual(before);
  });

  it('maps a failure to its exit code and one line on its stderr', async () => {
    const missing = io({ LEDGER_SQLITE_PATH: join(dir, 'none', 'ledger.db') });
    await runCli(composeCli(missing.cliIo), ['node', 'ledger', 'verify'], missing.cliIo);
    expect(process.exitCode).toBe(EXIT.usage);
    expect(missing.err.join('')).toMatch(/^ledger: no ledger at /);
    expect(missing.out).toEqual([]);
  });
});
