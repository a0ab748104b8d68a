/**
 * The write path beside its peers, with the same durability (WAL, synchronous=FULL) and the same
 * payload: raw better-sqlite3, the EventStore port, the whole command handler on a short and a
 * long stream, and Emmett's SQLite event store. Then the bulk paths (seed import, migrate) on a
 * generated 100k-event seed. Ratios first; measures, never asserts.
 */
import { getSQLiteEventStore } from '@event-driven-io/emmett-sqlite';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import sqlite3 from 'sqlite3';
import { Ledger } from '../src/command-handling/ledger';
import type { Command } from '../src/domain/commands';
import { cliDependencies, type Cli } from '../src/app/compose-cli';
import { runImport } from '../src/cli/commands/import';
import { runMigrate } from '../src/cli/commands/migrate';
import type { SeedEntry } from '../src/seed/seed-file';
import { SqliteEventStore } from '../src/store/sqlite-store';

const actor = { id: 'secretariat/bench' };
const DOC = {
  type: 'RegisterDocument',
  data: { id: 'doc', title: 'Bench document', publisher: 'bench', issuedOn: '2006', language: 'en' },
} as const satisfies Command;
const source = { documentId: 'doc', locator: 'item 1' };
const statement = (i: number) => `Cities should be equal partners in planning, designing, managing and evaluating policy (text ${i}).`;
const add = (id: string): Command => ({
  type: 'AddPosition',
  data: { id, title: `Position ${id}`, statement: statement(0), themes: ['governance'], addressees: ['eu-institutions'], decidedOn: '2006', source },
});
const revise = (id: string, i: number): Command => ({
  type: 'RevisePosition',
  positionId: id,
  data: { statement: statement(i), decidedOn: '2010', source, rationale: 'restated by the working group' },
});

export interface Figure {
  readonly label: string;
  readonly perSecond: number;
  readonly count: number;
  /** the baseline's rate measured beside this path, when it has its own (the bulk paths) */
  readonly beside?: number;
}

/** median of the rounds' rates: one slow fsync does not decide the figure */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** a sample of what one revise command stores, to give the raw peers the same bytes */
async function samplePayload(dir: string): Promise<{ type: string; data: Record<string, unknown>; metadata: Record<string, unknown> }> {
  const store = new SqliteEventStore(join(dir, 'sample.db'));
  const ledger = new Ledger(store, { historyStart: '2006-01-01' });
  await ledger.execute(DOC, actor);
  await ledger.execute(add('sample'), actor);
  const { events } = await ledger.execute(revise('sample', 1), actor);
  await store.close();
  const e = events[0]!;
  return { type: e.type, data: e.data as Record<string, unknown>, metadata: e.metadata as Record<string, unknown> };
}

interface Runner {
  readonly label: () => string;
  readonly op: (round: number, i: number) => Promise<unknown> | unknown;
  readonly close: () => Promise<void> | void;
}

/**
 * Every path runs its N writes in turn within each round, so all of them meet the disk in the same
 * state (fsync times on a shared machine wander by several times from minute to minute).
 */
export async function singleCommands(dir: string, options: { rounds: number; perRound: number }): Promise<Figure[]> {
  const { rounds: R, perRound: N } = options;
  const payload = await samplePayload(dir);
  const data = JSON.stringify(payload.data);
  const metadata = JSON.stringify(payload.metadata);
  const runners: Runner[] = [];

  // raw better-sqlite3: the same table and indexes as the ledger's, one INSERT per transaction
  {
    const db = new Database(join(dir, 'raw.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(`CREATE TABLE events (global_position INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE, stream_id TEXT NOT NULL,
      stream_revision INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, UNIQUE (stream_id, stream_revision))`);
    const insert = db.prepare('INSERT INTO events (event_id, stream_id, stream_revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
    const one = db.transaction((r: number, i: number) => insert.run(randomUUID(), `s-${i}`, r, payload.type, data, metadata));
    runners.push({ label: () => 'raw better-sqlite3 INSERT, one transaction each', op: (r, i) => one.immediate(r, i), close: () => void db.close() });
  }

  // the EventStore port, events already made
  {
    const store = new SqliteEventStore(join(dir, 'port.db'));
    runners.push({
      label: () => 'SqliteEventStore.append (the port)',
      op: (r, i) =>
        store.append(`s-${i}`, [{ id: randomUUID(), type: payload.type, data: payload.data, metadata: payload.metadata }], r === 0 ? 'no-stream' : r - 1),
      close: () => store.close(),
    });
  }

  // the whole command handler: revise a position whose stream holds `length` events
  for (const length of [5, 200]) {
    const store = new SqliteEventStore(join(dir, `ledger-${length}.db`));
    const ledger = new Ledger(store, { historyStart: '2006-01-01' });
    const ids = Array.from({ length: length === 5 ? N : Math.max(1, Math.floor(N / 8)) }, (_, i) => `p-${i}`);
    const history: Command[] = [DOC];
    for (const id of ids) {
      history.push(add(id));
      for (let i = 1; i < length; i += 1) history.push(revise(id, i));
    }
    await ledger.executeAll(history.map((command) => ({ command, actor })));
    let n = length;
    const warm = new Ledger(store, { historyStart: '2006-01-01' });
    for (const id of ids) await warm.execute(revise(id, (n += 1)), actor); // a server's cache is warm after its first command on a stream
    runners.push({
      label: () => `Ledger.execute: revise a position of ${length}${length === 5 ? '' : '+'} events (${ids.length} positions)`,
      op: (_r, i) => warm.execute(revise(ids[i % ids.length]!, (n += 1)), actor),
      close: () => store.close(),
    });
  }

  // Emmett's SQLite event store (node-sqlite3, WAL; SQLite's default synchronous is FULL), the same event, expected version each time
  {
    const fileName = join(dir, 'emmett.db');
    const emmett = getSQLiteEventStore({ fileName, schema: { autoMigration: 'CreateOrUpdate' } });
    const versions = new Map<string, bigint>();
    let busy = 0;
    const synchronous = { value: '?' };
    runners.push({
      label: () => `Emmett SQLiteEventStore.appendToStream (synchronous=${synchronous.value}; ${busy} SQLITE_BUSY retried)`,
      op: async (_r, i) => {
        const stream = `position-${i}`;
        // emmett-sqlite 0.38.5 now and then fails a commit with SQLITE_BUSY ("SQL statements in progress") and logs it: retried (and counted), its log kept quiet
        const log = console.log;
        console.log = () => undefined;
        try {
          for (let attempt = 1; ; attempt += 1) {
            try {
              const result = await emmett.appendToStream(stream, [{ type: payload.type, data: payload.data, metadata: payload.metadata }], {
                expectedStreamVersion: versions.get(stream) ?? 0n,
              });
              versions.set(stream, result.nextExpectedStreamVersion);
              return;
            } catch (error) {
              if ((error as { code?: string }).code !== 'SQLITE_BUSY' || attempt >= 5) throw error;
              busy += 1;
            }
          }
        } finally {
          console.log = log;
        }
      },
      close: async () => {
        synchronous.value = await emmettSynchronous(fileName);
      },
    });
  }

  // one write of each path in turn: a slow fsync falls on all of them alike
  const rates = runners.map(() => [] as number[]);
  for (let r = 0; r < R; r += 1) {
    const spent = runners.map(() => 0);
    for (let i = 0; i < N; i += 1) {
      for (const [k, runner] of runners.entries()) {
        const t0 = performance.now();
        await runner.op(r, i);
        spent[k]! += performance.now() - t0;
      }
    }
    spent.forEach((ms, k) => rates[k]!.push((N / ms) * 1000));
  }
  for (const runner of runners) await runner.close();
  return runners.map((runner, k) => ({ label: runner.label(), perSecond: median(rates[k]!), count: R * N }));
}

/** Emmett's connection does not set synchronous: what a fresh node-sqlite3 connection on its file has. */
function emmettSynchronous(fileName: string): Promise<string> {
  return new Promise((resolve) => {
    const db = new sqlite3.Database(fileName);
    db.get('PRAGMA synchronous', (error, row: { synchronous?: number } | undefined) => {
      db.close();
      resolve(error ? '?' : (({ 0: 'OFF', 1: 'NORMAL', 2: 'FULL', 3: 'EXTRA' } as Record<number, string>)[row?.synchronous ?? -1] ?? '?'));
    });
  });
}

/** A seed of `events` events: one document, then positions each added and revised `perPosition - 1` times. */
export function generateSeed(dir: string, events: number, perPosition = 10): string {
  const seedDir = join(dir, 'seed');
  mkdirSync(seedDir, { recursive: true });
  const entries: SeedEntry[] = [{ entry: 'doc', command: 'RegisterDocument', body: DOC.data }];
  for (let p = 0; entries.length < events; p += 1) {
    const id = `p-${p}`;
    const a = add(id) as Extract<Command, { type: 'AddPosition' }>;
    entries.push({ entry: `${id}/0`, command: 'AddPosition', body: a.data });
    for (let i = 1; i < perPosition && entries.length < events; i += 1) {
      const r = revise(id, i) as Extract<Command, { type: 'RevisePosition' }>;
      entries.push({ entry: `${id}/${i}`, command: 'RevisePosition', positionId: id, body: r.data });
    }
  }
  const perFile = 10_000;
  for (let f = 0; f * perFile < entries.length; f += 1) {
    writeFileSync(join(seedDir, `${String(f).padStart(3, '0')}.json`), JSON.stringify(entries.slice(f * perFile, (f + 1) * perFile)));
  }
  return seedDir;
}

/**
 * `ledger import` and `ledger migrate` on a generated seed, each beside the disk's own speed for the same rows
 * (raw better-sqlite3 batched INSERTs in one transaction), measured just before and after it: on a
 * shared machine the load moves between phases, and the ratio should not move with it.
 */
export async function bulkPaths(dir: string, events: number): Promise<Figure[]> {
  const seedDir = generateSeed(dir, events);
  const sourcePath = join(dir, 'imported.db');
  // `ledger import` and `ledger migrate` as the command line runs them: the CLI's composition root, its configuration, its (quiet, not a TTY) progress bar
  const output: string[] = [];
  const cli = cliDependencies({ out: (t) => void output.push(t), err: (t) => void output.push(t), env: { LEDGER_SQLITE_PATH: sourcePath }, tty: false });
  let t0 = performance.now();
  if ((await runImport(seedDir, cli)) !== 0) throw new Error(`the bench import failed: ${output.join('')}`);
  const importMs = performance.now() - t0;
  const imported = Number(/(\d+) recorded/.exec(output.join(''))?.[1]);

  // the same rows, parsed, as any writer holds them before it inserts
  const source = new SqliteEventStore(sourcePath, { access: 'existing' });
  const rows = (await source.readAll()).map((e) => [e.id, e.streamId, e.revision, e.type, e.data, e.metadata] as const);
  await source.close();
  let rawRuns = 0;
  const raw = (): number => {
    const db = new Database(join(dir, `raw-batch-${(rawRuns += 1)}.db`));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(
      'CREATE TABLE events (global_position INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE, stream_id TEXT NOT NULL, stream_revision INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, UNIQUE (stream_id, stream_revision))',
    );
    const insert = db.prepare('INSERT INTO events (event_id, stream_id, stream_revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
    const t = performance.now();
    db.transaction(() => {
      for (const [id, stream, revision, type, data, metadata] of rows) insert.run(id, stream, revision, type, JSON.stringify(data), JSON.stringify(metadata));
    }).immediate();
    const rate = (rows.length / (performance.now() - t)) * 1000;
    db.close();
    return rate;
  };
  const raw1 = raw();

  // the command stops its progress bar when the copy ends: that splits the whole command into copy and proof
  let copyEnd = 0;
  const timedCli: Cli = { ...cli, progress: () => ({ update: () => undefined, stop: () => void (copyEnd = performance.now()) }) };
  t0 = performance.now();
  if ((await runMigrate({ from: `sqlite:${sourcePath}`, to: `sqlite:${join(dir, 'migrated.db')}` }, timedCli)) !== 0)
    throw new Error(`the bench migration failed: ${output.join('')}`);
  const migrateMs = performance.now() - t0;
  const copyMs = copyEnd - t0;
  const proofMs = migrateMs - copyMs;
  const raw2 = raw();
  const copied = Number(/copied (\d+) events/.exec(output.join(''))?.[1]);

  // each path's ratio is to the raw runs beside it: label, events/s, raw events/s
  const mean = (...xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const paths: [string, number, number, number][] = [
    [`ledger import (${imported} entries: read, validate, decide, hash, append)`, (imported / importMs) * 1000, raw1, imported],
    ['ledger migrate: its copy (sqlite -> sqlite)', (copied / copyMs) * 1000, mean(raw1, raw2), copied],
    [
      'ledger migrate: its proof, after the copy (bytes compared in SQLite; every hash recomputed by a worker begun beside the copy)',
      (copied / proofMs) * 1000,
      mean(raw1, raw2),
      copied,
    ],
    ['ledger migrate: copy + proof (the whole command)', (copied / migrateMs) * 1000, mean(raw1, raw2), copied],
  ];
  return [
    ...paths.map(([label, perSecond, beside, count]) => ({ label, perSecond, count, beside })),
    {
      label: `raw better-sqlite3 batched INSERT, one transaction (runs: ${[raw1, raw2].map((r) => r.toFixed(0)).join(', ')})`,
      perSecond: mean(raw1, raw2),
      count: rows.length,
    },
  ];
}
