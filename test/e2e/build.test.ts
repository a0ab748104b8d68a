import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SEEDS } from '../support/ledger-cli';

const AUDITOR = 'build-auditor-token';

/**
 * What the Docker image runs: `npm run build`, then `node dist/cli/main.js serve` with neither tsx
 * nor esbuild (a preload makes loading either fail), the web pages' assets found from dist, verify's
 * worker thread loaded as compiled JavaScript, and SIGTERM a clean stop (exit 0; the server exits 1
 * itself when a stop takes over 5 s).
 */
describe('the compiled server', () => {
  jest.setTimeout(120_000);
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-build-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('npm run build compiles it; it serves /health, a page, its assets and verify without tsx, and stops on SIGTERM with exit 0', async () => {
    const app = join(dir, 'app');
    const built = spawnSync('npm', ['run', 'build', '--', '--outdir', join(app, 'dist')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect([built.status, built.stderr.replace(/npm warn .*\n?/g, '')]).toEqual([0, '']);
    // the dependencies as the image has them, beside dist/ (a copy of the app, not the source tree)
    symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'), 'dir');

    const child = spawn(process.execPath, ['--require', join(ROOT, 'test/support/forbid-build-tools.js'), 'dist/cli/main.js', 'serve'], {
      cwd: app,
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        LEDGER_SQLITE_PATH: join(dir, 'ledger.db'),
        LEDGER_SEED_DIR: SEEDS,
        LEDGER_SOURCES_DIR: join(ROOT, 'sources'),
        LEDGER_TOKENS: `auditor:${AUDITOR}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', () => {
          const m = /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        void exit.then((code) => reject(new Error(`the compiled server exited (${code}):\n${out}`)));
      });
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const page = await fetch(`${url}/positions`);
      expect([page.status, (await page.text()).includes('<h1')]).toEqual([200, true]);
      for (const asset of ['/assets/app.js', '/assets/api-docs.js', '/assets/site.css']) {
        const res = await fetch(`${url}${asset}`);
        expect([asset, res.status, (await res.text()).length > 100]).toEqual([asset, 200, true]);
      }
      const verify = await fetch(`${url}/api/audit/verify`, { headers: { Authorization: `Bearer ${AUDITOR}` } });
      expect([verify.status, ((await verify.json()) as { ok: boolean }).ok]).toEqual([200, true]);

      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect(out).toContain('SIGTERM: stopping');
      expect(out).not.toContain('must not need');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
