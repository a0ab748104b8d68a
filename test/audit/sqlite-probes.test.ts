import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointLine, exportLines } from '../../src/audit/export-file';
import type { VerifyReport } from '../../src/audit/verify';
import { runVerify } from '../../src/cli/commands/verify';
import { runExport } from '../../src/cli/commands/export';
import { cliDependencies } from '../../src/app/compose-cli';
import { SqliteEventStore } from '../../src/store/sqlite-store';
import { recomputeHash } from '../../src/integrity/hash-chain';
import { sha256Hex } from '../../src/integrity/event-hash';
import { recordHistory, rechain, type History } from './history';

/**
 * Corruption probes on the SQLite file itself, as an attacker with the file would do them: drop
 * the append-only triggers with a raw connection, then change, delete, swap or insert rows, or
 * flip a bit in the file's bytes. `ledger verify` must find each one and name the event.
 */
interface Row {
  global_position: number;
  event_id: string;
  stream_id: string;
  stream_revision: number;
  type: string;
  data: string;
  metadata: string;
}

describe('ledger verify on a tampered SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-probes-'));
  const pristine = join(dir, 'pristine.db');
  let history: History;
  let keptB: string;
  let n = 0;

  beforeAll(async () => {
    const store = new SqliteEventStore(pristine);
    history = await recordHistory(store);
    await store.close();
    expect(existsSync(`${pristine}-wal`)).toBe(false); // closed cleanly: every page is in the file
    keptB = join(dir, 'kept-checkpoint-B.json');
    writeFileSync(keptB, `${checkpointLine(history.checkpointB)}\n`);
  });

  const idOf = (streamId: string, revision: number) => history.events.find((e) => e.streamId === streamId && e.revision === revision)!.id;

  /** A copy of the ledger file, tampered with by `attack` through a raw connection without the triggers. */
  function tampered(attack: (db: Database.Database) => void): string {
    const path = join(dir, `probe-${(n += 1)}.db`);
    copyFileSync(pristine, path);
    const db = new Database(path);
    db.exec('DROP TRIGGER events_are_append_only_update; DROP TRIGGER events_are_append_only_delete;');
    attack(db);
    db.close();
    return path;
  }

  /** verify's report, with the dropped triggers every tampered copy has (`guards`) kept apart from the problems in the events */
  async function verify(path: string, checkpoint: string[] = []): Promise<{ code: number; report: VerifyReport; guards: VerifyReport['problems'] }> {
    let out = '';
    const code = await runVerify(
      { json: true, checkpoint },
      cliDependencies({ out: (t) => (out += t), err: () => undefined, env: { LEDGER_SQLITE_PATH: path } }),
    );
    const full = JSON.parse(out) as VerifyReport;
    return { code, report: { ...full, problems: full.problems.filter((p) => p.check !== 'store') }, guards: full.problems.filter((p) => p.check === 'store') };
  }

  const triggers = (path: string) =>
    new Database(path, { readonly: true })
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
      .all()
      .map((r) => r.name);

  const row = (db: Database.Database, id: string) => db.prepare<[string], Row>('SELECT * FROM events WHERE event_id = ?').get(id)!;
  const setJson = (db: Database.Database, id: string, column: 'data' | 'metadata', path: string, value: string) =>
    db.prepare(`UPDATE events SET ${column} = json_set(${column}, ?, ?) WHERE event_id = ?`).run(path, value, id);

  it('a clean ledger verifies clean (exit 0), with its checkpoints and the one the auditor kept', async () => {
    const { code, report } = await verify(pristine, [keptB, history.checkpointA.checkpoint.rootHash]);
    expect(report.problems).toEqual([]);
    expect(code).toBe(0);
    expect(report).toMatchObject({ ok: true, checkpoints: 2, keptCheckpoints: 2, projection: 'rebuilt from event one' });
  });

  it('the append-only triggers dropped: reported, and verify leaves the file as it found it', async () => {
    const path = tampered(() => undefined);
    const before = readFileSync(path);
    const { code, report, guards } = await verify(path);
    expect(code).toBe(1);
    expect(report.problems).toEqual([]);
    expect(guards.map((g) => g.problem)).toEqual([
      expect.stringContaining('events_are_append_only_update'),
      expect.stringContaining('events_are_append_only_delete'),
    ]);
    expect(triggers(path)).toEqual([]); // not quietly restored: the evidence stays
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('a mistyped path: refused, and no empty ledger created there', async () => {
    const missing = join(dir, 'no-such-ledger.db');
    await expect(runVerify({}, cliDependencies({ out: () => undefined, err: () => undefined, env: { LEDGER_SQLITE_PATH: missing } }))).rejects.toThrow(
      `no ledger at ${missing}`,
    );
    expect(existsSync(missing)).toBe(false);
  });

  it('a field of the data changed: exit 1, the hash of exactly that event', async () => {
    const target = idOf('position-eu-4', 1);
    const { code, report } = await verify(tampered((db) => setJson(db, target, 'data', '$.statement', 'Cities should be consulted, sometimes.')));
    expect(code).toBe(1);
    expect(report.problems).toEqual([
      expect.objectContaining({
        check: 'hash',
        eventId: target,
        streamId: 'position-eu-4',
        revision: 1,
        position: String(row(new Database(pristine, { readonly: true }), target).global_position),
      }),
    ]);
  });

  it('metadata changed (when it was recorded): the hash of that event', async () => {
    const target = idOf('document-contribution', 0);
    const { report } = await verify(tampered((db) => setJson(db, target, 'metadata', '$.recordedAt', '2019-12-31T09:01:00.000Z')));
    expect(report.problems).toEqual([expect.objectContaining({ check: 'hash', eventId: target })]);
  });

  it('an event re-linked: its prevHash rewritten and its own hash recomputed to match: the chain, at exactly that event', async () => {
    const target = idOf('position-eu-4', 1);
    const path = tampered((db) => {
      const r = row(db, target);
      const metadata = { ...(JSON.parse(r.metadata) as Record<string, unknown>), prevHash: sha256Hex('another past') };
      const relinked = {
        id: r.event_id,
        streamId: r.stream_id,
        revision: r.stream_revision,
        position: String(r.global_position),
        type: r.type,
        data: JSON.parse(r.data) as Record<string, unknown>,
        metadata,
      };
      db.prepare('UPDATE events SET metadata = ? WHERE event_id = ?').run(JSON.stringify({ ...metadata, hash: recomputeHash(relinked) }), target);
    });
    const { code, report } = await verify(path);
    expect(code).toBe(1);
    expect(report.problems.filter((p) => p.eventId === target)).toEqual([
      expect.objectContaining({ check: 'chain', eventId: target, revision: 1, problem: expect.stringContaining('is not chained to') }),
    ]);
  });

  it('one bit flipped in the file: the event whose bytes it was', async () => {
    const path = join(dir, 'bitflip.db');
    copyFileSync(pristine, path);
    const vacuum = new Database(path);
    vacuum.pragma('journal_mode = DELETE');
    vacuum.pragma('secure_delete = ON');
    vacuum.exec('VACUUM'); // secure_delete zeroes the stale copies that b-tree balancing leaves: the bytes flipped are the live ones
    vacuum.close();
    const bytes = readFileSync(path);
    const at = bytes.indexOf('Cities learn from each other.');
    expect(at).toBeGreaterThan(0);
    expect(bytes.indexOf('Cities learn from each other.', at + 1)).toBe(-1);
    bytes[at] = bytes[at]! ^ 0x20; // "Cities" -> "cities"
    writeFileSync(path, bytes);
    const { report } = await verify(path);
    expect(report.problems).toEqual([expect.objectContaining({ check: 'hash', eventId: idOf('position-cities-1', 0) })]);
  });

  it('an event deleted: the gap, named at the event after it', async () => {
    const { report } = await verify(tampered((db) => db.prepare('DELETE FROM events WHERE event_id = ?').run(idOf('position-eu-4', 1))));
    expect(report.problems.filter((p) => p.check !== 'checkpoint')).toEqual([
      expect.objectContaining({ check: 'revision', eventId: idOf('position-eu-4', 2), problem: expect.stringContaining('revision 1 is missing') }),
    ]);
  });

  it('two events swapped in global order: the stream out of order, at the exact event', async () => {
    const a = idOf('position-eu-4', 1);
    const b = idOf('position-eu-4', 2);
    const path = tampered((db) => {
      const ra = row(db, a);
      const rb = row(db, b);
      const put = db.prepare('UPDATE events SET event_id = ?, stream_id = ?, stream_revision = ?, type = ?, data = ?, metadata = ? WHERE global_position = ?');
      put.run('swap', 'swap', -1, '', '', '', ra.global_position);
      put.run(ra.event_id, ra.stream_id, ra.stream_revision, ra.type, ra.data, ra.metadata, rb.global_position);
      put.run(rb.event_id, rb.stream_id, rb.stream_revision, rb.type, rb.data, rb.metadata, ra.global_position);
    });
    const { report } = await verify(path);
    expect(report.problems.filter((p) => p.check === 'order')).toEqual([
      expect.objectContaining({ eventId: b, revision: 2, problem: expect.stringContaining('reordered') }),
    ]);
    expect(report.problems.filter((p) => p.check !== 'order' && p.check !== 'checkpoint')).toEqual([]);
  });

  it('an event inserted, hash-chained like a real one, into what a checkpoint covers', async () => {
    const cities = history.events.filter((e) => e.streamId === 'position-cities-1');
    const forged = rechain([
      ...cities,
      {
        ...cities[0]!,
        id: '0b6f8f0e-7d1c-4a55-9f0e-2f7d8a9b1c2d',
        revision: 1,
        type: 'PositionWithdrawn',
        data: { positionId: 'cities-1', decidedOn: '2015', reason: 'never happened' },
        metadata: { ...cities[0]!.metadata, schemaVersion: 1 },
      },
    ]).at(-1)!;
    const after = Number(cities[0]!.position);
    const path = tampered((db) => {
      db.prepare('UPDATE events SET global_position = -global_position WHERE global_position > ?').run(after);
      db.prepare('UPDATE events SET global_position = 1 - global_position WHERE global_position < 0').run();
      db.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)').run(
        after + 1,
        forged.id,
        forged.streamId,
        forged.revision,
        forged.type,
        JSON.stringify(forged.data),
        JSON.stringify(forged.metadata),
      );
    });
    const { report } = await verify(path);
    expect(report.problems.filter((p) => p.eventId === forged.id)).toEqual(
      expect.arrayContaining([expect.objectContaining({ check: 'checkpoint', problem: expect.stringContaining('it was inserted') })]),
    );
    expect(report.problems.every((p) => p.check === 'checkpoint' || p.check === 'projection')).toBe(true);
  });

  it('the tail truncated, last checkpoint with it: nothing left in the file shows it, the checkpoint the auditor kept does', async () => {
    const path = tampered((db) => db.prepare('DELETE FROM events WHERE global_position > (SELECT MAX(global_position) - 3 FROM events)').run());
    expect((await verify(path)).report.problems).toEqual([]); // what no checkpoint covers, only a kept one can vouch for
    const { code, report } = await verify(path, [keptB]);
    expect(code).toBe(1);
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ check: 'kept-checkpoint', problem: expect.stringMatching(/covers 9 events, but the ledger has 7/) }),
        expect.objectContaining({ check: 'kept-checkpoint', streamId: 'position-eu-7', problem: expect.stringContaining('stream position-eu-7 is missing') }),
        expect.objectContaining({ check: 'kept-checkpoint', streamId: 'position-eu-4', revision: 3 }),
      ]),
    );
    expect((await verify(path, [history.checkpointB.checkpoint.rootHash])).report.problems).toEqual([
      expect.objectContaining({ check: 'kept-checkpoint', problem: expect.stringContaining('no checkpoint with root') }),
    ]);
  });

  it('a whole stream dropped: the checkpoints name it', async () => {
    const { report } = await verify(tampered((db) => db.prepare("DELETE FROM events WHERE stream_id = 'position-cities-1'").run()));
    expect(report.problems.filter((p) => p.check !== 'checkpoint')).toEqual([]);
    expect(report.problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ check: 'checkpoint', streamId: 'position-cities-1', problem: expect.stringContaining('is missing') })]),
    );
  });

  it('a whole stream rewritten with freshly recomputed hashes: caught by the older checkpoints', async () => {
    const cities = history.events.filter((e) => e.streamId === 'position-cities-1');
    const rewritten = rechain(cities.map((e, i) => (i === 0 ? { ...e, data: { ...e.data, statement: 'Cities compete with each other.' } } : e)));
    const path = tampered((db) => {
      for (const e of rewritten)
        db.prepare('UPDATE events SET data = ?, metadata = ? WHERE event_id = ?').run(JSON.stringify(e.data), JSON.stringify(e.metadata), e.id);
    });
    const { report } = await verify(path);
    expect(report.problems.filter((p) => ['hash', 'chain', 'schema', 'revision', 'order'].includes(p.check))).toEqual([]);
    expect(report.problems.filter((p) => p.eventId === cities[0]!.id)).toEqual([
      expect.objectContaining({ check: 'checkpoint', problem: expect.stringContaining('rewritten') }),
      expect.objectContaining({ check: 'checkpoint', problem: expect.stringContaining('rewritten') }),
    ]);
  });

  it('as an auditor runs it: export the file, verify the export offline, and exit codes 0, 1 and 2', async () => {
    const out = join(dir, 'export.ndjson');
    await runExport({ out }, cliDependencies({ out: () => undefined, err: () => undefined, env: { LEDGER_SQLITE_PATH: pristine } }));
    expect(readFileSync(out, 'utf8')).toBe([...exportLines(history.events)].join('')); // nothing new since checkpoint B: none recorded
    const bad = join(dir, 'export-tampered.ndjson');
    writeFileSync(bad, readFileSync(out, 'utf8').replace('Cities learn from each other.', 'Cities learn nothing.'));
    const cli = (args: string[]) =>
      spawnSync(join(__dirname, '../../node_modules/.bin/tsx'), [join(__dirname, '../../src/cli/main.ts'), ...args], {
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, LEDGER_SQLITE_PATH: join(dir, 'unused.db') },
      });
    const ok = cli(['verify', '--file', out, '--checkpoint', keptB]);
    expect(ok.stdout).toMatch(/: OK/);
    expect(ok.status).toBe(0);
    const tamperedRun = cli(['verify', '--file', bad]);
    expect(tamperedRun.stdout).toContain(`[hash] (line ${history.events.findIndex((e) => e.id === idOf('position-cities-1', 0)) + 1}, position`);
    expect(tamperedRun.status).toBe(1);
    const usage = cli(['verify', '--file', out, '--checkpoint', 'not-a-root-nor-a-file']);
    expect(usage.stderr).toContain('--checkpoint not-a-root-nor-a-file');
    expect(usage.status).toBe(2);
    const noLedger = cli(['verify']);
    expect(noLedger.stderr).toContain(`no ledger at ${join(dir, 'unused.db')}`);
    expect(noLedger.status).toBe(2);
    expect(existsSync(join(dir, 'unused.db'))).toBe(false); // offline: no database was opened
  });
});
