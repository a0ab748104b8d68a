/**
 * The in-memory transaction log behind the KurrentDB protocol fake. It models what the ledger's
 * adapter must cope with on a real server, and is no kinder:
 * - positions are byte offsets into the log (commit, prepare), large and with gaps; the events of
 *   one multi-event write share the commit position of the write and differ by prepare position;
 * - `$all` holds the server's own records ($settings, users, stats, stream metadata, tombstones)
 *   between the clients' events;
 * - re-appending event ids already in the stream after the expected revision is idempotent;
 *   with expected revision any, only while the ids are in a small cache of recent writes (the
 *   real server's is best effort too);
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
  | { kind: 'success'; currentRevision: bigint | 'no-stream'; position?: { commit: bigint; prepare: bigint } }
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

export class FakeLog {
  /** the whole log in (commit, prepare) order */
  readonly records: LogRecord[] = [];
  private readonly streams = new Map<string, StreamState>();
  private readonly recentIds: string[] = [];
  private readonly listeners = new Set<() => void>();
  private writes = 0;
  private nextOffset = CHUNK_HEADER_BYTES;

  constructor(private readonly clock: () => Date = () => new Date()) {
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
    const last = this.records.at(-1);
    return last && { commit: last.commit, prepare: last.prepare };
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
    const visible = s.records.filter((r) => r.revision >= s.truncateBefore);
    return visible.length === 0 ? undefined : visible;
  }

  append(streamId: string, expected: Expected, events: readonly Proposed[]): AppendOutcome {
    const s = this.streams.get(streamId);
    if (s?.tombstoned) return { kind: 'stream-deleted' };
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
    const written = this.writeTransaction(
      events.map((e) => ({ ...e, streamId, revision: revision++ })),
    );
    state.records.push(...written);
    for (const e of events) this.remember(e.id);
    this.notify();
    const first = written[0]!;
    // The answer carries the write's commit point, not the position the last event reads back with.
    return { kind: 'success', currentRevision: written.at(-1)!.revision, position: { commit: first.commit, prepare: first.prepare } };
  }

  softDelete(streamId: string, expected: Expected): DeleteOutcome {
    const s = this.streams.get(streamId);
    if (s?.tombstoned) return { kind: 'stream-deleted' };
    const current = this.current(streamId);
    if (!meets(expected, current)) return { kind: 'wrong-expected-version', current, expected };
    const state = s ?? this.createStream(streamId);
    state.truncateBefore = DELETED_STREAM;
    const [meta] = this.writeTransaction([systemRecord(`$$${streamId}`, this.nextSystemRevision(`$$${streamId}`), '$metadata', { $tb: DELETED_STREAM.toString() })]);
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
    return { kind: 'success', currentRevision: stored.at(-1)!.revision };
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

  /** Lays records out as prepares at growing byte offsets; a multi-record write is committed by a commit record after them. */
  private writeTransaction(entries: readonly (Proposed & { streamId: string; revision: bigint })[]): LogRecord[] {
    const created = BigInt(this.clock().getTime()) * 10_000n;
    const prepares = entries.map((e) => {
      const prepare = this.nextOffset;
      this.nextOffset += recordSize(e);
      return { e, prepare };
    });
    let commit = prepares[0]!.prepare;
    if (prepares.length > 1) {
      commit = this.nextOffset;
      this.nextOffset += RECORD_HEADER_BYTES - 16n; // the commit record
    }
    const records = prepares.map(({ e, prepare }) => ({
      id: e.id,
      streamId: e.streamId,
      revision: e.revision,
      type: e.type,
      contentType: e.contentType,
      data: e.data,
      metadata: e.metadata,
      commit,
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
