import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { isAuditStream } from '../../audit/checkpoint-stream';
import { businessDate } from '../../domain/business-date';
import { sha256Hex } from '../../integrity/event-hash';
import { toLedgerEvent, type LedgerEvent } from '../../domain/ledger-event';
import type { StoredEvent } from '../../store/event-store';
import type { DocumentView, LedgerVersion, Unreadable } from '../ledger-projection';
import {
  CITED_BY_PREVIEW,
  decodeCursor,
  encodeCursor,
  exactPositionTotal,
  positionCountsOf,
  type PositionCounts,
  searchTerms,
  textMatcher,
  totalOf,
  TOTAL_CAP,
  type Page,
  type PageRequest,
  type PositionQuery,
  type TimelineQuery,
} from '../read-model';
import type { PositionView, Stance, ViewPoint } from '../stance';
import type { TimelineEntry } from '../timeline';
import { addresseeMask, addresseesOfMask, entryTexts, positionRows, stanceTexts, themeMask, themesOfMask, timelineSortKey } from './position-rows';
import { BULK_COUNTS, BULK_TERMS, COMPARED_TABLES, LOOKUP_INDEXES, PROJECTION_VERSION, QUERY_INDEXES, SCHEMA } from './schema';
import { PositionProjection } from './position-projection';

const POSITION_STREAM = 'position-';
/** how many positions' states are kept in memory between batches (the rest are read back from the file when they change) */
const FOLLOWED_POSITIONS = 4096;
/** the most words one query word is expanded to (beyond, FTS5's own prefix query) */
const EXPANSIONS = 32;

/**
 * Where a list stops seeking and walks (exported so that tests can reach the walks on small ledgers):
 * `seek` rows of an early recording instant or business date, `textSeek` texts a search word is in
 * (beyond, the index is walked and texts tested as they come), and `countScan` rows walked to count
 * a common word's matches (beyond, `totalCapped`: at least the matches counted), and `countRange`
 * rows of a recording-time range read to count a list as recorded by an instant (beyond,
 * `totalCapped` too: an early instant's rows are sparse in the list's order, and a late instant's
 * range holds every row of the ledger), and `seekRange` rows of a recording-time range a search
 * as recorded by an instant reads whole, when its other conditions keep at most `gathered` of them,
 * and `citationSeek` citations of a document opened by an instant, read whole and sorted (beyond, walked),
 * and `textRange` the widest range of text ids whose matches a gathered search asks of the search index
 * (beyond, the kept rows' texts are read and tested one by one).
 */
/** Rows a list may seek instead of walking its index in order, when there are at most `cap` of them. */
interface Seek {
  readonly index: string;
  readonly rows: string;
  readonly cap: number;
  /** the rows are an index's up to a bound (params[param]); valueAtCap reads the index's value at row number `cap` */
  readonly bound?: { readonly param: string; readonly valueAtCap: string };
}

export const QUERY_LIMITS = {
  seek: 10_000,
  seekRange: 100_000,
  gathered: 2000,
  textSeek: 5000,
  countScan: 500,
  countRange: 20_000,
  citationSeek: 500,
  textRange: 200_000,
};

interface ListSql {
  readonly from: string;
  readonly alias: string;
  readonly where: string;
  readonly keyset: string;
  readonly order: string;
  /**
   * Where the total is counted when not along the list's own order: an index whose range holds
   * every match (`range` picks it, `where` then tests each row), read no further than
   * QUERY_LIMITS.countRange rows.
   */
  readonly countIn?: { readonly from: string; readonly range: string };
  /** the rows are those of the texts a search seek found (at most QUERY_LIMITS.textSeek texts) */
  readonly seeksText?: boolean;
}

/**
 * One SQLite file of the read store: its tables, how a batch of events is applied to them (in one
 * transaction, with the global position reached), and the queries, each answered from an index.
 */
export class ReadStoreTables {
  readonly db: Database.Database;
  private readonly s: ReturnType<typeof statements>;
  private readonly prepared = new Map<string, Database.Statement>();
  private version_: LedgerVersion;
  /** see capAt */
  private readonly capsAt = new Map<string, { at: number; value: number | string | null }>();
  /** the positions followed lately, least recently changed first (a stream mostly goes on in the next batch) */
  private readonly positions = new Map<string, PositionProjection>();
  private readonly followedPositions: number;
  /** text ids met lately (rows ids are kept after a rollback only if committed: cleared with the positions) */
  private readonly textIds = new Map<string, number>();

  /** a fresh generation being loaded: query indexes and the search index are built once, at the end */
  private bulk: boolean;
  /** the latest recording instant of the decisions so far (read from the file when unknown) */
  private latestDecision: number | undefined;

  /** A generation opened only to be read (verify beside a running server): nothing is created or changed. */
  static openReadOnly(path: string): ReadStoreTables {
    return new ReadStoreTables(path, { readOnly: true });
  }

  /** The projection version a generation was built by, read without preparing anything that an older one may lack. */
  static projectionVersionOf(path: string): string | undefined {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare("SELECT value FROM meta WHERE key = 'projectionVersion'").get() as { value: string } | undefined)?.value;
    } catch {
      return undefined;
    } finally {
      db.close();
    }
  }

  constructor(
    readonly path: string,
    options: { bulk?: boolean; followedPositions?: number; readOnly?: boolean } = {},
  ) {
    this.followedPositions = options.followedPositions ?? FOLLOWED_POSITIONS;
    if (options.readOnly) {
      this.db = new Database(path, { readonly: true, fileMustExist: true });
      this.s = statements(this.db);
      this.bulk = false;
      this.version_ = this.versionInMeta();
      return;
    }
    // a fresh generation being built (see finishBulk) is not CURRENT until complete, and a build
    // that fails or is killed is thrown away, never resumed: it needs neither a journal nor syncs,
    // so its pages are written once, straight into the file; it gets its WAL when complete
    const fresh = options.bulk === true && (path === ':memory:' || !existsSync(path));
    this.db = new Database(path);
    if (path !== ':memory:') {
      if (fresh) {
        // larger pages: fewer of them to write and to walk when the indexes are built at the end
        this.db.pragma('page_size = 8192');
        // nobody else opens a generation before it is complete
        this.db.pragma('locking_mode = EXCLUSIVE');
      }
      this.db.pragma(fresh ? 'journal_mode = OFF' : 'journal_mode = WAL');
      // the read store can always be caught up again from its checkpoint: durability of the last
      // batch is not needed, consistency is (checkpoint and rows commit together)
      this.db.pragma(fresh ? 'synchronous = OFF' : 'synchronous = NORMAL');
    }
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('cache_size = -65536');
    // a seek's candidates and a search's matches are sorted in memory (bounded by QUERY_LIMITS), not in temp files
    this.db.pragma('temp_store = MEMORY');
    this.db.exec(SCHEMA);
    this.s = statements(this.db);
    this.bulk = fresh;
    if (!this.bulk) this.db.exec(LOOKUP_INDEXES + QUERY_INDEXES);
    // a large generation's indexes are built in the cache at the end of its load
    else if (path !== ':memory:') this.db.pragma('cache_size = -262144');
    if (this.meta('projectionVersion') === undefined) this.s.setMeta.run('projectionVersion', PROJECTION_VERSION);
    this.version_ = this.versionInMeta();
  }

  private versionInMeta(): LedgerVersion {
    return {
      version: Number(this.meta('version') ?? 0),
      digest: this.meta('digest') ?? null,
      events: Number(this.meta('events') ?? 0),
      lastPosition: this.meta('lastPosition') ?? null,
    };
  }

  /** Ends a bulk load: the query indexes and the search index, in one pass each. */
  finishBulk(): void {
    if (!this.bulk) return;
    this.db.exec(LOOKUP_INDEXES);
    this.db.exec(QUERY_INDEXES);
    // counted from the indexes just built (the current stances' one is partial and covering), not from every row
    this.db.exec(BULK_COUNTS);
    this.db.exec("INSERT INTO texts_search (texts_search) VALUES ('rebuild')");
    this.db.exec(BULK_TERMS);
    // statistics from a sample of each index (the planner needs their shape, not exact counts): a full ANALYZE reads every index again
    this.db.pragma('analysis_limit = 1000');
    this.db.exec('ANALYZE');
    if (this.path !== ':memory:') {
      this.db.pragma('cache_size = -65536');
      this.db.pragma('locking_mode = NORMAL');
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
    }
    this.bulk = false;
  }

  meta(key: string): string | undefined {
    return this.s.getMeta.get(key)?.value;
  }

  /** The read store holds the projections of this code, not of an older one. */
  isCurrentVersion(): boolean {
    return this.meta('projectionVersion') === PROJECTION_VERSION;
  }

  /** the first event of the ledger this read store follows: another ledger's read store is never caught up from */
  ledgerId(): string | undefined {
    return this.meta('firstEventId');
  }

  version(): LedgerVersion {
    return this.version_;
  }

  /** the last event applied (the checkpoint's event): the store must still hold it for the read store to be caught up from there */
  lastApplied(): { eventId: string; streamId: string; streamRevision: number; position: string } | undefined {
    const row = this.s.lastEvent.get();
    return row && { eventId: row.event_id, streamId: row.stream_id, streamRevision: row.stream_revision, position: row.position };
  }

  has(eventId: string): boolean {
    return this.s.hasEvent.get(eventId) !== undefined;
  }

  /** Applies events in one transaction: rows, refolded streams and the checkpoint commit together or not at all. */
  applyBatch(events: readonly StoredEvent[]): string[] {
    return this.applyTransaction(events);
  }

  private readonly applyTransaction = (events: readonly StoredEvent[]): string[] => {
    try {
      return this.applyInTransaction(events);
    } catch (error) {
      // rolled back: the positions followed in memory may be ahead of the file now
      this.positions.clear();
      this.textIds.clear();
      this.latestDecision = undefined;
      throw error;
    }
  };

  private readonly applyInTransaction = (events: readonly StoredEvent[]): string[] =>
    this.db.transaction((batch: readonly StoredEvent[]) => {
      const applied: string[] = [];
      const dirty = new Map<string, LedgerEvent[]>();
      let { version, events: count, lastPosition, digest } = this.version_;
      for (const stored of batch) {
        // a fresh generation is read from the store once, in order: no event comes twice (and events_by_id, built at the end, would refuse it)
        if (!this.bulk && this.s.hasEvent.get(stored.id) !== undefined) continue;
        if (count === 0) this.s.setMeta.run('firstEventId', stored.id);
        count += 1;
        lastPosition = stored.position;
        applied.push(stored.id);
        const row = [null, stored.id, stored.streamId, stored.revision, stored.position, null, null, null] as const;
        if (isAuditStream(stored.streamId)) {
          // checkpoints are read, but are no decision: not part of the version a researcher cites
          this.s.insertEvent.run(...row);
          continue;
        }
        let event: LedgerEvent;
        try {
          event = toLedgerEvent(stored);
        } catch (error) {
          this.s.insertUnreadable.run(stored.id, stored.streamId, stored.position, (error as Error).message);
          this.s.insertEvent.run(...row);
          continue;
        }
        digest = sha256Hex(`${digest ?? ''}${event.metadata.hash}`);
        version += 1;
        const { lastInsertRowid: seq } = this.s.insertEvent.run(
          null,
          stored.id,
          stored.streamId,
          stored.revision,
          stored.position,
          event.metadata.recordedBy,
          event.metadata.idempotencyKey ?? null,
          JSON.stringify(event),
        );
        this.recordDecision(version, Number(seq), Date.parse(event.metadata.recordedAt), digest);
        if (event.type === 'SourceDocumentRegistered') {
          const doc = { ...event.data, eventId: event.eventId, recordedAt: event.metadata.recordedAt, recordedBy: event.metadata.recordedBy };
          this.s.upsertDocument.run(event.data.documentId, JSON.stringify(doc));
        } else if (event.streamId.startsWith(POSITION_STREAM)) {
          const inBatch = dirty.get(event.streamId) ?? [];
          inBatch.push(event);
          dirty.set(event.streamId, inBatch);
        }
      }
      for (const [streamId, inBatch] of dirty) this.project(streamId, inBatch);
      this.version_ = { version, digest: digest ?? null, events: count, lastPosition: lastPosition ?? null };
      this.s.setMeta.run('version', String(version));
      this.s.setMeta.run('events', String(count));
      if (lastPosition) this.s.setMeta.run('lastPosition', lastPosition);
      if (digest) this.s.setMeta.run('digest', digest);
      return applied;
    })(events);

  /**
   * Keeps what serves a cited version from the tables: the decision's instant, the latest instant so
   * far, the digest, and which versions no instant tells apart. A decision recorded at (or before)
   * the latest instant of earlier ones makes every version from the first that reached its instant
   * up to the one before it unclear: as recorded by an instant, those versions would hold it too.
   */
  private recordDecision(version: number, seq: number, recordedMs: number, digest: string): void {
    const latest = (this.latestDecision ??= this.s.lastDecision.get()?.latest_ms ?? -Infinity);
    // at the latest instant itself, the versions before the last that reached it are unclear already
    // (each is followed by one recorded at or before its instant): marking the last one merges with them
    if (recordedMs <= latest) this.markUnclear(recordedMs === latest ? version - 1 : this.firstVersionReaching(recordedMs, version - 1), version - 1);
    else this.latestDecision = recordedMs;
    this.s.insertDecision.run(version, seq, recordedMs, this.latestDecision, digest);
  }

  /** The first version whose latest instant is at or after `ms` (latest instants never decrease: a binary search over versions 1..upTo). */
  private firstVersionReaching(ms: number, upTo: number): number {
    let [low, high] = [1, upTo];
    while (low < high) {
      const mid = Math.floor((low + high) / 2);
      if (this.s.decisionAt.get(mid)!.latest_ms >= ms) high = mid;
      else low = mid + 1;
    }
    return low;
  }

  /** Adds versions from..to to the unclear ranges, merged with the ranges they touch (every range ends before `to`). */
  private markUnclear(from: number, to: number): void {
    const before = this.s.unclearAt.get(from);
    const start = before && before.to_version >= from - 1 ? before.from_version : from;
    this.s.deleteUnclearFrom.run(start);
    this.s.insertUnclear.run(start, to);
  }

  /**
   * Follows one position forward by the events of this batch (its state kept in memory for the
   * positions followed lately, read back otherwise), writing only the rows that change. A stream
   * recorded out of time order is refolded from scratch instead.
   */
  private project(streamId: string, inBatch: readonly LedgerEvent[]): void {
    const positionId = streamId.slice(POSITION_STREAM.length);
    const begins = inBatch[0]!.streamRevision === 0;
    const projection = begins ? new PositionProjection(positionId) : (this.positions.get(positionId) ?? this.readBack(streamId, positionId, inBatch));
    this.positions.delete(positionId);
    if (!projection.accepts(inBatch)) {
      this.refold(streamId, inBatch);
      return;
    }
    const citedBefore = projection.citing;
    for (let i = 0; i < inBatch.length;) {
      const at = Date.parse(inBatch[i]!.metadata.recordedAt);
      let j = i + 1;
      while (j < inBatch.length && Date.parse(inBatch[j]!.metadata.recordedAt) === at) j += 1;
      projection.advance(inBatch.slice(i, j), at);
      i = j;
    }
    const touched = projection.takeTouched();
    for (const row of touched.stances) {
      if (row.id !== undefined) {
        this.s.closeStance.run(row.recTo, row.id);
        continue;
      }
      const stance = row.content!;
      row.id = Number(
        this.s.insertStance.run(
          positionId,
          row.recFrom,
          row.recTo,
          row.bizFrom,
          row.bizTo,
          stance.status,
          themeMask(stance.themes),
          addresseeMask(stance.addressees),
          this.textId(stanceTexts(stance)),
          row.json,
        ).lastInsertRowid,
      );
      for (const [ord, relation] of stance.relatesTo.entries()) this.s.insertRelation.run(row.id, relation.positionId, JSON.stringify(relation), ord);
    }
    for (const row of touched.timeline) {
      if (row.id !== undefined) {
        this.s.closeTimeline.run(row.recTo, row.id);
        continue;
      }
      const entry = row.entry!;
      const texts = entryTexts(entry);
      row.id = Number(
        this.s.insertTimeline.run(
          positionId,
          row.recFrom,
          row.recTo,
          timelineSortKey(entry),
          entry.recordedAt,
          entry.streamRevision,
          themeMask(entry.themes),
          addresseeMask(entry.addressees),
          texts ? this.textId(texts) : null,
          row.json,
        ).lastInsertRowid,
      );
    }
    for (const k of touched.known) {
      if (k.stored) this.s.closeKnown.run(k.recTo, positionId, k.recFrom);
      else this.s.insertKnown.run(positionId, k.recFrom, k.recTo, k.streamRevision, k.firstRecordedAt, k.lastRecordedAt, k.corrections);
      k.stored = true;
    }
    for (const c of touched.citations) {
      if (c.open === undefined) this.s.closeCitations.run(c.at, positionId);
      else this.s.openCitation.run(positionId, c.open, c.at, null);
    }
    if (projection.citing) for (const documentId of citedBefore ? touched.newCites : projection.cites) this.s.insertCitation.run(documentId, positionId);
    else if (citedBefore) this.s.deleteCitations.run(positionId);
    this.positions.set(positionId, projection);
    if (this.positions.size > this.followedPositions) this.positions.delete(this.positions.keys().next().value!);
  }

  /** A position's state and open rows, read back from the file (its events before this batch, and the rows they left open). */
  private readBack(streamId: string, positionId: string, inBatch: readonly LedgerEvent[]): PositionProjection {
    const first = inBatch[0]!.eventId;
    const events: LedgerEvent[] = [];
    for (const r of this.s.streamEvents.all(streamId)) {
      const e = JSON.parse(r.json) as LedgerEvent;
      if (e.eventId === first) break;
      events.push(e);
    }
    const stances = this.s.openStances
      .all(positionId)
      .map((r) => ({ bizFrom: r.biz_from, bizTo: r.biz_to, title: r.title, statement: r.statement, json: r.json, recFrom: r.rec_from, recTo: null, id: r.id }));
    const timeline = this.s.openTimeline
      .all(positionId)
      .map((r) => ({ eventId: (JSON.parse(r.json) as TimelineEntry).eventId, json: r.json, recFrom: r.rec_from, recTo: null, id: r.id }));
    const k = this.s.openKnown.get(positionId);
    const known = k && {
      recFrom: k.rec_from,
      recTo: null,
      streamRevision: k.stream_revision,
      firstRecordedAt: k.first_recorded_at,
      lastRecordedAt: k.last_recorded_at,
      corrections: k.corrections,
      stored: true,
    };
    return new PositionProjection(positionId, events, { stances, timeline, known });
  }

  /** Recomputes every row of one position from its events (a stream recorded out of time order). */
  private refold(streamId: string, inBatch: readonly LedgerEvent[]): void {
    // a stream that begins in this batch has no rows yet: nothing to read back or delete
    const whole = inBatch[0]!.streamRevision === 0 && inBatch.every((e, i) => e.streamRevision === i);
    const stream = whole ? inBatch : this.s.streamEvents.all(streamId).map((r) => JSON.parse(r.json) as LedgerEvent);
    const positionId = streamId.slice(POSITION_STREAM.length);
    const rows = positionRows(positionId, stream);
    if (!whole)
      for (const del of [
        this.s.deleteRelations,
        this.s.deleteStances,
        this.s.deleteKnown,
        this.s.deleteTimeline,
        this.s.deleteCitations,
        this.s.deleteCitationsOverTime,
      ])
        del.run(positionId);
    for (const c of rows.citations) this.s.openCitation.run(positionId, c.documentId, c.recFrom, c.recTo);
    for (const r of rows.stances) {
      const { title: _t, statement: _s, ...rest } = r.stance;
      const stanceId = this.s.insertStance.run(
        positionId,
        r.recFrom,
        r.recTo,
        r.bizFrom,
        r.bizTo,
        r.stance.status,
        themeMask(r.stance.themes),
        addresseeMask(r.stance.addressees),
        this.textId(stanceTexts(r.stance)),
        JSON.stringify(rest),
      ).lastInsertRowid;
      for (const [ord, relation] of r.stance.relatesTo.entries()) this.s.insertRelation.run(stanceId, relation.positionId, JSON.stringify(relation), ord);
    }
    for (const k of rows.known) this.s.insertKnown.run(positionId, k.recFrom, k.recTo, k.streamRevision, k.firstRecordedAt, k.lastRecordedAt, k.corrections);
    for (const t of rows.timeline) {
      const texts = entryTexts(t.entry);
      this.s.insertTimeline.run(
        positionId,
        t.recFrom,
        t.recTo,
        timelineSortKey(t.entry),
        t.entry.recordedAt,
        t.entry.streamRevision,
        themeMask(t.entry.themes),
        addresseeMask(t.entry.addressees),
        texts ? this.textId(texts) : null,
        JSON.stringify(t.entry),
      );
    }
    // only a position with a stance now is shown citing (as in the projection)
    if (rows.stances.some((r) => r.recTo === null && r.bizTo === null)) for (const documentId of rows.cites) this.s.insertCitation.run(documentId, positionId);
  }

  private textId(texts: [string, string, string]): number {
    const joined = texts.join('\u0000');
    const known = this.textIds.get(joined);
    if (known !== undefined) return known;
    const hash = createHash('sha1').update(joined).digest('base64');
    // loading a fresh generation, texts are deduplicated in memory only (texts_by_hash comes at the end)
    const found = this.bulk ? undefined : this.s.textByHash.get(hash);
    let id = found?.id;
    if (id === undefined) {
      id = Number(this.s.insertText.run(hash, ...texts).lastInsertRowid);
      if (!this.bulk) {
        this.s.indexText.run(id, ...texts);
        for (const term of new Set(texts.flatMap(searchTerms))) this.s.insertTerm.run(term);
      }
    }
    // a text is mostly met again in the next few versions of its position: a bounded memory of the latest
    if (this.textIds.size >= 20_000) this.textIds.clear();
    this.textIds.set(joined, id);
    return id;
  }

  // ---- queries ---------------------------------------------------------------------------------

  /** A statement prepared once per text (the queries are built from a handful of shapes). */
  private sql(text: string): Database.Statement {
    let statement = this.prepared.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.prepared.set(text, statement);
    }
    return statement;
  }

  /** The indexed words a query word begins (itself included), or undefined when there are too many to list. */
  private readonly expand = (word: string): string[] | undefined => {
    const terms = this.sql(`SELECT term FROM terms WHERE term >= ? AND term < ? || char(1114111) LIMIT ${EXPANSIONS + 1}`)
      .pluck()
      .all(word, word) as string[];
    return terms.length > EXPANSIONS ? undefined : terms;
  };

  /** How many rows a query gives, counting no further than `cap` + 1. */
  private countUpTo(from: string, params: Record<string, unknown>, cap: number): number {
    return (this.sql(`SELECT count(*) AS n FROM (SELECT 1 FROM ${from} LIMIT ${cap + 1})`).get(params) as { n: number }).n;
  }

  /**
   * A list's total counted along an index range rather than the list's order: no further than
   * TOTAL_CAP + 1 matches, nor than QUERY_LIMITS.countRange rows of the range (then `totalCapped`:
   * at least the matches counted).
   */
  private countInRange(
    list: ListSql & { countIn: NonNullable<ListSql['countIn']> },
    params: Record<string, unknown>,
  ): Pick<Page<unknown>, 'total' | 'totalCapped'> {
    const { from, range } = list.countIn;
    // latest first: the rows recorded just before the instant are the likeliest to hold at it (most older ones were closed by a later version since)
    const rows = `${from} WHERE ${range} ORDER BY ${list.alias}.rec_from DESC LIMIT ${QUERY_LIMITS.countRange}`;
    const n = (
      this.sql(`SELECT count(*) AS n FROM (SELECT 1 FROM (SELECT ${list.where} AS m FROM ${rows}) WHERE m LIMIT ${TOTAL_CAP + 1})`).get(params) as {
        n: number;
      }
    ).n;
    if (n > TOTAL_CAP) return { total: TOTAL_CAP, totalCapped: true };
    const read = (this.sql(`SELECT count(*) AS n FROM (SELECT 1 FROM ${rows})`).get(params) as { n: number }).n;
    return { total: n, totalCapped: read >= QUERY_LIMITS.countRange };
  }

  /**
   * The index a list is read from. Walking an index in the list's order stops after a page when
   * matches are dense; when a condition names few rows (a rare word, an early recording instant
   * or business date), seeking those rows and sorting them is cheaper than walking past the rest.
   * Each seek is counted only up to its cap, so choosing costs little either way; a seek along one
   * index up to a bound is not counted at all when its bound alone tells (see capAt).
   */
  private planOf(seeks: readonly Seek[], params: Record<string, unknown>): string | undefined {
    let best: { index: string; n: number } | undefined;
    for (const seek of seeks) {
      if (seek.bound) {
        const value = params[seek.bound.param];
        const atCap = this.capAt(seek.bound.valueAtCap);
        if (atCap === null && seeks.length === 1) return seek.index;
        if (atCap !== null && typeof value === typeof atCap) {
          // the range holds more than `cap` rows: no need to count them
          if (!((value as number | string) < atCap)) continue;
          // at most `cap` rows, and no other seek to weigh them against
          if (seeks.length === 1) return seek.index;
        }
      }
      const n = this.countUpTo(seek.rows, params, seek.cap);
      if (n <= seek.cap && (!best || n < best.n)) best = { index: seek.index, n };
    }
    return best?.index;
  }

  /**
   * The value of an index's column at its row number `cap` (null: fewer rows), found once per
   * state of the tables. A range up to a bound holds at most `cap` rows exactly when the bound is
   * below it, so deciding whether an instant or a date is early enough to seek costs nothing. Only
   * the plan depends on it, never the answer: a value older than the tables costs time, not truth.
   */
  private capAt(sql: string): number | string | null {
    const at = this.version_.events;
    let known = this.capsAt.get(sql);
    if (known?.at !== at) {
      // no row there: every bound is below it
      known = { at, value: (this.sql(sql).pluck().get() as number | string | undefined) ?? null };
      this.capsAt.set(sql, known);
    }
    return known.value;
  }

  /**
   * A search's page as recorded by an instant, from the rows its other conditions keep of a short
   * recording-time range (at most QUERY_LIMITS.seekRange rows, keeping at most `gathered`): each kept
   * row's texts are tested here, and the page is taken from the matches in position order, with
   * their exact total. Walking the list's order instead passes every row recorded later to find
   * matches that are sparse there (an early instant and a theme: tens of milliseconds at a million
   * events). undefined when the range or the kept rows are too many: the list is walked.
   */
  private gatheredSearch(
    where: string,
    params: Record<string, unknown>,
    page: PageRequest | undefined,
    search: (texts: readonly string[]) => boolean,
  ): { ids: number[]; more: boolean; total: { total: number; totalCapped: boolean } } | undefined {
    // the stances open in business time (no asOf) have a recording-time index of their own: the closed ones are not passed
    const index = params.asOf === undefined ? 'stances_recorded_open' : 'stances_recorded';
    const range = `stances v INDEXED BY ${index} WHERE v.rec_from <= @recordedAsOf`;
    if (!((params.recordedAsOf as number) < this.shortRangeBefore())) return undefined;
    // unsorted, so that too many stop the read early; sorted here, as SQLite would (ids are ASCII: code units order them as bytes do)
    const kept = this.sql(`SELECT v.id, v.text_id, v.position_id FROM ${range} AND ${where} LIMIT ${QUERY_LIMITS.gathered + 1}`)
      .raw()
      .all(params) as [number, number, string][];
    if (kept.length > QUERY_LIMITS.gathered) return undefined;
    kept.sort(([, , a], [, , b]) => (a < b ? -1 : a > b ? 1 : 0));
    const after = page?.cursor === undefined ? undefined : (params.after as string);
    const matches = kept.filter(
      this.textsMatching(
        kept.map(([, textId]) => textId),
        params.q as string,
        search,
      ),
    );
    const ids = matches.filter(([, , positionId]) => after === undefined || positionId > after).map(([id]) => id);
    const more = page !== undefined && ids.length > page.limit;
    return {
      ids: page ? ids.slice(0, page.limit + 1) : ids,
      more,
      total: matches.length > TOTAL_CAP ? { total: TOTAL_CAP, totalCapped: true } : { total: matches.length, totalCapped: false },
    };
  }

  /**
   * Which of these texts a search finds. Texts recorded early have low ids: the search index is
   * asked for its matches within their id range (a stretch of each word's list), cheaper than
   * reading every text to test it here. When the range is wide (a ledger recorded out of time
   * order), the texts are read and tested after all.
   */
  private textsMatching(
    textIds: readonly number[],
    q: string,
    search: (texts: readonly string[]) => boolean,
  ): (row: readonly [unknown, number, ...unknown[]]) => boolean {
    let [low, high] = [Infinity, -Infinity];
    for (const id of textIds) [low, high] = [Math.min(low, id), Math.max(high, id)];
    const ids = JSON.stringify([...new Set(textIds)]);
    if (high - low <= QUERY_LIMITS.textRange) {
      // bound as integers: FTS5 takes a REAL bound (how a JavaScript number is bound) for no rowid range, and reads every match
      const matching = new Set(
        this.sql(
          'SELECT value FROM json_each(@ids) WHERE value IN (SELECT rowid FROM texts_search WHERE texts_search MATCH @q AND rowid BETWEEN CAST(@low AS INTEGER) AND CAST(@high AS INTEGER))',
        )
          .pluck()
          .all({ ids, q, low, high }) as number[],
      );
      return ([, textId]) => matching.has(textId);
    }
    const texts = new Map(
      (
        this.sql('SELECT t.id, t.title, t.statement, t.quote FROM json_each(@ids) page CROSS JOIN texts t ON t.id = page.value').raw().all({ ids }) as [
          number,
          string,
          string,
          string,
        ][]
      ).map(([id, ...t]) => [id, t]),
    );
    return ([, textId]) => search(texts.get(textId)!);
  }

  /**
   * The recording instant before which the recording-time range holds at most
   * QUERY_LIMITS.seekRange rows: found once per state of the tables (skipping that many index
   * entries), so that deciding whether a range is short costs nothing.
   */
  private shortRangeBefore(): number {
    const before = this.capAt(`SELECT rec_from FROM stances INDEXED BY stances_recorded ORDER BY rec_from LIMIT 1 OFFSET ${QUERY_LIMITS.seekRange}`);
    return before === null ? Infinity : (before as number);
  }

  /**
   * The row ids of a page of a list and its total. A search whose word is common is not asked of
   * the search index row by row (slow) nor as a set (every match first): the rows are walked in the
   * list's order with their texts and tested here, by the rule the search index follows.
   */
  private pageOf(
    list: ListSql,
    params: Record<string, unknown>,
    page: PageRequest | undefined,
    search: ((texts: readonly string[]) => boolean) | undefined,
    exactTotal?: number,
  ): { ids: number[]; more: boolean; total: { total: number; totalCapped: boolean } } {
    const order = ` ORDER BY ${list.order}`;
    if (list.seeksText) {
      // the rows of the few texts a word is in (QUERY_LIMITS.textSeek): counted as the page is sorted, in one
      // pass over them, rather than read once to count and again to page (their cost grows with the ledger)
      const from = `${list.from} WHERE ${list.where}`;
      const outside = (sql: string) => sql.replace(new RegExp(`\\b${list.alias}\\.`, 'g'), 'seek.');
      const rows = this.sql(
        `SELECT id, n FROM (SELECT ${list.alias}.id, ${list.order}, count(*) OVER () AS n FROM ${from}) seek WHERE 1${outside(list.keyset)}${outside(order)}${page ? ` LIMIT ${page.limit + 1}` : ''}`,
      )
        .raw()
        .all(params) as [number, number][];
      // a cursor past the last match leaves no row to read the count from
      const n = rows[0]?.[1] ?? this.countUpTo(from, params, TOTAL_CAP);
      const ids = rows.map(([id]) => id);
      return { ids, more: page !== undefined && ids.length > page.limit, total: totalOf(n, false) };
    }
    if (!search) {
      const from = `${list.from} WHERE ${list.where}`;
      const total: { total: number; totalCapped: boolean } =
        exactTotal !== undefined
          ? { total: exactTotal, totalCapped: false }
          : list.countIn
            ? this.countInRange({ ...list, countIn: list.countIn }, params)
            : totalOf(this.countUpTo(from, params, TOTAL_CAP), false);
      const ids = this.sql(`SELECT ${list.alias}.id FROM ${from}${list.keyset}${order}${page ? ` LIMIT ${page.limit + 1}` : ''}`)
        .pluck()
        .all(params) as number[];
      // a count stopped early is at least the rows this page found
      if (total.totalCapped && total.total < ids.length) total.total = Math.min(ids.length, TOTAL_CAP);
      return { ids, more: page !== undefined && ids.length > page.limit, total };
    }
    const walk = (keyset: string) =>
      this.sql(
        `SELECT ${list.alias}.id, t.title, t.statement, t.quote FROM ${list.from} CROSS JOIN texts t ON t.id = ${list.alias}.text_id WHERE ${list.where}${keyset}${order}`,
      )
        .raw()
        .iterate(params) as IterableIterator<[number, string, string, string]>;
    let counted = 0;
    let scanned = 0;
    let total: { total: number; totalCapped: boolean };
    if (list.countIn) {
      // as recorded by an instant: the texts of the rows the recording-time range holds, no further than its row cap
      const { from, range } = list.countIn;
      const rows = `${from} WHERE ${range} LIMIT ${QUERY_LIMITS.countRange}`;
      const texts = this.sql(
        `SELECT t.title, t.statement, t.quote FROM (SELECT ${list.alias}.text_id AS text_id, ${list.where} AS m FROM ${rows}) r CROSS JOIN texts t ON t.id = r.text_id WHERE r.m`,
      )
        .raw()
        .iterate(params) as IterableIterator<[string, string, string]>;
      for (const row of texts) if (search(row) && (counted += 1) > TOTAL_CAP) break;
      const read = counted > TOTAL_CAP ? 0 : (this.sql(`SELECT count(*) AS n FROM (SELECT 1 FROM ${rows})`).get(params) as { n: number }).n;
      total = counted > TOTAL_CAP ? { total: TOTAL_CAP, totalCapped: true } : { total: counted, totalCapped: read >= QUERY_LIMITS.countRange };
    } else {
      for (const [, ...texts] of walk('')) {
        if (search(texts)) counted += 1;
        scanned += 1;
        if (counted > TOTAL_CAP || scanned >= QUERY_LIMITS.countScan) break;
      }
      // counting stopped early: at least `counted` match
      total = counted > TOTAL_CAP ? { total: TOTAL_CAP, totalCapped: true } : { total: counted, totalCapped: scanned >= QUERY_LIMITS.countScan };
    }
    const ids: number[] = [];
    for (const [id, ...texts] of walk(list.keyset)) {
      if (!search(texts)) continue;
      ids.push(id);
      if (page && ids.length > page.limit) break;
    }
    if (total.totalCapped && total.total < ids.length) total.total = Math.min(ids.length, TOTAL_CAP);
    return { ids, more: page !== undefined && ids.length > page.limit, total };
  }

  /**
   * The same view without its recording instant when that instant is at or after every decision
   * recorded: then the rows it keeps are exactly the open ones (every row began at or before it, and
   * none was closed after it), and the current view's indexes and maintained counts answer it. A
   * researcher who pins a view to the moment they read it asks this, until the next decision.
   */
  private unpinned<V extends ViewPoint>(view: V): V {
    if (view.recordedAsOf === undefined) return view;
    // read from the file each time: another writer's decision makes a remembered instant stale, and the answer wrong
    const latest = this.s.lastDecision.get()?.latest_ms;
    if (latest === undefined || Date.parse(view.recordedAsOf) < latest) return view;
    const { recordedAsOf: _pinned, ...unpinned } = view;
    return unpinned as V;
  }

  positionPage(asked: PositionQuery, page?: PageRequest): Page<Stance> {
    const query = this.unpinned(asked);
    const params: Record<string, unknown> = {};
    const { stances, known } = viewConditions(query, params);
    const where = [...stances];
    if (query.status) {
      where.push('v.status = @status');
      params.status = query.status;
    }
    if (query.theme) {
      where.push('(v.themes & @theme) != 0');
      params.theme = themeMask([query.theme]);
    }
    if (query.addressee) {
      where.push('(v.addressees & @addressee) != 0');
      params.addressee = addresseeMask([query.addressee]);
    }
    const seeks: Seek[] = [];
    if (query.q !== undefined) {
      params.q = ftsQuery(query.q, this.expand);
      // the current view has a search index of its own, of its stances' texts: a text's older rows are not passed
      if (query.asOf === undefined && query.recordedAsOf === undefined)
        seeks.push({ index: 'current_search', rows: 'current_search WHERE current_search MATCH @q', cap: QUERY_LIMITS.textSeek });
      else seeks.push({ index: 'stances_by_text', rows: 'texts_search WHERE texts_search MATCH @q', cap: QUERY_LIMITS.textSeek });
    }
    if (query.recordedAsOf !== undefined)
      seeks.push({
        index: 'stances_recorded',
        rows: 'stances INDEXED BY stances_recorded WHERE rec_from <= @recordedAsOf',
        cap: QUERY_LIMITS.seek,
        bound: {
          param: 'recordedAsOf',
          valueAtCap: `SELECT rec_from FROM stances INDEXED BY stances_recorded ORDER BY rec_from LIMIT 1 OFFSET ${QUERY_LIMITS.seek}`,
        },
      });
    else if (query.asOf !== undefined)
      seeks.push({
        index: 'stances_known_from',
        rows: 'stances INDEXED BY stances_known_from WHERE rec_to IS NULL AND biz_from <= @asOf',
        cap: QUERY_LIMITS.seek,
        bound: {
          param: 'asOf',
          valueAtCap: `SELECT biz_from FROM stances INDEXED BY stances_known_from WHERE rec_to IS NULL ORDER BY biz_from LIMIT 1 OFFSET ${QUERY_LIMITS.seek}`,
        },
      });
    const seek = this.planOf(seeks, params);
    const index = seek ?? (query.recordedAsOf !== undefined ? 'stances_over_time' : query.asOf !== undefined ? 'stances_as_known' : 'stances_current');
    const searchSeek = query.q !== undefined && (seek === 'stances_by_text' || seek === 'current_search');
    if (seek === 'current_search') where.push('v.id IN (SELECT rowid FROM current_search WHERE current_search MATCH @q)');
    else if (searchSeek) where.push('v.text_id IN (SELECT rowid FROM texts_search WHERE texts_search MATCH @q)');
    let keyset = '';
    if (page?.cursor !== undefined) {
      const [after] = decodeCursor('positions', page.cursor, ['string']);
      keyset = ' AND v.position_id > @after';
      params.after = after;
    }
    const list: ListSql = {
      // the current view's search index names the stance rows themselves, each looked up by its id
      from: seek === 'current_search' ? 'stances v INDEXED BY stances_current_by_id' : `stances v INDEXED BY ${index}`,
      alias: 'v',
      where: where.join(' AND '),
      keyset,
      order: 'v.position_id',
      // as recorded by an instant, the matches lie among the rows recorded by then, each position's stance of the time among its older ones
      countIn: query.recordedAsOf === undefined ? undefined : { from: 'stances v INDEXED BY stances_recorded', range: 'v.rec_from <= @recordedAsOf' },
      seeksText: searchSeek,
    };
    const search = query.q !== undefined && !searchSeek ? textMatcher(query.q) : undefined;
    // a search as recorded by an instant, walked (no seek): its matches may be sparse in position order, past many rows recorded later
    const gathered = search && query.recordedAsOf !== undefined && seek === undefined ? this.gatheredSearch(list.where, params, page, search) : undefined;
    const { ids, more, total } = gathered ?? this.pageOf(list, params, page, search, exactPositionTotal(asked) ? this.currentCount(query) : undefined);
    // the page's texts and recording facts, for its rows only
    const rows = this.sql(
      `SELECT v.position_id, v.json, t.title, t.statement, k.stream_revision, k.first_recorded_at, k.last_recorded_at, k.corrections
       FROM json_each(@ids) page CROSS JOIN stances v ON v.id = page.value JOIN texts t ON t.id = v.text_id JOIN known k ON k.position_id = v.position_id AND ${known}
       ORDER BY v.position_id`,
    ).all({ ...params, ids: JSON.stringify(more ? ids.slice(0, page!.limit) : ids) }) as StanceRow[];
    const items = rows.map(stanceOfRow);
    return { items, ...total, next: more ? encodeCursor('positions', [items.at(-1)!.id]) : null };
  }

  /**
   * A view's positions counted by status, theme and addressee in SQL: the current view from the
   * maintained counts (a row per combination), another view by grouping its stance rows (one per
   * position) along a covering index, no row read into JavaScript.
   */
  positionCounts(asked: ViewPoint = {}): PositionCounts {
    const view = this.unpinned(asked);
    const params: Record<string, unknown> = {};
    const current = view.asOf === undefined && view.recordedAsOf === undefined;
    const { stances } = viewConditions(view, params);
    const index = view.recordedAsOf !== undefined ? 'stances_over_time' : 'stances_as_known';
    const groups = (
      current
        ? this.sql('SELECT status, themes, addressees, n FROM current_counts WHERE n > 0').all()
        : this.sql(
            `SELECT v.status, v.themes, v.addressees, count(*) AS n FROM stances v INDEXED BY ${index} WHERE ${stances.join(' AND ')} GROUP BY 1, 2, 3`,
          ).all(params)
    ) as { status: string; themes: number; addressees: number; n: number }[];
    return positionCountsOf(groups.map((g) => ({ status: g.status, themes: themesOfMask(g.themes), addressees: addresseesOfMask(g.addressees), n: g.n })));
  }

  /** The current positions a filter (without search) keeps, from the maintained counts. */
  private currentCount(query: Pick<PositionQuery, 'status' | 'theme' | 'addressee'>): number {
    const where = ['n > 0'];
    const params: Record<string, unknown> = {};
    if (query.status) {
      where.push('status = @status');
      params.status = query.status;
    }
    if (query.theme) {
      where.push('(themes & @theme) != 0');
      params.theme = themeMask([query.theme]);
    }
    if (query.addressee) {
      where.push('(addressees & @addressee) != 0');
      params.addressee = addresseeMask([query.addressee]);
    }
    return (this.sql(`SELECT coalesce(sum(n), 0) AS n FROM current_counts WHERE ${where.join(' AND ')}`).get(params) as { n: number }).n;
  }

  position(id: string, view: ViewPoint = {}): Stance | undefined {
    const params: Record<string, unknown> = { id };
    const { stances, known } = viewConditions(view, params);
    const row = this.sql(
      `SELECT v.position_id, v.json, t.title, t.statement, k.stream_revision, k.first_recorded_at, k.last_recorded_at, k.corrections
       FROM stances v JOIN texts t ON t.id = v.text_id JOIN known k ON k.position_id = v.position_id AND ${known}
       WHERE v.position_id = @id AND ${stances.join(' AND ')}`,
    ).get(params) as StanceRow | undefined;
    return row && stanceOfRow(row);
  }

  relatedFrom(id: string, view: ViewPoint = {}): PositionView['relatedFrom'] {
    const params: Record<string, unknown> = { id };
    const { stances } = viewConditions(view, params);
    return (
      this.sql(
        `SELECT v.position_id, r.json FROM relations r JOIN stances v ON v.id = r.stance_id WHERE r.to_position_id = @id AND ${stances.join(' AND ')} ORDER BY v.position_id, r.ord`,
      ).all(params) as {
        position_id: string;
        json: string;
      }[]
    ).map((r) => ({ ...(JSON.parse(r.json) as PositionView['relatedFrom'][number]), positionId: r.position_id }));
  }

  /** Whether a position's stream had been recorded by an instant (epoch ms). */
  positionRecordedBy(id: string, recordedBy: number): boolean {
    return this.sql('SELECT 1 FROM known WHERE position_id = ? AND rec_from <= ? LIMIT 1').get(id, recordedBy) !== undefined;
  }

  positionTimeline(id: string, view: ViewPoint = {}): TimelineEntry[] | undefined {
    if (this.s.positionExists.get(id) === undefined) return undefined;
    const params: Record<string, unknown> = { id };
    const where = ['position_id = @id', recordedCondition('', view.recordedAsOf, params)];
    if (view.asOf !== undefined) {
      where.push('biz_key <= @asOf');
      params.asOf = businessDate(view.asOf).latest;
    }
    return (
      this.sql(`SELECT json FROM timeline INDEXED BY timeline_by_position WHERE ${where.join(' AND ')} ORDER BY biz_key, stream_revision`).all(params) as {
        json: string;
      }[]
    ).map((r) => JSON.parse(r.json) as TimelineEntry);
  }

  timelinePage(asked: TimelineQuery, page?: PageRequest): Page<TimelineEntry> {
    const query = this.unpinned(asked);
    const params: Record<string, unknown> = {};
    const where = [recordedCondition('e.', query.recordedAsOf, params)];
    const upTo = [query.to === undefined ? undefined : businessDate(query.to).latest, query.asOf === undefined ? undefined : businessDate(query.asOf).latest]
      .filter((d): d is string => d !== undefined)
      .sort()[0];
    if (query.from !== undefined) {
      where.push('e.biz_key >= @from');
      params.from = businessDate(query.from).earliest;
    }
    if (upTo !== undefined) {
      where.push('e.biz_key <= @to');
      params.to = upTo;
    }
    if (query.theme) {
      where.push('(e.themes & @theme) != 0');
      params.theme = themeMask([query.theme]);
    }
    if (query.addressee) {
      where.push('(e.addressees & @addressee) != 0');
      params.addressee = addresseeMask([query.addressee]);
    }
    const seeks: Seek[] = [];
    if (query.q !== undefined) {
      params.q = ftsQuery(query.q, this.expand);
      seeks.push({ index: 'timeline_by_text', rows: 'texts_search WHERE texts_search MATCH @q', cap: QUERY_LIMITS.textSeek });
    }
    if (query.recordedAsOf !== undefined)
      seeks.push({
        index: 'timeline_recorded',
        rows: 'timeline INDEXED BY timeline_recorded WHERE rec_from <= @recordedAsOf',
        cap: QUERY_LIMITS.seek,
        bound: {
          param: 'recordedAsOf',
          valueAtCap: `SELECT rec_from FROM timeline INDEXED BY timeline_recorded ORDER BY rec_from LIMIT 1 OFFSET ${QUERY_LIMITS.seek}`,
        },
      });
    const seek = this.planOf(seeks, params);
    const index = seek ?? (query.recordedAsOf === undefined ? 'timeline_current' : 'timeline_order');
    const searchSeek = query.q !== undefined && seek === 'timeline_by_text';
    if (searchSeek) where.push('e.text_id IN (SELECT rowid FROM texts_search WHERE texts_search MATCH @q)');
    let keyset = '';
    if (page?.cursor !== undefined) {
      const [k, r, s, p] = decodeCursor('timeline', page.cursor, ['string', 'string', 'number', 'string']);
      keyset = ' AND (e.biz_key, e.recorded_at, e.stream_revision, e.position_id) > (@k, @r, @s, @p)';
      Object.assign(params, { k, r, s, p });
    }
    const list: ListSql = {
      from: `timeline e INDEXED BY ${index}`,
      alias: 'e',
      where: where.join(' AND '),
      keyset,
      order: 'e.biz_key, e.recorded_at, e.stream_revision, e.position_id',
      countIn: query.recordedAsOf === undefined ? undefined : { from: 'timeline e INDEXED BY timeline_recorded', range: 'e.rec_from <= @recordedAsOf' },
      seeksText: searchSeek,
    };
    const search = query.q !== undefined && !searchSeek ? textMatcher(query.q) : undefined;
    const { ids, more, total } = this.pageOf(list, params, page, search);
    const rows = this.sql(
      `SELECT e.biz_key, e.recorded_at, e.stream_revision, e.position_id, e.json FROM json_each(@ids) page CROSS JOIN timeline e ON e.id = page.value
       ORDER BY e.biz_key, e.recorded_at, e.stream_revision, e.position_id`,
    ).all({ ids: JSON.stringify(more ? ids.slice(0, page!.limit) : ids) }) as {
      biz_key: string;
      recorded_at: string;
      stream_revision: number;
      position_id: string;
      json: string;
    }[];
    const last = rows.at(-1);
    return {
      items: rows.map((r) => JSON.parse(r.json) as TimelineEntry),
      ...total,
      next: more && last ? encodeCursor('timeline', [last.biz_key, last.recorded_at, last.stream_revision, last.position_id]) : null,
    };
  }

  documentList(): DocumentView[] {
    return this.documentsRecordedBy(undefined);
  }

  /** The documents, now or as recorded by an instant (epoch ms: see instantOfVersion). */
  documentsRecordedBy(recordedBy: number | undefined): DocumentView[] {
    if (recordedBy === undefined) {
      // every document with its first citing positions in one statement: one per document cost more in calls than in reading
      const rows = this.sql(
        `SELECT d.json, coalesce(cc.n, 0) AS n,
           (SELECT json_group_array(position_id) FROM (SELECT position_id FROM citations c WHERE c.document_id = d.document_id ORDER BY position_id LIMIT ${CITED_BY_PREVIEW + 1})) AS ids
         FROM documents d LEFT JOIN citation_counts cc ON cc.document_id = d.document_id ORDER BY d.document_id`,
      ).all() as { json: string; n: number; ids: string }[];
      // ids are ASCII (see PositionId): sorted here as SQLite sorts them
      return rows.map((r) => withCitedBy(JSON.parse(r.json) as DocumentRow, (JSON.parse(r.ids) as string[]).sort(), r.n, { limit: CITED_BY_PREVIEW }));
    }
    return this.s.documents
      .all()
      .map((r) => JSON.parse(r.json) as DocumentRow)
      .filter((doc) => recordedBy === undefined || Date.parse(doc.recordedAt) <= recordedBy)
      .map((doc) => this.withCitations(doc, { limit: CITED_BY_PREVIEW }, recordedBy));
  }

  document(id: string, page?: PageRequest, recordedBy?: number): DocumentView | undefined {
    const row = this.s.document.get(id);
    const doc = row && (JSON.parse(row.json) as DocumentRow);
    return doc && (recordedBy === undefined || Date.parse(doc.recordedAt) <= recordedBy) ? this.withCitations(doc, page, recordedBy) : undefined;
  }

  /**
   * A document with a page of the positions citing it (all of them without a page request) and
   * their count: now, from the maintained citations; as recorded by an instant, from the citations
   * over recording time (see citedByAt).
   */
  private withCitations(doc: DocumentRow, page: PageRequest | undefined, recordedBy: number | undefined): DocumentView {
    const after = page?.cursor === undefined ? '' : (decodeCursor('citedBy', page.cursor, ['string'])[0] as string);
    const params = { doc: doc.documentId, after, limit: page ? page.limit + 1 : -1, t: recordedBy };
    const { ids, count } =
      recordedBy === undefined
        ? {
            ids: this.sql('SELECT position_id FROM citations WHERE document_id = @doc AND position_id > @after ORDER BY position_id LIMIT @limit')
              .pluck()
              .all(params) as string[],
            count: (this.sql('SELECT n FROM citation_counts WHERE document_id = @doc').pluck().get(params) as number | undefined) ?? 0,
          }
        : this.citedByAt(params);
    return withCitedBy(doc, ids, count, page);
  }

  /**
   * A page of the positions citing a document as recorded by an instant, and their count. Few
   * citations opened by then: those are read and sorted here. Otherwise the page is walked in
   * position order, and the count is today's less those opened since and still open, plus those
   * closed since (rare: a position that lost its every stance), so neither reads every citation.
   */
  private citedByAt(params: { doc: string; after: string; limit: number; t: number | undefined }): { ids: string[]; count: number } {
    const valid = 'c.rec_from <= @t AND (c.rec_to IS NULL OR c.rec_to > @t)';
    const early = `citations_over_time c INDEXED BY citations_over_time_recorded WHERE c.document_id = @doc AND c.rec_from <= @t`;
    if (this.countUpTo(early, params, QUERY_LIMITS.citationSeek) <= QUERY_LIMITS.citationSeek) {
      const all = (this.sql(`SELECT c.position_id FROM ${early} AND ${valid}`).pluck().all(params) as string[]).sort();
      const ids = all.filter((id) => id > params.after);
      return { ids: params.limit < 0 ? ids : ids.slice(0, params.limit), count: all.length };
    }
    const ids = this.sql(
      `SELECT c.position_id FROM citations_over_time c INDEXED BY citations_over_time_by_document WHERE c.document_id = @doc AND ${valid} AND c.position_id > @after ORDER BY c.position_id LIMIT @limit`,
    )
      .pluck()
      .all(params) as string[];
    const now = (this.sql('SELECT n FROM citation_counts WHERE document_id = @doc').pluck().get(params) as number | undefined) ?? 0;
    const openedSince = this.sql(
      'SELECT count(*) FROM citations_over_time c INDEXED BY citations_over_time_recorded WHERE c.document_id = @doc AND c.rec_from > @t AND c.rec_to IS NULL',
    )
      .pluck()
      .get(params) as number;
    const closedSince = this.sql(
      'SELECT count(*) FROM citations_over_time c INDEXED BY citations_over_time_closed WHERE c.document_id = @doc AND c.rec_to > @t AND c.rec_from <= @t',
    )
      .pluck()
      .get(params) as number;
    return { ids, count: now - openedSince + closedSince };
  }

  unreadableEvents(): Unreadable[] {
    return this.s.unreadable.all().map((r) => ({ eventId: r.event_id, streamId: r.stream_id, position: r.position, problem: r.problem }));
  }

  /** The first `version` decisions, in the order the ledger recorded them (to serve a cited version). */
  decisionsUpTo(version: number): LedgerEvent[] {
    return this.s.decisions.all(version).map((r) => JSON.parse(r.json) as LedgerEvent);
  }

  /** Where the `version`th decision stands in the global order: events read up to it (audit ones included) and its position. */
  decisionMark(version: number): { events: number; lastPosition: string } | undefined {
    const row = version < 1 ? undefined : this.s.decisionAt.get(version);
    return row && { events: row.seq, lastPosition: row.position };
  }

  /** The ledger version as it stood at a recorded version (undefined: none such recorded yet). */
  versionAt(version: number): LedgerVersion | undefined {
    const row = version < 1 ? undefined : this.s.decisionAt.get(version);
    return row && { version, digest: row.digest, events: row.seq, lastPosition: row.position };
  }

  /**
   * The recording instant (epoch ms) as recorded by which the tables hold exactly the first
   * `version` decisions: the latest instant among them, when every later decision was recorded
   * after it. undefined when a later decision shares or precedes it (two decisions recorded in the
   * same millisecond, a ledger imported out of time order), or the version is not recorded yet.
   */
  instantOfVersion(version: number): number | undefined {
    const unclear = this.s.unclearAt.get(version);
    if (unclear && unclear.to_version >= version) return undefined;
    return version < 1 ? undefined : this.s.decisionAt.get(version)?.latest_ms;
  }

  /** (a scan of the events' recorders, in SQLite: no event is read into JavaScript) */
  recorders(): string[] {
    return this.sql('SELECT DISTINCT recorded_by AS r FROM events WHERE recorded_by IS NOT NULL ORDER BY recorded_by').pluck().all() as string[];
  }

  recordedWithKey(actorId: string, key: string): LedgerEvent[] {
    return this.s.withKey.all(key, actorId).map((r) => JSON.parse(r.json) as LedgerEvent);
  }

  /** Every row of the compared tables, in a fixed order, for `verify`'s table-by-table comparison. */
  *tableRows(table: (typeof COMPARED_TABLES)[number]): Iterable<unknown[]> {
    yield* this.db
      .prepare(`SELECT ${table.columns} FROM ${table.table}${table.where ? ` WHERE ${table.where}` : ''} ORDER BY ${table.order}`)
      .raw()
      .iterate() as Iterable<unknown[]>;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

type DocumentRow = Omit<DocumentView, 'citedBy' | 'citedByCount' | 'citedByNext'>;

interface StanceRow {
  position_id: string;
  json: string;
  title: string;
  statement: string;
  stream_revision: number;
  first_recorded_at: string;
  last_recorded_at: string;
  corrections: number;
}

function stanceOfRow(r: StanceRow): Stance {
  const rest = JSON.parse(r.json) as Omit<Stance, 'title' | 'statement' | 'streamRevision' | 'firstRecordedAt' | 'lastRecordedAt' | 'corrections'>;
  const { id, ...after } = rest;
  return {
    id,
    title: r.title,
    statement: r.statement,
    ...after,
    streamRevision: r.stream_revision,
    firstRecordedAt: r.first_recorded_at,
    lastRecordedAt: r.last_recorded_at,
    corrections: r.corrections,
  };
}

/** The conditions that pick, for each position, the stance row and the known row of a view. */
function viewConditions(view: ViewPoint, params: Record<string, unknown>): { stances: string[]; known: string } {
  const stances = [recordedCondition('v.', view.recordedAsOf, params)];
  if (view.asOf === undefined) stances.push('v.biz_to IS NULL');
  else {
    stances.push('v.biz_from <= @asOf AND (v.biz_to IS NULL OR v.biz_to > @asOf)');
    params.asOf = businessDate(view.asOf).latest;
  }
  return { stances, known: recordedCondition('k.', view.recordedAsOf, params) };
}

/** A document with the page of citing positions read (one more than the page asks, when there is a next one). */
function withCitedBy(doc: DocumentRow, ids: string[], count: number, page: PageRequest | undefined): DocumentView {
  const more = page !== undefined && ids.length > page.limit;
  const citedBy = more ? ids.slice(0, page.limit) : ids;
  return { ...doc, citedBy, citedByCount: count, citedByNext: more ? encodeCursor('citedBy', [citedBy.at(-1)!]) : null };
}

function recordedCondition(prefix: string, recordedAsOf: string | undefined, params: Record<string, unknown>): string {
  if (recordedAsOf === undefined) return `${prefix}rec_to IS NULL`;
  params.recordedAsOf = Date.parse(recordedAsOf);
  return `${prefix}rec_from <= @recordedAsOf AND (${prefix}rec_to IS NULL OR ${prefix}rec_to > @recordedAsOf)`;
}

/** Every word must begin a word of the text; each is quoted, so nothing a client types is FTS5 syntax. */
function ftsQuery(q: string, expand: (word: string) => string[] | undefined): string {
  return searchTerms(q)
    .map((w) => {
      // FTS5 answers "w"* by merging every posting of every word it begins before the first match:
      // the words it begins, asked one by one, are read lazily (a LIMIT stops them)
      const words = expand(w);
      return words === undefined ? `"${w}"*` : `(${[w, ...words.filter((t) => t !== w)].map((t) => `"${t}"`).join(' OR ')})`;
    })
    .join(' AND ');
}

function statements(db: Database.Database) {
  return {
    getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    hasEvent: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM events WHERE event_id = ?'),
    insertEvent: db.prepare<[null, string, string, number, string, string | null, string | null, string | null]>(
      'INSERT INTO events (seq, event_id, stream_id, stream_revision, position, recorded_by, idempotency_key, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    insertUnreadable: db.prepare<[string, string, string, string]>(
      'INSERT OR REPLACE INTO unreadable (event_id, stream_id, position, problem) VALUES (?, ?, ?, ?)',
    ),
    lastEvent: db.prepare<[], { event_id: string; stream_id: string; stream_revision: number; position: string }>(
      'SELECT event_id, stream_id, stream_revision, position FROM events ORDER BY seq DESC LIMIT 1',
    ),
    streamEvents: db.prepare<[string], { json: string }>('SELECT json FROM events WHERE stream_id = ? AND json IS NOT NULL ORDER BY seq'),
    upsertDocument: db.prepare<[string, string]>(
      'INSERT INTO documents (document_id, json) VALUES (?, ?) ON CONFLICT (document_id) DO UPDATE SET json = excluded.json',
    ),
    deleteRelations: db.prepare<[string]>('DELETE FROM relations WHERE stance_id IN (SELECT id FROM stances WHERE position_id = ?)'),
    insertRelation: db.prepare<[number | bigint, string, string, number]>('INSERT INTO relations (stance_id, to_position_id, json, ord) VALUES (?, ?, ?, ?)'),
    deleteStances: db.prepare<[string]>('DELETE FROM stances WHERE position_id = ?'),
    deleteKnown: db.prepare<[string]>('DELETE FROM known WHERE position_id = ?'),
    deleteTimeline: db.prepare<[string]>('DELETE FROM timeline WHERE position_id = ?'),
    deleteCitations: db.prepare<[string]>('DELETE FROM citations WHERE position_id = ?'),
    insertStance: db.prepare<[string, number, number | null, string, string | null, string, number, number, number, string]>(
      'INSERT INTO stances (position_id, rec_from, rec_to, biz_from, biz_to, status, themes, addressees, text_id, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    insertKnown: db.prepare<[string, number, number | null, number, string, string, number]>(
      'INSERT INTO known (position_id, rec_from, rec_to, stream_revision, first_recorded_at, last_recorded_at, corrections) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    insertTimeline: db.prepare<[string, number, number | null, string, string, number, number, number, number | null, string]>(
      'INSERT INTO timeline (position_id, rec_from, rec_to, biz_key, recorded_at, stream_revision, themes, addressees, text_id, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    closeStance: db.prepare<[number | null, number]>('UPDATE stances SET rec_to = ? WHERE id = ?'),
    closeTimeline: db.prepare<[number | null, number]>('UPDATE timeline SET rec_to = ? WHERE id = ?'),
    closeKnown: db.prepare<[number | null, string, number]>('UPDATE known SET rec_to = ? WHERE position_id = ? AND rec_from = ?'),
    openStances: db.prepare<
      [string],
      { id: number; rec_from: number; biz_from: string; biz_to: string | null; json: string; title: string; statement: string }
    >(
      'SELECT s.id, s.rec_from, s.biz_from, s.biz_to, s.json, t.title, t.statement FROM stances s JOIN texts t ON t.id = s.text_id WHERE s.position_id = ? AND s.rec_to IS NULL',
    ),
    openTimeline: db.prepare<[string], { id: number; rec_from: number; json: string }>(
      'SELECT id, rec_from, json FROM timeline WHERE position_id = ? AND rec_to IS NULL',
    ),
    openKnown: db.prepare<[string], { rec_from: number; stream_revision: number; first_recorded_at: string; last_recorded_at: string; corrections: number }>(
      'SELECT * FROM known WHERE position_id = ? AND rec_to IS NULL',
    ),
    insertCitation: db.prepare<[string, string]>('INSERT OR IGNORE INTO citations (document_id, position_id) VALUES (?, ?)'),
    textByHash: db.prepare<[string], { id: number }>('SELECT id FROM texts WHERE hash = ?'),
    insertText: db.prepare<[string, string, string, string]>('INSERT INTO texts (hash, title, statement, quote) VALUES (?, ?, ?, ?)'),
    indexText: db.prepare<[number, string, string, string]>('INSERT INTO texts_search (rowid, title, statement, quote) VALUES (?, ?, ?, ?)'),
    insertTerm: db.prepare<[string]>('INSERT OR IGNORE INTO terms (term) VALUES (?)'),
    positionExists: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM known WHERE position_id = ? LIMIT 1'),
    documents: db.prepare<[], { json: string }>('SELECT json FROM documents ORDER BY document_id'),
    document: db.prepare<[string], { json: string }>('SELECT json FROM documents WHERE document_id = ?'),
    unreadable: db.prepare<[], { event_id: string; stream_id: string; position: string; problem: string }>('SELECT * FROM unreadable ORDER BY rowid'),
    decisions: db.prepare<[number], { json: string }>('SELECT json FROM events WHERE json IS NOT NULL ORDER BY seq LIMIT ?'),
    decisionAt: db.prepare<[number], { seq: number; latest_ms: number; digest: string; position: string }>(
      'SELECT d.seq, d.latest_ms, d.digest, e.position FROM decisions d JOIN events e ON e.seq = d.seq WHERE d.version = ?',
    ),
    lastDecision: db.prepare<[], { latest_ms: number }>('SELECT latest_ms FROM decisions ORDER BY version DESC LIMIT 1'),
    insertDecision: db.prepare<[number, number, number, number, string]>(
      'INSERT INTO decisions (version, seq, recorded_ms, latest_ms, digest) VALUES (?, ?, ?, ?, ?)',
    ),
    unclearAt: db.prepare<[number], { from_version: number; to_version: number }>(
      'SELECT from_version, to_version FROM unclear_versions WHERE from_version <= ? ORDER BY from_version DESC LIMIT 1',
    ),
    deleteUnclearFrom: db.prepare<[number]>('DELETE FROM unclear_versions WHERE from_version >= ?'),
    insertUnclear: db.prepare<[number, number]>('INSERT INTO unclear_versions (from_version, to_version) VALUES (?, ?)'),
    openCitation: db.prepare<[string, string, number, number | null]>(
      'INSERT INTO citations_over_time (position_id, document_id, rec_from, rec_to) VALUES (?, ?, ?, ?)',
    ),
    closeCitations: db.prepare<[number, string]>('UPDATE citations_over_time SET rec_to = ? WHERE position_id = ? AND rec_to IS NULL'),
    deleteCitationsOverTime: db.prepare<[string]>('DELETE FROM citations_over_time WHERE position_id = ?'),
    withKey: db.prepare<[string, string], { json: string }>(
      'SELECT json FROM events WHERE idempotency_key = ? AND recorded_by = ? AND json IS NOT NULL ORDER BY seq',
    ),
  };
}
