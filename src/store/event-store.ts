import type { ChainWalkReport } from '../integrity/chain-walk';
/**
 * The EventStore port. It knows streams, revisions and global order, nothing of positions.
 * Revisions count from 0 within a stream. Global positions are opaque strings: only the store
 * that produced one can interpret it (KurrentDB's are byte offsets, SQLite's a sequence).
 */
export type ExpectedRevision = 'any' | 'no-stream' | 'stream-exists' | number;

export interface NewEvent {
  readonly id: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
}

export interface StoredEvent extends NewEvent {
  readonly streamId: string;
  readonly revision: number;
  readonly position: string;
}

export interface AppendResult {
  /** revision of the last event of the stream after the append */
  readonly nextExpectedRevision: number;
  /** global position of the last event appended */
  readonly position: string;
  /** the events as stored, with their revisions and global positions: the caller never reads back what it appended */
  readonly stored: readonly StoredEvent[];
  /** true when every event was already stored (a faithful retry): nothing new was written, `stored` is what the first append stored */
  readonly retried: boolean;
}

export interface StreamAppend {
  readonly streamId: string;
  readonly events: readonly NewEvent[];
  readonly expected: ExpectedRevision;
}

/**
 * An event with its data and metadata as JSON text, as a store that keeps JSON holds them: what
 * the bulk paths (seed import, migrate) pass from one store to another without parsing and
 * serialising every event again.
 */
export interface SerializedEvent {
  readonly id: string;
  readonly type: string;
  /** JSON text of the data, kept byte for byte */
  readonly data: string;
  /** JSON text of the metadata, kept byte for byte */
  readonly metadata: string;
}

export interface StoredSerializedEvent extends SerializedEvent {
  readonly streamId: string;
  readonly revision: number;
  readonly position: string;
}

export interface SerializedAppend {
  readonly streamId: string;
  readonly events: readonly SerializedEvent[];
  readonly expected: ExpectedRevision;
}

export interface ReadAllOptions {
  /** exclusive: events after this position; from the very first event when absent */
  readonly after?: string;
  readonly maxCount?: number;
}

export interface Subscription {
  close(): Promise<void>;
}

export interface SubscribeOptions extends Pick<ReadAllOptions, 'after'> {
  readonly onError?: (error: unknown) => void;
}

export interface EventStore {
  readonly kind: string;
  /**
   * Whether the store could take a write now, without writing anything: undefined when it could,
   * the fault when it could not. Optional: a store that cannot tell answers nothing.
   */
  probeWritable?(): Promise<StoreUnavailableError | undefined>;
  append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;
  /**
   * Many appends, in order, as one transaction where the store has them (SQLite): all are stored
   * or none. Stores without multi-stream transactions leave it out; callers then append one by one.
   */
  appendMany?(appends: readonly StreamAppend[]): Promise<AppendResult[]>;
  /**
   * appendMany for events already serialised: their JSON text is stored as given, in one
   * transaction, and nothing is handed back (the bulk paths know what they wrote). Stores that
   * keep JSON text have it; callers of the others parse and append.
   */
  appendManySerialized?(appends: readonly SerializedAppend[]): Promise<void>;
  /**
   * appendManySerialized for a batch too large to hold at once: its appends arrive a chunk at a
   * time, while the caller is still producing the rest, and all of them are stored in one
   * transaction, or none (the iterable throws, or an append is refused: nothing is kept). Other
   * writes wait until it ends. Stores that can keep a transaction open across chunks have it.
   */
  appendStreamed?(chunks: AsyncIterable<readonly SerializedAppend[]>): Promise<void>;
  /**
   * Copies every event of `source` into this store, which must be empty, in the source's global
   * order with the same ids, streams, revisions and bytes, a page per transaction, without the
   * events passing through the caller: SQLite from another SQLite file copies inside SQLite.
   * Resolves undefined, having copied nothing, when it cannot (another kind of source): the caller
   * copies event by event.
   */
  copyAllFrom?(source: EventStore, options: { readonly pageSize: number; readonly onPage?: (copied: number) => void }): Promise<number | undefined>;
  /**
   * Whether this store holds exactly the events of `source`: at the same global positions, the same
   * ids, streams, revisions, types, data and metadata, to the byte, compared inside the store
   * (SQLite: against the source file attached). Resolves undefined when it cannot compare (another
   * kind of source); the caller then reads both.
   */
  holdsSameEventsAs?(source: EventStore): Promise<{ readonly same: boolean; readonly events: number } | undefined>;
  /**
   * The whole ledger walked with ChainWalk (each stream's revisions in order, every hash
   * recomputed and chained) away from the caller's thread, so that the caller does other work
   * meanwhile (SQLite: a worker thread with its own read-only handle, seeing one state of the file).
   */
  walkChainsAside?(): Promise<ChainWalkReport>;
  /** How many events the store holds, for a long read's progress; stores that cannot count cheaply (KurrentDB) leave it out. */
  countEvents?(): Promise<number>;
  /** readAll with data and metadata as the JSON text the store holds, unparsed (stores that keep JSON text) */
  readAllSerialized?(options?: ReadAllOptions): Promise<StoredSerializedEvent[]>;
  /**
   * Splits events into runs the store takes in one append each (KurrentDB: under MaxAppendSize);
   * stores without a limit leave it out. Callers that copy many events (migrate) append run by run.
   */
  splitForAppend?(events: readonly NewEvent[]): NewEvent[][];
  /**
   * The store's own guards of the ledger's append-only rule that are missing now, each in words
   * (SQLite: the triggers refusing UPDATE and DELETE). Stores whose server enforces it leave it out.
   */
  missingAppendOnlyGuards?(): string[];
  /** all events of a stream in revision order, from `fromRevision` (inclusive); [] for a stream that does not exist */
  readStream(streamId: string, options?: { fromRevision?: number; maxCount?: number }): Promise<StoredEvent[]>;
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;
  /** catch up from `after`, then follow live; events are delivered one at a time, in global order */
  subscribeToAll(options: SubscribeOptions, onEvent: (event: StoredEvent) => Promise<void> | void): Subscription;
  close(): Promise<void>;
}

/** What keeps a store from taking writes: the operator's business, never the client's. */
export type StorageFault = 'disk-full' | 'read-only' | 'io-error' | 'locked' | 'unavailable';

export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no-stream',
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/** An event id that is already stored, appended again in a way that is not a faithful retry. */
export class DuplicateEventIdError extends Error {
  constructor(
    readonly eventId: string,
    detail: string,
  ) {
    super(`event id ${eventId} is already stored: ${detail}`);
    this.name = 'DuplicateEventIdError';
  }
}

/** A position that this store did not produce (the client sent garbage or another store's value). */
export class InvalidPositionError extends Error {
  constructor(readonly value: string) {
    super(`not a position of this store: ${value}`);
    this.name = 'InvalidPositionError';
  }
}

/**
 * An append whose outcome the store could not learn (the server timed out, or the connection was
 * lost, and the events were not found stored when checked again): they may still land. Safe to
 * retry with the same event ids (the API: the same Idempotency-Key), never safe to report as failed.
 */
export class AppendOutcomeUnknownError extends Error {
  constructor(
    readonly streamId: string,
    override readonly cause: unknown,
  ) {
    super(
      `the append to ${streamId} may or may not have been recorded (${cause instanceof Error ? cause.message : String(cause)}); retry it with the same ids`,
    );
    this.name = 'AppendOutcomeUnknownError';
  }
}

/** An append larger than the store accepts in one write (KurrentDB: MaxAppendSize). Nothing was written. */
export class AppendTooLargeError extends Error {
  constructor(
    readonly streamId: string,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`the append to ${streamId} is ${bytes} bytes, more than the ${maxBytes} the store accepts in one write`);
    this.name = 'AppendTooLargeError';
  }
}

/**
 * The store cannot take this now: it could not be reached or kept failing (`unavailable`), or its
 * storage is in trouble (disk full, read-only file, I/O error, a lock held too long by another
 * process). Nothing was recorded; the same request may be sent again later. `retryAfterSeconds`
 * is absent when waiting will not help (a ledger served read-only on purpose).
 */
export class StoreUnavailableError extends Error {
  readonly fault: StorageFault = 'unavailable';
  readonly retryAfterSeconds: number | undefined = 5;

  constructor(
    detail: string,
    override readonly cause?: unknown,
  ) {
    super(detail);
    this.name = 'StoreUnavailableError';
  }

  static of(fault: StorageFault, detail: string, retryAfterSeconds: number | undefined): StoreUnavailableError {
    return Object.assign(new StoreUnavailableError(detail), { fault, retryAfterSeconds });
  }
}

export function satisfies(expected: ExpectedRevision, actual: number | 'no-stream'): boolean {
  if (expected === 'any') return true;
  if (expected === 'no-stream') return actual === 'no-stream';
  if (expected === 'stream-exists') return actual !== 'no-stream';
  return actual === expected;
}
