import {
  ANY,
  BACKWARDS,
  CancelledError,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  jsonEvent,
  MaxAppendSizeExceededError,
  NO_STREAM,
  NotLeaderError,
  START,
  STREAM_EXISTS,
  streamNameFilter,
  StreamNotFoundError,
  TimeoutError,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError,
  type AppendExpectedRevision,
  type EventType,
  type ResolvedEvent,
} from '@eventstore/db-client';
import {
  AppendOutcomeUnknownError,
  AppendTooLargeError,
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
  type StoredEvent,
  type SubscribeOptions,
  type Subscription,
} from './event-store';
import { randomUUID } from 'node:crypto';
import {
  APPEND_ID,
  appendSize,
  assertEventId,
  CLAIM_EVENT_TYPE,
  claimEventId,
  claimStream,
  isDerivedId,
  formatPosition,
  isAfter,
  isInvalidPositionMessage,
  ledgerStreamOf,
  parsePosition,
  samePosition,
  serverFilterOf,
  toServerStream,
  type LedgerStreams,
  type LogPosition,
} from './esdb/records';

export interface EsdbStoreOptions {
  /** events asked of the server per page when reading `$all` */
  readonly pageSize?: number;
  /** first and longest wait before a dropped subscription resubscribes */
  readonly resubscribeDelayMs?: { readonly first: number; readonly max: number };
  /** put before every stream name on the server: several ledgers (or test runs) in one database */
  readonly namespace?: string;
  /** prefixes of the ledger's stream names; other streams in the database are not the ledger's */
  readonly streams?: readonly string[];
  /** how long the server may take to answer one append before its outcome is in doubt */
  readonly appendDeadlineMs?: number;
  /** how long an append whose outcome is in doubt is re-checked and retried before the caller is told so */
  readonly outcomeBudgetMs?: number;
  /** the largest append sent, in the server's measure; KurrentDB 25.0 refuses more than 1 MiB by default */
  readonly maxAppendBytes?: number;
  /** how long a server that keeps answering INTERNAL/UNKNOWN is retried before the live follower gives up */
  readonly giveUpAfterMs?: number;
}

/** KurrentDB 25.0's default MaxAppendSize; later servers allow more, an operator may allow less. */
export const DEFAULT_MAX_APPEND_BYTES = 1024 * 1024;

type Recorded = NonNullable<ResolvedEvent['event']>;

/**
 * The KurrentDB (EventStoreDB) store, through @eventstore/db-client over gRPC.
 *
 * - Streams and events are the ledger's own: same stream names (under an optional namespace), the
 *   ledger's event ids, data and metadata as JSON.
 * - Appends and stream reads require the leader: on a follower the server answers NotLeader naming
 *   the leader, the client reconnects there, and the call is retried; a decision is never taken on
 *   a follower's stale copy of a stream.
 * - An append whose outcome is in doubt (timed out, connection lost) is re-checked by event id on
 *   the leader and retried with the same ids and expected revision, which the server answers
 *   idempotently; when still in doubt after `outcomeBudgetMs`: AppendOutcomeUnknownError.
 * - KurrentDB's idempotency is per stream. Of the ledger's ids only those derived from an
 *   Idempotency-Key can recur, so only those are claimed across streams (one claim stream per id,
 *   written in parallel before the append); random ids are not (docs/kurrentdb.md). Each append carries an id of its own in the events' metadata
 *   (taken off when reading), by which the adapter tells its own write from an earlier one with
 *   the same event ids that the server answered idempotently (`retried`).
 * - Global order is `$all` restricted to the ledger's streams (server-side filter for the live
 *   subscription, the same test on the client for one-shot reads, which the client cannot filter);
 *   positions are "C:<commit>/P:<prepare>" byte offsets, opaque to the rest of the ledger.
 */
export class EsdbEventStore implements EventStore {
  readonly kind = 'esdb';
  private readonly pageSize: number;
  private readonly delays: { first: number; max: number };
  private readonly ledger: LedgerStreams;
  private readonly appendDeadlineMs: number;
  private readonly outcomeBudgetMs: number;
  private readonly maxAppendBytes: number;
  private readonly giveUpAfterMs: number;
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;
  private used = false;

  constructor(
    private readonly client: EventStoreDBClient,
    options: EsdbStoreOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 500;
    this.delays = { first: 50, max: 5000, ...options.resubscribeDelayMs };
    this.ledger = { namespace: options.namespace ?? '', streams: options.streams };
    this.appendDeadlineMs = options.appendDeadlineMs ?? 5000;
    this.outcomeBudgetMs = options.outcomeBudgetMs ?? 15000;
    this.maxAppendBytes = options.maxAppendBytes ?? DEFAULT_MAX_APPEND_BYTES;
    this.giveUpAfterMs = options.giveUpAfterMs ?? 30000;
  }

  /** `esdb://host:2113?tls=false` for one node, `esdb+discover://a:2113,b:2113,c:2113` for a cluster. */
  static connect(connectionString: string, options?: EsdbStoreOptions): EsdbEventStore {
    return new EsdbEventStore(EventStoreDBClient.connectionString(connectionString), options);
  }

  /** Greedy runs under maxAppendBytes; an event larger than that alone is a run of its own (and refused when appended). */
  splitForAppend(events: readonly NewEvent[]): NewEvent[][] {
    const runs: NewEvent[][] = [];
    let size = 0;
    for (const e of events) {
      const bytes = appendSize([e]);
      const run = runs.at(-1);
      if (run && size + bytes <= this.maxAppendBytes) {
        run.push(e);
        size += bytes;
      } else {
        runs.push([e]);
        size = bytes;
      }
    }
    return runs;
  }

  /**
   * Reads survive a node that is down or no longer the leader: the client reconnects (to the
   * leader the NotLeader answer names) on the next call, so the call is retried a few times.
   */
  private async retrying<T>(call: () => Promise<T>): Promise<T> {
    const delays = [50, 250, 1000];
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        if (!isReconnect(error) || this.closed) throw error;
        if (attempt >= delays.length) throw new StoreUnavailableError(`KurrentDB is unavailable: ${messageOf(error)}`, error);
        await sleep(delays[attempt]!);
      }
    }
  }

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    this.used = true;
    if (events.length === 0) return this.retrying(() => this.emptyAppend(streamId, expected));
    for (const e of events) assertEventId(e.id);
    const appendId = randomUUID();
    const bytes = appendSize(events, appendId);
    if (bytes > this.maxAppendBytes) throw new AppendTooLargeError(streamId, bytes, this.maxAppendBytes);
    await this.claim(streamId, events);
    const started = Date.now();
    let inDoubt: unknown;
    for (let attempt = 0; ; attempt += 1) {
      try {
        const result = await this.client.appendToStream(
          toServerStream(this.ledger, streamId),
          events.map((e) => jsonEvent({ id: e.id, type: e.type, data: e.data as never, metadata: { ...e.metadata, [APPEND_ID]: appendId } as never })),
          { expectedRevision: toServerRevision(expected), requiresLeader: true, deadline: this.appendDeadlineMs },
        );
        const last = Number(result.nextExpectedRevision);
        const stored = await this.retrying(() => this.readRecords(streamId, { fromRevision: last - events.length + 1, maxCount: events.length }));
        const found = this.asAppended(streamId, events, stored, appendId);
        if (!found) throw new Error(`stream ${streamId}: revisions ${last - events.length + 1}..${last} do not hold the events just appended`);
        return found;
      } catch (error) {
        if (error instanceof WrongExpectedVersionError) {
          // An earlier attempt in doubt may be what moved the stream on (with `any`, the server's memory of it may be gone).
          const stored = inDoubt === undefined ? undefined : await this.findStored(streamId, events, appendId);
          if (stored) return stored;
          const actual = error.actualVersion === NO_STREAM ? 'no-stream' : Number(error.actualVersion);
          throw new WrongExpectedRevisionError(streamId, expected, actual);
        }
        if (error instanceof MaxAppendSizeExceededError) throw new AppendTooLargeError(streamId, bytes, error.maxAppendSize);
        if (!isInDoubt(error)) throw error;
        inDoubt = error;
      }
      // The events may be stored although no answer said so: look for them on the leader.
      const stored = await this.findStored(streamId, events, appendId).catch(() => undefined);
      if (stored) return stored;
      if (this.closed || Date.now() - started >= this.outcomeBudgetMs) throw new AppendOutcomeUnknownError(streamId, inDoubt);
      await sleep(Math.min(50 * 2 ** attempt, 1000));
    }
  }

  /**
   * Claims the derived ids for this stream; an id claimed by another stream is refused. A claim
   * left by an append that then failed only ever refuses that id on another stream, which is the
   * reuse of an Idempotency-Key for another request: the refusal the ledger wants anyway.
   */
  private async claim(streamId: string, events: readonly NewEvent[]): Promise<void> {
    const started = Date.now();
    await Promise.all(events.filter((e) => isDerivedId(e.id)).map((e) => this.claimOne(streamId, e.id, started)));
  }

  private async claimOne(streamId: string, eventId: string, started: number): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.client.appendToStream(
          toServerStream(this.ledger, claimStream(eventId)),
          jsonEvent({ id: claimEventId(eventId, streamId), type: CLAIM_EVENT_TYPE, data: { streamId, eventId } }),
          { expectedRevision: NO_STREAM, requiresLeader: true, deadline: this.appendDeadlineMs },
        );
        return;
      } catch (error) {
        if (error instanceof WrongExpectedVersionError) {
          const [owner] = await this.retrying(() => this.readRecords(claimStream(eventId), { maxCount: 1 }));
          const ownerStream = (owner?.data as { streamId?: unknown } | undefined)?.streamId;
          if (ownerStream !== streamId) throw new DuplicateEventIdError(eventId, `stored in ${String(ownerStream)}`);
          return;
        }
        // The claim's own id makes sending it again a retry the server recognises.
        if (!isInDoubt(error)) throw error;
        if (this.closed || Date.now() - started >= this.outcomeBudgetMs) throw new AppendOutcomeUnknownError(streamId, error);
        await sleep(Math.min(50 * 2 ** attempt, 1000));
      }
    }
  }

  /** The events of this append, if the stream holds them (in this order, one after the other). */
  private async findStored(streamId: string, events: readonly NewEvent[], appendId: string): Promise<AppendResult | undefined> {
    const stream = await this.retrying(() => this.readRecords(streamId, {}));
    const at = stream.findIndex((e) => e.id === events[0]!.id);
    if (at < 0) return undefined;
    const found = this.asAppended(streamId, events, stream.slice(at, at + events.length), appendId);
    if (!found) throw new DuplicateEventIdError(events[0]!.id, `stored in ${streamId} at revision ${stream[at]!.revision}, not as this batch`);
    return found;
  }

  /**
   * The append's result from the records that hold its ids, or undefined when they are not these
   * events in this order. Written by another append (the server answered idempotently): `retried`.
   */
  private asAppended(streamId: string, events: readonly NewEvent[], records: readonly Recorded[], appendId: string): AppendResult | undefined {
    if (records.length !== events.length || records.some((r, i) => r.id !== events[i]!.id)) return undefined;
    const stored = records.map((r) => toStored(r, streamId));
    const last = stored.at(-1)!;
    const retried = records.some((r) => (r.metadata as Record<string, unknown> | undefined)?.[APPEND_ID] !== appendId);
    return { nextExpectedRevision: last.revision, position: last.position, stored, retried };
  }

  private async emptyAppend(streamId: string, expected: ExpectedRevision): Promise<AppendResult> {
    const [last] = await this.readRaw(streamId, 1, BACKWARDS);
    const actual = last ? Number(last.revision) : 'no-stream';
    if (!satisfies(expected, actual)) throw new WrongExpectedRevisionError(streamId, expected, actual);
    return {
      nextExpectedRevision: last ? Number(last.revision) : -1,
      position: last?.position ? formatPosition(last.position) : formatPosition({ commit: 0n, prepare: 0n }),
      stored: [],
      retried: false,
    };
  }

  /** Stream reads are what decisions are taken on: always from the leader. */
  async readStream(streamId: string, options: { fromRevision?: number; maxCount?: number } = {}): Promise<StoredEvent[]> {
    this.used = true;
    return this.retrying(() => this.readStreamOnce(streamId, options));
  }

  private async readStreamOnce(streamId: string, options: { fromRevision?: number; maxCount?: number }): Promise<StoredEvent[]> {
    return (await this.readRecords(streamId, options)).map((r) => toStored(r, streamId));
  }

  private async readRecords(streamId: string, options: { fromRevision?: number; maxCount?: number }): Promise<Recorded[]> {
    const out: Recorded[] = [];
    try {
      const read = this.client.readStream(toServerStream(this.ledger, streamId), {
        fromRevision: options.fromRevision === undefined ? START : BigInt(options.fromRevision),
        maxCount: options.maxCount ?? Number.MAX_SAFE_INTEGER,
        requiresLeader: true,
      });
      for await (const resolved of read) {
        if (resolved.event && !resolved.event.type.startsWith('$')) out.push(resolved.event);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return out;
  }

  private async readRaw(streamId: string, maxCount: number, direction: 'forwards' | 'backwards' = 'forwards'): Promise<Recorded[]> {
    const out: Recorded[] = [];
    try {
      const read = this.client.readStream(toServerStream(this.ledger, streamId), {
        fromRevision: direction === BACKWARDS ? END : START,
        direction,
        maxCount,
        requiresLeader: true,
      });
      for await (const resolved of read) if (resolved.event) out.push(resolved.event);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return out;
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    this.used = true;
    const after = options.after === undefined ? undefined : parsePosition(options.after);
    const page = await this.retrying(() => this.readAllOnce(after, options.maxCount ?? Number.POSITIVE_INFINITY, options.after));
    // Past the end the server answers nothing, as it does at the end: only the latter is a position the ledger served.
    if (page.length === 0 && after) await this.assertServed(after, options.after!);
    return page;
  }

  private async readAllOnce(after: LogPosition | undefined, limit: number, given: string | undefined): Promise<StoredEvent[]> {
    let cursor = after;
    const out: StoredEvent[] = [];
    // $all reads from a position include the record at it, and other records (the server's, other
    // applications') interleave with the ledger's: page until enough are found or the log ends.
    while (out.length < limit) {
      let seen = 0;
      try {
        for await (const resolved of this.client.readAll({ fromPosition: cursor ?? START, maxCount: this.pageSize })) {
          seen += 1;
          const e = resolved.event;
          if (!e?.position) continue;
          if (cursor && samePosition(e.position, cursor)) continue;
          cursor = e.position;
          const streamId = ledgerStreamOf(this.ledger, e.streamId, e.type);
          if (out.length < limit && streamId !== undefined) out.push(toStored(e, streamId));
        }
      } catch (error) {
        if (given !== undefined && isInvalidPosition(error)) throw new InvalidPositionError(given);
        throw error;
      }
      if (seen < this.pageSize) break;
    }
    return out;
  }

  /** Refuses a position after the ledger's last event (asked of the leader, which has them all). */
  private async assertServed(position: LogPosition, given: string): Promise<void> {
    const last = await this.retrying(() => this.lastLedgerPosition());
    if (!last || isAfter(position, last)) throw new InvalidPositionError(given);
  }

  private async lastLedgerPosition(): Promise<LogPosition | undefined> {
    let from: LogPosition | typeof END = END;
    for (;;) {
      let seen = 0;
      let found: LogPosition | undefined;
      // Read each page to its end: a read left early is never finished, and the client's dispose() would wait on it.
      const read = this.client.readAll({ fromPosition: from, direction: BACKWARDS, maxCount: this.pageSize, requiresLeader: true });
      for await (const resolved of read as AsyncIterable<ResolvedEvent>) {
        seen += 1;
        const e: Recorded | undefined = resolved.event;
        if (!e?.position) continue;
        if (!found && ledgerStreamOf(this.ledger, e.streamId, e.type) !== undefined) found = e.position;
        from = e.position;
      }
      if (found || seen < this.pageSize) return found;
    }
  }

  subscribeToAll(options: SubscribeOptions, onEvent: (event: StoredEvent) => Promise<void> | void): Subscription {
    this.used = true;
    let cursor: LogPosition | undefined;
    let stopped = false;
    let current: { unsubscribe(): Promise<void>; destroy(): void } | undefined;
    let wake: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;

    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, ms);
      });

    const stop = async () => {
      if (stopped) return;
      stopped = true;
      this.subscriptions.delete(handle);
      if (timer) clearTimeout(timer);
      wake?.();
      const sub = current;
      current = undefined;
      if (sub) {
        await sub.unsubscribe().catch(() => undefined);
        sub.destroy();
      }
    };

    const fail = async (error: unknown) => {
      await stop();
      options.onError?.(error);
    };

    const follow = async () => {
      if (options.after !== undefined) {
        cursor = parsePosition(options.after);
        // From beyond the ledger's last event the server would wait there, silently passing by
        // every event written below it (a database wiped under a kept checkpoint).
        await this.assertServed(cursor, options.after);
      }
      let delay = this.delays.first;
      let failingSince: number | undefined;
      while (!stopped) {
        // From the start, or after the last record handled (a subscription from a position is exclusive).
        const sub = this.client.subscribeToAll({
          fromPosition: cursor ?? START,
          // The server's checkpoints are left alone: the client reports one before the events buffered
          // ahead of it are handled, so resuming from it could skip them. Resume after the last event handled.
          filter: streamNameFilter(serverFilterOf(this.ledger) as Parameters<typeof streamNameFilter>[0]),
        });
        current = sub;
        try {
          for await (const resolved of sub) {
            if (stopped) return;
            const e = (resolved as ResolvedEvent<EventType>).event;
            if (!e?.position) continue;
            delay = this.delays.first;
            failingSince = undefined;
            const streamId = ledgerStreamOf(this.ledger, e.streamId, e.type);
            if (streamId !== undefined) {
              try {
                await onEvent(toStored(e, streamId));
              } catch (error) {
                // A handler that failed has not handled the event: stop rather than skip it or deliver it twice.
                return fail(error);
              }
            }
            cursor = e.position;
          }
        } catch (error) {
          if (stopped) return;
          if (isInvalidPosition(error)) return fail(new InvalidPositionError(options.after ?? (cursor ? formatPosition(cursor) : 'start')));
          if (isServerFault(error)) {
            // It may pass (a node restarting its services); a fault that persists is reported, not retried forever.
            failingSince ??= Date.now();
            if (Date.now() - failingSince >= this.giveUpAfterMs) {
              return fail(
                new StoreUnavailableError(
                  `KurrentDB kept failing for ${Math.round((Date.now() - failingSince) / 1000)} s; the live follower gave up: ${messageOf(error)}`,
                  error,
                ),
              );
            }
          } else if (!isTransient(error)) return fail(error);
        }
        if (stopped) return;
        current = undefined;
        await sub.unsubscribe().catch(() => undefined);
        sub.destroy();
        await pause(delay);
        delay = Math.min(delay * 2, this.delays.max);
      }
    };

    const handle: Subscription = { close: stop };
    this.subscriptions.add(handle);
    follow().catch(fail);
    return handle;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.client.dispose();
    if (this.used) {
      // The client has no close(); its channel holds the connection and keepalive timers.
      const channel = await (this.client as unknown as { getChannel(): Promise<{ close(): void }> }).getChannel().catch(() => undefined);
      channel?.close();
    }
  }
}

function toServerRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no-stream':
      return NO_STREAM;
    case 'stream-exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The node is down or is not the leader: the client reconnects on the next call. A channel still
 * reconnecting fails a call before it is sent with gRPC's raw UNAVAILABLE (14), unwrapped by the
 * client when it comes from its server-features probe.
 */
function isReconnect(error: unknown): boolean {
  return error instanceof UnavailableError || error instanceof NotLeaderError || (error as { code?: unknown } | null)?.code === 14;
}

/**
 * An append that may or may not have been written: no answer in time (DeadlineExceeded; a batch
 * append's Timeout; an idempotent retry the server dropped while the original replicates), the
 * connection lost or the node deposed while it was in flight, the server "not ready", or an
 * INTERNAL/UNKNOWN answer (a connection reset mid-call arrives as one, e.g. RST_STREAM after a
 * node restart). Each of these is looked up and retried within the outcome budget, then answered
 * as outcome-unknown (503): never as an unexplained failure of a write that may have landed.
 */
function isInDoubt(error: unknown): boolean {
  if (isReconnect(error) || error instanceof DeadlineExceededError || error instanceof TimeoutError || error instanceof CancelledError) return true;
  return isServerFault(error);
}

/** A position the server could not read from: "Unexpected ReadAllResult: InvalidPosition", or InvalidArgument for a subscription. */
function isInvalidPosition(error: unknown): boolean {
  return error instanceof UnknownError && isInvalidPositionMessage(error.message);
}

/** A dropped connection, a server restarting, a leader change: worth resubscribing after, for as long as it takes. */
function isTransient(error: unknown): boolean {
  if (isReconnect(error) || error instanceof CancelledError || error instanceof DeadlineExceededError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 14 || code === 1;
}

/** INTERNAL or UNKNOWN from the server: maybe passing, maybe a persistent fault. */
function isServerFault(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 13 || code === 2 || error instanceof UnknownError;
}

function toStored(e: Recorded, streamId: string): StoredEvent {
  if (!e.position) throw new Error(`event ${e.id} in ${e.streamId} came without a position`);
  return {
    id: e.id,
    streamId,
    revision: Number(e.revision),
    position: formatPosition(e.position as LogPosition),
    type: e.type,
    data: asObject(e.data, e),
    metadata: withoutAppendId(asObject(e.metadata, e)),
  };
}

function withoutAppendId(metadata: Record<string, unknown>): Record<string, unknown> {
  if (!(APPEND_ID in metadata)) return metadata;
  const { [APPEND_ID]: _appendId, ...rest } = metadata;
  return rest;
}

function asObject(value: unknown, e: Recorded): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
    throw new Error(`event ${e.id} in ${e.streamId}: a ledger event carries a JSON object as data and metadata`);
  }
  return value as Record<string, unknown>;
}
