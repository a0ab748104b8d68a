/**
 * The read store at scale: generated ledgers of 10k and 100k events (1M with --scale 1m), each
 * measured the same way and printed side by side, with how each figure grows from the smallest,
 * after the issue's targets with the ratio of each figure to its target.
 * Usage: npm run bench [-- --scale 1m] [--cache DIR] [--reuse-read-store]
 *   ledgers are generated once into the cache (bench/.cache/ by default) and reused; with
 *   --reuse-read-store the read store built for each ledger is kept there too (no rebuild figure).
 *   Run it under `nice`; the machine's load average is printed beside the figures.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { ReadStore } from '../../src/projections/read-store/read-store';
import { SqliteEventStore } from '../../src/store/sqlite-store';
import type { StoredEvent } from '../../src/store/event-store';
import { toLedgerEvent } from '../../src/domain/ledger-event';
import { generatedPath, generateLedger } from './generate-ledger';

const ROOT = join(__dirname, '../..');
const arg = (name: string) => (process.argv.includes(name) ? (process.argv[process.argv.indexOf(name) + 1] ?? '') : undefined);
const CACHE = arg('--cache') ?? join(ROOT, 'bench/.cache');
const REUSE_READ_STORE = process.argv.includes('--reuse-read-store');
const SCALES = [10_000, 100_000, ...(/\b1m\b/i.test(arg('--scale') ?? '') ? [1_000_000] : [])];
const REQUESTS = 200;
/** the issue's targets, at the largest scale */
const QUERY_P99_MS = 20;
const ONE_POSITION_P99_MS = 10;
const RSS_MB = 500;
const START_MS = 2000;
const REBUILD_RATIO = 2;
const GROWTH = 2;

type Figures = Map<string, string>;

/** Each list, timeline, document, search and as-of query, first page, as a reader asks it. */
const QUERIES: ReadonlyArray<[string, string]> = [
  ['positions, current', '/api/positions'],
  ['positions, next page', '/api/positions?cursor=WyJwb3NpdGlvbnMiLCJwLTUwMCJd'],
  ['positions theme + addressee', '/api/positions?theme=governance&addressee=cities'],
  ['positions status', '/api/positions?status=endorsed'],
  ['positions as of 2010', '/api/positions?asOf=2010'],
  ['positions as of 2005 (none yet)', '/api/positions?asOf=2005'],
  ['positions recorded by 2024-01-01T12:00Z', '/api/positions?recordedAsOf=2024-01-01T12:00:00Z'],
  ['positions as of 2010, recorded by', '/api/positions?asOf=2010&recordedAsOf=2024-01-01T12:00:00Z'],
  ['positions recorded by 2030 (all)', '/api/positions?recordedAsOf=2030-01-01T00:00:00Z'],
  ['positions search q (common word)', '/api/positions?q=housing'],
  ['positions search q (rare word, ~0.3% of texts)', '/api/positions?q=deltuszozo'],
  ['positions search q (no match)', '/api/positions?q=nosuchword'],
  ['positions search q as of 2010', '/api/positions?q=housing&asOf=2010'],
  ['positions search q + theme, recorded by', '/api/positions?q=housing&theme=governance&recordedAsOf=2024-01-01T12:00:00Z'],
  ['timeline, all', '/api/timeline'],
  ['timeline 2011-2014', '/api/timeline?from=2011&to=2014'],
  ['timeline 2008 + theme', '/api/timeline?from=2008&to=2008&theme=governance'],
  ['timeline search q + addressee', '/api/timeline?q=reception&addressee=cities'],
  ['timeline recorded by 2024-01-01T12:00Z', '/api/timeline?recordedAsOf=2024-01-01T12:00:00Z'],
  ['documents (first citing of each)', '/api/documents'],
  ['one document (first citing page)', '/api/documents/doc-7'],
  ['one position as of 2009', '/api/positions/p-77?asOf=2009'],
  ['one position recorded by', '/api/positions/p-77?recordedAsOf=2024-01-01T12:00:00Z'],
  ['one position timeline', '/api/positions/p-77/timeline'],
  // a cited version (every ledger generated has 5,000 decisions): a researcher's permalink
  ['positions at a cited version', '/api/positions?version=5000'],
  ['timeline at a cited version', '/api/timeline?version=5000'],
  ['documents at a cited version', '/api/documents?version=5000'],
  ['one position at a cited version', '/api/positions/p-77?version=5000'],
];
/** exports are whole: measured once each, for the memory they take */
const EXPORTS: ReadonlyArray<[string, string]> = [
  ['export positions csv', '/api/positions?format=csv'],
  ['export timeline ndjson', '/api/timeline?format=ndjson'],
];

/** the compiled server (`npm run build`), started as the Docker image starts it (inside the project, so that it finds node_modules) */
const COMPILED = join(ROOT, 'bench/.cache/dist');

async function main(): Promise<void> {
  execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/build.ts'), '--outdir', COMPILED], { cwd: ROOT, stdio: 'ignore' });
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(', ');
  console.log(`read store bench: ${SCALES.map(label).join(', ')} events, on a shared machine (2 cores); load average ${load()} at the start\n`);
  const columns: Figures[] = [];
  for (const events of SCALES) columns.push(await measure(events));
  const rows = [...columns[0]!.keys()];
  const last = columns.at(-1)!;
  const num = (row: string, column = last) => Number.parseFloat(column.get(row) ?? '');

  // the targets first: each figure at the largest scale against its target, and the ratio between them
  console.log(`\ntargets at ${label(SCALES.at(-1)!)} events (ratio = measured / target; at most 1.0 meets it); load average ${load()} at the end\n`);
  const targets: [string, number, number][] = [
    ['start until /health answers, compiled dist/ (ms)', num('start until /health answers, compiled (ms)'), START_MS],
    ['server RSS when ready, compiled dist/ (MB)', num('server RSS when ready, compiled (MB)'), RSS_MB],
    ['rebuild / read + parse into ledger events', num('ratio rebuild / read + events (target 2x)'), REBUILD_RATIO],
    ['  the same in CPU time (less affected by others on the machine)', num('ratio of CPU time, rebuild / read + events'), REBUILD_RATIO],
    ['server peak RSS, whatever the query (MB)', num('server peak RSS (MB)'), RSS_MB],
    ['one position p99 at 1,000 req/s (ms)', num('one position at 1,000 req/s: p99 (ms)'), ONE_POSITION_P99_MS],
    ['  a bare Express app answering the same bytes (the floor here)', num('  ... a bare Express app answering its bytes: p99 (ms)'), ONE_POSITION_P99_MS],
    ['  GET /health the same way (the floor under the p99s below)', num('floor: GET /health, p99 of the same requests (ms)'), QUERY_P99_MS],
    ...rows.filter((r) => r.startsWith('p99 ')).map((r): [string, number, number] => [r, num(r), QUERY_P99_MS]),
    ...rows
      .filter((r) => r.startsWith('p99 '))
      .map((r): [string, number, number] => [`growth ${label(SCALES[0]!)} to ${label(SCALES.at(-1)!)}, ${r.slice(4)}`, num(r) / num(r, columns[0]), GROWTH]),
  ];
  console.log(`${''.padEnd(64)}${'measured'.padStart(10)}${'target'.padStart(10)}${'ratio'.padStart(8)}`);
  for (const [name, value, target] of targets) {
    if (!Number.isFinite(value)) continue;
    const ratio = value / target;
    console.log(
      `${name.padEnd(64)}${value.toFixed(1).padStart(10)}${target.toFixed(0).padStart(10)}${ratio.toFixed(2).padStart(8)}${ratio > 1 ? '  MISSED' : ''}`,
    );
  }

  const head = `${''.padEnd(52)}${SCALES.map((s) => label(s).padStart(12)).join('')}${`${label(SCALES.at(-1)!)}/${label(SCALES[0]!)}`.padStart(10)}`;
  console.log(`\nevery figure side by side\n${head}`);
  for (const row of rows) {
    const values = columns.map((c) => c.get(row) ?? '');
    const first = Number.parseFloat(values[0]!);
    const end = Number.parseFloat(values.at(-1)!);
    const growth = Number.isFinite(first) && Number.isFinite(end) && first > 0 && !row.startsWith('ratio') ? `${(end / first).toFixed(1)}x` : '';
    console.log(`${row.padEnd(52)}${values.map((v) => v.padStart(12)).join('')}${growth.padStart(10)}`);
  }
}

async function measure(events: number): Promise<Figures> {
  const figures: Figures = new Map();
  const ledgerPath = generatedPath(CACHE, events);
  const [, genMs] = await timed(() => generateLedger(ledgerPath, events, (n) => progress(`generating ${label(events)}: ${n}`)));
  if (genMs > 50) progress(`generated ${label(events)} in ${(genMs / 1000).toFixed(1)} s\n`);
  const store = new SqliteEventStore(ledgerPath, { access: 'existing' });
  const kept = join(CACHE, `read-store-${events}`);
  const reuse = REUSE_READ_STORE && existsSync(join(kept, 'CURRENT'));
  const dir = REUSE_READ_STORE ? kept : mkdtempSync(join(tmpdir(), 'ledger-bench-read-store-'));
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
    // CPU time beside wall-clock time: on a shared machine the wall clock of each measure depends on
    // what others run meanwhile, while both are single-threaded work of this process
    const cpuMs = (since: NodeJS.CpuUsage) => {
      const used = process.cpuUsage(since);
      return (used.user + used.system) / 1000;
    };
    let cpu = process.cpuUsage();
    const [count, readMs] = await readEvery(() => undefined);
    const readCpuMs = cpuMs(cpu);
    cpu = process.cpuUsage();
    const [, parseMs] = await readEvery((e) => void toLedgerEvent(e));
    const parseCpuMs = cpuMs(cpu);
    figures.set('events', String(count));
    figures.set('read + parse every row, JSON (ms)', readMs.toFixed(0));
    figures.set('read + parse into ledger events, + schema (ms)', parseMs.toFixed(0));
    if (!reuse) {
      cpu = process.cpuUsage();
      const [, rebuildMs] = await timed(() => ReadStore.rebuild(store, { dir }, { onProgress: (n) => progress(`rebuilding ${label(events)}: ${n}`) }));
      const rebuildCpuMs = cpuMs(cpu);
      progress('');
      figures.set('rebuild every read model (ms)', rebuildMs.toFixed(0));
      figures.set('ratio rebuild / read + parse JSON', `${(rebuildMs / readMs).toFixed(1)}x`);
      figures.set('ratio rebuild / read + events (target 2x)', `${(rebuildMs / parseMs).toFixed(1)}x`);
      figures.set('CPU time: read + parse JSON (ms)', readCpuMs.toFixed(0));
      figures.set('CPU time: read + parse into ledger events (ms)', parseCpuMs.toFixed(0));
      figures.set('CPU time: rebuild (ms)', rebuildCpuMs.toFixed(0));
      figures.set('ratio of CPU time, rebuild / read + events', `${(rebuildCpuMs / parseCpuMs).toFixed(1)}x`);
      figures.set('read store on disk (MB)', (directorySize(dir) / 1e6).toFixed(0));
    } else {
      figures.set('rebuild every read model (ms)', '(reused)');
    }
    await store.close();

    // the compiled server's start first (what a deployment runs), then the one `npm start` runs through tsx, which answers the queries
    const compiled = await startServer(ledgerPath, dir, 'compiled');
    figures.set('start until /health answers, compiled (ms)', compiled.readyMs.toFixed(0));
    figures.set('server RSS when ready, compiled (MB)', (kb(readFileSync(`/proc/${compiled.child.pid}/status`, 'utf8'), 'VmRSS') / 1024).toFixed(0));
    await stopServer(compiled.child);
    const server = await startServer(ledgerPath, dir, 'tsx');
    try {
      figures.set('start until /health answers, tsx (ms)', server.readyMs.toFixed(0));
      figures.set('server RSS when ready, tsx (MB)', (kb(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'), 'VmRSS') / 1024).toFixed(0));
      // the floor under every query's p99: the same requests to GET /health, which reads nothing of the ledger
      figures.set('floor: GET /health, p99 of the same requests (ms)', percentile(await sequential(`${server.url}/health`, REQUESTS), 0.99).toFixed(1));
      for (const [name, path] of QUERIES) {
        const times = await sequential(`${server.url}${path}`, REQUESTS);
        figures.set(`p99 ${name} (ms)`, percentile(times, 0.99).toFixed(1));
      }
      // a warm-up at the same rate, then the measured run
      await autocannon({ url: `${server.url}/api/positions/p-123`, connections: 10, overallRate: 1000, duration: 2 });
      const one = await autocannon({ url: `${server.url}/api/positions/p-123`, connections: 10, overallRate: 1000, duration: 10 });
      figures.set('one position at 1,000 req/s: p99 (ms)', String(one.latency.p99));
      figures.set('  ... requests answered / non-2xx', `${one.requests.total}/${one.non2xx}`);
      figures.set(
        '  ... a bare Express app answering its bytes: p99 (ms)',
        String(await bareExpressP99(await (await fetch(`${server.url}/api/positions/p-123`)).text())),
      );
      const status = () => readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
      figures.set('server RSS after all queries (MB)', (kb(status(), 'VmRSS') / 1024).toFixed(0));
      for (const [name, path] of EXPORTS) {
        const [bytes, ms] = await timed(async () => (await (await fetch(`${server.url}${path}`)).arrayBuffer()).byteLength);
        figures.set(`${name}: MB / s`, `${(bytes / 1e6).toFixed(0)}/${(ms / 1000).toFixed(1)}`);
      }
      figures.set('server peak RSS (MB)', (kb(status(), 'VmHWM') / 1024).toFixed(0));
    } finally {
      server.child.kill('SIGKILL');
    }
  } finally {
    if (!REUSE_READ_STORE) rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

/** The same run as the one-position figure's, against a bare Express app answering `body` (bare-express.ts), in a process of its own. */
async function bareExpressP99(body: string): Promise<number> {
  const port = 3990 + Math.floor(Math.random() * 9);
  const child = fork(join(__dirname, 'bare-express.ts'), [String(port), body], { execArgv: ['--import', 'tsx'], stdio: 'ignore' });
  try {
    await new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`the bare Express app exited with ${code}`)));
    });
    const url = `http://127.0.0.1:${port}/api/positions/p-123`;
    await autocannon({ url, connections: 10, overallRate: 1000, duration: 2 });
    return (await autocannon({ url, connections: 10, overallRate: 1000, duration: 10 })).latency.p99;
  } finally {
    await stopServer(child);
  }
}

/** `ledger serve` (compiled, or from source through tsx) on the generated ledger and its current read store, timed from spawn to the first 200 of /health. */
async function startServer(
  ledgerPath: string,
  readModelDir: string,
  runner: 'compiled' | 'tsx',
): Promise<{ url: string; child: ChildProcess; readyMs: number }> {
  const port = 3900 + Math.floor(Math.random() * 90);
  const env = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    LEDGER_SQLITE_PATH: ledgerPath,
    LEDGER_READ_MODEL_DIR: readModelDir,
    LEDGER_SEED_ON_START: 'false',
    LEDGER_CHECKPOINT_INTERVAL_MINUTES: '0',
    LEDGER_RATE_LIMIT_PER_MINUTE: '0',
    LEDGER_LOG_LEVEL: 'warn',
  };
  const t0 = performance.now();
  // node itself, so that the pid is the server's (for its RSS)
  const args = runner === 'compiled' ? [join(COMPILED, 'cli/main.js'), 'serve'] : ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'serve'];
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: 'ignore' });
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

function directorySize(dir: string): number {
  return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
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

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => rmSync(COMPILED, { recursive: true, force: true }));
