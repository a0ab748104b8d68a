import { v5 as uuidv5 } from 'uuid';
import { InvalidPositionError } from '../event-store';

/**
 * What the KurrentDB adapter needs to know about the server's records, kept apart from the I/O:
 * how a position is written as the port's opaque string, which records are the ledger's, and how
 * an event id is claimed.
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

/**
 * One claim per event id makes ids unique across streams, which KurrentDB does not do by itself
 * (its idempotency is per stream). A claim is the only event of `ledger-event-id-<id>`, written
 * with expected revision no-stream, so of two streams claiming one id exactly one wins.
 */
export const CLAIM_STREAM_PREFIX = 'ledger-event-id-';
export const CLAIM_EVENT_TYPE = 'LedgerEventIdClaimed';
const CLAIM_NAMESPACE = '3c1d6f0e-5b7a-4f8e-9d2c-6a4b1e0f7c93';

export const claimStream = (eventId: string): string => `${CLAIM_STREAM_PREFIX}${eventId}`;

/** The claim's own id depends on the stream: the same stream re-claiming is a server-side retry, another stream is not. */
export const claimEventId = (eventId: string, streamId: string): string => uuidv5(`${streamId}\n${eventId}`, CLAIM_NAMESPACE);

/**
 * The ledger's records in `$all`: not the server's own (streams and types starting with `$`:
 * stats, settings, users, stream metadata, tombstones, projection links), not the id claims.
 */
export function isLedgerRecord(streamId: string, type: string): boolean {
  return !streamId.startsWith('$') && !type.startsWith('$') && !streamId.startsWith(CLAIM_STREAM_PREFIX);
}

/** KurrentDB event ids are UUIDs; the ledger's are lowercase RFC 4122 strings, kept as they are. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export function assertEventId(id: string): void {
  if (!UUID.test(id)) throw new TypeError(`event id ${JSON.stringify(id)}: the KurrentDB store needs a lowercase UUID`);
}
