import { v5 as uuidv5 } from 'uuid';
import { InvalidPositionError, type NewEvent } from '../event-store';

/**
 * What the KurrentDB adapter needs to know about the server's records, kept apart from the I/O:
 * how a position is written as the port's opaque string, which records are the ledger's, and how
 * large an append is in the server's own measure.
 */

/** A KurrentDB position in the transaction log: two byte offsets, ordered by commit then prepare. */
export interface LogPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

const POSITION = /^C:(\d{1,20})\/P:(\d{1,20})$/;
const MAX_U64 = (1n << 64n) - 1n;

/** "C:<commit>/P:<prepare>": the form KurrentDB itself prints positions in. */
export function formatPosition(p: LogPosition): string {
  return `C:${p.commit.toString(10)}/P:${p.prepare.toString(10)}`;
}

export function parsePosition(value: string): LogPosition {
  const m = POSITION.exec(value);
  if (!m) throw new InvalidPositionError(value);
  const commit = BigInt(m[1]!);
  const prepare = BigInt(m[2]!);
  // A record's prepare never lies after its commit: such a position was not produced by a server.
  if (commit > MAX_U64 || prepare > MAX_U64 || prepare > commit) throw new InvalidPositionError(value);
  return { commit, prepare };
}

export function samePosition(a: LogPosition, b: LogPosition): boolean {
  return a.commit === b.commit && a.prepare === b.prepare;
}

export function isAfter(a: LogPosition, b: LogPosition): boolean {
  return a.commit > b.commit || (a.commit === b.commit && a.prepare > b.prepare);
}

/**
 * Which of the database's streams are the ledger's. A KurrentDB database may be shared with other
 * applications: the ledger reads and follows only its own streams.
 * - `namespace` is put before every stream name on the server (and taken off when reading), so
 *   that several ledgers, or test runs, can share one database without seeing each other;
 * - `streams` are the prefixes of the ledger's stream names (`position-`, `document-`, …); when
 *   absent, every stream in the namespace not starting with `$` is the ledger's.
 */
export interface LedgerStreams {
  readonly namespace: string;
  readonly streams?: readonly string[];
}

export const toServerStream = (s: LedgerStreams, streamId: string): string => `${s.namespace}${streamId}`;

/** The ledger's stream name for a server record, or undefined when the record is not the ledger's. */
export function ledgerStreamOf(s: LedgerStreams, serverStreamId: string, type: string): string | undefined {
  if (!serverStreamId.startsWith(s.namespace) || type.startsWith('$')) return undefined;
  const streamId = serverStreamId.slice(s.namespace.length);
  if (streamId.startsWith('$') || streamId.startsWith(CLAIM_STREAM_PREFIX)) return undefined;
  if (s.streams && !s.streams.some((p) => streamId.startsWith(p))) return undefined;
  return streamId;
}

/** The server-side filter that selects the ledger's streams: prefixes when known, else "not a system stream". */
export function serverFilterOf(s: LedgerStreams): { prefixes: string[] } | { regex: string } {
  if (s.streams) return { prefixes: s.streams.map((p) => `${s.namespace}${p}`) };
  if (s.namespace) return { prefixes: [s.namespace] };
  return { regex: '^[^$]' };
}

/**
 * The metadata key under which each append's own id is stored beside the ledger's metadata (and
 * taken off when reading): an idempotent answer from the server for events another append wrote
 * is then told apart from this append's own write.
 */
export const APPEND_ID = '$ledgerAppend';

/**
 * An append's size as KurrentDB counts it against MaxAppendSize: per event, data + metadata +
 * 2 × the type's length (Event.SizeOnDisk), with data and metadata as the client serialises them.
 */
export function appendSize(events: readonly NewEvent[], appendId = '00000000-0000-0000-0000-000000000000'): number {
  return events.reduce((n, e) => n + eventSize({ ...e, metadata: { ...e.metadata, [APPEND_ID]: appendId } }), 0);
}

export function eventSize(e: NewEvent): number {
  return Buffer.byteLength(JSON.stringify(e.data)) + Buffer.byteLength(JSON.stringify(e.metadata)) + 2 * e.type.length;
}

/**
 * Ids that can recur: the ledger derives an event's id from the actor and the Idempotency-Key
 * (UUID version 5) so that a retried request cannot record twice. Those, and only those, are
 * claimed across streams (docs/kurrentdb.md): random ids (version 4) do not recur.
 */
export function isDerivedId(id: string): boolean {
  return id.charAt(14) === '5';
}

/**
 * A claim is the only event of `ledger-event-id-<id>`, written with expected revision no-stream,
 * so of two streams claiming one id exactly one wins. Its own id depends on the claiming stream:
 * the same stream claiming again is a retry the server answers as the first time.
 */
export const CLAIM_STREAM_PREFIX = 'ledger-event-id-';
export const CLAIM_EVENT_TYPE = 'LedgerEventIdClaimed';
const CLAIM_NAMESPACE = '3c1d6f0e-5b7a-4f8e-9d2c-6a4b1e0f7c93';
export const claimStream = (eventId: string): string => `${CLAIM_STREAM_PREFIX}${eventId}`;
export const claimEventId = (eventId: string, streamId: string): string => uuidv5(`${streamId}\n${eventId}`, CLAIM_NAMESPACE);

/** KurrentDB event ids are UUIDs; the ledger's are lowercase RFC 4122 strings, kept as they are. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export function assertEventId(id: string): void {
  if (!UUID.test(id)) throw new TypeError(`event id ${JSON.stringify(id)}: the KurrentDB store needs a lowercase UUID`);
}

/** The client reports an invalid `$all` position as an unknown error or an invalid argument, by its message. */
export function isInvalidPositionMessage(message: string): boolean {
  return /InvalidPosition|invalid position/i.test(message);
}
