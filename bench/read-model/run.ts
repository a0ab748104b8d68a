/**
 * The read store at scale: generated ledgers of 10k and 100k events (1M with --scale 1m), each
 * measured the same way and printed side by side, with how each figure grows from the smallest.
 * Usage: npm run bench [-- --scale 1m]   (ledgers are cached in bench/.cache/; run under `nice`)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { ReadStore } from '../../src/projections/read-store/read-store';
import { SqliteEventStore } from '../../src/store/sqlite-store';
import type { StoredEvent } from '../../src/store/event-store';
import { toLedgerEvent } from '../../src/domain/ledger-event';
import { generatedPath, generateLedger } from './generate-ledger';

const ROOT = join(__dirname, '../..');
const CACHE = join(ROOT, 'bench/.cache');
const scaleArg = process.argv.includes('--scale') ? process.argv[process.argv.indexOf('--scale') + 1] ?? '' : '';
const SCALES = [10_000, 100_000, ...(/\b1m\b/i.test(scaleArg) ? [1_000_000] : [])];
const REQUESTS = 200;

type Figures = Map<string, string>;

/** Each list, timeline, document, search and as-of query, first page, as a reader asks it. */
const QUERIES: ReadonlyArray<[string, string]> = [
  ['positions, current', '/api/positions'],
  ['positions as of 2010', '/api/positions?asOf=2010'],
  ['positions as of 2010, recorded by', '/api/positions?asOf=2010&recordedAsOf=2024-01-01T12:00:00Z'],
  ['positions theme + addressee', '/api/positions?theme=governance&addressee=cities'],
  ['positions search q', '/api/positions?q=housing'],
  ['positions search q as of 2010', '/api/positions?q=housing&asOf=2010'],
  ['timeline 2011-2014', '/api/timeline?from=2011&to=2014'],
  ['timeline search q + addressee', '/api/timeline?q=reception&addressee=cities'],
  ['documents (each with citedBy)', '/api/documents'],
  ['one document', '/api/documents/doc-7'],
  ['one position as of 2009', '/api/positions/p-77?asOf=2009'],
  ['one position timeline', '/api/positions/p-77/timeline'],
];

async function main(): Promise<void> {
  console.log(`read store bench: ${SCALES.map(label).join(', ')} events; figures taken on a shared machine (2 cores), so under load\n`);
  const columns: Figures[] = [];
  for (const events of SCALES) columns.push(await measure(events));
  const rows = [...columns[0]!.keys()];
  const head = `${''.padEnd(48)}${SCALES.map((s) => label(s).padStart(12)).join('')}${'growth'.padStart(10)}`;
  console.log(`\n${head}`);
  for (const row of rows) {
    const values = columns.map((c) => c.get(row) ?? '');
    const first = Number.parseFloat(values[0]!);
    const last = Number.parseFloat(values.at(-1)!);
    const growth = Number.isFinite(first) && Number.isFinite(last) && first > 0 && !row.startsWith('ratio') ? `${(last / first).toFixed(1)}x` : '';
    console.log(`${row.padEnd(48)}${values.map((v) => v.padStart(12)).join('')}${growth.padStart(10)}`);
  }
}

async function measure(events: number): Promise<Figures> {
  const figures: Figures = new Map();
  const ledgerPath = generatedPath(CACHE, events);
  const [, genMs] = await timed(() => generateLedger(ledgerPath, events, (n) => progress(`generating ${label(events)}: ${n}`)));
  if (genMs > 50) progress(`generated ${label(events)} in ${(genMs / 1000).toFixed(1)} s\n`);
  const store = new SqliteEventStore(ledgerPath, { access: 'existing' });
  const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-read-store-'));
  try {
    // what any reader of the ledger does with no projection work: the rows read and parsed (JSON),
    // then also checked against their schema (what makes a row a ledger event: toLedgerEvent)
    const readEvery = (each: (e: StoredEvent) => void) =>
      timed(async () => {
        let n = 0;
        let after: string | undefined;
        for (;;) {
          const page = await store.readAll({ after, maxCount: 2000 });
          if (page.length === 0) return n;
          for (const e of page) each(e);
          n += page.length;
          after = page.at(-1)!.position;
        }
      });
    const [count, readMs] = await readEvery(() => undefined);
    const [, parseMs] = await readEvery((e) => void toLedgerEvent(e));
    const [, rebuildMs] = await timed(() => ReadStore.rebuild(store, { dir }, (n) => progress(`rebuilding ${label(events)}: ${n}`)));
    progress('');
    figures.set('events', String(count));
    figures.set('read + parse every row, JSON (ms)', readMs.toFixed(0));
    figures.set('read + parse into ledger events, + schema (ms)', parseMs.toFixed(0));
    figures.set('rebuild every read model (ms)', rebuildMs.toFixed(0));
    figures.set('ratio rebuild / read + parse JSON', `${(rebuildMs / readMs).toFixed(1)}x`);
    figures.set('ratio rebuild / read + events (target 2x)', `${(rebuildMs / parseMs).toFixed(1)}x`);
    await store.close();

    const server = await startServer(ledgerPath, dir);
    try {
      figures.set('start until /health answers (ms)', server.readyMs.toFixed(0));
      figures.set('ratio start / 2 s target', `${(server.readyMs / 2000).toFixed(2)}x`);
      figures.set('server RSS when ready (MB)', (kb(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'), 'VmRSS') / 1024).toFixed(0));
      for (const [name, path] of QUERIES) {
        const times = await sequential(`${server.url}${path}`, REQUESTS);
        figures.set(`p99 ${name} (ms)`, percentile(times, 0.99).toFixed(1));
      }
      const one = await autocannon({ url: `${server.url}/api/positions/p-123`, connections: 10, overallRate: 1000, duration: 10 });
      figures.set('one position at 1,000 req/s: p99 (ms)', String(one.latency.p99));
      figures.set('  ... requests answered / non-2xx', `${one.requests.total}/${one.non2xx}`);
      const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
      figures.set('server RSS after all queries (MB)', (kb(status, 'VmRSS') / 1024).toFixed(0));
      figures.set('server peak RSS (MB)', (kb(status, 'VmHWM') / 1024).toFixed(0));
      figures.set('ratio peak RSS / 500 MB target', `${(kb(status, 'VmHWM') / 1024 / 500).toFixed(2)}x`);
    } finally {
      server.child.kill('SIGKILL');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

/** `ledger serve` on the generated ledger and its current read store, timed from spawn to the first 200 of /health. */
async function startServer(ledgerPath: string, readModelDir: string): Promise<{ url: string; child: ChildProcess; readyMs: number }> {
  const port = 3900 + Math.floor(Math.random() * 90);
  const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', LEDGER_SQLITE_PATH: ledgerPath, LEDGER_READ_MODEL_DIR: readModelDir, LEDGER_SEED_ON_START: 'false', LEDGER_CHECKPOINT_INTERVAL_MINUTES: '0', LEDGER_RATE_LIMIT_PER_MINUTE: '0', LEDGER_LOG_LEVEL: 'warn' };
  const t0 = performance.now();
  // node itself, so that the pid is the server's (for its RSS)
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'serve'], { cwd: ROOT, env, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    try {
      if ((await fetch(`${url}/health`)).status === 200) return { url, child, readyMs: performance.now() - t0 };
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function sequential(url: string, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n + 10; i += 1) {
    const t0 = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    if (i >= 10) times.push(performance.now() - t0); // the first ten warm the caches
  }
  return times;
}

function percentile(times: number[], p: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

function kb(status: string, field: string): number {
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
}

function label(n: number): string {
  return n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`;
}

function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r${text.padEnd(60)}`);
}

async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = performance.now();
  const result = await fn();
  return [result, performance.now() - t0];
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
