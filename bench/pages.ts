/**
 * npm run bench (second part): how long each page of the seed ledger takes to render on the
 * server, with the budget of 50 ms beside it. Measures, never asserts.
 */
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { composeLedger } from '../src/app/compose';
import { loadConfig } from '../src/app/config';
import { SqliteEventStore } from '../src/store/sqlite-store';

const BUDGET_MS = 50;
const RUNS = 40;
const PAGES = [
  '/',
  '/?groupBy=theme&asOf=2010',
  '/positions',
  '/positions?q=undocumented&asOf=2014',
  '/positions/eu-4',
  '/positions/eu-4?asOf=2010',
  '/positions/eu-4/diff?from=2010&to=2014',
  '/timeline',
  '/documents',
  '/documents/home-affairs-contribution',
  '/documents/political-recommendations',
  '/api/docs',
];

async function main() {
  const config = loadConfig({ LEDGER_RATE_LIMIT_PER_MINUTE: '0', LEDGER_CHECKPOINT_INTERVAL_MINUTES: '0', LEDGER_LOG_LEVEL: 'silent' });
  const ledger = await composeLedger(config, { store: new SqliteEventStore(':memory:') });
  const server = ledger.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  console.log(
    `\npages of the seed ledger (${ledger.projection.version().version} decisions), ${RUNS} requests each over HTTP on 127.0.0.1 (client and server in this process); budget ${BUDGET_MS} ms\n`,
  );
  // CPU time beside wall time: on a busy machine the wall clock also counts other processes' turns
  console.log(`${'page'.padEnd(44)} ${'median'.padStart(8)} ${'p95'.padStart(8)} ${'max'.padStart(8)} ${'cpu/req'.padStart(8)}  median/budget`);
  for (const path of PAGES) {
    for (let i = 0; i < 3; i += 1) await (await fetch(base + path)).text();
    const times: number[] = [];
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < RUNS; i += 1) {
      const t0 = performance.now();
      const res = await fetch(base + path);
      await res.text();
      times.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    }
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000 / RUNS;
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
    console.log(
      `${path.padEnd(44)} ${at(0.5).toFixed(1).padStart(6)} ms ${at(0.95).toFixed(1).padStart(6)} ms ${times.at(-1)!.toFixed(1).padStart(6)} ms ${cpuMs.toFixed(1).padStart(6)} ms  ${(at(0.5) / BUDGET_MS).toFixed(2).padStart(6)}`,
    );
  }
  server.close();
  await ledger.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
