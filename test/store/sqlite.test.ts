import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, StoreNotFoundError } from '../../src/store/sqlite-store';
import { eventStoreContract } from './contract';

eventStoreContract('sqlite (in memory)', () => new SqliteEventStore(':memory:', { pollIntervalMs: 20 }));
eventStoreContract('sqlite (file)', () => new SqliteEventStore(join(mkdtempSync(join(tmpdir(), 'ledger-')), 'l.db'), { pollIntervalMs: 20 }));

describe('sqlite store specifics', () => {
  const file = () => join(mkdtempSync(join(tmpdir(), 'ledger-')), 'nested', 'ledger.db');
  const ev = () => ({ id: randomUUID(), type: 'T', data: { a: 1 }, metadata: {} });

  it('keeps the events table append-only in the database itself', async () => {
    const path = file();
    const store = new SqliteEventStore(path);
    await store.append('s-1', [ev()], 'no-stream');
    await store.close();
    const db = new Database(path);
    expect(() => db.prepare("UPDATE events SET data = '{}'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM events').run()).toThrow(/append-only/);
    expect(db.prepare('SELECT COUNT(*) AS n FROM events').get()).toEqual({ n: 1 });
    db.close();
  });

  it('opened for an existing ledger, or read-only, it creates nothing where there is none', () => {
    const path = file();
    expect(() => new SqliteEventStore(path, { access: 'existing' })).toThrow(StoreNotFoundError);
    expect(() => new SqliteEventStore(path, { access: 'read-only' })).toThrow(`no ledger at ${path}`);
    expect(existsSync(path)).toBe(false);
    const notALedger = join(mkdtempSync(join(tmpdir(), 'ledger-')), 'empty.db');
    writeFileSync(notALedger, '');
    expect(() => new SqliteEventStore(notALedger, { access: 'read-only' })).toThrow('is not a ledger');
  });

  it('read-only, it reads but cannot write, and repairs nothing', async () => {
    const path = file();
    const writer = new SqliteEventStore(path);
    await writer.append('s-1', [ev()], 'no-stream');
    await writer.close();
    const db = new Database(path);
    db.exec('DROP TRIGGER events_are_append_only_delete');
    db.close();
    const reader = new SqliteEventStore(path, { access: 'read-only' });
    expect(await reader.readAll()).toHaveLength(1);
    expect(reader.missingAppendOnlyTriggers()).toEqual(['events_are_append_only_delete']);
    await expect(reader.append('s-2', [ev()], 'no-stream')).rejects.toThrow('served read-only');
    await reader.close();
    const db2 = new Database(path, { readonly: true });
    expect(db2.prepare('SELECT COUNT(*) AS n FROM events').get()).toEqual({ n: 1 });
    db2.close();
  });

  it('keeps acknowledged events across a reopen, in WAL mode', async () => {
    const path = file();
    const store = new SqliteEventStore(path);
    const e = ev();
    await store.append('s-1', [e], 'no-stream');
    await store.close();
    const reopened = new SqliteEventStore(path);
    expect((await reopened.readStream('s-1')).map((x) => x.id)).toEqual([e.id]);
    await reopened.close();
    const db = new Database(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('sees events appended by another process (another connection) when following live', async () => {
    const path = file();
    const reader = new SqliteEventStore(path, { pollIntervalMs: 20 });
    const writer = new SqliteEventStore(path);
    const e = ev();
    const seen = new Promise<string>((resolve) => {
      reader.subscribeToAll({}, (x) => resolve(x.id));
    });
    await writer.append('s-2', [e], 'no-stream');
    expect(await seen).toBe(e.id);
    await writer.close();
    await reader.close();
  });

  it('refuses a position it did not produce', async () => {
    const store = new SqliteEventStore(':memory:');
    await expect(store.readAll({ after: 'C:1/P:2' })).rejects.toMatchObject({ name: 'InvalidPositionError' });
    await store.close();
  });
});
