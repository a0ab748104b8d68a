import Database from 'better-sqlite3';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { composeLedger } from '../../src/app/compose';
import { loadConfig } from '../../src/app/config';
import { StoreUnavailableError, type EventStore, type NewEvent, type ExpectedRevision } from '../../src/store/event-store';
import { SqliteEventStore } from '../../src/store/sqlite-store';
import { addBody } from '../support/builders';

const SECRETARIAT = 'secretariat-token-storage';
const ROOT = join(__dirname, '../..');
const bearer = { Authorization: `Bearer ${SECRETARIAT}` };
const config = (env: NodeJS.ProcessEnv = {}) =>
  loadConfig({
    LEDGER_TOKENS: `secretariat:${SECRETARIAT}`,
    LEDGER_SEED_ON_START: 'false',
    LEDGER_RATE_LIMIT_PER_MINUTE: '0',
    LEDGER_CHECKPOINT_INTERVAL_MINUTES: '0',
    ...env,
  });
const document = { id: 'recommendations', title: 'Political recommendations', publisher: 'EUROCITIES', issuedOn: '2006', language: 'en' };

/** A store whose disk fills up and empties again on the test's word: the fault comes through the port, as from any adapter. */
class FillingDisk implements EventStore {
  readonly kind = 'sqlite';
  full = false;
  constructor(private readonly inner: SqliteEventStore) {}
  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision) {
    if (this.full) throw StoreUnavailableError.of('disk-full', 'the disk holding the ledger is full', 5);
    return this.inner.append(streamId, events, expected);
  }
  readStream: EventStore['readStream'] = (...args) => this.inner.readStream(...args);
  readAll: EventStore['readAll'] = (...args) => this.inner.readAll(...args);
  subscribeToAll: EventStore['subscribeToAll'] = (...args) => this.inner.subscribeToAll(...args);
  close = () => this.inner.close();
}

describe('storage trouble', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-storage-'));
  });
  // undone before the folder is removed (an immutable file cannot be deleted, even by root)
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const undo of cleanups.splice(0)) undo();
    rmSync(dir, { recursive: true, force: true });
  });

  it('disk full: writes are 503 with Retry-After and record nothing, /health is degraded with the reason, and both recover without a restart', async () => {
    const disk = new FillingDisk(new SqliteEventStore(':memory:', { pollIntervalMs: 20 }));
    const ledger = await composeLedger(config(), { store: disk });
    try {
      expect((await request(ledger.app).post('/api/documents').set(bearer).send(document)).status).toBe(201);
      disk.full = true;
      const refused = await request(ledger.app)
        .post('/api/positions')
        .set(bearer)
        .send(addBody({ source: { documentId: 'recommendations', locator: 'item 4' } }));
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect(refused.body).toMatchObject({ code: 'store-unavailable', detail: expect.stringMatching(/disk .* is full: nothing was recorded/) });
      const degraded = await request(ledger.app).get('/health');
      expect(degraded.status).toBe(503);
      expect(degraded.body).toMatchObject({ status: 'degraded', reason: expect.stringContaining('disk-full'), storage: { fault: { reason: 'disk-full' } } });
      expect((await request(ledger.app).get('/api/positions')).status).toBe(200);
      expect(await disk.readAll()).toHaveLength(1);

      disk.full = false;
      expect(
        (
          await request(ledger.app)
            .post('/api/positions')
            .set(bearer)
            .send(addBody({ source: { documentId: 'recommendations', locator: 'item 4' } }))
        ).status,
      ).toBe(201);
      const healthy = await request(ledger.app).get('/health');
      expect([healthy.status, healthy.body.status]).toEqual([200, 'ok']);
    } finally {
      await ledger.close();
    }
  });

  it('disk full for real in SQLite (max_page_count): the append is refused as disk-full, nothing partial, and the next one succeeds once there is room', async () => {
    const path = join(dir, 'ledger.db');
    const store = new SqliteEventStore(path);
    await store.append('s-1', [{ id: 'e-1', type: 'T', data: {}, metadata: {} }], 'no-stream');
    const db = (store as unknown as { db: Database.Database }).db;
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    const big = (id: string) => ({ id, type: 'T', data: { text: 'x'.repeat(64_000) }, metadata: {} });
    await expect(store.append('s-1', [big('e-2'), big('e-3')], 0)).rejects.toMatchObject({ name: 'StoreUnavailableError', fault: 'disk-full' });
    expect(await store.readAll()).toHaveLength(1);
    db.pragma(`max_page_count = ${pages * 100}`);
    await store.append('s-1', [big('e-2'), big('e-3')], 0);
    expect(await store.readAll()).toHaveLength(3);
    await store.close();
  });

  it('another process holding the write lock: /health and reads keep answering while a write waits; the write gets 503 when the lock is held too long, 201 when it is released in time', async () => {
    const path = join(dir, 'ledger.db');
    const ledger = await composeLedger(config(), { store: new SqliteEventStore(path, { pollIntervalMs: 20, lockTimeoutMs: 1500 }) });
    const other = new Database(path);
    try {
      expect((await request(ledger.app).post('/api/documents').set(bearer).send(document)).status).toBe(201);
      other.exec('BEGIN IMMEDIATE'); // as the CLI's import or checkpoint does on the live file
      let settled = false;
      const waiting = request(ledger.app)
        .post('/api/positions')
        .set(bearer)
        .send(addBody({ source: { documentId: 'recommendations', locator: 'item 4' } }))
        .then((r) => {
          settled = true;
          return r;
        });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const health = await request(ledger.app).get('/health');
      const read = await request(ledger.app).get('/api/documents/recommendations');
      expect([health.status, read.status, settled]).toEqual([200, 200, false]);
      const refused = await waiting;
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('1');
      expect((await request(ledger.app).get('/health')).status).toBe(200); // a lock is contention, not a fault

      const inTime = request(ledger.app)
        .post('/api/positions')
        .set(bearer)
        .send(addBody({ source: { documentId: 'recommendations', locator: 'item 4' } }));
      setTimeout(() => other.exec('COMMIT'), 100);
      expect((await inTime).status).toBe(201);
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
      await ledger.close();
    }
  });

  it('a database file it cannot write: the server refuses to start (exit 2) unless started read-only on purpose, and then writes are 503 without Retry-After', async () => {
    const path = join(dir, 'ledger.db');
    const seeded = await composeLedger(config(), { store: new SqliteEventStore(path) });
    await request(seeded.app).post('/api/documents').set(bearer).send(document);
    await seeded.close();
    chmodSync(path, 0o444);
    // root writes any file whatever its mode; an immutable file (chattr +i) it may not write either.
    // The folder stays writable (SQLite's -wal and -shm files): only the ledger file is read-only.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) execFileSync('chattr', ['+i', path]);
    cleanups.push(() => {
      if (asRoot) execFileSync('chattr', ['-i', path]);
    });
    const run = (env: NodeJS.ProcessEnv) =>
      // node itself (tsx as a loader), so that a kill reaches the server and not only a wrapper
      spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'serve'], {
        cwd: ROOT,
        env: {
          ...process.env,
          TMPDIR: dir,
          PORT: '0',
          HOST: '127.0.0.1',
          LEDGER_SQLITE_PATH: path,
          LEDGER_SEED_ON_START: 'false',
          LEDGER_TOKENS: `secretariat:${SECRETARIAT}`,
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const refused = run({});
    let err = '';
    refused.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => refused.on('exit', resolve));
    expect(err).toMatch(/cannot write the ledger at .*ledger\.db .*LEDGER_READ_ONLY=true/);
    expect(code).toBe(2);

    const readOnly = run({ LEDGER_READ_ONLY: 'true' });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        readOnly.stdout!.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        readOnly.on('exit', (c) => reject(new Error(`exited ${c}: ${out}`)));
      });
      expect((await fetch(`${url}/api/documents/recommendations`)).status).toBe(200);
      const health = await fetch(`${url}/health`);
      expect([health.status, ((await health.json()) as { storage: unknown }).storage]).toEqual([200, { mode: 'read-only' }]);
      const write = await fetch(`${url}/api/documents`, {
        method: 'POST',
        headers: { ...bearer, 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...document, id: 'another' }),
      });
      expect(write.status).toBe(503);
      expect(write.headers.get('retry-after')).toBeNull();
    } finally {
      readOnly.kill('SIGKILL');
    }
  });
});
