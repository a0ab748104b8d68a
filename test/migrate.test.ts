import Database from 'better-sqlite3';
import { Command } from 'commander';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register as registerMigrate } from '../src/cli/commands/migrate';
import { cliDependencies } from '../src/app/compose-cli';
import { processIo } from '../src/cli/plumbing';
import { eventHash } from '../src/integrity/event-hash';
import { copyLedger, migrateLedger, MigrationConflictError, proveStores, readWhole, walkChainsAside } from '../src/migrate/copy';
import { proveCopy } from '../src/migrate/proof';
import { parseStoreSpec } from '../src/migrate/store-spec';
import { EsdbEventStore } from '../src/store/esdb-store';
import type { EventStore, StoredEvent } from '../src/store/event-store';
import { SqliteEventStore, type EventRow } from '../src/store/sqlite-store';
import { addBody, reviseBody } from './support/builders';
import { KurrentDbProtocolFake } from './support/esdb-protocol-fake';
import { documents, ledgerFixture } from './support/ledger-fixture';

const dir = () => mkdtempSync(join(tmpdir(), 'ledger-migrate-'));

/** A small but complete ledger in a SQLite file: documents, positions, revisions, an endorsement, a correction, an idempotency key. */
async function recordLedger(path: string): Promise<number> {
  const store = new SqliteEventStore(path);
  const f = ledgerFixture(store);
  await f.at('2021-03-01T10:00:00.000Z', documents.recommendations);
  await f.at('2021-03-01T10:01:00.000Z', documents.contribution);
  for (let i = 1; i <= 4; i += 1) {
    await f.at(`2021-03-02T10:0${i}:00.000Z`, { type: 'AddPosition', data: addBody({ id: `eu-${i}`, statement: `Statement ${i} — “quoted”, é.` }) });
  }
  await f.at('2021-03-03T10:00:00.000Z', { type: 'RevisePosition', positionId: 'eu-2', data: reviseBody() });
  await f.at('2021-03-03T11:00:00.000Z', { type: 'EndorsePosition', positionId: 'eu-2', data: { revision: 2, endorsedBy: 'WG', decidedOn: '2014-03' } });
  const added = (await store.readStream('position-eu-3'))[0]!;
  await f.at('2021-03-04T10:00:00.000Z', {
    type: 'CorrectRecord',
    positionId: 'eu-3',
    data: { eventId: added.id, changes: { title: 'Fixed' }, reason: 'typo' },
  });
  await f.ledger.execute(
    { type: 'WithdrawPosition', positionId: 'eu-4', data: { decidedOn: '2015', reason: 'superseded' } },
    { id: 'secretariat/abc' },
    {
      idempotencyKey: 'key-1',
      requestHash: 'a'.repeat(64),
      correlationId: 'corr-1',
      causationId: 'cause-1',
    },
  );
  const n = (await readWhole(store)).length;
  await store.close();
  return n;
}

function rows(path: string): unknown[] {
  const db = new Database(path, { readonly: true });
  const out = db.prepare('SELECT global_position, event_id, stream_id, stream_revision, type, data, metadata FROM events ORDER BY global_position').all();
  db.close();
  return out;
}

/** A target that fails on its n-th append: before writing (a crash) or after writing (the answer lost). */
function interrupted(target: EventStore, failOn: number, when: 'before' | 'after'): EventStore {
  let appends = 0;
  return new Proxy(target, {
    get(t, prop, receiver) {
      if (prop !== 'append') return Reflect.get(t, prop, receiver);
      return async (...args: Parameters<EventStore['append']>) => {
        appends += 1;
        if (appends === failOn && when === 'before') throw new Error('interrupted before the write');
        const result = await t.append(...args);
        if (appends === failOn && when === 'after') throw new Error('interrupted after the write, the answer lost');
        return result;
      };
    },
  });
}

describe('migrate: SQLite <-> KurrentDB', () => {
  let fake: KurrentDbProtocolFake;
  const open: EventStore[] = [];
  const track = <S extends EventStore>(s: S): S => (open.push(s), s);
  const esdb = () => track(EsdbEventStore.connect(fake.connectionString));

  beforeEach(async () => {
    fake = await KurrentDbProtocolFake.start();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    await fake.stop();
  });

  it('round trip SQLite -> KurrentDB fake -> SQLite gives byte-identical events, metadata and hashes', async () => {
    const d = dir();
    const n = await recordLedger(join(d, 'source.db'));
    expect(n).toBe(10);
    const source = track(new SqliteEventStore(join(d, 'source.db')));
    const there = await migrateLedger(source, esdb());
    expect(there.copy).toEqual({ copied: n, alreadyThere: 0 });
    expect(there.proof).toMatchObject({ ok: true, events: n, streams: 6, hashesVerified: n });

    const back = track(new SqliteEventStore(join(d, 'back.db')));
    const home = await migrateLedger(esdb(), back);
    expect(home.copy).toEqual({ copied: n, alreadyThere: 0 });
    expect(home.proof.ok).toBe(true);
    await source.close();
    await back.close();
    expect(rows(join(d, 'back.db'))).toEqual(rows(join(d, 'source.db')));
    const withdrawn = (rows(join(d, 'back.db')) as { metadata: string }[]).at(-1)!;
    expect(JSON.parse(withdrawn.metadata)).toMatchObject({
      correlationId: 'corr-1',
      causationId: 'cause-1',
      idempotencyKey: 'key-1',
      hash: expect.any(String),
    });
  });

  it.each(['before', 'after'] as const)('re-run after an interruption %s a write copies the rest and nothing twice', async (when) => {
    const d = dir();
    const n = await recordLedger(join(d, 'source.db'));
    const source = track(new SqliteEventStore(join(d, 'source.db')));
    const target = esdb();
    await expect(copyLedger(source, interrupted(target, 4, when), { pageSize: 3 })).rejects.toThrow(/interrupted/);
    const partial = (await readWhole(target)).length;
    expect(partial).toBe(when === 'before' ? 3 : 4);
    const again = await copyLedger(source, target, { pageSize: 3 });
    expect(again).toEqual({ copied: n - partial, alreadyThere: partial });
    expect(await proveStores(source, target)).toMatchObject({ ok: true, events: n });
    expect(await copyLedger(source, target)).toEqual({ copied: 0, alreadyThere: n });
    expect((await readWhole(target)).length).toBe(n);
  });

  it('refuses to copy over a target that holds something else, and the proof names the differences', async () => {
    const d = dir();
    await recordLedger(join(d, 'source.db'));
    const source = track(new SqliteEventStore(join(d, 'source.db')));
    const target = track(new SqliteEventStore(':memory:'));
    await target.append(
      'document-recommendations',
      [{ id: '00000000-0000-4000-8000-000000000001', type: 'SourceDocumentRegistered', data: {}, metadata: {} }],
      'no-stream',
    );
    await expect(copyLedger(source, target)).rejects.toBeInstanceOf(MigrationConflictError);
    const proof = await proveStores(source, target);
    expect(proof.ok).toBe(false);
    expect(proof.problems).toEqual(expect.arrayContaining([expect.stringMatching(/is in the target only/), expect.stringMatching(/missing from the target/)]));
  });

  it('the migrate command copies and proves, and says so', async () => {
    const d = dir();
    const n = await recordLedger(join(d, 'source.db'));
    const lines: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    try {
      const program = new Command('ledger').exitOverride();
      registerMigrate(program, cliDependencies(processIo));
      await program.parseAsync(['node', 'ledger', 'migrate', '--from', `sqlite:${join(d, 'source.db')}`, '--to', fake.connectionString]);
      await program.parseAsync(['node', 'ledger', 'migrate', '--from', `sqlite:${join(d, 'source.db')}`, '--to', fake.connectionString, '--verify-only']);
    } finally {
      write.mockRestore();
    }
    expect(lines.join('')).toContain(`copied ${n} events; 0 were already in the target`);
    expect(lines.filter((l) => l.startsWith('proof: identical'))).toHaveLength(2);
  });

  it('names stores as sqlite:<path> or a KurrentDB connection string', () => {
    expect(parseStoreSpec('sqlite:data/l.db')).toEqual({ kind: 'sqlite', path: 'data/l.db' });
    expect(parseStoreSpec('esdb+discover://a:2113,b:2113?tls=true')).toEqual({ kind: 'esdb', connectionString: 'esdb+discover://a:2113,b:2113?tls=true' });
    expect(() => parseStoreSpec('data/l.db')).toThrow(/sqlite:<path>/);
  });
});

describe('the copy proof', () => {
  const e = (id: string, streamId: string, revision: number, position: string, over: Partial<StoredEvent> = {}): StoredEvent => ({
    id,
    streamId,
    revision,
    position,
    type: 'T',
    data: { a: 1, b: [1, 2] },
    metadata: { recordedBy: 'x' },
    ...over,
  });
  const source = [e('1', 's', 0, '1'), e('2', 't', 0, '2'), e('3', 's', 1, '3')];
  const copy = () => source.map((x, i) => ({ ...x, position: `C:${i * 100}/P:${i * 100}` }));

  it('holds a faithful copy, whatever its positions', () => {
    expect(proveCopy(source, copy())).toMatchObject({ ok: true, events: 3, streams: 2, problemCount: 0 });
  });

  it.each<[string, (c: StoredEvent[]) => StoredEvent[], RegExp]>([
    ['a changed value', (c) => [c[0]!, { ...c[1]!, data: { a: 2, b: [1, 2] } }, c[2]!], /data differs/],
    ['reordered keys (not byte-identical)', (c) => [c[0]!, { ...c[1]!, data: { b: [1, 2], a: 1 } }, c[2]!], /data differs/],
    ['changed metadata', (c) => [c[0]!, c[1]!, { ...c[2]!, metadata: { recordedBy: 'y' } }], /metadata differs/],
    ['a dropped event', (c) => [c[0]!, c[1]!], /missing from the target/],
    ['an inserted event', (c) => [...c, e('4', 't', 1, '9')], /in the target only/],
    ['another type', (c) => [c[0]!, { ...c[1]!, type: 'U' }, c[2]!], /type U in the target/],
    ['events swapped within a stream', (c) => [{ ...c[0]!, revision: 1 }, c[1]!, { ...c[2]!, revision: 0 }], /not the same or not in the same order/],
    ['global order changed', (c) => [c[1]!, c[0]!, c[2]!], /global order differs/],
  ])('detects %s', (_what, tamper, message) => {
    const proof = proveCopy(source, tamper(copy()));
    expect(proof.ok).toBe(false);
    expect(proof.problems).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });

  it('recomputes hashes and their chain', async () => {
    const d = dir();
    await recordLedger(join(d, 'h.db'));
    const store = new SqliteEventStore(join(d, 'h.db'));
    const events = await readWhole(store);
    await store.close();
    expect(proveCopy(events, events).hashesVerified).toBe(events.length);
    const forged = events.map((x, i) => (i === 3 ? { ...x, metadata: { ...x.metadata, recordedBy: 'someone-else' } } : x));
    expect(proveCopy(forged, forged).problems).toEqual([expect.stringMatching(/hash does not match its content/)]);
    // A forger who recomputes the hash of an event cut loose from its predecessor still breaks the chain.
    const i = events.findIndex((x) => x.revision === 1);
    const cut = events[i]!;
    const m = cut.metadata as { schemaVersion: number; recordedAt: string; recordedBy: string };
    const rehashed = eventHash({
      eventId: cut.id,
      streamId: cut.streamId,
      streamRevision: 1,
      type: cut.type,
      schemaVersion: m.schemaVersion,
      data: cut.data,
      recordedAt: m.recordedAt,
      recordedBy: m.recordedBy,
      prevHash: null,
    });
    const unchained = events.map((x, j) => (j === i ? { ...x, metadata: { ...x.metadata, prevHash: null, hash: rehashed } } : x));
    const problems = proveCopy(unchained, unchained).problems;
    expect(problems[0]).toMatch(new RegExp(`${cut.id} .*not chained to the event before it`));
    expect(problems.every((p) => /not chained/.test(p))).toBe(true);
  });
});

describe('migrate between SQLite files: the bytes go across as they are', () => {
  const tamper = (path: string, update: (db: Database.Database) => void) => {
    const db = new Database(path);
    db.exec('DROP TRIGGER events_are_append_only_update');
    update(db);
    db.close();
  };

  it('copies every row byte for byte, proves it in one pass, and a re-run copies nothing', async () => {
    const d = dir();
    const n = await recordLedger(join(d, 'source.db'));
    const source = new SqliteEventStore(join(d, 'source.db'));
    const target = new SqliteEventStore(join(d, 'target.db'));
    // into an empty file, SQLite copies inside SQLite (INSERT … SELECT, a page per transaction): no event is read into JavaScript
    const read = jest.spyOn(source, 'readAllSerialized');
    const pages: number[] = [];
    expect(await copyLedger(source, target, { pageSize: 3, onProgress: (p) => pages.push(p.copied) })).toEqual({ copied: n, alreadyThere: 0 });
    expect(read).not.toHaveBeenCalled();
    expect(pages).toEqual(Array.from({ length: Math.ceil(n / 3) }, (_, i) => Math.min(n, (i + 1) * 3)));
    expect(await proveStores(source, target)).toMatchObject({ ok: true, events: n, streams: 6, hashesVerified: n });
    expect(await copyLedger(source, target)).toEqual({ copied: 0, alreadyThere: n });
    await source.close();
    await target.close();
    expect(rows(join(d, 'target.db'))).toEqual(rows(join(d, 'source.db')));
  });

  // aside: the source's chains walked in a worker and the target compared inside SQLite (what the migrate command does); in lockstep: both read side by side
  it.each(['aside', 'in lockstep'] as const)(
    'names a difference in the bytes, and catches data changed alike in both with the hash left as it was (%s)',
    async (how) => {
      const d = dir();
      const n = await recordLedger(join(d, 'source.db'));
      const copy = async () => {
        const source = new SqliteEventStore(join(d, 'source.db'));
        const target = new SqliteEventStore(join(d, 'target.db'));
        await copyLedger(source, target);
        await source.close();
        await target.close();
      };
      await copy();
      const change = (db: Database.Database) =>
        db.prepare("UPDATE events SET data = replace(data, 'Statement 2', 'Statement two') WHERE stream_id = 'position-eu-2' AND stream_revision = 0").run();
      tamper(join(d, 'target.db'), change);
      const prove = async () => {
        const source = new SqliteEventStore(join(d, 'source.db'), { access: 'read-only' });
        const target = new SqliteEventStore(join(d, 'target.db'), { access: 'read-only' });
        try {
          return await proveStores(source, target, how === 'aside' ? walkChainsAside(source) : undefined);
        } finally {
          await source.close();
          await target.close();
        }
      };
      expect((await prove()).problems).toEqual([expect.stringMatching(/^event .*: data differs$/), expect.stringMatching(/hash does not match its content/)]);
      tamper(join(d, 'source.db'), change);
      const alike = await prove();
      expect(alike).toMatchObject({ ok: false, events: n });
      expect(alike.problems).toEqual([expect.stringMatching(/hash does not match its content/)]);
    },
  );

  it('proves a faithful copy without reading an event into JavaScript on the main thread: chains walked in a worker, bytes compared in SQLite', async () => {
    const d = dir();
    const n = await recordLedger(join(d, 'source.db'));
    const source = new SqliteEventStore(join(d, 'source.db'));
    const target = new SqliteEventStore(join(d, 'target.db'));
    await copyLedger(source, target);
    const reads = [source, target].flatMap((store) => [jest.spyOn(store, 'readAll'), jest.spyOn(store, 'readAllSerialized')]);
    expect(await proveStores(source, target, walkChainsAside(source))).toEqual({
      ok: true,
      events: n,
      streams: 6,
      hashesVerified: n,
      problems: [],
      problemCount: 0,
    });
    for (const read of reads) expect(read).not.toHaveBeenCalled();
    await source.close();
    await target.close();
  });

  it('catches a chain rewritten alike in both (a prevHash changed and the hash recomputed to match), walked aside or in lockstep', async () => {
    const d = dir();
    await recordLedger(join(d, 'source.db'));
    const rechain = (db: Database.Database) => {
      const row = db.prepare<[], EventRow>("SELECT * FROM events WHERE stream_id = 'position-eu-2' AND stream_revision = 1").get()!;
      const metadata = JSON.parse(row.metadata) as { prevHash: string; hash: string; schemaVersion: number; recordedAt: string; recordedBy: string };
      const prevHash = 'f'.repeat(64);
      const hash = eventHash({
        eventId: row.event_id,
        streamId: row.stream_id,
        streamRevision: row.stream_revision,
        type: row.type,
        schemaVersion: metadata.schemaVersion,
        data: JSON.parse(row.data),
        recordedAt: metadata.recordedAt,
        recordedBy: metadata.recordedBy,
        prevHash,
      });
      db.prepare('UPDATE events SET metadata = ? WHERE global_position = ?').run(JSON.stringify({ ...metadata, prevHash, hash }), row.global_position);
    };
    tamper(join(d, 'source.db'), rechain);
    const source = new SqliteEventStore(join(d, 'source.db'), { access: 'existing' });
    const target = new SqliteEventStore(join(d, 'target.db'));
    await copyLedger(source, target);
    expect(await target.holdsSameEventsAs(source)).toMatchObject({ same: true });
    expect(await source.walkChainsAside()).toMatchObject({ ok: false });
    const aside = await proveStores(source, target, walkChainsAside(source));
    expect(aside.ok).toBe(false);
    // the rewritten event no longer follows its predecessor, and its successor no longer follows it
    expect(aside.problems).toEqual([expect.stringMatching(/position-eu-2@1\): not chained/), expect.stringMatching(/position-eu-2@2\): not chained/)]);
    expect((await proveStores(source, target)).ok).toBe(false);
    await source.close();
    await target.close();
  });

  it('compares inside SQLite: a missing last event, or the same rows at other positions, is not the same ledger', async () => {
    const d = dir();
    const n = await recordLedger(join(d, 'source.db'));
    const source = new SqliteEventStore(join(d, 'source.db'));
    const short = new SqliteEventStore(join(d, 'short.db'));
    const all = await source.readAllSerialized();
    await short.appendManySerialized(
      all.slice(0, -1).map((e) => ({ streamId: e.streamId, events: [e], expected: e.revision === 0 ? 'no-stream' : e.revision - 1 })),
    );
    expect(await short.holdsSameEventsAs(source)).toEqual({ same: false, events: n - 1 });
    const shifted = new SqliteEventStore(join(d, 'shifted.db'));
    await shifted.append('other-stream', [{ id: '00000000-0000-4000-8000-0000000000aa', type: 'Other', data: {}, metadata: {} }], 'no-stream');
    const raw = new Database(join(d, 'shifted.db'));
    raw.exec('DROP TRIGGER events_are_append_only_delete');
    raw.exec('DELETE FROM events');
    raw.close();
    await shifted.appendManySerialized(all.map((e) => ({ streamId: e.streamId, events: [e], expected: e.revision === 0 ? 'no-stream' : e.revision - 1 })));
    expect(await shifted.holdsSameEventsAs(source)).toEqual({ same: false, events: n });
    expect(await new SqliteEventStore(':memory:').holdsSameEventsAs(source)).toBeUndefined();
    await Promise.all([source.close(), short.close(), shifted.close()]);
  });
});
