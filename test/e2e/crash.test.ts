import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareSnapshots, rebuildProjection, snapshotOf } from '../../src/audit/projection-snapshot';
import { compareTables, rebuildTables } from '../../src/projections/read-store/compare-tables';
import { ReadStoreTables } from '../../src/projections/read-store/tables';
import { SqliteEventStore } from '../../src/store/sqlite-store';
import { MAIN, ROOT, ledgerCli } from '../support/ledger-cli';

/**
 * kill -9 at random moments while several writers record over HTTP, as an operator's bad day
 * would have it: every write the server acknowledged must be in the ledger exactly once, verify
 * must be clean, and the read store on disk must agree with the events. Seeded, so a failure can
 * be replayed: CRASH_SEED=<the printed seed> npx jest test/e2e/crash.test.ts
 */
const SECRETARIAT = 'crash-secretariat-token';
const AUDITOR = 'crash-auditor-token';
const WRITERS = 6;
const KILLS = 4;

/** mulberry32: a tiny seeded generator, enough to pick kill moments and operations reproducibly */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
}

/** `ledger serve` as `npm start` runs it: node itself with tsx as its loader, so SIGKILL hits the process that writes. */
function startServer(env: NodeJS.ProcessEnv): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (!m) return;
      // from here on its (request) log is only drained, so that a full pipe never stalls it
      child.stdout!.off('data', onData).resume();
      child.stderr!.off('data', onData).resume();
      resolve({ child, url: m[1]! });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => reject(new Error(`server exited (${code ?? signal}) before it listened:\n${out}`)));
  });
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

describe('kill -9 under concurrent writes', () => {
  jest.setTimeout(120_000);
  let dir: string;
  let server: Running | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-crash-'));
  });
  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await exited(server.child);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('every acknowledged write is in the ledger once, verify is clean, and the read store agrees with the events', async () => {
    const seed = process.env.CRASH_SEED ? Number(process.env.CRASH_SEED) : Math.floor(Math.random() * 2 ** 31);
    process.stdout.write(`crash test seed ${seed} (replay with CRASH_SEED=${seed})\n`);
    const random = seeded(seed);
    const ledgerPath = join(dir, 'ledger.db');
    const readModelDir = join(dir, 'read-model');
    const sourcesDir = join(dir, 'sources');
    mkdirSync(sourcesDir);
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      LEDGER_SQLITE_PATH: ledgerPath,
      LEDGER_READ_MODEL_DIR: readModelDir,
      LEDGER_SOURCES_DIR: sourcesDir,
      LEDGER_SEED_ON_START: 'false',
      LEDGER_TOKENS: `secretariat:${SECRETARIAT},auditor:${AUDITOR}`,
      LEDGER_RATE_LIMIT_PER_MINUTE: '0',
      LEDGER_CHECKPOINT_INTERVAL_MINUTES: '0',
      LEDGER_LOG_LEVEL: 'info',
    };

    // the server now, and a promise the writers wait on while it is down
    server = await startServer(env);
    let up: Promise<Running> = Promise.resolve(server);
    const post = async (path: string, body: unknown, headers: Record<string, string>): Promise<Response> => {
      for (;;) {
        const { url } = await up;
        try {
          const res = await fetch(`${url}${path}`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${SECRETARIAT}`, 'Content-Type': 'application/json', ...headers },
            body: JSON.stringify(body),
          });
          // 503: the store could not take it (a lock after a restart): nothing recorded, the same key is safe to send again
          if (res.status === 503) {
            await sleep(50);
            continue;
          }
          return res;
        } catch {
          // the connection died with the server: whether it was recorded is unknown, so the same request goes again
          await sleep(20);
        }
      }
    };

    const document = { id: 'crash-document', title: 'A document', publisher: 'EUROCITIES', issuedOn: '2010', language: 'en' };
    expect((await post('/api/documents', document, { 'Idempotency-Key': 'document' })).status).toBe(201);

    // each writer adds positions and revises its own latest one; every request with its own Idempotency-Key
    const acknowledged = new Map<string, string[]>(); // idempotency key -> the event ids the server said it recorded
    const refused: string[] = [];
    let stopping = false;
    const writer = async (w: number) => {
      let n = 0;
      let latest: { id: string; etag: string } | undefined;
      while (!stopping) {
        n += 1;
        const key = `w${w}-${n}`;
        const revise = latest !== undefined && random() < 0.4;
        const res = revise
          ? await post(
              `/api/positions/${latest!.id}/revisions`,
              {
                statement: `Revised by writer ${w}, step ${n}.`,
                decidedOn: '2012',
                source: { documentId: document.id, locator: `p. ${n}` },
                rationale: 'crash test',
              },
              { 'Idempotency-Key': key, 'If-Match': latest!.etag },
            )
          : await post(
              '/api/positions',
              {
                id: `w${w}-p${n}`,
                title: `Position ${n} of writer ${w}`,
                statement: `Statement ${n} of writer ${w}.`,
                themes: ['governance'],
                addressees: ['eu-institutions'],
                decidedOn: '2010',
                source: { documentId: document.id, locator: `p. ${n}` },
              },
              { 'Idempotency-Key': key },
            );
        if (res.status >= 200 && res.status < 300) {
          acknowledged.set(key, (res.headers.get('ledger-event-ids') ?? '').split(', ').filter(Boolean));
          latest = { id: revise ? latest!.id : `w${w}-p${n}`, etag: res.headers.get('etag')! };
        } else refused.push(`${key}: ${res.status} ${await res.text()}`);
      }
    };
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));

    // kill -9 at random moments, each after the server has taken some writes, and start it again
    const killedAt: number[] = [];
    for (let k = 0; k < KILLS; k += 1) {
      const before = acknowledged.size;
      await sleep(200 + Math.floor(random() * 800));
      for (let i = 0; i < 100 && acknowledged.size === before; i += 1) await sleep(50);
      let restarted!: (r: Running) => void;
      up = new Promise((resolve) => (restarted = resolve));
      killedAt.push(acknowledged.size);
      server.child.kill('SIGKILL');
      await exited(server.child);
      server = await startServer(env);
      restarted(server);
    }
    // writes after the last restart too, then the writers finish what they have in flight
    for (let i = 0; i < 100 && acknowledged.size === killedAt.at(-1); i += 1) await sleep(50);
    stopping = true;
    await Promise.all(writers);
    process.stdout.write(`crash test: ${KILLS} kills (after ${killedAt.join(', ')} acknowledged writes), ${acknowledged.size} acknowledged writes in all\n`);

    expect(refused).toEqual([]);
    expect(acknowledged.size).toBeGreaterThan(killedAt.at(-1)!);

    // the server's own verify, holding its read store (table by table) to a rebuild from event one
    const verified = await fetch(`${server.url}/api/audit/verify`, { headers: { Authorization: `Bearer ${AUDITOR}` } });
    const report = (await verified.json()) as { ok: boolean; problems: unknown[] };
    expect([verified.status, report.problems]).toEqual([200, []]);

    // stopped gracefully, so its read store is at the last event; then everything is read from the files
    server.child.kill('SIGTERM');
    await exited(server.child);
    const store = new SqliteEventStore(ledgerPath, { access: 'read-only' });
    const events = await store.readAll();
    await store.close();

    // every acknowledged write once: its event ids present exactly once, and no key recorded twice
    const idCount = new Map<string, number>();
    for (const e of events) idCount.set(e.id, (idCount.get(e.id) ?? 0) + 1);
    const missing = [...acknowledged].flatMap(([key, ids]) =>
      ids.length === 0
        ? [`${key}: no Ledger-Event-Ids`]
        : ids.filter((id) => idCount.get(id) !== 1).map((id) => `${key}: event ${id} present ${idCount.get(id) ?? 0} times`),
    );
    expect(missing).toEqual([]);
    const perKey = new Map<string, number>();
    for (const e of events) {
      const key = (e.metadata as { idempotencyKey?: string }).idempotencyKey;
      if (key !== undefined) perKey.set(key, (perKey.get(key) ?? 0) + 1);
    }
    expect([...perKey].filter(([, count]) => count !== 1)).toEqual([]);
    expect([...acknowledged.keys()].filter((key) => !perKey.has(key))).toEqual([]);

    // verify from the CLI, on the file
    const cli = ledgerCli(['verify'], { LEDGER_SQLITE_PATH: ledgerPath });
    expect([cli.status, cli.stderr]).toEqual([0, '']);

    // the read store on disk: at the last event, and equal to one rebuilt from event one, table by table and view by view
    const tables = new ReadStoreTables(join(readModelDir, readFileSync(join(readModelDir, 'CURRENT'), 'utf8').trim()));
    try {
      expect(tables.version().events).toBe(events.length);
      expect(tables.version().lastPosition).toBe(events.at(-1)!.position);
      const rebuilt = rebuildTables(events);
      expect(compareTables(rebuilt, tables)).toEqual([]);
      rebuilt.close();
      const live = { positions: tables.positionPage({}).items, documents: tables.documentList(), version: tables.version() };
      expect(compareSnapshots(snapshotOf(rebuildProjection(events)), live)).toEqual([]);
    } finally {
      tables.close();
    }
  });
});
