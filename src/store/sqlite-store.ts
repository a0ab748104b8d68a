import Database from 'better-sqlite3';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ChainWalkReport } from '../integrity/chain-walk';
import { canonicalData } from '../integrity/event-hash';
import { startWorkerThread } from './worker-thread';
import {
  DuplicateEventIdError,
  InvalidPositionError,
  satisfies,
  StoreUnavailableError,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type SerializedAppend,
  type SerializedEvent,
  type StoredEvent,
  type StoredSerializedEvent,
  type StreamAppend,
  type SubscribeOptions,
  type Subscription,
} from './event-store';

/** A row of the events table, as SQLite gives it back. */
export interface EventRow {
  global_position: number;
  event_id: string;
  stream_id: string;
  stream_revision: number;
  type: string;
  data: string;
  metadata: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  global_position INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id        TEXT NOT NULL UNIQUE,
  stream_id       TEXT NOT NULL,
  stream_revision INTEGER NOT NULL,
  type            TEXT NOT NULL,
  data            TEXT NOT NULL,
  metadata        TEXT NOT NULL,
  UNIQUE (stream_id, stream_revision)
);
CREATE TRIGGER IF NOT EXISTS events_are_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE refused'); END;
CREATE TRIGGER IF NOT EXISTS events_are_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE refused'); END;
`;

/**
 * How a command may use the file. The server and `import` create the ledger; commands that only
 * look at a ledger must neither create one where a path was mistyped nor repair the evidence they
 * are asked to examine (an auditor's `verify` must find dropped triggers, not silently restore them).
 */
export type SqliteAccess = 'create' | 'existing' | 'read-only';

export interface SqliteStoreOptions {
  /** how often a live subscription looks for events written by other processes */
  readonly pollIntervalMs?: number;
  /** default `create` */
  readonly access?: SqliteAccess;
  /** how long a write waits for another process's write lock before it is refused (503), default 5000 */
  readonly lockTimeoutMs?: number;
}

/** A ledger file the server was asked to write and cannot: refused at start, unless served read-only on purpose. */
export class StoreNotWritableError extends Error {
  override name = 'StoreNotWritableError';
}

/** A ledger was expected at a path and is not there (or the file there is not a ledger). */
export class StoreNotFoundError extends Error {
  override name = 'StoreNotFoundError';
}

const APPEND_ONLY_TRIGGERS = ['events_are_append_only_update', 'events_are_append_only_delete'] as const;

/**
 * The embedded store. WAL with synchronous=FULL so that an acknowledged append survives a power
 * cut; each append is one IMMEDIATE transaction, so the expected-revision check and the insert
 * cannot interleave with another writer, even one in another process.
 */
export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly appended = new EventEmitter();
  private readonly pollIntervalMs: number;
  private closed = false;
  private readonly readOnly: boolean;
  private readonly lockTimeoutMs: number;

  constructor(
    readonly path: string,
    options: SqliteStoreOptions = {},
  ) {
    const access = options.access ?? 'create';
    this.readOnly = access === 'read-only';
    if (access === 'create') {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    } else if (path === ':memory:' || !existsSync(path)) {
      throw new StoreNotFoundError(
        `no ledger at ${path}: check LEDGER_SQLITE_PATH (or the sqlite: path); \`npm start\` or \`ledger import events/\` creates one`,
      );
    }
    this.db = new Database(path, { readonly: access === 'read-only', fileMustExist: access !== 'create' });
    // Never wait for a lock on the server's thread: busy_timeout blocks the event loop (/health and
    // every read with it) for as long as another process holds the write lock. Writes wait
    // asynchronously instead (see append); WAL readers do not need the lock at all.
    this.db.pragma('busy_timeout = 0');
    this.lockTimeoutMs = options.lockTimeoutMs ?? 5000;
    if (access === 'read-only') {
      if (!this.hasEventsTable()) {
        this.db.close();
        throw new StoreNotFoundError(`${path} is not a ledger: it has no events table`);
      }
    } else {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      if (access === 'existing' && !this.hasEventsTable()) {
        this.db.close();
        throw new StoreNotFoundError(`${path} is not a ledger: it has no events table`);
      }
      this.db.exec(SCHEMA);
      // SQLite opens a file it may not write read-only without a word: say so now, not at the first write
      const fault = path === ':memory:' ? undefined : this.writeFault();
      if (fault && fault.fault !== 'locked') {
        this.db.close();
        throw new StoreNotWritableError(
          `cannot write the ledger at ${path} (${fault.message}); fix the file's permissions or the disk, or set LEDGER_READ_ONLY=true to serve it read-only on purpose`,
        );
      }
    }
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.appended.setMaxListeners(0);
    const transactions = this.prepareAppend();
    this.appendTransaction = transactions.one;
    this.appendManyTransaction = transactions.many;
    this.appendSerializedTransaction = transactions.serialized;
    this.insertSerialized = transactions.insertSerialized;
    // prepared once: preparing costs more than reading a short stream
    this.statements = {
      stream: this.db.prepare<[string, number, number], EventRow>(
        'SELECT * FROM events WHERE stream_id = ? AND stream_revision >= ? ORDER BY stream_revision LIMIT ?',
      ),
      all: this.db.prepare<[number, number], EventRow>('SELECT * FROM events WHERE global_position > ? ORDER BY global_position LIMIT ?'),
    };
  }

  /** The database triggers that keep the events table append-only and are missing from this file. */
  missingAppendOnlyGuards(): string[] {
    return this.missingAppendOnlyTriggers().map(
      (trigger) => `the SQLite file ${this.path} lacks the trigger ${trigger} that keeps the events table append-only: it was dropped outside the ledger`,
    );
  }

  missingAppendOnlyTriggers(): string[] {
    const present = new Set(
      this.db
        .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'")
        .all()
        .map((r) => r.name),
    );
    return APPEND_ONLY_TRIGGERS.filter((name) => !present.has(name));
  }

  private hasEventsTable(): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get() !== undefined;
  }

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    this.assertWritable();
    if (this.streaming) await this.afterStreaming();
    const result = await this.withLockRetry(() => this.appendTransaction.immediate(streamId, events, expected));
    if (!result.retried && events.length > 0) this.appended.emit('appended');
    return result;
  }

  /** All in one IMMEDIATE transaction: every append is stored, or none (a stored id fails the whole batch). */
  async appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    this.assertWritable();
    if (this.streaming) await this.afterStreaming();
    const results = await this.withLockRetry(() => this.appendManyTransaction.immediate(appends));
    if (results.some((r) => r.stored.length > 0)) this.appended.emit('appended');
    return results;
  }

  async appendManySerialized(appends: readonly SerializedAppend[]): Promise<void> {
    this.assertWritable();
    if (this.streaming) await this.afterStreaming();
    await this.withLockRetry(() => this.appendSerializedTransaction.immediate(appends));
    if (appends.some((a) => a.events.length > 0)) this.appended.emit('appended');
  }

  /**
   * One IMMEDIATE transaction held open while the chunks arrive. Nothing else writes on this
   * connection meanwhile (other writes wait for it), and subscriptions do not read what is not
   * committed yet; another process waits for the write lock as for any write.
   */
  async appendStreamed(chunks: AsyncIterable<readonly SerializedAppend[]>): Promise<void> {
    this.assertWritable();
    while (this.streaming) await this.afterStreaming();
    let done!: () => void;
    this.streaming = new Promise((resolve) => (done = resolve));
    let stored = false;
    try {
      await this.withLockRetry(() => this.db.exec('BEGIN IMMEDIATE'));
      try {
        const heads = new Map<string, number>();
        for await (const chunk of chunks) {
          this.insertSerialized(chunk, heads);
          stored ||= chunk.some((a) => a.events.length > 0);
        }
        this.db.exec('COMMIT');
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    } finally {
      this.streaming = undefined;
      done();
    }
    if (stored) this.appended.emit('appended');
  }

  /**
   * SQLite to SQLite: the source file attached to this connection, and INSERT … SELECT a page at a
   * time in global order, each page one transaction. No row crosses into JavaScript; the
   * append-only triggers and the unique ids and revisions hold as for any insert.
   */
  async copyAllFrom(source: EventStore, options: { readonly pageSize: number; readonly onPage?: (copied: number) => void }): Promise<number | undefined> {
    if (!(source instanceof SqliteEventStore) || source.path === ':memory:' || this.path === ':memory:') return undefined;
    this.assertWritable();
    while (this.streaming) await this.afterStreaming();
    this.db.prepare('ATTACH DATABASE ? AS copied_ledger').run(source.path);
    let copied = 0;
    try {
      // the last source position of the page after `after`: the page is what lies between
      const pageEnd = this.db.prepare<[number, number], { p: number | null }>(
        'SELECT max(global_position) AS p FROM (SELECT global_position FROM copied_ledger.events WHERE global_position > ? ORDER BY global_position LIMIT ?)',
      );
      const insertPage = this.db.prepare<[number, number]>(
        'INSERT INTO main.events (event_id, stream_id, stream_revision, type, data, metadata) SELECT event_id, stream_id, stream_revision, type, data, metadata FROM copied_ledger.events WHERE global_position > ? AND global_position <= ? ORDER BY global_position',
      );
      const copyPage = this.db.transaction((after: number, end: number) => insertPage.run(after, end).changes);
      for (let after = 0; ;) {
        const end = pageEnd.get(after, options.pageSize)?.p;
        if (end === null || end === undefined) break;
        copied += await this.withLockRetry(() => copyPage.immediate(after, end));
        after = end;
        options.onPage?.(copied);
      }
    } finally {
      this.db.exec('DETACH DATABASE copied_ledger');
    }
    if (copied > 0) this.appended.emit('appended');
    return copied;
  }

  async holdsSameEventsAs(source: EventStore): Promise<{ same: boolean; events: number } | undefined> {
    if (!(source instanceof SqliteEventStore) || source.path === ':memory:' || this.path === ':memory:') return undefined;
    while (this.streaming) await this.afterStreaming();
    this.db.prepare('ATTACH DATABASE ? AS compared_ledger').run(source.path);
    try {
      // one read transaction over both files: the counts and the rows are of one state of each
      return this.db
        .transaction(() => {
          const count = (schema: string) =>
            this.db
              .prepare<[], { n: number; first: number | null; last: number | null }>(
                `SELECT count(*) AS n, min(global_position) AS first, max(global_position) AS last FROM ${schema}.events`,
              )
              .get()!;
          const mine = count('main');
          const theirs = count('compared_ledger');
          if (mine.n !== theirs.n || mine.first !== theirs.first || mine.last !== theirs.last) return { same: false, events: mine.n };
          const compared = this.db
            .prepare<[], { matched: number; differing: number | null }>(
              `SELECT count(*) AS matched,
                    sum(a.event_id IS NOT b.event_id OR a.stream_id IS NOT b.stream_id OR a.stream_revision IS NOT b.stream_revision
                        OR a.type IS NOT b.type OR a.data IS NOT b.data OR a.metadata IS NOT b.metadata) AS differing
               FROM main.events a JOIN compared_ledger.events b ON a.global_position = b.global_position`,
            )
            .get()!;
          // equal counts, and every position of one found in the other with equal bytes: the same rows (positions are unique)
          return { same: compared.matched === mine.n && (compared.differing ?? 0) === 0, events: mine.n };
        })
        .deferred();
    } finally {
      this.db.exec('DETACH DATABASE compared_ledger');
    }
  }

  walkChainsAside(): Promise<ChainWalkReport> {
    if (this.path === ':memory:') return Promise.reject(new Error('an in-memory ledger has no file a worker could read'));
    return new Promise((resolve, reject) => {
      const worker = startWorkerThread(__dirname, 'sqlite-chain-walk-worker', __filename.endsWith('.js'), { path: this.path });
      worker.once('message', (answer: { result: ChainWalkReport } | { error: string }) => {
        void worker.terminate();
        if ('result' in answer) resolve(answer.result);
        else reject(new Error(`the chain walk failed in its worker: ${answer.error}`));
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the chain walk's worker exited (${code}) before it reported`)));
    });
  }

  private async afterStreaming(): Promise<void> {
    await this.streaming;
  }

  private assertWritable(): void {
    if (this.readOnly) throw StoreUnavailableError.of('read-only', `the ledger at ${this.path} is served read-only (LEDGER_READ_ONLY)`, undefined);
  }

  async probeWritable(): Promise<StoreUnavailableError | undefined> {
    if (this.readOnly) return StoreUnavailableError.of('read-only', `the ledger at ${this.path} is served read-only`, undefined);
    try {
      return this.writeFault();
    } catch (error) {
      return storageFault(error);
    }
  }

  /** Touches a page inside a transaction that is rolled back: a read-only file or a failing disk shows, nothing changes. */
  private writeFault(): StoreUnavailableError | undefined {
    try {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const version = this.db.pragma('user_version', { simple: true }) as number;
        this.db.pragma(`user_version = ${version}`);
      } finally {
        this.db.exec('ROLLBACK');
      }
      return undefined;
    } catch (error) {
      const fault = storageFault(error);
      if (fault) return fault;
      throw error;
    }
  }

  /**
   * Runs a write; when another process holds the write lock, tries again after a growing pause,
   * yielding the event loop in between, until lockTimeoutMs has passed: then the write is refused.
   */
  private async withLockRetry<T>(write: () => T): Promise<T> {
    const deadline = Date.now() + this.lockTimeoutMs;
    for (let pause = 2; ; pause = Math.min(pause * 2, 100)) {
      try {
        return write();
      } catch (error) {
        const fault = storageFault(error);
        if (!fault) throw error;
        if (fault.fault !== 'locked' || Date.now() + pause > deadline) throw fault;
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
      if (this.closed) throw StoreUnavailableError.of('unavailable', 'the store was closed while the write waited for the lock', 5);
    }
  }

  private readonly appendTransaction: Database.Transaction<(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision) => AppendResult>;
  private readonly statements: {
    readonly stream: Database.Statement<[string, number, number], EventRow>;
    readonly all: Database.Statement<[number, number], EventRow>;
  };
  private readonly appendManyTransaction: Database.Transaction<(appends: readonly StreamAppend[]) => AppendResult[]>;
  private readonly appendSerializedTransaction: Database.Transaction<(appends: readonly SerializedAppend[]) => void>;
  private readonly insertSerialized: (appends: readonly SerializedAppend[], heads: Map<string, number>) => void;
  /** a streamed append under way: its transaction is open on this connection, so every other write waits for it to end */
  private streaming: Promise<void> | undefined;

  private prepareAppend() {
    // the last event of the stream, found by the (stream_id, stream_revision) index: no scan of the stream
    const head = this.db.prepare<[string], { rev: number; pos: number }>(
      'SELECT stream_revision AS rev, global_position AS pos FROM events WHERE stream_id = ? ORDER BY stream_revision DESC LIMIT 1',
    );
    const byId = this.db.prepare<[string], EventRow>('SELECT * FROM events WHERE event_id = ?');
    const insert = this.db.prepare('INSERT INTO events (event_id, stream_id, stream_revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
    const insertOne = (id: string, streamId: string, revision: number, type: string, data: string, metadata: string): number => {
      try {
        return Number(insert.run(id, streamId, revision, type, data, metadata).lastInsertRowid);
      } catch (error) {
        const clash = byId.get(id);
        if (clash) throw new DuplicateEventIdError(id, `stored in ${clash.stream_id} at revision ${clash.stream_revision}`);
        throw error;
      }
    };
    const check = (streamId: string, expected: ExpectedRevision, headRevision: number) => {
      const actual = headRevision === -1 ? 'no-stream' : headRevision;
      if (!satisfies(expected, actual)) throw new WrongExpectedRevisionError(streamId, expected, actual);
    };
    /** checks the expected revision against the head and inserts; returns what it stored */
    const store = (streamId: string, events: readonly NewEvent[], expected: ExpectedRevision, headRevision: number, headPosition: number): AppendResult => {
      check(streamId, expected, headRevision);
      let revision = headRevision;
      let position = headPosition;
      const stored: StoredEvent[] = [];
      for (const e of events) {
        revision += 1;
        // the data's canonical JSON, as the bulk paths store it: the bytes its hash covers, so verify and proofs hash them as they are
        position = insertOne(e.id, streamId, revision, e.type, canonicalData(e.data), JSON.stringify(e.metadata));
        stored.push({ ...e, streamId, revision, position: String(position) });
      }
      return { nextExpectedRevision: revision, position: String(position), stored, retried: false };
    };
    const headOf = (streamId: string) => {
      const h = head.get(streamId);
      return { revision: h?.rev ?? -1, position: h?.pos ?? 0 };
    };
    const one = this.db.transaction((streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): AppendResult => {
      const retried = this.retriedAppend(streamId, events, byId);
      if (retried) return retried;
      const h = headOf(streamId);
      return store(streamId, events, expected, h.revision, h.position);
    });
    const many = this.db.transaction((appends: readonly StreamAppend[]): AppendResult[] => {
      // heads are read once per stream and carried along, so a large batch costs one insert per event
      const heads = new Map<string, { revision: number; position: number }>();
      return appends.map(({ streamId, events, expected }) => {
        const h = heads.get(streamId) ?? headOf(streamId);
        const result = store(streamId, events, expected, h.revision, h.position);
        heads.set(streamId, { revision: result.nextExpectedRevision, position: Number(result.position) });
        return result;
      });
    });
    // the bulk paths: the JSON text as given, nothing handed back; heads read once per stream (and carried from chunk to chunk)
    const insertSerialized = (appends: readonly SerializedAppend[], heads: Map<string, number>): void => {
      for (const { streamId, events, expected } of appends) {
        let revision = heads.get(streamId) ?? headOf(streamId).revision;
        check(streamId, expected, revision);
        for (const e of events as readonly SerializedEvent[]) insertOne(e.id, streamId, (revision += 1), e.type, e.data, e.metadata);
        heads.set(streamId, revision);
      }
    };
    const serialized = this.db.transaction((appends: readonly SerializedAppend[]): void => insertSerialized(appends, new Map()));
    return { one, many, serialized, insertSerialized };
  }

  /** The events are already stored, in this stream and in this order: a retry, answered as the first time. */
  private retriedAppend(streamId: string, events: readonly NewEvent[], byId: Database.Statement<[string], EventRow>): AppendResult | undefined {
    if (events.length === 0) return undefined;
    const found = events.map((e) => byId.get(e.id));
    if (found.every((r) => r === undefined)) return undefined;
    const first = found[0];
    const faithful =
      first !== undefined && found.every((r, i) => r !== undefined && r.stream_id === streamId && r.stream_revision === first.stream_revision + i);
    if (!faithful) {
      const clash = found.find((r) => r !== undefined)!;
      throw new DuplicateEventIdError(clash.event_id, `stored in ${clash.stream_id} at revision ${clash.stream_revision}`);
    }
    const last = found[found.length - 1]!;
    return { nextExpectedRevision: last.stream_revision, position: String(last.global_position), stored: (found as EventRow[]).map(toStored), retried: true };
  }

  async readStream(streamId: string, options: { fromRevision?: number; maxCount?: number } = {}): Promise<StoredEvent[]> {
    return this.withLockRetry(() => this.readStreamSync(streamId, options));
  }

  private readStreamSync(streamId: string, options: { fromRevision?: number; maxCount?: number }): StoredEvent[] {
    const rows = this.statements.stream.all(streamId, options.fromRevision ?? 0, options.maxCount ?? -1);
    return rows.map(toStored);
  }

  async countEvents(): Promise<number> {
    return this.withLockRetry(() => (this.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n);
  }

  async readAllSerialized(options: ReadAllOptions = {}): Promise<StoredSerializedEvent[]> {
    return this.withLockRetry(() => {
      const after = options.after === undefined ? 0 : parsePosition(options.after);
      return this.statements.all.all(after, options.maxCount ?? -1).map((r): StoredSerializedEvent => ({
        id: r.event_id,
        streamId: r.stream_id,
        revision: r.stream_revision,
        position: String(r.global_position),
        type: r.type,
        data: r.data,
        metadata: r.metadata,
      }));
    });
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    return this.withLockRetry(() => this.readAllSync(options));
  }

  private readAllSync(options: ReadAllOptions): StoredEvent[] {
    const after = options.after === undefined ? 0 : parsePosition(options.after);
    const rows = this.statements.all.all(after, options.maxCount ?? -1);
    return rows.map(toStored);
  }

  subscribeToAll(options: SubscribeOptions, onEvent: (event: StoredEvent) => Promise<void> | void): Subscription {
    let after = options.after;
    let running = false;
    let again = false;
    let stopped = false;
    const pump = async () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        do {
          again = false;
          for (;;) {
            if (stopped || this.closed) return;
            // a streamed append's rows are not committed yet: read on when it has ended ('appended')
            if (this.streaming) return;
            let batch: StoredEvent[];
            try {
              batch = this.readAllSync({ after, maxCount: 500 });
            } catch (error) {
              // the file is busy for a moment (a WAL recovery by another process): the next poll reads on
              if (storageFault(error)?.fault === 'locked') return;
              throw error;
            }
            if (batch.length === 0) break;
            for (const e of batch) {
              if (stopped) return;
              await onEvent(e);
              after = e.position;
            }
          }
        } while (again);
      } catch (error) {
        // A handler that failed has not handled the event: stop rather than skip it or deliver it twice.
        stopped = true;
        cleanup();
        options.onError?.(error);
      } finally {
        running = false;
      }
    };
    const listener = () => void pump();
    this.appended.on('appended', listener);
    const timer = setInterval(listener, this.pollIntervalMs);
    timer.unref();
    const cleanup = () => {
      clearInterval(timer);
      this.appended.off('appended', listener);
    };
    setImmediate(listener);
    return {
      close: async () => {
        stopped = true;
        cleanup();
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

/** A SQLite error that is the storage's trouble (not the request's), as the port's StoreUnavailableError. */
function storageFault(error: unknown): StoreUnavailableError | undefined {
  // by name, not instanceof: the native addon keeps the SqliteError class of the first copy of
  // better-sqlite3 loaded in the process, which need not be this module's, nor of this realm (jest)
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  if (name !== 'SqliteError' || typeof code !== 'string') return undefined;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return StoreUnavailableError.of('locked', "another process holds the ledger's write lock", 1);
  if (code === 'SQLITE_FULL') return StoreUnavailableError.of('disk-full', 'the disk holding the ledger is full', 5);
  if (code.startsWith('SQLITE_READONLY')) return StoreUnavailableError.of('read-only', 'the ledger file cannot be written (read-only)', 5);
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN'))
    return StoreUnavailableError.of('io-error', `the disk holding the ledger fails (${code})`, 5);
  return undefined;
}

function parsePosition(position: string): number {
  if (!/^\d{1,15}$/.test(position)) throw new InvalidPositionError(position);
  return Number(position);
}

function toStored(r: EventRow): StoredEvent {
  return {
    id: r.event_id,
    streamId: r.stream_id,
    revision: r.stream_revision,
    position: String(r.global_position),
    type: r.type,
    data: JSON.parse(r.data) as Record<string, unknown>,
    metadata: JSON.parse(r.metadata) as Record<string, unknown>,
  };
}
