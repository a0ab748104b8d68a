import type Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLedger } from '../../bench/read-model/generate-ledger';
import { LedgerProjection } from '../../src/projections/ledger-projection';
import { encodeCursor, TOTAL_CAP, type PositionQuery, type TimelineQuery } from '../../src/projections/read-model';
import { ReadStore } from '../../src/projections/read-store/read-store';
import { QUERY_LIMITS } from '../../src/projections/read-store/tables';
import { SqliteEventStore } from '../../src/store/sqlite-store';

/**
 * How the read store answers, not how fast: on a generated ledger of a thousand positions, each
 * list's first page is read from an index (never a scan of a table), a selective condition seeks
 * the few rows it names, and totals stop counting at TOTAL_CAP except where maintained counts
 * give them. The answers are the in-memory projection's.
 */
const POSITIONS = TOTAL_CAP + 2;
let dir: string;
let store: SqliteEventStore;
let readStore: ReadStore;
let oracle: LedgerProjection;
/** every statement the read store prepared while answering (each is prepared once per shape) */
let prepared: string[];
let explain: (sql: string) => string[];
/** an instant before the last decision, late in the history (from the last decision on, the current view answers) */
let late: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ledger-plans-'));
  generateLedger(join(dir, 'ledger.db'), 100 + POSITIONS * 5);
  store = new SqliteEventStore(join(dir, 'ledger.db'), { access: 'existing' });
  readStore = await ReadStore.follow(store, { location: { dir: join(dir, 'read-model') }, swapCheckMs: 0 });
  oracle = await LedgerProjection.rebuild(store);
  const recorded = (await store.readAll()).map((e) => Date.parse((e.metadata as { recordedAt: string }).recordedAt));
  late = new Date(Math.max(...recorded) - 1).toISOString();
  const db = readStore.currentTables().db;
  const prepare = db.prepare.bind(db);
  // the plan does not depend on the values bound (each statement's shape fixes its index)
  explain = (sql) => {
    const statement = prepare(`EXPLAIN QUERY PLAN ${sql}`);
    const named = sql.match(/@\w+/g);
    const rows = named
      ? statement.all(Object.fromEntries(named.map((p) => [p.slice(1), null])))
      : statement.all(...Array.from(sql.matchAll(/\?/g), () => null));
    return (rows as { detail: string }[]).map((r) => r.detail);
  };
  prepared = [];
  jest.spyOn(db, 'prepare').mockImplementation(((sql: string) => {
    prepared.push(sql);
    return prepare(sql);
  }) as typeof db.prepare);
}, 60_000);

afterAll(async () => {
  await readStore.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * From now on, every statement the read store prepares is recorded (as plansOf reads them) and
 * handed to `wrap` first; the statements it had prepared are forgotten, so each is prepared again.
 */
function watchStatements(wrap: (sql: string, statement: Database.Statement) => void): void {
  const db = readStore.currentTables().db;
  const prepare = (Object.getPrototypeOf(db) as typeof db).prepare;
  (readStore.currentTables() as unknown as { prepared: Map<string, unknown> }).prepared.clear();
  jest.spyOn(db, 'prepare').mockImplementation(function (this: typeof db, sql: string) {
    prepared.push(sql);
    const statement = prepare.call(this, sql);
    wrap(sql, statement);
    return statement;
  } as typeof db.prepare);
}

/** The plan SQLite chose for every statement prepared while `ask` ran. */
function plansOf(ask: () => void): string[][] {
  prepared = [];
  // statements are prepared once per shape: forget them, so each is prepared (and seen) again
  (readStore.currentTables() as unknown as { prepared: Map<string, unknown> }).prepared.clear();
  ask();
  expect(prepared.length).toBeGreaterThan(0);
  return prepared.map(explain);
}

/**
 * A plan line that reads a whole table (rather than an index range or a walk a LIMIT stops). The
 * page of row ids a list query picks, the maintained counts (a row per combination of status,
 * themes and addressees, however many events), `r`, the rows of a recording-time range a search
 * counts its matches in (LIMIT QUERY_LIMITS.countRange), and `seek`, the rows of the few texts a
 * search word is in (at most QUERY_LIMITS.textSeek), are small by construction; `d`, the documents,
 * is the document list itself (one row per source document, listed whole).
 */
const fullScan = (line: string) => /^SCAN (?!page\b|current_counts\b|r\b|seek\b|d\b)\w+$/.test(line) || /^SCAN \w+ USING (?!.*INDEX)/.test(line);

const readsKeptTexts = (sql: string) => sql.includes('CROSS JOIN texts t ON t.id = page.value');

const positionQueries: PositionQuery[] = [
  {},
  { theme: 'governance', addressee: 'cities' },
  { status: 'endorsed' },
  { q: 'housing' },
  { q: 'housing', asOf: '2010' },
  { q: 'zzznothing' },
  { asOf: '2010' },
  { asOf: '2005' },
  { recordedAsOf: '2024-01-01T00:30:00.000Z' },
  { recordedAsOf: '2030-01-01T00:00:00.000Z', asOf: '2010' },
  { recordedAsOf: '2023-01-01T00:00:00.000Z' },
];
const timelineQueries: TimelineQuery[] = [
  {},
  { from: '2011', to: '2014' },
  { q: 'reception', addressee: 'cities' },
  { recordedAsOf: '2024-01-01T00:30:00.000Z' },
  { from: '2008', to: '2008', theme: 'governance' },
];

describe('the read store at a thousand positions', () => {
  it('answers every list as the in-memory projection does, first page and total', () => {
    for (const query of positionQueries) {
      const page = readStore.positionPage(query, { limit: 50 });
      const expected = oracle.positionPage(query, { limit: 50 });
      expect([query, page.items.map((s) => s.id), page.total, page.totalCapped, page.next]).toEqual([
        query,
        expected.items.map((s) => s.id),
        expected.total,
        expected.totalCapped,
        expected.next,
      ]);
    }
    for (const query of timelineQueries) {
      const page = readStore.timelinePage(query, { limit: 50 });
      const expected = oracle.timelinePage(query, { limit: 50 });
      expect([query, page.items, page.total, page.totalCapped]).toEqual([query, expected.items, expected.total, expected.totalCapped]);
    }
  });

  it('counts the current positions exactly beyond the cap, and stops counting at the cap elsewhere', () => {
    expect(readStore.positionPage({}, { limit: 1 })).toMatchObject({ total: POSITIONS, totalCapped: false });
    expect(readStore.positionPage({ status: 'endorsed' }, { limit: 1 })).toMatchObject({ total: POSITIONS, totalCapped: false });
    expect(readStore.positionPage({ asOf: '2010' }, { limit: 1 })).toMatchObject({ total: TOTAL_CAP, totalCapped: true });
    expect(readStore.timelinePage({}, { limit: 1 })).toMatchObject({ total: TOTAL_CAP, totalCapped: true });
    expect(readStore.positionPage({ asOf: '2005' }, { limit: 1 })).toMatchObject({ total: 0, totalCapped: false });
    const documents = readStore.documentList();
    expect(documents.reduce((n, d) => n + d.citedByCount, 0)).toBe(POSITIONS);
    expect(documents.every((d) => d.citedBy.length <= 10)).toBe(true);
  });

  it('counts a list as recorded by an instant along the recording-time index, no further than its row cap: then a total that is at least what was counted', () => {
    const limits = { ...QUERY_LIMITS };
    // a common word is walked (textSeek), its texts tested as they come
    Object.assign(QUERY_LIMITS, { countRange: 200, textSeek: 10 });
    try {
      const queries: [string, () => { total: number; totalCapped: boolean; items: unknown[] }, () => { total: number; items: unknown[] }][] = [
        ['late', () => readStore.positionPage({ recordedAsOf: late }, { limit: 20 }), () => oracle.positionPage({ recordedAsOf: late }, { limit: 20 })],
        [
          'as of 2010',
          () => readStore.positionPage({ recordedAsOf: late, asOf: '2010' }, { limit: 20 }),
          () => oracle.positionPage({ recordedAsOf: late, asOf: '2010' }, { limit: 20 }),
        ],
        [
          'search',
          () => readStore.positionPage({ q: 'position', recordedAsOf: late }, { limit: 20 }),
          () => oracle.positionPage({ q: 'position', recordedAsOf: late }, { limit: 20 }),
        ],
        ['timeline', () => readStore.timelinePage({ recordedAsOf: late }, { limit: 20 }), () => oracle.timelinePage({ recordedAsOf: late }, { limit: 20 })],
      ];
      for (const [name, page, expected] of queries) {
        const [got, want] = [page(), expected()];
        // the same page; counting stopped after 200 rows of the range: fewer than every match, yet at least the page's
        expect([name, got.items]).toEqual([name, want.items]);
        expect([name, got.totalCapped, got.total >= got.items.length, got.total <= 200, got.total < want.total]).toEqual([name, true, true, true, true]);
      }
      // an early instant's range is shorter than the cap: counted exactly
      const early = { recordedAsOf: '2024-01-01T00:01:00.000Z' };
      expect(readStore.positionPage(early, { limit: 5 })).toMatchObject({ total: oracle.positionPage(early, { limit: 5 }).total, totalCapped: false });
    } finally {
      Object.assign(QUERY_LIMITS, limits);
    }
  });

  it('a search as recorded by an instant, its range short, gathers what the other conditions keep and tests their texts: the same pages, an exact total, no walk', () => {
    const limits = { ...QUERY_LIMITS };
    // neither the recording-time range nor the word is few enough to seek: the list would be walked in position order
    Object.assign(QUERY_LIMITS, { seek: 10, textSeek: 10 });
    try {
      const queries: PositionQuery[] = [
        { q: 'housing', theme: 'governance', recordedAsOf: late },
        { q: 'position', recordedAsOf: '2024-01-01T00:30:00.000Z' },
        { q: 'housing', status: 'withdrawn', recordedAsOf: late },
      ];
      for (const query of queries) {
        const want = oracle.positionPage(query, { limit: 7 });
        const got = readStore.positionPage(query, { limit: 7 });
        expect([query, got.items.map((s) => s.id), got.total, got.totalCapped, got.next]).toEqual([
          query,
          want.items.map((s) => s.id),
          want.total,
          false,
          want.next,
        ]);
        if (want.next) {
          const [second, expected] = [
            readStore.positionPage(query, { limit: 7, cursor: got.next! }),
            oracle.positionPage(query, { limit: 7, cursor: want.next }),
          ];
          expect([query, second.items.map((s) => s.id), second.total]).toEqual([query, expected.items.map((s) => s.id), expected.total]);
        }
        const plans = plansOf(() => readStore.positionPage(query, { limit: 7 }));
        expect([query, plans.some((p) => p.some((line) => line.includes('stances_over_time')))]).toEqual([query, false]);
        // the stances open in business time, from their own recording-time index
        expect([query, plans.some((p) => p.some((line) => line.includes('stances_recorded_open')))]).toEqual([query, true]);
        // the kept rows' texts are tested by the search index, among their range of ids, not read here one by one
        expect([query, prepared.some((sql) => sql.includes('MATCH @q AND rowid BETWEEN')), prepared.some(readsKeptTexts)]).toEqual([query, true, false]);
      }
      // kept texts spread over too wide a range of ids: read and tested here, with the same page
      Object.assign(QUERY_LIMITS, { textRange: 0 });
      const spread: PositionQuery = { q: 'housing', theme: 'governance', recordedAsOf: late };
      const got = readStore.positionPage(spread, { limit: 7 });
      const want = oracle.positionPage(spread, { limit: 7 });
      expect([got.items.map((s) => s.id), got.total]).toEqual([want.items.map((s) => s.id), want.total]);
      plansOf(() => readStore.positionPage(spread, { limit: 7 }));
      expect(prepared.some(readsKeptTexts)).toBe(true);
      Object.assign(QUERY_LIMITS, { textRange: limits.textRange });
      // more rows kept than it tests at once: the list is walked, as before, with the same page
      Object.assign(QUERY_LIMITS, { gathered: 5 });
      const query: PositionQuery = { q: 'position', recordedAsOf: '2024-01-01T00:30:00.000Z' };
      expect(readStore.positionPage(query, { limit: 7 }).items.map((s) => s.id)).toEqual(oracle.positionPage(query, { limit: 7 }).items.map((s) => s.id));
      expect(plansOf(() => readStore.positionPage(query, { limit: 7 })).some((p) => p.some((line) => line.includes('stances_over_time')))).toBe(true);
    } finally {
      Object.assign(QUERY_LIMITS, limits);
    }
  });

  it('counts the positions of a view by status, theme and addressee as the in-memory projection does', () => {
    const views = [
      {},
      { asOf: '2010' },
      { asOf: '2005' },
      { recordedAsOf: '2024-01-01T00:30:00.000Z' },
      { recordedAsOf: '2030-01-01T00:00:00.000Z', asOf: '2010' },
    ];
    for (const view of views) expect([view, readStore.positionCounts(view)]).toEqual([view, oracle.positionCounts(view)]);
    expect(readStore.positionCounts().total).toBe(POSITIONS);
  });

  it('reads every list from an index: no statement scans a whole table', () => {
    const asked: [string, string[][]][] = [
      ...positionQueries.map((q) => [JSON.stringify(q), plansOf(() => readStore.positionPage(q, { limit: 50 }))] as [string, string[][]]),
      ...timelineQueries.map((q) => [`timeline ${JSON.stringify(q)}`, plansOf(() => readStore.timelinePage(q, { limit: 50 }))] as [string, string[][]]),
      ['documents', plansOf(() => readStore.documentList())],
      ['counts', plansOf(() => readStore.positionCounts())],
      ['counts as of', plansOf(() => readStore.positionCounts({ asOf: '2010' }))],
      ['counts recorded', plansOf(() => readStore.positionCounts({ recordedAsOf: '2024-01-01T00:30:00.000Z' }))],
      ['one document', plansOf(() => readStore.document('doc-7', {}, { limit: 50 }))],
      ['one position', plansOf(() => readStore.position('p-77', { asOf: '2009' }))],
      ['one position, recorded', plansOf(() => readStore.position('p-77', { recordedAsOf: '2024-01-01T00:30:00.000Z' }))],
      ['related', plansOf(() => readStore.relatedFrom('p-77'))],
      ['one timeline', plansOf(() => readStore.positionTimeline('p-77'))],
    ];
    for (const [name, plans] of asked) for (const plan of plans) expect([name, plan.filter(fullScan)]).toEqual([name, []]);
  });

  it('walks and seeks the lists along covering indexes: no table row read for an entry passed', () => {
    const tableRowPerEntry = (line: string) => /USING INDEX (stances|timeline)_/.test(line) && !line.includes('COVERING');
    const asked: [string, string[][]][] = [
      ...positionQueries.map((q) => [JSON.stringify(q), plansOf(() => readStore.positionPage(q, { limit: 50 }))] as [string, string[][]]),
      ...timelineQueries.map((q) => [`timeline ${JSON.stringify(q)}`, plansOf(() => readStore.timelinePage(q, { limit: 50 }))] as [string, string[][]]),
    ];
    for (const [name, plans] of asked) for (const plan of plans) expect([name, plan.filter(tableRowPerEntry)]).toEqual([name, []]);
    // the stances a search of the current view names are looked up in an index of the current ones, not read from the table by id
    const limits = { ...QUERY_LIMITS };
    Object.assign(QUERY_LIMITS, { textSeek: 1_000_000 });
    try {
      plansOf(() => readStore.positionPage({ q: 'housing' }, { limit: 50 }));
      const seek = prepared.find((sql) => sql.startsWith('SELECT id, n FROM') && sql.includes('current_search MATCH @q'));
      expect(explain(seek!).filter((line) => /^SEARCH v\b/.test(line))).toEqual(['SEARCH v USING COVERING INDEX stances_current_by_id (id=?)']);
    } finally {
      Object.assign(QUERY_LIMITS, limits);
    }
  });

  it('answers a cited version from the tables as the in-memory projection does: no decision folded, no table scanned', () => {
    const limits = { ...QUERY_LIMITS };
    const folds = jest.spyOn(readStore.currentTables(), 'decisionsUpTo');
    try {
      for (const version of [150, 2500, oracle.version().version]) {
        const asked: [string, (model: typeof oracle | typeof readStore) => unknown][] = [
          ['positions', (m) => m.positionPage({ version }, { limit: 50 })],
          ['search', (m) => m.positionPage({ version, q: 'housing' }, { limit: 50 }).items],
          ['timeline', (m) => m.timelinePage({ version }, { limit: 50 }).items],
          ['documents', (m) => m.documentList({ version })],
          ['one document', (m) => m.document('doc-7', { version }, { limit: 5 })],
          ['one position', (m) => m.position('p-77', { version })],
          ['counts', (m) => m.positionCounts({ version })],
        ];
        for (const [name, ask] of asked) {
          const expected = ask(oracle);
          // a document's citations as of the version read whole and sorted, then walked and counted from today's
          for (const citationSeek of name.includes('document') ? [500, 3] : [500]) {
            Object.assign(QUERY_LIMITS, { citationSeek });
            expect([version, name, citationSeek, ask(readStore)]).toEqual([version, name, citationSeek, expected]);
            for (const plan of plansOf(() => void ask(readStore))) expect([version, name, plan.filter(fullScan)]).toEqual([version, name, []]);
          }
        }
        expect(readStore.version(version)).toEqual(oracle.version(version));
      }
      expect(folds).not.toHaveBeenCalled();
    } finally {
      Object.assign(QUERY_LIMITS, limits);
      folds.mockRestore();
    }
  });

  it('a search word found in few texts counts its rows as it sorts them, in one statement: every page and total as the in-memory projection gives', () => {
    const limits = { ...QUERY_LIMITS };
    // a common word, sought as a rare one is: many pages
    Object.assign(QUERY_LIMITS, { textSeek: 1_000_000 });
    try {
      const queries: [string, () => void][] = [];
      for (const query of [{ q: 'housing' }, { q: 'housing', asOf: '2010' }, { q: 'housing', recordedAsOf: '2024-01-01T00:30:00.000Z' }] as PositionQuery[]) {
        let [cursor, expected] = [undefined as string | undefined, undefined as string | null | undefined];
        let pages = 0;
        do {
          const got = readStore.positionPage(query, { limit: 40, cursor });
          const want = oracle.positionPage(query, { limit: 40, cursor: expected ?? undefined });
          expect([query, pages, got.items.map((s) => s.id), got.total, got.totalCapped]).toEqual([
            query,
            pages,
            want.items.map((s) => s.id),
            want.total,
            want.totalCapped,
          ]);
          [cursor, expected] = [got.next ?? undefined, want.next];
          pages += 1;
        } while (cursor !== undefined);
        expect([query, pages > 1]).toEqual([query, true]);
        queries.push([JSON.stringify(query), () => readStore.positionPage(query, { limit: 40 })]);
      }
      const timeline: TimelineQuery = { q: 'reception', addressee: 'cities' };
      expect(readStore.timelinePage(timeline, { limit: 40 }).total).toBe(oracle.timelinePage(timeline, { limit: 40 }).total);
      queries.push(['timeline', () => readStore.timelinePage(timeline, { limit: 40 })]);
      for (const [name, ask] of queries) {
        const plans = plansOf(ask);
        // a seek, and one statement reading its rows (none counting them apart)
        expect([name, prepared.filter((sql) => /FROM (stances v|timeline e)\b/.test(sql) && sql.includes('MATCH @q')).length]).toEqual([name, 1]);
        expect([name, plans.some((p) => p.some((line) => /_by_text|current_search/.test(line)))]).toEqual([name, true]);
      }
      // a cursor past the last match: no row to read the count from, still the total
      const last = readStore.positionPage({ q: 'housing' }, { limit: 10_000 }).items.at(-1)!;
      const past = readStore.positionPage({ q: 'housing' }, { limit: 10, cursor: encodeCursor('positions', [last.id]) });
      expect([past.items, past.total]).toEqual([[], oracle.positionPage({ q: 'housing' }).total]);
    } finally {
      Object.assign(QUERY_LIMITS, limits);
    }
  });

  it('seeks the few rows a selective condition names instead of walking every position', () => {
    const uses = (plans: string[][], index: string) => plans.some((p) => p.some((line) => line.includes(index)));
    expect(
      uses(
        plansOf(() => readStore.positionPage({ q: 'zzznothing' }, { limit: 50 })),
        'current_search',
      ),
    ).toBe(true);
    expect(
      uses(
        plansOf(() => readStore.positionPage({ asOf: '2005' }, { limit: 50 })),
        'stances_known_from',
      ),
    ).toBe(true);
    expect(
      uses(
        plansOf(() => readStore.positionPage({ recordedAsOf: '2023-01-01T00:00:00.000Z' }, { limit: 50 })),
        'stances_recorded',
      ),
    ).toBe(true);
    expect(
      uses(
        plansOf(() => readStore.timelinePage({ recordedAsOf: '2024-01-01T00:00:10.000Z' }, { limit: 50 })),
        'timeline_recorded',
      ),
    ).toBe(true);
    // a late instant: more rows than a seek sorts, so the list's own order is walked
    const limits = { ...QUERY_LIMITS };
    Object.assign(QUERY_LIMITS, { seek: 2000 });
    try {
      expect(
        uses(
          plansOf(() => readStore.positionPage({ recordedAsOf: late }, { limit: 50 })),
          'stances_over_time',
        ),
      ).toBe(true);
    } finally {
      Object.assign(QUERY_LIMITS, limits);
    }
  });

  it('tells whether an instant or a date is early enough to seek from the index row at the cap, without counting the range: the plan counting chose, at the bound and on either side', () => {
    const limits = { ...QUERY_LIMITS };
    Object.assign(QUERY_LIMITS, { seek: 200 });
    const db = readStore.currentTables().db;
    // the index the page's row ids are read from
    const pagedFrom = (table: 'stances' | 'timeline') => {
      const alias = table === 'stances' ? 'v' : 'e';
      return /INDEXED BY (\w+)/.exec(prepared.find((sql) => sql.startsWith(`SELECT ${alias}.id FROM ${table} ${alias} INDEXED BY`)) ?? '')?.[1];
    };
    const countsRange = (from: string) => prepared.some((sql) => sql.includes(`SELECT 1 FROM ${from}`));
    // the page is read from the seek's index when its range has few rows, else from the walk's; the range is never counted
    const expectChosen = (label: string, ask: () => unknown, table: 'stances' | 'timeline', few: boolean, seek: string, walk: string) => {
      plansOf(() => void ask());
      expect([label, pagedFrom(table), countsRange(`${table} INDEXED BY ${seek}`)]).toEqual([label, few ? seek : walk, false]);
    };
    try {
      const recorded = db.prepare('SELECT rec_from FROM stances ORDER BY rec_from LIMIT 1 OFFSET 200').pluck().get() as number;
      const seen: boolean[] = [];
      for (const ms of [recorded - 1, recorded, recorded + 1]) {
        const rows = (db.prepare('SELECT count(*) FROM stances WHERE rec_from <= ?').pluck().get(ms) as number) <= 200;
        seen.push(rows);
        const timelineRows = (db.prepare('SELECT count(*) FROM timeline WHERE rec_from <= ?').pluck().get(ms) as number) <= 200;
        const recordedAsOf = new Date(ms).toISOString();
        expectChosen(recordedAsOf, () => readStore.positionPage({ recordedAsOf }, { limit: 50 }), 'stances', rows, 'stances_recorded', 'stances_over_time');
        expectChosen(
          recordedAsOf,
          () => readStore.timelinePage({ recordedAsOf }, { limit: 50 }),
          'timeline',
          timelineRows,
          'timeline_recorded',
          'timeline_order',
        );
        expect(readStore.positionPage({ recordedAsOf }, { limit: 50 })).toEqual(oracle.positionPage({ recordedAsOf }, { limit: 50 }));
      }
      // business days are shared by many rows: the bound is the day at the cap, ties and all
      const known = db.prepare('SELECT biz_from FROM stances WHERE rec_to IS NULL ORDER BY biz_from LIMIT 1 OFFSET 200').pluck().get() as string;
      const dayBefore = new Date(Date.parse(`${known}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
      for (const asOf of [dayBefore, known]) {
        const rows = (db.prepare('SELECT count(*) FROM stances WHERE rec_to IS NULL AND biz_from <= ?').pluck().get(asOf) as number) <= 200;
        seen.push(rows);
        expectChosen(asOf, () => readStore.positionPage({ asOf }, { limit: 50 }), 'stances', rows, 'stances_known_from', 'stances_as_known');
        expect(readStore.positionPage({ asOf }, { limit: 50 })).toEqual(oracle.positionPage({ asOf }, { limit: 50 }));
      }
      // both sides of each bound were met
      expect(seen).toEqual([true, false, false, true, false]);
      // with a search word beside it, the seeks are weighed by their counts as before
      plansOf(() => readStore.positionPage({ q: 'housing', recordedAsOf: new Date(recorded - 1).toISOString() }, { limit: 50 }));
      expect(countsRange('stances INDEXED BY stances_recorded')).toBe(true);
    } finally {
      Object.assign(QUERY_LIMITS, limits);
    }
  });

  it('lists every document with its first citing positions in one statement, as the in-memory projection does', () => {
    const run: string[] = [];
    watchStatements((sql, statement) => {
      const all = statement.all.bind(statement) as (...params: unknown[]) => unknown[];
      statement.all = ((...params: unknown[]) => (run.push(sql), all(...params))) as typeof statement.all;
    });
    try {
      expect(readStore.documentList()).toEqual(oracle.documentList());
      expect(oracle.documentList().length).toBeGreaterThan(10);
      expect(run.filter((sql) => sql.includes('FROM citations'))).toHaveLength(1);
    } finally {
      watchStatements(() => undefined);
    }
  });

  it('a search word is asked of the search index as the indexed words it begins, not as a prefix query (which reads every posting first)', () => {
    const asked: string[] = [];
    watchStatements((sql, statement) => {
      if (!sql.includes('MATCH @q')) return;
      const get = statement.get.bind(statement);
      const all = statement.all.bind(statement);
      statement.get = ((params: { q: string }) => (asked.push(params.q), get(params))) as typeof statement.get;
      statement.all = ((params: { q: string }) => (asked.push(params.q), all(params))) as typeof statement.all;
    });
    const page = readStore.positionPage({ q: 'housin cities' }, { limit: 5 });
    expect(page.items.map((s) => s.id)).toEqual(oracle.positionPage({ q: 'housin cities' }, { limit: 5 }).items.map((s) => s.id));
    expect(asked.length).toBeGreaterThan(0);
    for (const q of asked) expect(q).toBe('("housin" OR "housing") AND ("cities")');
  });

  it('a common word walks the list and tests the texts as they come: the same pages, and a total that is at least what was counted', () => {
    const limits = { ...QUERY_LIMITS };
    Object.assign(QUERY_LIMITS, { textSeek: 10, countScan: 300 });
    try {
      const queries: PositionQuery[] = [
        { q: 'housing' },
        { q: 'housing cities', asOf: '2010' },
        { q: 'HOUSING', theme: 'governance', recordedAsOf: '2024-01-01T00:30:00.000Z' },
        { q: 'position' },
      ];
      for (const query of queries) {
        let cursor: string | undefined;
        for (let pages = 0; pages < 3; pages += 1) {
          const page = readStore.positionPage(query, { limit: 20, cursor });
          const expected = oracle.positionPage(query, { limit: 20, cursor });
          expect([query, page.items.map((s) => s.id), page.next]).toEqual([query, expected.items.map((s) => s.id), expected.next]);
          expect(page.total).toBeLessThanOrEqual(expected.total);
          if (page.total < expected.total) expect(page.totalCapped).toBe(true);
          cursor = page.next ?? undefined;
        }
      }
      const timeline: TimelineQuery[] = [{ q: 'reception' }, { q: 'reception', addressee: 'cities', from: '2008' }];
      for (const query of timeline) {
        const page = readStore.timelinePage(query, { limit: 30 });
        const expected = oracle.timelinePage(query, { limit: 30 });
        expect([query, page.items, page.next]).toEqual([query, expected.items, expected.next]);
        expect(page.total).toBeLessThanOrEqual(expected.total);
      }
      // the walk reads the texts from the texts table beside the index, never the search index row by row
      const plans = plansOf(() => readStore.positionPage({ q: 'housing' }, { limit: 50 }));
      expect(plans.flat().filter((line) => line.includes('texts_search')).length).toBeLessThanOrEqual(1);
      expect(plans.flat().some((line) => line.includes('stances_current'))).toBe(true);
    } finally {
      Object.assign(QUERY_LIMITS, limits);
    }
  });
});
