import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerProjection } from '../../src/projections/ledger-projection';
import type { PositionQuery, ReadModel, TimelineQuery } from '../../src/projections/read-model';
import { ReadStore } from '../../src/projections/read-store/read-store';
import { FOLLOWER_SILENT_MS } from '../../src/projections/read-store/followers';
import { COMPARED_TABLES } from '../../src/projections/read-store/schema';
import { compareTables, rebuildTables } from '../../src/projections/read-store/compare-tables';
import { QUERY_LIMITS, ReadStoreTables } from '../../src/projections/read-store/tables';
import type { EventStore } from '../../src/store/event-store';
import { SqliteEventStore } from '../../src/store/sqlite-store';
import { addBody, reviseBody, source } from '../support/builders';
import { documents, ledgerFixture } from '../support/ledger-fixture';

/**
 * A history with every difficulty of the views: revisions recorded late and out of business
 * order, an endorsement, a correction that moves a date, a withdrawal, same-day decisions,
 * several themes and addressees, quotes and accents.
 */
async function richHistory(store?: EventStore) {
  const f = ledgerFixture(store);
  await f.at('2021-01-01T10:00:00Z', documents.recommendations);
  await f.at('2021-01-01T10:00:00Z', documents.contribution);
  const added = await f.at('2021-01-02T10:00:00Z', { type: 'AddPosition', data: addBody({ statement: 'Text of 2006 about réception.' }) });
  await f.at('2021-01-02T11:00:00Z', { type: 'EndorsePosition', positionId: 'eu-4', data: { revision: 1, endorsedBy: 'WG', decidedOn: '2006' } });
  await f.at('2021-01-03T10:00:00Z', {
    type: 'AddPosition',
    data: addBody({
      id: 'cities-1',
      title: 'Exchange',
      statement: 'Cities learn from each other.',
      themes: ['city-exchange', 'governance'],
      addressees: ['cities'],
      decidedOn: '2008-05-02',
      source: { ...source('item 1'), quote: 'learning ZEBRA' },
    }),
  });
  await f.at('2021-03-01T10:00:00Z', { type: 'RevisePosition', positionId: 'eu-4', data: reviseBody({ statement: 'Text of 2014.', decidedOn: '2014-01-21' }) });
  await f.at('2021-03-01T10:00:00Z', {
    type: 'AddPosition',
    data: addBody({
      id: 'national-2',
      statement: 'Nationals text.',
      addressees: ['national-governments'],
      themes: ['monitoring-data'],
      decidedOn: '2014-01-21',
      source: source('bullet 2', 'contribution'),
      relatesTo: [
        { positionId: 'eu-4', kind: 'extends' },
        { positionId: 'cities-1', kind: 'readdresses' },
      ],
    }),
  });
  await f.at('2022-05-01T10:00:00Z', {
    type: 'RevisePosition',
    positionId: 'eu-4',
    data: reviseBody({ statement: 'Text of 2009.', title: 'Cities as partners', themes: ['governance', 'monitoring-data'], decidedOn: '2009-06' }),
  });
  await f.at('2022-06-01T10:00:00Z', {
    type: 'CorrectRecord',
    positionId: 'cities-1',
    data: {
      eventId: (await f.store.readStream('position-cities-1'))[0]!.id,
      changes: { decidedOn: '2007', statement: 'Cities learn from one another.' },
      reason: 'date and wording',
    },
  });
  await f.at('2022-07-01T10:00:00Z', { type: 'EndorsePosition', positionId: 'eu-4', data: { revision: 2, endorsedBy: 'WG', decidedOn: '2014-02' } });
  await f.at('2022-08-01T10:00:00Z', { type: 'WithdrawPosition', positionId: 'national-2', data: { decidedOn: '2016', reason: 'replaced' } });
  void added;
  return f;
}

const AS_OF = [
  undefined,
  '2005',
  '2006',
  '2006-06-01',
  '2007',
  '2008',
  '2009-06-15',
  '2009-06',
  '2010',
  '2014-01-15',
  '2014-01',
  '2014-02',
  '2015',
  '2016',
  '2020',
];
const RECORDED = [
  undefined,
  '2020-12-31T00:00:00.000Z',
  '2021-01-02T10:00:00.000Z',
  '2021-01-02T10:30:00.000Z',
  '2021-02-01T00:00:00.000Z',
  '2021-03-01T10:00:00.000Z',
  '2022-05-15T00:00:00.000Z',
  '2022-06-15T00:00:00.000Z',
  '2022-07-15T00:00:00.000Z',
  // just before, at and after the last decision (from it on, the current view)
  '2022-08-01T09:59:59.999Z',
  '2022-08-01T10:00:00.000Z',
  '2030-01-01T00:00:00.000Z',
];
const IDS = ['eu-4', 'cities-1', 'national-2', 'nope'];

/** The same question to both read models must get the same answer. */
function expectSameAnswers(oracle: ReadModel, store: ReadModel): void {
  for (const asOf of AS_OF) {
    for (const recordedAsOf of RECORDED) {
      const view = { asOf, recordedAsOf };
      expect([view, store.positionPage(view).items]).toEqual([view, oracle.positionPage(view).items]);
      for (const id of IDS) {
        expect([view, id, store.position(id, view)]).toEqual([view, id, oracle.position(id, view)]);
        expect([view, id, store.positionTimeline(id, view)]).toEqual([view, id, oracle.positionTimeline(id, view)]);
        expect([view, id, store.relatedFrom(id, view)]).toEqual([view, id, oracle.relatedFrom(id, view)]);
      }
    }
  }
  const queries: PositionQuery[] = [
    { theme: 'governance' },
    { theme: 'monitoring-data', asOf: '2010' },
    { addressee: 'cities' },
    { status: 'endorsed' },
    { status: 'withdrawn', asOf: '2015' },
    { q: 'text' },
    { q: 'RECEPTION' },
    { q: 'zebra', asOf: '2008' },
    { q: 'text 2009', asOf: '2010' },
    { q: 'text 2009', asOf: '2010', recordedAsOf: '2021-04-01T00:00:00.000Z' },
    { q: 'learn another' },
    { q: 'learn another', recordedAsOf: '2022-05-15T00:00:00.000Z' },
    { q: 'missing-word' },
    { theme: 'governance', q: 'cities', status: 'proposed' },
  ];
  for (const query of queries) expect([query, store.positionPage(query).items]).toEqual([query, oracle.positionPage(query).items]);
  const timelines: TimelineQuery[] = [
    {},
    { from: '2008', to: '2014' },
    { theme: 'monitoring-data' },
    { addressee: 'cities' },
    { q: 'text' },
    { recordedAsOf: '2021-04-01T00:00:00.000Z' },
    { from: '2009', recordedAsOf: '2022-06-15T00:00:00.000Z', theme: 'governance' },
    { to: '2007' },
    { q: 'learn', recordedAsOf: '2022-05-15T00:00:00.000Z' },
  ];
  for (const query of timelines) expect([query, store.timelinePage(query).items]).toEqual([query, oracle.timelinePage(query).items]);
  expect(store.relatedFrom('eu-4')).toEqual([expect.objectContaining({ positionId: 'national-2', kind: 'extends' })]);
  expect(store.relatedFrom('eu-4', { asOf: '2010' })).toEqual([]);
  expect(store.documentList()).toEqual(oracle.documentList());
  expect(store.document('contribution')).toEqual(oracle.document('contribution'));
  expect(store.version()).toEqual(oracle.version());
}

/**
 * Every cited version, asked every kind of question, must get the fold's answer. The versions an
 * instant tells apart from every later decision are answered from the tables (no decision read),
 * the `unclear` ones by folding their decisions.
 */
function expectSameVersions(oracle: ReadModel, store: ReadStore, unclear: readonly number[]): void {
  const folds = jest.spyOn(store.currentTables(), 'decisionsUpTo');
  const documentIds = oracle.documentList().map((d) => d.documentId);
  for (let version = 1; version <= oracle.version().version; version += 1) {
    folds.mockClear();
    for (const asOf of [undefined, '2009', '2015'])
      for (const recordedAsOf of [undefined, '2021-01-02T10:30:00.000Z', '2022-05-15T00:00:00.000Z']) {
        const view = { version, asOf, recordedAsOf };
        const page = (m: ReadModel) => {
          const { items, total } = m.positionPage(view);
          return { items, total };
        };
        expect([view, page(store), store.positionCounts(view)]).toEqual([view, page(oracle), oracle.positionCounts(view)]);
        for (const id of IDS) {
          expect([view, id, store.position(id, view)]).toEqual([view, id, oracle.position(id, view)]);
          expect([view, id, store.positionTimeline(id, view)]).toEqual([view, id, oracle.positionTimeline(id, view)]);
          expect([view, id, store.relatedFrom(id, view)]).toEqual([view, id, oracle.relatedFrom(id, view)]);
        }
      }
    for (const query of [{ q: 'text' }, { theme: 'governance' as const }, { status: 'endorsed' as const }]) {
      const view = { ...query, version };
      expect([view, store.positionPage(view).items]).toEqual([view, oracle.positionPage(view).items]);
    }
    for (const query of [{}, { q: 'text' }, { theme: 'governance' as const, from: '2009' }]) {
      const view = { ...query, version };
      expect([view, store.timelinePage(view).items]).toEqual([view, oracle.timelinePage(view).items]);
    }
    // a document's citations read whole and sorted, and walked in position order and counted from today's
    for (const citationSeek of [500, 0]) {
      Object.assign(QUERY_LIMITS, { citationSeek });
      expect([version, citationSeek, store.documentList({ version })]).toEqual([version, citationSeek, oracle.documentList({ version })]);
      for (const id of documentIds) {
        expect([version, id, store.document(id, { version })]).toEqual([version, id, oracle.document(id, { version })]);
        expect([version, id, store.document(id, { version }, { limit: 1 })]).toEqual([version, id, oracle.document(id, { version }, { limit: 1 })]);
      }
    }
    Object.assign(QUERY_LIMITS, { citationSeek: 500 });
    expect(store.version(version)).toEqual(oracle.version(version));
    expect([version, folds.mock.calls.length > 0]).toEqual([version, unclear.includes(version)]);
  }
  folds.mockRestore();
}

describe('the SQLite read store answers as the projections do', () => {
  it('every view, filter and search of a rich history, compared with the in-memory projection (the oracle)', async () => {
    const f = await richHistory();
    const oracle = await LedgerProjection.rebuild(f.store);
    const store = await ReadStore.follow(f.store, { location: 'memory' });
    expectSameAnswers(oracle, store);
    // two decisions share an instant twice: the versions between them are folded
    expectSameVersions(oracle, store, [1, 6]);
    await store.stop();
  });

  it('a recording instant at or after the last decision is the current view, read from its indexes; a decision recorded after it pins it again', async () => {
    const f = await richHistory();
    const store = await ReadStore.follow(f.store, { location: 'memory' });
    const tables = store.currentTables();
    const prepared: string[] = [];
    const prepare = tables.db.prepare.bind(tables.db);
    jest.spyOn(tables.db, 'prepare').mockImplementation(((sql: string) => (prepared.push(sql), prepare(sql))) as typeof tables.db.prepare);
    // the index a page's row ids were read from
    const pagedFrom = (table: 'stances' | 'timeline', ask: () => unknown) => {
      const alias = table === 'stances' ? 'v' : 'e';
      prepared.length = 0;
      (tables as unknown as { prepared: Map<string, unknown> }).prepared.clear();
      ask();
      return /INDEXED BY (\w+)/.exec(prepared.find((sql) => sql.startsWith(`SELECT ${alias}.id FROM ${table} ${alias} INDEXED BY`)) ?? '')?.[1];
    };
    const last = '2022-08-01T10:00:00.000Z';
    const viewOf = ({ asOf, recordedAsOf }: PositionQuery) => ({ asOf, recordedAsOf });
    const oracle = await LedgerProjection.rebuild(f.store);
    for (const [recordedAsOf, pinned] of [
      ['2022-08-01T09:59:59.999Z', true],
      [last, false],
      ['2022-08-01T10:00:00.001Z', false],
      ['2030-01-01T00:00:00.000Z', false],
    ] as const) {
      for (const query of [{ recordedAsOf }, { recordedAsOf, asOf: '2010' }, { recordedAsOf, theme: 'governance' as const }, { recordedAsOf, q: 'text' }]) {
        expect([query, store.positionPage(query), store.positionCounts(viewOf(query))]).toEqual([
          query,
          oracle.positionPage(query),
          oracle.positionCounts(viewOf(query)),
        ]);
        expect([query, store.timelinePage(query)]).toEqual([query, oracle.timelinePage(query)]);
      }
      expect([recordedAsOf, pagedFrom('stances', () => store.positionPage({ recordedAsOf })) === 'stances_current']).toEqual([recordedAsOf, !pinned]);
      expect([recordedAsOf, pagedFrom('timeline', () => store.timelinePage({ recordedAsOf })) === 'timeline_current']).toEqual([recordedAsOf, !pinned]);
    }
    // recorded after it, a decision pins the instant again: what it showed does not change
    const before = [store.positionPage({ recordedAsOf: last }), store.timelinePage({ recordedAsOf: last })];
    await f.at('2022-09-01T10:00:00Z', { type: 'WithdrawPosition', positionId: 'eu-4', data: { decidedOn: '2017', reason: 'done' } });
    expect(await store.waitFor((await f.store.readAll()).at(-1)!.id)).toBe(true);
    expect([store.positionPage({ recordedAsOf: last }), store.timelinePage({ recordedAsOf: last })]).toEqual(before);
    expect(store.positionPage({}).items).not.toEqual(before[0]!.items);
    expect(pagedFrom('stances', () => store.positionPage({ recordedAsOf: last }))).not.toBe('stances_current');
    await store.stop();
  });

  it('followed event by event, it equals one built in one go, table by table', async () => {
    const f = ledgerFixture();
    const live = await ReadStore.follow(f.store, { location: 'memory' });
    await richHistory(f.store);
    const last = (await f.store.readAll()).at(-1)!;
    expect(await live.waitFor(last.id)).toBe(true);
    const built = await ReadStore.follow(f.store, { location: 'memory' });
    for (const table of COMPARED_TABLES) {
      const rows = (s: ReadStore) => [...s.currentTables().tableRows(table)];
      expect(rows(live).length).toBeGreaterThan(table.table === 'unreadable' ? -1 : 0);
      expect([table.table, rows(live)]).toEqual([table.table, rows(built)]);
    }
    // the current view's search index holds the current stances, no other: kept row by row live, built in one pass
    for (const s of [live, built]) {
      const ids = (sql: string) => s.currentTables().db.prepare(sql).pluck().all();
      const current = ids('SELECT id FROM stances WHERE rec_to IS NULL AND biz_to IS NULL ORDER BY id');
      expect(current.length).toBeGreaterThan(1);
      expect(ids('SELECT rowid FROM current_search ORDER BY rowid')).toEqual(current);
    }
    expectSameAnswers(await f.rebuild(), live);
    expectSameVersions(await f.rebuild(), live, [1, 6]);
    await live.stop();
    await built.stop();
  });

  it('followed with its positions read back from the file, and with streams recorded out of time order, it equals one built in one go', async () => {
    const f = await richHistory();
    // recorded before the stream's last event, then at the instant of its latest: both refold the stream from scratch
    await f.at('2022-08-01T10:00:00Z', { type: 'EndorsePosition', positionId: 'cities-1', data: { revision: 1, endorsedBy: 'WG', decidedOn: '2008' } });
    await f.at('2022-07-15T10:00:00Z', {
      type: 'RevisePosition',
      positionId: 'cities-1',
      data: reviseBody({ statement: 'Cities learn together.', decidedOn: '2010' }),
    });
    await f.at('2022-08-01T10:00:00Z', {
      type: 'RevisePosition',
      positionId: 'cities-1',
      data: { ...reviseBody({ statement: 'Cities learn, 2015.', decidedOn: '2015' }), relatesTo: [{ positionId: 'national-2', kind: 'responds-to' }] },
    });
    const events = await f.store.readAll();
    const built = rebuildTables(events);
    for (const followedPositions of [0, 4096]) {
      const live = new ReadStoreTables(':memory:', { followedPositions });
      for (const e of events) live.applyBatch([e]);
      expect([followedPositions, compareTables(built, live)]).toEqual([followedPositions, []]);
      // refolded streams' rows deleted and written again: the current view's search index follows them
      const ids = (sql: string) => live.db.prepare(sql).pluck().all();
      expect(ids('SELECT rowid FROM current_search ORDER BY rowid')).toEqual(ids('SELECT id FROM stances WHERE rec_to IS NULL AND biz_to IS NULL ORDER BY id'));
      live.close();
    }
    const store = await ReadStore.follow(f.store, { location: 'memory' });
    expectSameAnswers(await f.rebuild(), store);
    // 12 shares the instant of 11, 13 was recorded before both, and 14 at their instant again
    expectSameVersions(await f.rebuild(), store, [1, 6, 11, 12, 13]);
    await store.stop();
    built.close();
  });

  it('pages follow the cursor through every match, the same on both read models', async () => {
    const f = await richHistory();
    const oracle = await LedgerProjection.rebuild(f.store);
    const store = await ReadStore.follow(f.store, { location: 'memory' });
    for (const model of [oracle, store]) {
      const whole = model.timelinePage({}).items;
      const paged = [];
      let cursor: string | undefined;
      do {
        const page = model.timelinePage({}, { limit: 2, cursor });
        expect(page.total).toBe(whole.length);
        paged.push(...page.items);
        cursor = page.next ?? undefined;
      } while (cursor);
      expect(paged).toEqual(whole);
      const first = model.positionPage({}, { limit: 2 });
      expect(first.items.map((s) => s.id)).toEqual(['cities-1', 'eu-4']);
      expect(model.positionPage({}, { limit: 2, cursor: first.next! }).items.map((s) => s.id)).toEqual(['national-2']);
    }
    await store.stop();
  });
});

describe('the read store on disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const countingReads = (store: EventStore) => {
    const reads: { after?: string; maxCount?: number }[] = [];
    const readAll = store.readAll.bind(store);
    store.readAll = async (options = {}) => {
      reads.push(options);
      return readAll(options);
    };
    return reads;
  };

  it('starts from its checkpoint: only the events recorded since are read', async () => {
    const store = new SqliteEventStore(join(dir, 'ledger.db'));
    const f = await richHistory(store);
    const location = { dir: join(dir, 'read-model') };
    const first = await ReadStore.follow(store, { location });
    const reached = first.version();
    await first.stop();
    // at the instant of the last decision the first one applied: version 11 is then unclear, which only the file can tell
    await f.at('2022-08-01T10:00:00Z', { type: 'RevisePosition', positionId: 'eu-4', data: reviseBody({ statement: 'Text of 2020.', decidedOn: '2020' }) });
    await f.at('2023-01-01T10:00:00Z', { type: 'EndorsePosition', positionId: 'cities-1', data: { revision: 1, endorsedBy: 'WG', decidedOn: '2008' } });
    const reads = countingReads(store);
    const second = await ReadStore.follow(store, { location });
    // the only read from the start is of the first event (which ledger is this?)
    expect(reads.filter((r) => r.after === undefined)).toEqual([{ maxCount: 1 }]);
    expect(reads.map((r) => r.after)).toContain(reached.lastPosition);
    expect(second.position('cities-1')!.status).toBe('endorsed');
    expectSameAnswers(await f.rebuild(), second);
    expectSameVersions(await f.rebuild(), second, [1, 6, 11]);
    await second.stop();
    await store.close();
  });

  it('rebuilds at start when its projections are of another version, or it follows another ledger', async () => {
    const location = { dir: join(dir, 'read-model') };
    const storeA = new SqliteEventStore(join(dir, 'a.db'));
    await richHistory(storeA);
    const a = await ReadStore.follow(storeA, { location });
    a.currentTables().db.prepare("UPDATE meta SET value = '0' WHERE key = 'projectionVersion'").run();
    await a.stop();
    const reasons: string[] = [];
    const again = await ReadStore.follow(storeA, { location, onRebuild: (r) => reasons.push(r) });
    expect(again.currentTables().isCurrentVersion()).toBe(true);
    await again.stop();
    const storeB = new SqliteEventStore(join(dir, 'b.db'));
    const fB = ledgerFixture(storeB);
    await fB.at('2021-01-01T10:00:00Z', documents.recommendations);
    const b = await ReadStore.follow(storeB, { location, onRebuild: (r) => reasons.push(r) });
    expect(reasons).toEqual([expect.stringContaining('projections changed'), expect.stringContaining('another ledger')]);
    expect(b.positionPage({}).total).toBe(0);
    // each stale generation was removed once its successor was current
    expect(readdirSync(location.dir).filter((n) => n.endsWith('.sqlite'))).toEqual([readFileSync(join(location.dir, 'CURRENT'), 'utf8').trim()]);
    expect(b.documentList().map((d) => d.documentId)).toEqual(['recommendations']);
    await b.stop();
    await storeA.close();
    await storeB.close();
  });

  it('a read store ahead of its ledger (the ledger replaced by an older copy) is rebuilt at start, not caught up from its checkpoint', async () => {
    const path = join(dir, 'ledger.db');
    const store = new SqliteEventStore(path);
    await richHistory(store);
    await store.close();
    copyFileSync(path, join(dir, 'older.db'));
    const newer = new SqliteEventStore(path);
    await ledgerFixture(newer).at('2023-01-01T10:00:00Z', {
      type: 'EndorsePosition',
      positionId: 'cities-1',
      data: { revision: 1, endorsedBy: 'WG', decidedOn: '2008' },
    });
    const location = { dir: join(dir, 'read-model') };
    await (await ReadStore.follow(newer, { location })).stop();
    await newer.close();
    // the older copy comes back, and records something else at the place the read store had reached
    copyFileSync(join(dir, 'older.db'), path);
    const older = new SqliteEventStore(path);
    const f = ledgerFixture(older);
    await f.at('2023-02-01T10:00:00Z', { type: 'WithdrawPosition', positionId: 'cities-1', data: { decidedOn: '2016', reason: 'replaced' } });
    const reasons: string[] = [];
    const again = await ReadStore.follow(older, { location, onRebuild: (r) => reasons.push(r) });
    expect(reasons).toEqual([
      expect.stringMatching(/^the read store is ahead of the event store: the last event it applied \(position-cities-1@2, position \d+\) is not there/),
    ]);
    expect(again.position('cities-1')).toMatchObject({ status: 'withdrawn', latestEndorsement: null });
    expectSameAnswers(await f.rebuild(), again);
    await again.stop();
    await older.close();
  });

  it('rebuild makes a fresh generation current; a following read store switches to it and keeps following', async () => {
    const store = new SqliteEventStore(join(dir, 'ledger.db'), { pollIntervalMs: 20 });
    const f = await richHistory(store);
    const location = { dir: join(dir, 'read-model') };
    const live = await ReadStore.follow(store, { location, swapCheckMs: 10 });
    const before = live.currentTables().path;
    const progress: number[] = [];
    await ReadStore.rebuild(store, location, { onProgress: (n) => progress.push(n) });
    expect(progress.at(-1)).toBe((await store.readAll()).length);
    const current = readFileSync(join(location.dir, 'CURRENT'), 'utf8').trim();
    expect(join(location.dir, current)).not.toBe(before);
    for (let i = 0; i < 100 && live.currentTables().path === before; i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(live.currentTables().path).toBe(join(location.dir, current));
    expect(readdirSync(location.dir).filter((n) => n.endsWith('.sqlite'))).toEqual([current]);
    const recorded = await f.at('2023-01-01T10:00:00Z', {
      type: 'EndorsePosition',
      positionId: 'cities-1',
      data: { revision: 1, endorsedBy: 'WG', decidedOn: '2008' },
    });
    expect(await live.waitFor(recorded.events[0]!.eventId, 2000)).toBe(true);
    expectSameAnswers(await f.rebuild(), live);
    expectSameVersions(await f.rebuild(), live, [1, 6]);
    await live.stop();
    await store.close();
  });

  it('rebuild keeps the generation it replaces only while a server follows it; with none, it is deleted at once', async () => {
    const store = new SqliteEventStore(join(dir, 'ledger.db'));
    await richHistory(store);
    const location = { dir: join(dir, 'read-model') };
    const generations = () => readdirSync(location.dir).filter((n) => /^read-model-.*\.sqlite$/.test(n));
    const current = () => readFileSync(join(location.dir, 'CURRENT'), 'utf8').trim();
    // a server that does not look for a new generation in this test's time, but says it follows
    const live = await ReadStore.follow(store, { location, swapCheckMs: 60_000 });
    const followed = current();
    await ReadStore.rebuild(store, location);
    expect(generations().sort()).toEqual([followed, current()].sort());
    expect(live.positionPage({}).total).toBeGreaterThan(0);
    await live.stop();

    await ReadStore.rebuild(store, location);
    expect(generations()).toEqual([current()]);
    // a mark left by a server that went without a word (killed) is not a server following
    writeFileSync(join(location.dir, 'follower-gone-1-1'), '1\n');
    const long = new Date(Date.now() - 2 * FOLLOWER_SILENT_MS);
    utimesSync(join(location.dir, 'follower-gone-1-1'), long, long);
    await ReadStore.rebuild(store, location);
    expect(generations()).toEqual([current()]);
    expect(readdirSync(location.dir).filter((n) => n.startsWith('follower-'))).toEqual([]);
    await store.close();
  });

  it('a server at its start removes what a killed build left, but not a build in progress, nor anything while another server follows', async () => {
    const store = new SqliteEventStore(join(dir, 'ledger.db'));
    await richHistory(store);
    const location = { dir: join(dir, 'read-model') };
    await (await ReadStore.follow(store, { location })).stop();
    const current = readFileSync(join(location.dir, 'CURRENT'), 'utf8').trim();
    const generations = () =>
      readdirSync(location.dir)
        .filter((n) => /^read-model-.*\.sqlite$/.test(n))
        .sort();
    const first = await ReadStore.follow(store, { location, swapCheckMs: 60_000 });
    // killed outright: a file cut short, and one complete but never made current
    writeFileSync(join(location.dir, 'read-model-1-1.sqlite'), 'SQLite format 3\u0000 cut short');
    copyFileSync(join(location.dir, current), join(location.dir, 'read-model-2-2.sqlite'));
    // a rebuild in progress in another connection: it holds its file's lock
    const building = new ReadStoreTables(join(location.dir, 'read-model-3-3.sqlite'), { bulk: true });
    building.applyBatch(await store.readAll());
    // while another server follows the directory, nothing is removed
    const other = await ReadStore.follow(store, { location, swapCheckMs: 60_000 });
    expect(generations()).toEqual([current, 'read-model-1-1.sqlite', 'read-model-2-2.sqlite', 'read-model-3-3.sqlite'].sort());
    await other.stop();
    await first.stop();
    const server = await ReadStore.follow(store, { location });
    expect(generations()).toEqual([current, 'read-model-3-3.sqlite'].sort());
    expect(server.positionPage({}).total).toBeGreaterThan(0);
    await server.stop();
    // what cannot be removed (here a directory under a generation's name) is left, and the server starts all the same
    mkdirSync(join(location.dir, 'read-model-4-4.sqlite'));
    await (await ReadStore.follow(store, { location })).stop();
    expect(generations()).toEqual([current, 'read-model-3-3.sqlite', 'read-model-4-4.sqlite'].sort());
    rmSync(join(location.dir, 'read-model-4-4.sqlite'), { recursive: true });
    // the build killed in its turn: gone at the next start
    building.close();
    await (await ReadStore.follow(store, { location })).stop();
    expect(generations()).toEqual([current]);
    await store.close();
  });

  it('a rebuild stopped or failed leaves the current generation as it was and removes its own file, whether stopped among the events, at the indexes, or failing', async () => {
    const store = new SqliteEventStore(join(dir, 'ledger.db'));
    await richHistory(store);
    const location = { dir: join(dir, 'read-model') };
    await ReadStore.rebuild(store, location);
    const current = readFileSync(join(location.dir, 'CURRENT'), 'utf8').trim();
    const files = () => readdirSync(location.dir).sort();
    const before = files();

    // a signal is heard on a turn of the event loop, as Ctrl-C's is, even though SQLite reads synchronously
    const amongEvents = new AbortController();
    const signalled = () => setImmediate(() => amongEvents.abort('SIGINT'));
    await expect(ReadStore.rebuild(store, location, { signal: amongEvents.signal, onProgress: signalled })).rejects.toBe('SIGINT');
    expect(files()).toEqual(before);
    const atIndexes = new AbortController();
    await expect(ReadStore.rebuild(store, location, { signal: atIndexes.signal, onIndexing: () => atIndexes.abort('SIGTERM') })).rejects.toBe('SIGTERM');
    expect(files()).toEqual(before);
    const failing: EventStore = Object.assign(Object.create(store) as EventStore, {
      readAll: () => Promise.reject(new Error('the disk went away')),
    });
    await expect(ReadStore.rebuild(failing, location)).rejects.toThrow('the disk went away');
    expect(files()).toEqual(before);
    expect(readFileSync(join(location.dir, 'CURRENT'), 'utf8').trim()).toBe(current);
    await store.close();
  });
});

describe('verify, table by table', () => {
  it('finds a row of the live read store that no event gives, and nothing in a clean one', async () => {
    const f = await richHistory();
    const live = await ReadStore.follow(f.store, { location: 'memory' });
    const events = await f.store.readAll();
    expect(live.tableDrift(events)).toEqual([]);
    live.currentTables().db.prepare("UPDATE stances SET status = 'endorsed' WHERE position_id = 'national-2' AND rec_to IS NULL AND biz_to IS NULL").run();
    live.currentTables().db.prepare("DELETE FROM citations WHERE position_id = 'cities-1'").run();
    const drift = live.tableDrift(events);
    expect(drift[0]).toMatch(/^read store table stances, row \d+: live .*"endorsed".*from the events .*"withdrawn"/);
    expect(drift[1]).toMatch(/^read store table citations, row \d+: live .*, from the events \["recommendations","cities-1"\]/);
    expect(drift.every((d) => /^read store table (stances|citations|current_counts|citation_counts),/.test(d))).toBe(true);
    await live.stop();
  });
});

describe('verify, table by table, in slices', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-drift-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('compares the tables as they were when asked, while the live read store goes on applying new events', async () => {
    const store = new SqliteEventStore(join(dir, 'ledger.db'));
    const f = await richHistory(store);
    const live = await ReadStore.follow(store, { location: { dir: join(dir, 'read-model') } });
    const events = await store.readAll();
    const steps = live.tableDriftSteps(events);
    // recorded and applied after the steps were made, before they run (as verify's slices let happen)
    const recorded = await f.at('2023-01-01T10:00:00Z', {
      type: 'EndorsePosition',
      positionId: 'cities-1',
      data: { revision: 1, endorsedBy: 'WG', decidedOn: '2008' },
    });
    expect(await live.waitFor(recorded.events[0]!.eventId, 2000)).toBe(true);
    let slices = 0;
    let next = steps.next();
    for (; !next.done; next = steps.next()) slices += 1;
    expect(next.value).toEqual([]);
    expect(slices).toBeGreaterThan(1);
    // asked now, the same events no longer match the tables: the store has moved on
    expect(live.tableDrift(events).length).toBeGreaterThan(0);
    await live.stop();
    await store.close();
  });
});
