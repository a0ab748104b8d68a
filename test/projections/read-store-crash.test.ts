import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLedger } from '../../bench/read-model/generate-ledger';
import { compareSnapshots, rebuildProjection, snapshotOf } from '../../src/audit/projection-snapshot';
import { compareTables, rebuildTables } from '../../src/projections/read-store/compare-tables';
import { ReadStore } from '../../src/projections/read-store/read-store';
import { ReadStoreTables } from '../../src/projections/read-store/tables';
import { SqliteEventStore } from '../../src/store/sqlite-store';

const ROOT = join(__dirname, '../..');
const CHILD = join(ROOT, 'test/support/read-store-child.ts');

/** Runs the child until it has committed a batch, then SIGKILLs it `killAfterMs` later, wherever it is: no chance to close anything. */
function runAndKill(ledgerPath: string, dir: string, killAfterMs: number): Promise<'killed' | 'finished'> {
  return new Promise((resolve, reject) => {
    // node itself (the tsx binary would put a second process between: SIGKILL must reach the one writing)
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ledgerPath, dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (c: Buffer) => {
      if (timer === undefined && c.toString().includes('applied')) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0) resolve('finished');
      else reject(new Error(`child failed (${code}): ${err}`));
    });
  });
}

describe('the read store survives kill -9 at any moment', () => {
  jest.setTimeout(120_000);
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-store-crash-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('killed while catching up, again and again, it resumes from its checkpoint and ends equal to a rebuild, table by table', async () => {
    const ledgerPath = join(dir, 'ledger.db');
    generateLedger(ledgerPath, 6_100);
    const location = { dir: join(dir, 'read-model') };
    // an empty read store made current first, so that the child catches up batch by batch (not a fresh bulk build)
    const empty = new SqliteEventStore(join(dir, 'empty.db'));
    await (await ReadStore.follow(empty, { location, swapCheckMs: 0 })).stop();
    await empty.close();

    const store = new SqliteEventStore(ledgerPath, { access: 'existing' });
    const progress: number[] = [];
    const outcomes: string[] = [];
    for (const killAfterMs of [0, 5]) {
      outcomes.push(await runAndKill(ledgerPath, location.dir, killAfterMs));
      // the checkpoint the killed process left, read without catching up
      const tables = new ReadStoreTables(join(location.dir, readFileSync(join(location.dir, 'CURRENT'), 'utf8').trim()));
      progress.push(tables.version().events);
      tables.close();
    }
    const total = (await store.readAll()).length;
    // killed part-way at least twice, each time having gone further, never back
    expect(outcomes.filter((o, i) => o === 'killed' && progress[i]! < total).length).toBeGreaterThanOrEqual(2);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    process.stdout.write(`checkpoints left by the killed processes: ${progress.join(', ')} of ${total}\n`);
    const live = await ReadStore.follow(store, { location, swapCheckMs: 0 });
    const events = await store.readAll();
    expect(live.version().events).toBe(events.length);
    expect(live.version().lastPosition).toBe(events.at(-1)!.position);
    const rebuilt = rebuildTables(events);
    expect(compareTables(rebuilt, live.currentTables())).toEqual([]);
    rebuilt.close();
    expect(compareSnapshots(snapshotOf(rebuildProjection(events)), snapshotOf(live))).toEqual([]);
    await live.stop();
    await store.close();
  });
});
