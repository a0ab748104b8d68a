/**
 * npm run bench: how the ledger performs on this machine, beside raw better-sqlite3 and Emmett's
 * SQLite event store. Measures, never asserts.
 * Usage: npm run bench:write [-- --positions 300 --rounds 8 --per-round 200 --events 100000 --repeat 1 --only write|bulk|read]
 * (npm run bench runs this, then the pages and read-model benches; options given to it reach only the last)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Command } from '../src/domain/commands';
import { exportLines, verifyExport } from '../src/audit/export-file';
import { recordCheckpoint } from '../src/audit/record-checkpoint';
import { verifyLedger } from '../src/audit/verify';
import { Ledger } from '../src/command-handling/ledger';
import { bulkPaths, singleCommands, type Figure } from './write-path';
import { LedgerProjection } from '../src/projections/ledger-projection';
import { SqliteEventStore } from '../src/store/sqlite-store';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const POSITIONS = arg('positions', 300);
const actor = { id: 'bench' };

const plural = (unit: string) => (unit.endsWith('y') ? `${unit.slice(0, -1)}ies` : `${unit}s`);

function report(label: string, count: number, ms: number, unit = 'op') {
  const per = ms / count;
  console.log(
    `${label.padEnd(46)} ${String(count).padStart(6)} ${plural(unit)}  ${ms.toFixed(0).padStart(7)} ms  ${per.toFixed(3).padStart(9)} ms/${unit}  ${((count / ms) * 1000).toFixed(0).padStart(7)} ${plural(unit)}/s`,
  );
}

async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = performance.now();
  const result = await fn();
  return [result, performance.now() - t0];
}

const only = (() => {
  const i = process.argv.indexOf('--only');
  return i > 0 ? process.argv[i + 1] : undefined;
})();

function table(title: string, figures: readonly Figure[], base: Figure | undefined, also?: Figure) {
  console.log(`${title}\n`);
  const head = `${'ratio'.padStart(6)}${also ? ` ${'vs Emmett'.padStart(9)}` : ''}  ${'events/s'.padStart(9)}  ${'n'.padStart(6)}  path`;
  console.log(head);
  for (const f of figures) {
    const ratio = f.beside !== undefined ? (f.perSecond / f.beside).toFixed(2) : base ? (f.perSecond / base.perSecond).toFixed(2) : '–';
    const vs = also ? ` ${(f.perSecond / also.perSecond).toFixed(2).padStart(9)}` : '';
    console.log(`${ratio.padStart(6)}${vs}  ${f.perSecond.toFixed(0).padStart(9)}  ${String(f.count).padStart(6)}  ${f.label}`);
  }
  console.log('');
}

/** per path, the median rate and the median ratio over the runs (a shared machine's load moves from run to run) */
function medians(runs: readonly Figure[][]): Figure[] {
  const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return runs[0]!.map((f, i) => {
    const perSecond = mid(runs.map((run) => run[i]!.perSecond));
    if (f.beside === undefined) return { ...f, perSecond };
    const ratio = mid(runs.map((run) => run[i]!.perSecond / run[i]!.beside!));
    return { ...f, perSecond, beside: perSecond / ratio };
  });
}

async function main() {
  const scratch = mkdtempSync(join(tmpdir(), 'ledger-bench-write-'));
  try {
    if (!only || only === 'write') {
      const figures = await singleCommands(scratch, { rounds: arg('rounds', 8), perRound: arg('per-round', 200) });
      const emmett = figures.find((f) => f.label.startsWith('Emmett'));
      table(
        `durable single writes (WAL, synchronous=FULL; median of ${arg('rounds', 8)} rounds of ${arg('per-round', 200)}); ratio to raw better-sqlite3, and to Emmett`,
        figures,
        figures[0],
        emmett,
      );
    }
    if (!only || only === 'bulk') {
      const events = arg('events', 100_000);
      const repeat = arg('repeat', 1);
      const runs: Figure[][] = [];
      for (let r = 0; r < repeat; r += 1) runs.push(await bulkPaths(join(scratch, `bulk-${r}`), events));
      table(
        `bulk paths on a generated ${events}-event seed (target: 100,000 events/s); ratio to raw batched inserts of the same rows, run beside each path${repeat > 1 ? `; median of ${repeat} runs` : ''}`,
        medians(runs),
        medians(runs).at(-1),
      );
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (only && only !== 'read') return;

  const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
  const store = new SqliteEventStore(join(dir, 'bench.db'));
  const ledger = new Ledger(store, { historyStart: '2006-01-01' });
  console.log(`position-ledger bench: ${POSITIONS} positions, SQLite file in ${dir} (WAL, synchronous=FULL)\n`);

  await ledger.execute({ type: 'RegisterDocument', data: { id: 'doc', title: 'Bench document', publisher: 'bench', issuedOn: '2006', language: 'en' } }, actor);
  const commands: Command[] = [];
  for (let i = 0; i < POSITIONS; i += 1) {
    const id = `p-${i}`;
    const source = { documentId: 'doc', locator: `item ${i}` };
    commands.push({
      type: 'AddPosition',
      data: {
        id,
        title: `Position ${i}`,
        statement: `Statement ${i} as adopted.`,
        themes: ['governance'],
        addressees: ['eu-institutions'],
        decidedOn: '2006',
        source,
      },
    });
    commands.push({ type: 'EndorsePosition', positionId: id, data: { revision: 1, endorsedBy: 'WG', decidedOn: '2006' } });
    for (let r = 0; r < 3; r += 1) {
      commands.push({
        type: 'RevisePosition',
        positionId: id,
        data: { statement: `Statement ${i}, revision ${r + 2}.`, decidedOn: String(2008 + r * 3), source, rationale: 'bench' },
      });
    }
    commands.push({ type: 'EndorsePosition', positionId: id, data: { revision: 4, endorsedBy: 'WG', decidedOn: '2014' } });
  }
  const [, recordMs] = await timed(async () => {
    for (const c of commands) await ledger.execute(c, actor);
  });
  report('record commands (decide + hash + durable append)', commands.length, recordMs, 'command');

  const [projection, rebuildMs] = await timed(() => LedgerProjection.rebuild(store));
  report('rebuild read model from event one', projection.version().events, rebuildMs, 'event');

  const [, currentMs] = await timed(() => {
    for (let i = 0; i < 200; i += 1) projection.positions();
  });
  report('GET positions, current (cached stances)', 200, currentMs, 'query');

  const [, asOfMs] = await timed(() => {
    for (let i = 0; i < 20; i += 1) projection.positions({ asOf: '2010' });
  });
  report('GET positions asOf=2010 (fold every stream)', 20, asOfMs, 'query');

  const [, bothMs] = await timed(() => {
    for (let i = 0; i < 20; i += 1) projection.positions({ asOf: '2010', recordedAsOf: new Date().toISOString() });
  });
  report('GET positions asOf + recordedAsOf', 20, bothMs, 'query');

  const [, oneMs] = await timed(() => {
    for (let i = 0; i < 2000; i += 1) projection.position(`p-${i % POSITIONS}`, { asOf: '2012' });
  });
  report('GET one position asOf=2012', 2000, oneMs, 'query');

  const [, timelineMs] = await timed(() => {
    for (let i = 0; i < 5; i += 1) projection.timeline({ from: '2008', to: '2012' });
  });
  report('GET ledger timeline 2008–2012', 5, timelineMs, 'query');

  const [checkpoint, checkpointMs] = await timed(() => recordCheckpoint(store, { actor: { id: 'bench' } }));
  report('record a checkpoint (read + verify chains + Merkle)', 1, checkpointMs, 'checkpoint');

  const events = await store.readAll();
  const [verified, verifyMs] = await timed(() => verifyLedger(events));
  if (!verified.ok || !checkpoint.recorded) throw new Error('the bench ledger does not verify');
  report('verify: hashes, chains, checkpoints, rebuild', events.length, verifyMs, 'event');

  const exported = [...exportLines(events)].join('\n');
  const [, offlineMs] = await timed(() => verifyExport(exported));
  report('verify --file (parse NDJSON export + verify)', events.length, offlineMs, 'event');

  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
