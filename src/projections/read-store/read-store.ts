import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { LedgerEvent } from '../../domain/ledger-event';
import type { EventStore, StoredEvent, Subscription } from '../../store/event-store';
import { LedgerProjection, type DocumentView, type LedgerVersion, type Unreadable } from '../ledger-projection';
import type { Page, PageRequest, PositionCounts, PositionQuery, ReadModel, TimelineQuery } from '../read-model';
import type { PositionView, Stance, ViewPoint } from '../stance';
import type { TimelineEntry } from '../timeline';
import { EventWaiters } from '../event-waiters';
import { tableDriftFromEvents, tableDriftSteps } from './compare-tables';
import { atOnce, settled, type Steps } from '../../audit/slices';
import { ReadStoreTables } from './tables';
import { followedNow, markFollowing, type FollowerMark } from './followers';

/** Where the read store lives: a directory of generations (one SQLite file each), or memory (tests). */
export type ReadStoreLocation = { readonly dir: string } | 'memory';

export interface ReadStoreOptions {
  readonly location: ReadStoreLocation;
  /** the live subscription failed: the read model stops following rather than skip an event */
  readonly onError?: (error: unknown) => void;
  /** called as a (re)build advances: events applied so far */
  readonly onProgress?: (applied: number) => void;
  /** called when a build has applied every event and begins its query and search indexes (minutes at a million events) */
  readonly onIndexing?: (applied: number) => void;
  /** told why a fresh read store is being built at start */
  readonly onRebuild?: (reason: string) => void;
  /** how often a server looks for a generation swapped in by `ledger rebuild` (ms; 0 = never) */
  readonly swapCheckMs?: number;
}

/** What a caller of a build is told as it goes, and how it stops one (the build's file is then removed, the current generation left as it was). */
export type RebuildProgress = Pick<ReadStoreOptions, 'onProgress' | 'onIndexing'> & { readonly signal?: AbortSignal };

const CURRENT = 'CURRENT';
const BATCH = 2000;
/** larger batches when building from event one: most streams then begin and end within one */
const BULK_BATCH = 10_000;

/**
 * The persistent read model, in the manner of Marten's async projections: the projections write
 * their tables to an embedded SQLite file, with the global position they have reached in the same
 * transaction. At start it catches up from that position, then follows the store live; whatever
 * the event store (SQLite or KurrentDB), the read store is this one.
 *
 * Rebuilding writes a fresh generation (a new file) beside the live one and then points CURRENT
 * at it (an atomic rename): a running server notices, catches the new one up and switches between
 * two requests, answering from the old one until then.
 */
export class ReadStore implements ReadModel {
  private subscription: Subscription | undefined;
  private readonly waiters = new EventWaiters();
  private swapTimer: NodeJS.Timeout | undefined;
  private follower: FollowerMark | undefined;
  private stopped = false;
  private readonly versions = new Map<number, LedgerProjection>();

  private constructor(
    private readonly store: EventStore,
    private readonly options: ReadStoreOptions,
    private tables: ReadStoreTables,
  ) {}

  /** Opens the current generation (building one when there is none, or it is of another version or ledger), catches up and follows. */
  static async follow(store: EventStore, options: ReadStoreOptions): Promise<ReadStore> {
    let tables = openCurrent(options.location);
    const reason = tables ? await staleReason(tables, store) : 'no read store yet';
    if (!tables || reason) {
      if (tables) options.onRebuild?.(reason!);
      const stale = tables;
      stale?.close();
      tables = await buildGeneration(store, options.location, options);
      // nobody reads the stale generation any more (this process had it open only to judge it)
      if (stale) removeIfPossible(...generationFiles(stale.path));
    }
    if (options.location !== 'memory') removeLeftovers(options.location.dir, tables.path);
    const readStore = new ReadStore(store, options, tables);
    await readStore.catchUp(tables);
    readStore.followLive();
    if (options.location !== 'memory' && (options.swapCheckMs ?? 1000) > 0) {
      // a rebuild keeps the generation it replaces for a server that says it follows (see followers.ts)
      const follower = (readStore.follower = markFollowing(options.location.dir));
      readStore.swapTimer = setInterval(() => {
        follower.touch();
        void readStore.swapIfRebuilt().catch((error: unknown) => options.onError?.(error));
      }, options.swapCheckMs ?? 1000);
      readStore.swapTimer.unref();
    }
    return readStore;
  }

  /** `ledger rebuild`: a fresh generation from event one, made current when complete. */
  static async rebuild(store: EventStore, location: ReadStoreLocation, progress: RebuildProgress = {}): Promise<LedgerVersion> {
    const tables = await buildGeneration(store, location, progress);
    const version = tables.version();
    tables.close();
    return version;
  }

  /** Applies one stored event (the live path; also how tests put a drifted event in). */
  apply(stored: StoredEvent): void {
    this.release(this.tables.applyBatch([stored]));
  }

  private async catchUp(tables: ReadStoreTables): Promise<void> {
    for (;;) {
      const page = await this.store.readAll({ after: tables.version().lastPosition ?? undefined, maxCount: BATCH });
      if (page.length === 0) return;
      const applied = tables.applyBatch(page);
      if (tables === this.tables) this.release(applied);
      this.options.onProgress?.(tables.version().events);
    }
  }

  private followLive(): void {
    const tables = this.tables;
    this.subscription = this.store.subscribeToAll({ after: tables.version().lastPosition ?? undefined, onError: this.options.onError }, (e) => {
      if (tables !== this.tables || this.stopped) return;
      this.release(tables.applyBatch([e]));
    });
  }

  /** Switches to a generation `ledger rebuild` made current, between two requests. */
  private async swapIfRebuilt(): Promise<void> {
    if (this.options.location === 'memory' || this.stopped) return;
    const name = currentName(this.options.location.dir);
    if (!name || join(this.options.location.dir, name) === this.tables.path) return;
    const next = new ReadStoreTables(join(this.options.location.dir, name));
    if (!next.isCurrentVersion()) {
      next.close();
      return;
    }
    await this.catchUp(next);
    const old = this.tables;
    await this.subscription?.close();
    this.tables = next;
    this.followLive();
    old.close();
    removeIfPossible(...generationFiles(old.path));
  }

  waitFor(eventId: string, timeoutMs = 5000): Promise<boolean> {
    return this.tables.has(eventId) ? Promise.resolve(true) : this.waiters.wait(eventId, timeoutMs);
  }

  private release(eventIds: readonly string[]): void {
    this.waiters.release(eventIds);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.swapTimer) clearInterval(this.swapTimer);
    this.follower?.remove();
    await this.subscription?.close();
    this.tables.close();
  }

  tableDrift(events: readonly StoredEvent[]): string[] {
    return atOnce(this.tableDriftSteps(events));
  }

  tableDriftSteps(events: readonly StoredEvent[]): Steps<string[]> {
    if (this.tables.path === ':memory:') {
      // no second connection can see an in-memory store: compared now, at once
      return settled(tableDriftFromEvents(events, this.tables));
    }
    // a read transaction of its own on the file, pinned by its first read before this returns: the
    // steps compare the tables as they are now while the live store goes on applying new events
    const steps = (function* (path: string): Steps<string[]> {
      const snapshot = ReadStoreTables.openReadOnly(path);
      try {
        snapshot.db.exec('BEGIN');
        snapshot.meta('events');
        yield;
        return yield* tableDriftSteps(events, snapshot);
      } finally {
        if (snapshot.db.inTransaction) snapshot.db.exec('COMMIT');
        snapshot.close();
      }
    })(this.tables.path);
    steps.next();
    return steps;
  }

  /** The SQLite file answering now (for verify's table-by-table comparison). */
  currentTables(): ReadStoreTables {
    return this.tables;
  }

  // A view at a cited ledger version must answer the same forever. The tables hold the rows over
  // recording time, so a version is the view as recorded by its latest instant, whenever that
  // instant tells it apart from every later decision (see ReadStoreTables.instantOfVersion);
  // otherwise (decisions recorded in one millisecond, a ledger imported out of time order) it is
  // the fold of its first decisions.
  positionPage(query: PositionQuery, page?: PageRequest): Page<Stance> {
    const recorded = this.asRecorded(query);
    return recorded ? this.tables.positionPage(recorded, page) : this.atVersion(query.version!).positionPage(query, page);
  }
  position(id: string, view: ViewPoint = {}): Stance | undefined {
    const recorded = this.asRecorded(view);
    return recorded ? this.tables.position(id, recorded) : this.atVersion(view.version!).position(id, view);
  }
  positionCounts(view: ViewPoint = {}): PositionCounts {
    const recorded = this.asRecorded(view);
    return recorded ? this.tables.positionCounts(recorded) : this.atVersion(view.version!).positionCounts(view);
  }
  relatedFrom(id: string, view: ViewPoint = {}): PositionView['relatedFrom'] {
    const recorded = this.asRecorded(view);
    return recorded ? this.tables.relatedFrom(id, recorded) : this.atVersion(view.version!).relatedFrom(id, view);
  }
  positionTimeline(id: string, view: ViewPoint = {}): TimelineEntry[] | undefined {
    const recorded = this.asRecorded(view);
    if (!recorded) return this.atVersion(view.version!).positionTimeline(id, view);
    // a position not recorded yet at a cited version has no timeline there (not an empty one)
    if (view.version !== undefined && !this.tables.positionRecordedBy(id, this.tables.instantOfVersion(view.version)!)) return undefined;
    return this.tables.positionTimeline(id, recorded);
  }
  timelinePage(query: TimelineQuery, page?: PageRequest): Page<TimelineEntry> {
    const recorded = this.asRecorded(query);
    return recorded ? this.tables.timelinePage(recorded, page) : this.atVersion(query.version!).timelinePage(query, page);
  }
  documentList(view: Pick<ViewPoint, 'version'> = {}): DocumentView[] {
    if (view.version === undefined) return this.tables.documentList();
    const at = this.tables.instantOfVersion(view.version);
    return at !== undefined ? this.tables.documentsRecordedBy(at) : this.atVersion(view.version).documentList(view);
  }
  document(id: string, view: Pick<ViewPoint, 'version'> = {}, page?: PageRequest): DocumentView | undefined {
    if (view.version === undefined) return this.tables.document(id, page);
    const at = this.tables.instantOfVersion(view.version);
    return at !== undefined ? this.tables.document(id, page, at) : this.atVersion(view.version).document(id, view, page);
  }
  version(at?: number): LedgerVersion {
    if (at === undefined) return this.tables.version();
    const recorded = this.tables.versionAt(at);
    if (recorded) return recorded;
    const mark = this.tables.decisionMark(at);
    return { ...this.atVersion(at).version(at), events: mark?.events ?? 0, lastPosition: mark?.lastPosition ?? null };
  }

  /** The view without its version: as recorded by the version's instant (or earlier, when it asks so); undefined when no instant stands for the version. */
  private asRecorded<V extends ViewPoint>(view: V): V | undefined {
    if (view.version === undefined) return view;
    const at = this.tables.instantOfVersion(view.version);
    if (at === undefined) return undefined;
    const { version: _cited, ...rest } = view;
    const earlier = view.recordedAsOf !== undefined && Date.parse(view.recordedAsOf) < at;
    return { ...rest, recordedAsOf: earlier ? view.recordedAsOf : new Date(at).toISOString() } as V;
  }

  /** The in-memory fold of the first `version` decisions; a few recent ones are kept, as they never change. */
  private atVersion(version: number): LedgerProjection {
    const cached = this.versions.get(version);
    if (cached) return cached;
    const projection = new LedgerProjection();
    for (const e of this.tables.decisionsUpTo(version)) {
      projection.apply({
        id: e.eventId,
        streamId: e.streamId,
        revision: e.streamRevision,
        position: e.position,
        type: e.type,
        data: e.data as Record<string, unknown>,
        metadata: e.metadata,
      });
    }
    if (this.versions.size >= 4) this.versions.delete(this.versions.keys().next().value!);
    this.versions.set(version, projection);
    return projection;
  }
  unreadableEvents(): readonly Unreadable[] {
    return this.tables.unreadableEvents();
  }
  recorders(): string[] {
    return this.tables.recorders();
  }
  recordedWithKey(actorId: string, key: string): readonly LedgerEvent[] {
    return this.tables.recordedWithKey(actorId, key);
  }
}

/** Why a read store may not be caught up from its checkpoint, if it may not. */
async function staleReason(tables: ReadStoreTables, store: EventStore): Promise<string | undefined> {
  if (!tables.isCurrentVersion()) return `the projections changed (read store version ${tables.meta('projectionVersion')})`;
  const first = (await store.readAll({ maxCount: 1 }))[0];
  const ledgerId = tables.ledgerId();
  if (ledgerId !== undefined && first?.id !== ledgerId) return 'the read store follows another ledger';
  // caught up from a checkpoint the store never reached, it would skip (or misplace) what the store records next
  const last = tables.lastApplied();
  if (last) {
    const [there] = await store.readStream(last.streamId, { fromRevision: last.streamRevision, maxCount: 1 });
    if (there?.id !== last.eventId) {
      return `the read store is ahead of the event store: the last event it applied (${last.streamId}@${last.streamRevision}, position ${last.position}) is not there (a store wiped, or replaced by an older copy)`;
    }
  }
  return undefined;
}

function openCurrent(location: ReadStoreLocation): ReadStoreTables | undefined {
  if (location === 'memory') return undefined;
  const path = currentGeneration(location.dir);
  return path === undefined ? undefined : new ReadStoreTables(path);
}

/** The file of the generation CURRENT points at, when there is one. */
export function currentGeneration(dir: string): string | undefined {
  const name = currentName(dir);
  return name && existsSync(join(dir, name)) ? join(dir, name) : undefined;
}

function currentName(dir: string): string | undefined {
  try {
    return readFileSync(join(dir, CURRENT), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A new generation from event one; made CURRENT (atomically) only once complete. */
async function buildGeneration(store: EventStore, location: ReadStoreLocation, { onProgress, onIndexing, signal }: RebuildProgress): Promise<ReadStoreTables> {
  if (location !== 'memory') mkdirSync(location.dir, { recursive: true });
  const path = location === 'memory' ? ':memory:' : join(location.dir, `read-model-${Date.now()}-${process.pid}.sqlite`);
  const tables = new ReadStoreTables(path, { bulk: true });
  try {
    let applied = 0;
    for (;;) {
      // a turn of the event loop between pages: a SQLite store reads synchronously, and a signal is only heard on such a turn
      await new Promise((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
      const page = await store.readAll({ after: tables.version().lastPosition ?? undefined, maxCount: BULK_BATCH });
      if (page.length === 0) break;
      applied += tables.applyBatch(page).length;
      onProgress?.(applied);
    }
    onIndexing?.(applied);
    tables.finishBulk();
    // asked to stop while the indexes were built (a single call): still not made current
    signal?.throwIfAborted();
  } catch (error) {
    // a build that failed or was stopped is never resumed: its file (gigabytes at a million events) goes now, not at the next rebuild
    tables.close();
    if (location !== 'memory') removeIfPossible(...generationFiles(path));
    throw error;
  }
  if (location !== 'memory') {
    tables.db.pragma('wal_checkpoint(TRUNCATE)');
    const previous = currentName(location.dir);
    const tmp = join(location.dir, `${CURRENT}.${process.pid}.tmp`);
    writeFileSync(tmp, `${path.slice(location.dir.length + 1)}\n`);
    renameSync(tmp, join(location.dir, CURRENT));
    // generations nobody points at any more (an interrupted build, or the one a server has left);
    // the one just replaced too, unless a server still reads it (it deletes it as it switches)
    const kept = previous !== undefined && followedNow(location.dir) ? previous : undefined;
    for (const name of readdirSync(location.dir)) {
      const base = name.replace(/-(wal|shm)$/, '');
      if (/^read-model-.*\.sqlite$/.test(base) && join(location.dir, base) !== path && base !== kept) removeIfPossible(join(location.dir, name));
    }
  }
  return tables;
}

/**
 * At a server's start, the generations a build killed outright (kill -9, a power cut) left behind:
 * neither current, nor being built (a build holds its file's lock from its first write), nor
 * possibly read by another server following the directory (it deletes its own as it switches).
 */
function removeLeftovers(dir: string, current: string): void {
  const others = readdirSync(dir).filter((name) => /^read-model-.*\.sqlite$/.test(name) && join(dir, name) !== current);
  if (others.length === 0 || followedNow(dir)) return;
  for (const name of others) if (!beingBuilt(join(dir, name))) removeIfPossible(...generationFiles(join(dir, name)));
}

/** Whether another connection holds the file's lock (a build in progress): a read is then refused at once. */
function beingBuilt(path: string): boolean {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: 0 });
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return false;
  } catch (error) {
    // a file cut short is not a build (SQLITE_CORRUPT, SQLITE_NOTADB): only a lock is
    return /^SQLITE_(BUSY|LOCKED)/.test(String((error as { code?: unknown }).code));
  } finally {
    db?.close();
  }
}

/** Removes a generation's files; what cannot be removed (permissions, not a file) is only disk space: it never fails a start, a switch, nor a rebuild (made current, or failed for its own reason). */
function removeIfPossible(...paths: string[]): void {
  for (const path of paths) {
    try {
      rmSync(path, { force: true });
    } catch {
      // left for the next start or rebuild to try again
    }
  }
}

/** A generation's file with its WAL and shared-memory files. */
const generationFiles = (path: string): string[] => ['', '-wal', '-shm'].map((suffix) => `${path}${suffix}`);
