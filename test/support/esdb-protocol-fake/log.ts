/**
 * The in-memory transaction log behind the KurrentDB protocol fake. It models what the ledger's
 * adapter must cope with on a real server, and is no kinder:
 * - positions are byte offsets into the log (commit, prepare), large and with gaps; as KurrentDB
 *   writes a gRPC append, every event is a record of its own whose commit position is its prepare
 *   position, so the events of one write have positions of their own;
 * - a position is valid only at a record's start (or the end of the log); anything else is "inside
 *   a record" and refused, as the server's chunk reader refuses it;
 * - `$all` holds the server's own records ($settings, users, stats, stream metadata, tombstones)
 *   between the clients' events;
 * - re-appending event ids already in the stream after the expected revision is idempotent (the
 *   server reads the log to check); with expected revision any or stream-exists, only while the
 *   ids are in a small in-memory cache of recent writes, which a restart empties;
 * - an append larger than MaxAppendSize (data + metadata + 2 × type length per event, 1 MiB by
 *   default in KurrentDB 25.0) is refused;
 * - a write can be held "replicating": stored, counted by expected-revision checks, invisible to
 *   reads, and a retry of it is dropped without an answer (the server's IdempotentNotReady);
 * - a soft-deleted stream reads as not found, keeps its numbering when written to again;
 *   a tombstoned stream refuses everything.
 */

export type Expected = { kind: 'any' } | { kind: 'no-stream' } | { kind: 'stream-exists' } | { kind: 'revision'; revision: bigint };

export interface LogRecord {
  readonly id: string;
  readonly streamId: string;
  readonly revision: bigint;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
  readonly commit: bigint;
  readonly prepare: bigint;
  /** .NET ticks (100 ns) since the Unix epoch, as the server sends "created" */
  readonly created: bigint;
  /** while replicating (Date.now() below this), the record is stored but not yet readable */
  visibleAt?: number;
}

export interface Proposed {
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
}

interface StreamState {
  readonly records: LogRecord[];
  /** revisions below this are hidden (soft deletion, $tb); max long when deleted and not re-written */
  truncateBefore: bigint;
  tombstoned: boolean;
}

export type AppendOutcome =
  | { kind: 'success'; currentRevision: bigint | 'no-stream'; position?: { commit: bigint; prepare: bigint }; visibleAt?: number }
  | { kind: 'not-ready' }
  | { kind: 'too-large'; maxAppendSize: number }
  | { kind: 'wrong-expected-version'; current: bigint | 'no-stream'; expected: Expected }
  | { kind: 'stream-deleted' };

export type DeleteOutcome =
  | { kind: 'success'; position: { commit: bigint; prepare: bigint } }
  | { kind: 'wrong-expected-version'; current: bigint | 'no-stream'; expected: Expected }
  | { kind: 'stream-deleted' };

export const DELETED_STREAM = 9223372036854775807n; // long.MaxValue: $tb of a soft-deleted stream, revision of a tombstone
const RECENT_IDS = 64;
const RECORD_HEADER_BYTES = 91n;
const CHUNK_HEADER_BYTES = 128n;
/** KurrentDB 25.0's default MaxAppendSize */
export const DEFAULT_MAX_APPEND_SIZE = 1024 * 1024;

export interface FakeLogOptions {
  readonly clock?: () => Date;
  readonly maxAppendSize?: number;
  /** a replica starts empty and copies the leader's records when told to (see replicateFrom) */
  readonly replica?: boolean;
}

export class FakeLog {
  /** the whole log in (commit, prepare) order, records still replicating included */
  readonly records: LogRecord[] = [];
  private streams = new Map<string, StreamState>();
  private recentIds: string[] = [];
  private readonly listeners = new Set<() => void>();
  private writes = 0;
  private nextOffset = CHUNK_HEADER_BYTES;
  private holdNext = 0;
  private holdPrefix = '';
  private readonly clock: () => Date;
  readonly maxAppendSize: number;

  constructor(options: FakeLogOptions = {}) {
    this.clock = options.clock ?? (() => new Date());
    this.maxAppendSize = options.maxAppendSize ?? DEFAULT_MAX_APPEND_SIZE;
    if (options.replica) return;
    // A fresh node writes its own records before any client does.
    this.writeSystem('$settings', '$settings', { $userStreamAcl: { $r: '$all', $w: '$all' } });
    this.writeSystem('$user-admin', '$user', { loginName: 'admin', fullName: 'KurrentDB Administrator', groups: ['$admins'] });
    this.writeSystem('$users', '$UserCreated', 'admin');
    this.writeSystem('$user-ops', '$user', { loginName: 'ops', fullName: 'KurrentDB Operations', groups: ['$ops'] });
    this.writeSystem('$users', '$UserCreated', 'ops');
  }

  onAppended(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  head(): { commit: bigint; prepare: bigint } | undefined {
    const last = this.committed().at(-1);
    return last && { commit: last.commit, prepare: last.prepare };
  }

  /** the records a reader can see: the log up to the first one still replicating */
  committed(): LogRecord[] {
    const now = Date.now();
    const i = this.records.findIndex((r) => r.visibleAt !== undefined && r.visibleAt > now);
    return i < 0 ? this.records : this.records.slice(0, i);
  }

  /**
   * Where a read of `$all` from this position starts: at a record's start, or at the end of the
   * log ('end', and 'past-end' beyond it: nothing to read); anywhere else is inside a record.
   */
  locate(position: { commit: bigint; prepare: bigint }): number | 'end' | 'past-end' | 'invalid' {
    if (position.commit === 0n && position.prepare === 0n) return 0;
    const records = this.committed();
    const i = records.findIndex((r) => r.commit === position.commit && r.prepare === position.prepare);
    if (i >= 0) return i;
    const end = this.nextOffset;
    if (position.commit === position.prepare && position.commit === end) return 'end';
    if (position.commit > end && position.prepare > end) return 'past-end';
    return 'invalid';
  }

  /** The next client write (to a stream starting with `streamPrefix`) is stored but stays "replicating" (unreadable, unanswered) for `ms`. */
  holdNextWrite(ms: number, streamPrefix = ''): void {
    this.holdNext = ms;
    this.holdPrefix = streamPrefix;
  }

  /** What a node restart loses: the in-memory cache of recent event ids (idempotency for any). */
  forgetRecentIds(): void {
    this.recentIds = [];
  }

  /** A follower's copy of the leader's log, as of now. */
  replicateFrom(leader: FakeLog): void {
    this.records.length = 0;
    this.records.push(...leader.committed());
    this.streams = new Map();
    for (const [id, s] of leader.streams) {
      this.streams.set(id, { ...s, records: s.records.filter((r) => this.records.includes(r)) });
    }
    this.nextOffset = leader.nextOffset;
    this.notify();
  }

  /** the stream's current revision as expected-revision checks see it */
  current(streamId: string): bigint | 'no-stream' {
    const s = this.streams.get(streamId);
    if (!s || s.records.length === 0 || s.truncateBefore === DELETED_STREAM) return 'no-stream';
    return s.records.at(-1)!.revision;
  }

  isTombstoned(streamId: string): boolean {
    return this.streams.get(streamId)?.tombstoned ?? false;
  }

  /** the readable events of a stream; undefined when the stream is not found (never written, or soft-deleted) */
  readableStream(streamId: string): LogRecord[] | undefined {
    const s = this.streams.get(streamId);
    if (!s || s.truncateBefore === DELETED_STREAM) return undefined;
    const now = Date.now();
    const visible = s.records.filter((r) => r.revision >= s.truncateBefore && (r.visibleAt === undefined || r.visibleAt <= now));
    return visible.length === 0 ? undefined : visible;
  }

  append(streamId: string, expected: Expected, events: readonly Proposed[]): AppendOutcome {
    const s = this.streams.get(streamId);
    if (s?.tombstoned) return { kind: 'stream-deleted' };
    const size = events.reduce((n, e) => n + e.data.length + e.metadata.length + 2 * e.type.length, 0);
    if (size > this.maxAppendSize) return { kind: 'too-large', maxAppendSize: this.maxAppendSize };
    const current = this.current(streamId);
    const idempotent = this.idempotentResult(s, expected, events);
    if (idempotent) return idempotent;
    if (!meets(expected, current)) return { kind: 'wrong-expected-version', current, expected };
    if (events.length === 0) return { kind: 'success', currentRevision: current };
    this.interleaveSystemRecord();
    const state = s ?? this.createStream(streamId);
    let revision = state.records.length === 0 ? 0n : state.records.at(-1)!.revision + 1n;
    if (state.truncateBefore === DELETED_STREAM) {
      // Written again after a soft deletion: the numbering goes on, the old events stay hidden.
      state.truncateBefore = revision;
      this.writeSystem(`$$${streamId}`, '$metadata', { $tb: Number(revision) });
    }
    const written = this.writeTransaction(events.map((e) => ({ ...e, streamId, revision: revision++ })));
    state.records.push(...written);
    for (const e of events) this.remember(e.id);
    let visibleAt: number | undefined;
    if (this.holdNext > 0 && streamId.startsWith(this.holdPrefix)) {
      visibleAt = Date.now() + this.holdNext;
      this.holdNext = 0;
      for (const r of written) r.visibleAt = visibleAt;
      setTimeout(() => this.notify(), visibleAt - Date.now() + 1).unref();
    } else this.notify();
    const last = written.at(-1)!;
    return { kind: 'success', currentRevision: last.revision, position: { commit: last.commit, prepare: last.prepare }, visibleAt };
  }

  softDelete(streamId: string, expected: Expected): DeleteOutcome {
    const s = this.streams.get(streamId);
    if (s?.tombstoned) return { kind: 'stream-deleted' };
    const current = this.current(streamId);
    if (!meets(expected, current)) return { kind: 'wrong-expected-version', current, expected };
    const state = s ?? this.createStream(streamId);
    state.truncateBefore = DELETED_STREAM;
    const [meta] = this.writeTransaction([
      systemRecord(`$$${streamId}`, this.nextSystemRevision(`$$${streamId}`), '$metadata', { $tb: DELETED_STREAM.toString() }),
    ]);
    this.trackSystem(meta!);
    this.notify();
    return { kind: 'success', position: { commit: meta!.commit, prepare: meta!.prepare } };
  }

  tombstone(streamId: string, expected: Expected): DeleteOutcome {
    const s = this.streams.get(streamId);
    if (s?.tombstoned) return { kind: 'stream-deleted' };
    const current = this.current(streamId);
    if (!meets(expected, current)) return { kind: 'wrong-expected-version', current, expected };
    const state = s ?? this.createStream(streamId);
    state.tombstoned = true;
    const [record] = this.writeTransaction([systemRecord(streamId, DELETED_STREAM, '$streamDeleted', {})]);
    this.notify();
    return { kind: 'success', position: { commit: record!.commit, prepare: record!.prepare } };
  }

  /** The server's CheckCommit: exact revisions read the log, any and stream-exists only the cache of recent ids. */
  private idempotentResult(s: StreamState | undefined, expected: Expected, events: readonly Proposed[]): AppendOutcome | undefined {
    if (!s || events.length === 0) return undefined;
    let from: bigint | undefined;
    if (expected.kind === 'revision') from = expected.revision + 1n;
    else if (expected.kind === 'no-stream') from = s.records[0]?.revision ?? 0n;
    else if (this.recentIds.includes(events[0]!.id)) from = s.records.find((r) => r.id === events[0]!.id)?.revision;
    if (from === undefined) return undefined;
    const at = s.records.findIndex((r) => r.revision === from);
    if (at < 0) return undefined;
    const stored = s.records.slice(at, at + events.length);
    if (stored.length !== events.length || stored.some((r, i) => r.id !== events[i]!.id)) return undefined;
    // The original write is not replicated yet: the server drops the retry without an answer.
    const now = Date.now();
    if (stored.some((r) => r.visibleAt !== undefined && r.visibleAt > now)) return { kind: 'not-ready' };
    const last = stored.at(-1)!;
    return { kind: 'success', currentRevision: last.revision, position: { commit: last.commit, prepare: last.prepare } };
  }

  private createStream(streamId: string): StreamState {
    const state: StreamState = { records: [], truncateBefore: 0n, tombstoned: false };
    this.streams.set(streamId, state);
    return state;
  }

  /** Every third client write, the node has written something of its own in between (stats, here). */
  private interleaveSystemRecord(): void {
    this.writes += 1;
    if (this.writes % 3 === 0) this.writeSystem('$stats-127.0.0.1:2113', '$statsCollected', { 'proc-mem': 123456789 + this.writes });
  }

  private writeSystem(streamId: string, type: string, data: unknown): void {
    const [record] = this.writeTransaction([systemRecord(streamId, this.nextSystemRevision(streamId), type, data)]);
    this.trackSystem(record!);
  }

  private nextSystemRevision(streamId: string): bigint {
    const last = this.streams.get(streamId)?.records.at(-1);
    return last ? last.revision + 1n : 0n;
  }

  private trackSystem(record: LogRecord): void {
    const state = this.streams.get(record.streamId) ?? this.createStream(record.streamId);
    state.records.push(record);
  }

  /** Lays records out at growing byte offsets, one record per event, each committed at its own position. */
  private writeTransaction(entries: readonly (Proposed & { streamId: string; revision: bigint })[]): LogRecord[] {
    const created = BigInt(this.clock().getTime()) * 10_000n;
    const prepares = entries.map((e) => {
      const prepare = this.nextOffset;
      this.nextOffset += recordSize(e);
      return { e, prepare };
    });
    const records = prepares.map(({ e, prepare }) => ({
      id: e.id,
      streamId: e.streamId,
      revision: e.revision,
      type: e.type,
      contentType: e.contentType,
      data: e.data,
      metadata: e.metadata,
      commit: prepare,
      prepare,
      created,
    }));
    this.records.push(...records);
    return records;
  }

  private remember(id: string): void {
    this.recentIds.push(id);
    if (this.recentIds.length > RECENT_IDS) this.recentIds.shift();
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }
}

export function meets(expected: Expected, current: bigint | 'no-stream'): boolean {
  switch (expected.kind) {
    case 'any':
      return true;
    case 'no-stream':
      return current === 'no-stream';
    case 'stream-exists':
      return current !== 'no-stream';
    case 'revision':
      return current === expected.revision;
  }
}

export function comparePositions(a: { commit: bigint; prepare: bigint }, b: { commit: bigint; prepare: bigint }): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

function recordSize(e: Proposed & { streamId: string }): bigint {
  const size = RECORD_HEADER_BYTES + BigInt(Buffer.byteLength(e.streamId) + Buffer.byteLength(e.type) + e.data.length + e.metadata.length);
  return (size + 7n) & ~7n;
}

let systemIds = 0;
function systemRecord(streamId: string, revision: bigint, type: string, data: unknown): Proposed & { streamId: string; revision: bigint } {
  systemIds += 1;
  const hex = systemIds.toString(16).padStart(12, '0');
  return {
    id: `00000000-0000-4000-8000-${hex}`,
    streamId,
    revision,
    type,
    contentType: 'application/json',
    data: Buffer.from(JSON.stringify(data)),
    metadata: new Uint8Array(),
  };
}
