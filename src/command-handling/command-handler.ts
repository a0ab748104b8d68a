import { randomUUID } from 'node:crypto';
import { parse as parseUuid, v5 as uuidv5 } from 'uuid';
import type { Decider, Recorded } from '../domain/decider';
import type { LedgerMetadata } from '../domain/ledger-event';
import { EMPTY_CHAIN, linkEvents, type ChainHead } from '../integrity/hash-chain';
import {
  DuplicateEventIdError,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventStore,
  type NewEvent,
  type SerializedAppend,
  type StoredEvent,
  type StreamAppend,
} from '../store/event-store';
import { IdempotencyKeyReusedError, StaleRevisionError } from './errors';

export interface Actor {
  /** who records: a stable, non-secret id such as "secretariat/3f9a…" */
  readonly id: string;
}

export interface HandleOptions {
  /** the stream revision the client decided on (If-Match); a mismatch is refused, never merged */
  readonly expectedRevision?: number;
  /** makes the event ids deterministic, so a retried request cannot record twice */
  readonly idempotencyKey?: string;
  /** what the key was first used for: the same key with another request is refused */
  readonly requestHash?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
}

/** One kind of stream: its decider, and how its stored events become the decider's events. */
export interface StreamKind<S, C, E extends { type: string; data: unknown }, X> {
  readonly decider: Decider<S, C, E, X>;
  /** validates (and upcasts) a stored event: the only way stored data enters a decider */
  readonly read: (stored: StoredEvent) => HandledEvent<E>;
  /** the schema version written with each new event of this type */
  readonly schemaVersion: (type: E['type']) => number;
}

/** An event as the ledger recorded it: the decider's event with its envelope. */
export type HandledEvent<E> = Recorded<E> & { readonly streamId: string; readonly position: string; readonly metadata: LedgerMetadata };

/** Reads another stream's state through the handler's cache, for a decision's context. */
export type StateOf = <S>(kind: StreamKind<S, never, never, never>, streamId: string) => Promise<S>;

/** A command addressed to its stream, with how to build the context its decider needs. */
export interface Addressed<S, C, E extends { type: string; data: unknown }, X> {
  readonly kind: StreamKind<S, C, E, X>;
  readonly streamId: string;
  readonly command: C;
  readonly context: (at: { readonly recordedAt: string; readonly stateOf: StateOf }) => X | Promise<X>;
}

export interface Handled<S, E> {
  readonly streamId: string;
  /** the events this command recorded (on a replayed retry: the ones recorded the first time) */
  readonly events: readonly HandledEvent<E>[];
  /** the stream's state after them */
  readonly state: S;
  /** the stream's revision after them */
  readonly streamRevision: number;
  /** true when a retried request was answered with what the first one recorded */
  readonly replayed: boolean;
}

/** What the handler keeps per stream so a command costs the same on a long stream as on a short one. */
interface StreamEntry {
  readonly head: ChainHead;
  readonly state: unknown;
  /** idempotency keys used in this stream: `${actor}\n${key}` -> what they recorded */
  readonly keys: ReadonlyMap<string, KeyUse>;
}

interface KeyUse {
  readonly requestHash: string | undefined;
  readonly fromRevision: number;
  readonly count: number;
}

/** A command of a bulk run failed: nothing of the run was recorded. */
export class BulkCommandError extends Error {
  constructor(
    readonly index: number,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'BulkCommandError';
  }
}

export interface CommandHandlerOptions {
  readonly now?: () => Date;
  /** how many streams' states are kept (least recently used are dropped, and rebuilt from their stream when needed) */
  readonly cacheSize?: number;
}

// parsed once: uuid's v5 given bytes skips parsing the namespace and re-encoding the name on every event
const IDEMPOTENT_IDS = parseUuid('8f0f9f3e-6a4e-4b7e-9a53-7b1d2f0c6e21');
const MAX_ATTEMPTS = 5;
/** commands decided before the store takes their events, in a bulk run: memory stays flat, the transaction stays one */
const BULK_CHUNK = 256;
const keyOf = (actor: Actor, key: string) => `${actor.id}\n${key}`;
type AnyKind = StreamKind<unknown, unknown, { type: string; data: unknown }, unknown>;
type AnyAddressed = Addressed<unknown, unknown, { type: string; data: unknown }, unknown>;

/**
 * The one generic command handler (in the manner of Emmett's handleCommand): load the stream's
 * state, decide, chain the hashes, append with the expected revision, and return the appended
 * events and the new state. Every writer of the ledger goes through it, so every event carries
 * the ledger's recordedAt, recordedBy and hash chain whatever the entry point.
 *
 * The state of each stream is cached and kept current by the handler itself: a command reads
 * nothing from the store and parses nothing. A cache that another writer made stale is found out
 * by the append's expected revision, dropped, and rebuilt from the stream.
 *
 * Idempotency is checked here and only here: each stream's state knows the keys used in it, and
 * a key's event ids derive from the actor and the key, so the same key reused on another stream
 * collides with the ids it already stored.
 */
export class CommandHandler {
  private readonly cache = new Map<string, StreamEntry>();
  private readonly now: () => Date;
  private readonly cacheSize: number;

  constructor(
    readonly store: EventStore,
    options: CommandHandlerOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.cacheSize = options.cacheSize ?? 20_000;
  }

  async handle<S, C, E extends { type: string; data: unknown }, X>(
    addressed: Addressed<S, C, E, X>,
    actor: Actor,
    options: HandleOptions = {},
  ): Promise<Handled<S, E>> {
    const a = addressed as unknown as AnyAddressed;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return (await this.attempt(a, actor, options, attempt > 1)) as Handled<S, E>;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        this.cache.delete(a.streamId);
        // With If-Match the client decided on a revision that someone else has just moved past.
        if (options.expectedRevision !== undefined) {
          const replay = await this.replayed(a, actor, options, await this.load(a.kind, a.streamId, true));
          if (replay) return replay as Handled<S, E>;
          throw new StaleRevisionError(error.streamId, options.expectedRevision, typeof error.actual === 'number' ? error.actual : -1);
        }
        // Without If-Match the client asked for "on the current state": decide again on the new one.
        if (attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * Many commands decided one after another on the states the earlier ones left, and appended in
   * one transaction where the store has them, so all are recorded or none. A store that can keep a
   * transaction open (SQLite) takes the decided events a chunk at a time while the rest are still
   * being decided: a large import never holds all its events at once. Commands already recorded
   * under their idempotency key are answered as replayed.
   */
  async handleAll(
    batch: readonly { addressed: AnyAddressed; actor: Actor; options?: HandleOptions }[],
    onDecided?: (done: number) => void,
  ): Promise<{ replayed: boolean; events: number }[]> {
    const staged = new Map<string, StreamEntry>();
    const outcomes: { replayed: boolean; events: number }[] = [];
    // into an empty store (a first import) every stream is new: none is looked up
    const empty = (await this.store.readAll({ maxCount: 1 })).length === 0;
    const stateOf = this.stateReader(staged, empty);
    const streamed = this.store.appendStreamed !== undefined;
    // the chunk being decided, and the index in `batch` of the command behind each of its appends
    let chunk: (StreamAppend | SerializedAppend)[] = [];
    let owners: number[] = [];
    const decideAll = async function* (this: CommandHandler): AsyncGenerator<(StreamAppend | SerializedAppend)[]> {
      for (const [index, { addressed, actor, options = {} }] of batch.entries()) {
        try {
          const entry = staged.get(addressed.streamId) ?? (empty ? newStream(addressed.kind) : await this.load(addressed.kind, addressed.streamId));
          if (this.knownKey(entry, actor, options)) {
            outcomes.push({ replayed: true, events: 0 });
            continue;
          }
          this.checkExpected(addressed.streamId, entry, options);
          const { newEvents, canonicalData, next } = await this.decide(addressed, entry, actor, options, stateOf);
          staged.set(addressed.streamId, next);
          const expected = expectedOf(entry);
          // the data's canonical JSON (which the hashes cover) is what a store that keeps JSON text stores: written once, never serialised again
          chunk.push(
            streamed
              ? {
                  streamId: addressed.streamId,
                  expected,
                  events: newEvents.map((e, i) => ({ id: e.id, type: e.type, data: canonicalData[i]!, metadata: JSON.stringify(e.metadata) })),
                }
              : { streamId: addressed.streamId, events: newEvents, expected },
          );
          owners.push(index);
          outcomes.push({ replayed: false, events: newEvents.length });
        } catch (error) {
          throw new BulkCommandError(index, error);
        }
        onDecided?.(index + 1);
        if (streamed && chunk.length >= BULK_CHUNK) {
          yield chunk;
          chunk = [];
          owners = [];
        }
      }
      if (chunk.length > 0) yield chunk;
    }.call(this);
    try {
      if (streamed) await this.store.appendStreamed!(decideAll as AsyncIterable<SerializedAppend[]>);
      else {
        const appends: StreamAppend[] = [];
        for await (const c of decideAll) appends.push(...(c as StreamAppend[]));
        if (this.store.appendMany) await this.store.appendMany(appends);
        else for (const a of appends) await this.store.append(a.streamId, a.events, a.expected);
      }
    } catch (error) {
      for (const streamId of staged.keys()) this.cache.delete(streamId);
      if (error instanceof DuplicateEventIdError) {
        // the clash is in the chunk the store was storing
        const at = chunk.findIndex((a) => a.events.some((e) => e.id === error.eventId));
        const key = at >= 0 ? batch[owners[at]!]!.options?.idempotencyKey : undefined;
        throw new BulkCommandError(at >= 0 ? owners[at]! : -1, key === undefined ? error : new IdempotencyKeyReusedError(key));
      }
      throw error;
    }
    for (const [streamId, entry] of staged) this.remember(streamId, entry);
    return outcomes;
  }

  /** The current state of a stream, through the cache (for reads that need the write side's view). */
  async stateOf<S>(kind: StreamKind<S, never, never, never>, streamId: string): Promise<S> {
    return (await this.load(kind as unknown as AnyKind, streamId)).state as S;
  }

  private async attempt(a: AnyAddressed, actor: Actor, options: HandleOptions, reload: boolean): Promise<Handled<unknown, unknown>> {
    const entry = await this.load(a.kind, a.streamId, reload);
    const replay = await this.replayed(a, actor, options, entry);
    if (replay) return replay;
    let current = entry;
    if (options.expectedRevision !== undefined && options.expectedRevision !== entry.head.revision && !reload) {
      current = await this.load(a.kind, a.streamId, true); // another process may have written: the cache is only a cache
    }
    this.checkExpected(a.streamId, current, options);
    const { newEvents, next } = await this.decide(a, current, actor, options, this.stateReader());
    let result: AppendResult;
    try {
      result = await this.store.append(a.streamId, newEvents, expectedOf(current));
    } catch (error) {
      if (error instanceof DuplicateEventIdError && options.idempotencyKey !== undefined) throw new IdempotencyKeyReusedError(options.idempotencyKey);
      throw error;
    }
    if (result.retried) {
      // a concurrent identical request recorded these very ids first
      this.cache.delete(a.streamId);
      if (result.stored.some((s) => (s.metadata as { requestHash?: unknown }).requestHash !== options.requestHash))
        throw new IdempotencyKeyReusedError(options.idempotencyKey ?? '');
      const latest = await this.load(a.kind, a.streamId);
      return { streamId: a.streamId, events: result.stored.map(a.kind.read), state: latest.state, streamRevision: result.nextExpectedRevision, replayed: true };
    }
    this.remember(a.streamId, next);
    // what was just written is known: nothing is read back or parsed again
    const events = result.stored.map((s): HandledEvent<{ type: string; data: unknown }> => ({
      type: s.type,
      data: s.data,
      eventId: s.id,
      streamId: s.streamId,
      streamRevision: s.revision,
      position: s.position,
      metadata: s.metadata as LedgerMetadata,
    }));
    return { streamId: a.streamId, events, state: next.state, streamRevision: next.head.revision, replayed: false };
  }

  /** Decides on the entry's state and wraps the decided events: ids, the ledger's metadata, the hash chain. */
  private async decide(
    a: AnyAddressed,
    entry: StreamEntry,
    actor: Actor,
    options: HandleOptions,
    stateOf: StateOf,
  ): Promise<{ newEvents: NewEvent[]; canonicalData: string[]; next: StreamEntry }> {
    const recordedAt = this.now().toISOString();
    const context = await a.context({ recordedAt, stateOf });
    const decided = a.kind.decider.decide(a.command, entry.state, context);
    const { idempotencyKey, requestHash, correlationId, causationId } = options;
    const unlinked = decided.map((event, i) => ({
      id: idempotencyKey !== undefined ? uuidv5(Buffer.from(`${actor.id}\n${idempotencyKey}\n${i}`), IDEMPOTENT_IDS) : randomUUID(),
      type: event.type,
      schemaVersion: a.kind.schemaVersion(event.type),
      data: event.data,
      recordedAt,
      recordedBy: actor.id,
    }));
    const links = linkEvents(a.streamId, entry.head, unlinked);
    let state = entry.state;
    const newEvents = unlinked.map((u, i) => {
      const { streamRevision, prevHash, hash } = links[i]!;
      state = a.kind.decider.evolve(state, { ...decided[i]!, eventId: u.id, streamRevision });
      // the optional fields only when given, in one order (the stored JSON is what export and the proofs compare)
      const metadata: Record<string, unknown> = { schemaVersion: u.schemaVersion, recordedAt, recordedBy: actor.id };
      if (correlationId !== undefined) metadata.correlationId = correlationId;
      if (causationId !== undefined) metadata.causationId = causationId;
      if (idempotencyKey !== undefined) metadata.idempotencyKey = idempotencyKey;
      if (requestHash !== undefined) metadata.requestHash = requestHash;
      metadata.prevHash = prevHash;
      metadata.hash = hash;
      return { id: u.id, type: u.type, data: u.data as Record<string, unknown>, metadata };
    });
    const head = links.length > 0 ? { revision: links.at(-1)!.streamRevision, hash: links.at(-1)!.hash } : entry.head;
    let keys = entry.keys;
    if (idempotencyKey !== undefined && newEvents.length > 0) {
      keys = new Map(keys).set(keyOf(actor, idempotencyKey), { requestHash, fromRevision: entry.head.revision + 1, count: newEvents.length });
    }
    return { newEvents, canonicalData: links.map((l) => l.canonicalData), next: { head, state, keys } };
  }

  private checkExpected(streamId: string, entry: StreamEntry, options: HandleOptions): void {
    if (options.expectedRevision !== undefined && options.expectedRevision !== entry.head.revision) {
      throw new StaleRevisionError(streamId, options.expectedRevision, entry.head.revision);
    }
  }

  private knownKey(entry: StreamEntry, actor: Actor, options: HandleOptions): KeyUse | undefined {
    if (options.idempotencyKey === undefined) return undefined;
    const use = entry.keys.get(keyOf(actor, options.idempotencyKey));
    if (use && use.requestHash !== options.requestHash) throw new IdempotencyKeyReusedError(options.idempotencyKey);
    return use;
  }

  /** A retried request whose events are already in the stream gets them back instead of a second decision. */
  private async replayed(a: AnyAddressed, actor: Actor, options: HandleOptions, entry: StreamEntry): Promise<Handled<unknown, unknown> | undefined> {
    const use = this.knownKey(entry, actor, options);
    if (!use) return undefined;
    const events = (await this.store.readStream(a.streamId, { fromRevision: use.fromRevision, maxCount: use.count })).map(a.kind.read);
    return { streamId: a.streamId, events, state: entry.state, streamRevision: use.fromRevision + use.count - 1, replayed: true };
  }

  private stateReader(staged?: ReadonlyMap<string, StreamEntry>, empty = false): StateOf {
    return async <S>(kind: StreamKind<S, never, never, never>, streamId: string) =>
      (staged?.get(streamId) ?? (empty ? newStream(kind as unknown as AnyKind) : await this.load(kind as unknown as AnyKind, streamId))).state as S;
  }

  /** The stream's entry from the cache, or rebuilt from the stream. A stream not there yet is read again each time: another writer may create it. */
  private async load(kind: AnyKind, streamId: string, fresh = false): Promise<StreamEntry> {
    const cached = fresh ? undefined : this.cache.get(streamId);
    if (cached && cached.head.revision >= 0) {
      this.cache.delete(streamId);
      this.cache.set(streamId, cached);
      return cached;
    }
    const events = (await this.store.readStream(streamId)).map(kind.read);
    let state = kind.decider.initialState;
    const keys = new Map<string, KeyUse>();
    for (const e of events) {
      state = kind.decider.evolve(state, e);
      const { idempotencyKey, recordedBy, requestHash } = e.metadata;
      if (idempotencyKey === undefined) continue;
      const k = `${recordedBy}\n${idempotencyKey}`;
      const use = keys.get(k);
      keys.set(k, use ? { ...use, count: use.count + 1 } : { requestHash, fromRevision: e.streamRevision, count: 1 });
    }
    const last = events.at(-1);
    const entry: StreamEntry = { head: last ? { revision: last.streamRevision, hash: last.metadata.hash } : { revision: -1, hash: null }, state, keys };
    if (last) this.remember(streamId, entry);
    return entry;
  }

  private remember(streamId: string, entry: StreamEntry): void {
    this.cache.delete(streamId);
    this.cache.set(streamId, entry);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
  }
}

const newStream = (kind: AnyKind): StreamEntry => ({ head: EMPTY_CHAIN, state: kind.decider.initialState, keys: new Map() });

function expectedOf(entry: StreamEntry): number | 'no-stream' {
  return entry.head.revision === -1 ? 'no-stream' : entry.head.revision;
}
