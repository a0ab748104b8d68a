import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { exportLines } from '../../src/audit/export-file';
import { ConfigError } from '../../src/app/config';
import { runReplay } from '../../src/cli/commands/replay';
import { cliDependencies } from '../../src/app/compose-cli';
import { EXIT, exitCodeOf, UsageError } from '../../src/cli/exit-codes';
import { StoreNotFoundError } from '../../src/store/sqlite-store';
import { parseStoreSpec } from '../../src/migrate/store-spec';
import { recordHistory } from '../audit/history';

const ROOT = join(__dirname, '../..');

/** One scheme for every command: 0 ok, 1 problems found or the work failed, 2 usage or missing input. */
describe('CLI exit codes', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('maps every kind of failure to one code', () => {
    expect(exitCodeOf(new CommanderError(1, 'commander.unknownCommand', 'unknown command'))).toBe(EXIT.usage);
    expect(exitCodeOf(new CommanderError(0, 'commander.helpDisplayed', 'help'))).toBe(EXIT.ok);
    expect(exitCodeOf(new ConfigError('configuration: PORT'))).toBe(EXIT.usage);
    expect(exitCodeOf(new StoreNotFoundError('no ledger'))).toBe(EXIT.usage);
    expect(exitCodeOf(new UsageError('bad'))).toBe(EXIT.usage);
    expect(exitCodeOf(Object.assign(new Error('no such dir'), { code: 'ENOENT' }))).toBe(EXIT.usage);
    expect(exitCodeOf(new Error('the target does not hold the same ledger'))).toBe(EXIT.problems);
  });

  it('a store named without its kind (migrate --from data/ledger.db) is a usage error', () => {
    for (const spec of ['data/ledger.db', 'sqlite:', 'http://localhost:2113']) {
      const error = (() => {
        try {
          parseStoreSpec(spec);
        } catch (e) {
          return e;
        }
      })();
      expect([spec, exitCodeOf(error)]).toEqual([spec, EXIT.usage]);
    }
  });

  it('replay --file of a tampered export replays nothing and exits 1; of a clean one, 0', async () => {
    const history = await recordHistory();
    const text = [...exportLines(history.events)].join('');
    const clean = join(dir, 'clean.ndjson');
    writeFileSync(clean, text);
    const tampered = join(dir, 'tampered.ndjson');
    writeFileSync(tampered, text.replace('The Commission should consult the large cities.', 'The Commission may consult some cities.'));
    const io = () => {
      const out: string[] = [];
      const err: string[] = [];
      return { out, err, io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), env: {} } };
    };
    const bad = io();
    expect(await runReplay({ until: '2030', file: tampered }, cliDependencies(bad.io))).toBe(EXIT.problems);
    expect(bad.out).toEqual([]);
    expect(bad.err.join('')).toMatch(/does not verify/);
    const good = io();
    expect(await runReplay({ until: '2030', file: clean }, cliDependencies(good.io))).toBe(EXIT.ok);
    expect(JSON.parse(good.out.join(''))).toBeTruthy();
  });

  it('the real CLI: an unknown command, a missing argument, a bad configuration and a missing directory all exit 2', () => {
    const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      spawnSync(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'src/cli/main.ts'), ...args], {
        cwd: ROOT,
        env: { ...process.env, LEDGER_SQLITE_PATH: join(dir, 'l.db'), ...env },
        encoding: 'utf8',
        timeout: 60_000,
      });
    expect(run(['no-such-command']).status).toBe(2);
    expect(run(['import']).status).toBe(2);
    const badConfig = run(['import', 'events'], { LEDGER_TOKENS: 'my-secret-token' });
    expect(badConfig.status).toBe(2);
    expect(badConfig.stderr).not.toContain('my-secret');
    expect(run(['import', join(dir, 'no-such-dir')]).status).toBe(2);
  });
});
