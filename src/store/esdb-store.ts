import {
  ANY,
  BACKWARDS,
  CancelledError,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  jsonEvent,
  NO_STREAM,
  NotLeaderError,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  type AppendExpectedRevision,
  type EventType,
  type ResolvedEvent,
} from '@eventstore/db-client';
import {
  DuplicateEventIdError,
  satisfies,
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
import {
  assertEventId,
  CLAIM_EVENT_TYPE,
  claimEventId,
  claimStream,
  formatPosition,
  isLedgerRecord,
  parsePosition,
  samePosition,
  type LogPosition,
} from './esdb/records';

export interface EsdbStoreOptions {
  /** events asked of the server per page when reading `$all` */
  readonly pageSize?: number;
  /** first and longest wait before a dropped subscription resubscribes */
  readonly resubscribeDelayMs?: { readonly first: number; readonly max: number };
}

const RETRY_DELAYS_MS = [50, 250, 1000];

type Recorded = NonNullable<ResolvedEvent['event']>;

/**
 * The KurrentDB (EventStoreDB) store, through @eventstore/db-client over gRPC.
 *
 * - Streams and events are the ledger's own: same stream names, the ledger's event ids, data as
 *   JSON, the ledger's metadata (recordedAt, recordedBy, hashes, correlation and causation ids)
 *   as the event's JSON metadata.
 * - Expected revisions map one to one (no-stream, stream-exists, any, a bigint); the server's
 *   WrongExpectedVersionError becomes the port's WrongExpectedRevisionError.
 * - Event ids are unique across streams through one claim stream per id (see esdb/records.ts);
 *   a retried append is answered as the first time, by the adapter and by the server alike.
 * - Global order is `$all` without the server's own records and without the claims; positions
 *   are "C:<commit>/P:<prepare>" byte offsets, handled only as opaque strings by the rest.
 * - Following live is a catch-up subscription that resumes after the last record it handled when
 *   the connection drops.
 */
export class EsdbEventStore implements EventStore {
  readonly kind = 'esdb';
  private readonly pageSize: number;
  private readonly delays: { first: number; max: number };
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;
  private used = false;

  constructor(
    private readonly client: EventStoreDBClient,
    options: EsdbStoreOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 500;
    this.delays = { first: 50, max: 5000, ...options.resubscribeDelayMs };
  }

  /** `esdb://host:2113?tls=false` for one node, `esdb+discover://a:2113,b:2113,c:2113` for a cluster. */
  static connect(connectionString: string, options?: EsdbStoreOptions): EsdbEventStore {
    return new EsdbEventStore(EventStoreDBClient.connectionString(connectionString), options);
  }

  /**
   * A dropped connection (or a node that is no longer the leader) fails the call in flight and the
   * client reconnects, to the new leader if there is one, on the next call; so calls are retried a few times when the server was unavailable. For appends that is safe
   * because ids are idempotent: a retry of a write that did land is answered as the first time.
   */
  private async retrying<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof UnavailableError || error instanceof NotLeaderError) || attempt >= RETRY_DELAYS_MS.length + 1 || this.closed) throw error;
        await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt - 1]));
      }
    }
  }

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    this.used = true;
    return this.retrying(() => this.appendOnce(streamId, events, expected));
  }

  private async appendOnce(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) return this.emptyAppend(streamId, expected);
    for (const e of events) assertEventId(e.id);
    const retried = await this.claim(streamId, events);
    if (retried) return retried;
    let appended: bigint;
    try {
      const result = await this.client.appendToStream(
        streamId,
        events.map((e) => jsonEvent({ id: e.id, type: e.type, data: e.data as never, metadata: e.metadata as never })),
        { expectedRevision: toServerRevision(expected) },
      );
      appended = result.nextExpectedRevision;
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        const actual = error.actualVersion === NO_STREAM ? 'no-stream' : Number(error.actualVersion);
        throw new WrongExpectedRevisionError(streamId, expected, actual);
      }
      throw error;
    }
    // The append answer's position is the server's commit point of the write, not necessarily the
    // position the last event reads back with; the port promises the latter.
    const stored = await this.readStreamOnce(streamId, { fromRevision: Number(appended) - events.length + 1, maxCount: events.length });
    const last = stored.at(-1);
    if (!last || last.id !== events[events.length - 1]!.id) {
      throw new Error(`stream ${streamId}: revision ${appended} does not hold the event just appended`);
    }
    return { nextExpectedRevision: last.revision, position: last.position, stored, retried: false };
  }

  /**
   * Claims every id for this stream. An id claimed by another stream is refused; ids all claimed
   * by this stream earlier and stored there in this order are a retry, answered as the first time.
   */
  private async claim(streamId: string, events: readonly NewEvent[]): Promise<AppendResult | undefined> {
    const earlier: string[] = [];
    for (const e of events) {
      const [existing] = await this.readRaw(claimStream(e.id), 1);
      if (existing) {
        const owner = (existing.data as { streamId?: unknown }).streamId;
        if (owner !== streamId) throw new DuplicateEventIdError(e.id, `stored in ${String(owner)}`);
        earlier.push(e.id);
        continue;
      }
      try {
        await this.client.appendToStream(
          claimStream(e.id),
          jsonEvent({ id: claimEventId(e.id, streamId), type: CLAIM_EVENT_TYPE, data: { streamId, eventId: e.id } }),
          { expectedRevision: NO_STREAM },
        );
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        // Someone claimed it between our read and our write: whoever it was, decide again.
        return this.claim(streamId, events);
      }
    }
    if (earlier.length === 0) return undefined;
    const stored = (await this.readStreamOnce(streamId, {})).filter((s) => earlier.includes(s.id));
    if (stored.length === 0) return undefined; // claimed by an append that never landed
    const first = stored[0]!;
    const faithful =
      stored.length === events.length && events.every((e, i) => stored[i]!.id === e.id && stored[i]!.revision === first.revision + i);
    if (!faithful) throw new DuplicateEventIdError(stored[0]!.id, `stored in ${streamId} at revision ${first.revision}, not as this batch`);
    const last = stored[stored.length - 1]!;
    return { nextExpectedRevision: last.revision, position: last.position, stored, retried: true };
  }

  private async emptyAppend(streamId: string, expected: ExpectedRevision): Promise<AppendResult> {
    const [last] = await this.readRaw(streamId, 1, BACKWARDS);
    const actual = last ? Number(last.revision) : 'no-stream';
    if (!satisfies(expected, actual)) throw new WrongExpectedRevisionError(streamId, expected, actual);
    return { nextExpectedRevision: last ? Number(last.revision) : -1, position: last?.position ? formatPosition(last.position) : formatPosition({ commit: 0n, prepare: 0n }), stored: [], retried: false };
  }

  async readStream(streamId: string, options: { fromRevision?: number; maxCount?: number } = {}): Promise<StoredEvent[]> {
    this.used = true;
    return this.retrying(() => this.readStreamOnce(streamId, options));
  }

  private async readStreamOnce(streamId: string, options: { fromRevision?: number; maxCount?: number }): Promise<StoredEvent[]> {
    const out: StoredEvent[] = [];
    try {
      const read = this.client.readStream(streamId, {
        fromRevision: options.fromRevision === undefined ? START : BigInt(options.fromRevision),
        maxCount: options.maxCount ?? Number.MAX_SAFE_INTEGER,
      });
      for await (const resolved of read) {
        if (resolved.event && !resolved.event.type.startsWith('$')) out.push(toStored(resolved.event));
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
      const read = this.client.readStream(streamId, { fromRevision: direction === BACKWARDS ? END : START, direction, maxCount });
      for await (const resolved of read) if (resolved.event) out.push(resolved.event);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return out;
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    this.used = true;
    return this.retrying(() => this.readAllOnce(options));
  }

  private async readAllOnce(options: ReadAllOptions): Promise<StoredEvent[]> {
    const limit = options.maxCount ?? Number.POSITIVE_INFINITY;
    let cursor = options.after === undefined ? undefined : parsePosition(options.after);
    const out: StoredEvent[] = [];
    // $all reads from a position include the record at it, and system records interleave with the
    // ledger's: page until enough of the ledger's own are found or the log ends.
    while (out.length < limit) {
      let seen = 0;
      for await (const resolved of this.client.readAll({ fromPosition: cursor ?? START, maxCount: this.pageSize })) {
        seen += 1;
        const e = resolved.event;
        if (!e?.position) continue;
        if (cursor && samePosition(e.position, cursor)) continue;
        cursor = e.position;
        if (out.length < limit && isLedgerRecord(e.streamId, e.type)) out.push(toStored(e));
      }
      if (seen < this.pageSize) break;
    }
    return out;
  }

  subscribeToAll(options: SubscribeOptions, onEvent: (event: StoredEvent) => Promise<void> | void): Subscription {
    this.used = true;
    let cursor = options.after === undefined ? undefined : parsePosition(options.after);
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

    const follow = async () => {
      let delay = this.delays.first;
      while (!stopped) {
        // From the start, or after the last record handled (a subscription from a position is exclusive).
        const sub = this.client.subscribeToAll({ fromPosition: cursor ?? START });
        current = sub;
        try {
          for await (const resolved of sub) {
            if (stopped) return;
            const e = (resolved as ResolvedEvent<EventType>).event;
            if (!e?.position) continue;
            delay = this.delays.first;
            if (isLedgerRecord(e.streamId, e.type)) {
              try {
                await onEvent(toStored(e));
              } catch (error) {
                // A handler that failed has not handled the event: stop rather than skip it or deliver it twice.
                await stop();
                options.onError?.(error);
                return;
              }
            }
            cursor = e.position;
          }
        } catch (error) {
          if (stopped) return;
          if (!isTransient(error)) {
            await stop();
            options.onError?.(error);
            return;
          }
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
    follow().catch(async (error: unknown) => {
      await stop();
      options.onError?.(error);
    });
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

/** A dropped connection, a server restarting, a leader change: worth resubscribing after. */
function isTransient(error: unknown): boolean {
  if (error instanceof UnavailableError || error instanceof NotLeaderError || error instanceof CancelledError || error instanceof DeadlineExceededError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 14 || code === 1 || code === 13;
}

function toStored(e: Recorded): StoredEvent {
  if (!e.position) throw new Error(`event ${e.id} in ${e.streamId} came without a position`);
  return {
    id: e.id,
    streamId: e.streamId,
    revision: Number(e.revision),
    position: formatPosition(e.position as LogPosition),
    type: e.type,
    data: asObject(e.data),
    metadata: asObject(e.metadata),
  };
}

function asObject(value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
    throw new Error('a ledger event carries a JSON object as data and metadata');
  }
  return value as Record<string, unknown>;
}
