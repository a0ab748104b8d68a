import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** SIGTERM or SIGINT to what `npm start` starts stops the server itself, gracefully (npm used to die and leave node serving). */
describe('signals to npm start', () => {
  jest.setTimeout(90_000);

  it.each(['SIGTERM', 'SIGINT'] as const)('%s to npm stops the node server, which logs its stop and exits 0', async (signal) => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-signals-'));
    const npm = spawn('npm', ['start'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        LEDGER_SQLITE_PATH: join(dir, 'ledger.db'),
        LEDGER_READ_MODEL_DIR: dir,
        LEDGER_SEED_ON_START: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    try {
      const { url, pid } = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
        npm.stdout!.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /"pid":(\d+).*serving (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) resolve({ pid: Number(m[1]), url: m[2]! });
        });
        npm.on('exit', (code) => reject(new Error(`npm exited ${code}: ${out}`)));
      });
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const exited = new Promise<number | null>((resolve) => npm.on('exit', resolve));
      npm.kill(signal);
      await exited;
      // node itself, not only npm: the server's own log line, and no process left behind
      for (let i = 0; i < 50 && alive(pid); i += 1) await new Promise((r) => setTimeout(r, 100));
      expect(alive(pid)).toBe(false);
      expect(out).toContain(`${signal}: stopping`);
    } finally {
      if (npm.exitCode === null) npm.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
