import { hash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';

/**
 * RFC 8785 canonical JSON for JSON values: keys sorted by code unit, strings and numbers as
 * JSON.stringify writes them, no whitespace. safe-stable-stringify (maintained, pino's own) with
 * sorted keys writes exactly that, at about half the cost of `canonicalize`; a property test holds
 * the two to the same bytes. Strict: what is not JSON (NaN, a function, a bigint) is refused.
 */
export const canonicalJson = configure({ deterministic: true, bigint: false, circularValue: TypeError, strict: true }) as (
  value: unknown,
) => string | undefined;

/** What an event's hash covers. The chain link (prevHash) makes any change, removal or reordering within a stream visible. */
export interface HashedContent {
  readonly eventId: string;
  readonly streamId: string;
  readonly streamRevision: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly recordedAt: string;
  readonly recordedBy: string;
  readonly prevHash: string | null;
}

export function sha256Hex(bytes: string | Uint8Array): string {
  // one-shot: no Hash object per call (the bulk paths hash every event)
  return hash('sha256', bytes, 'hex');
}

/** The RFC 8785 canonical JSON of an event's data: what its hash covers, and the bytes the store keeps, computed once. */
export function canonicalData(data: unknown): string {
  const canonical = canonicalJson(data);
  if (canonical === undefined) throw new TypeError('event data cannot be canonicalised');
  return canonical;
}

/** SHA-256 of the RFC 8785 canonical JSON of the content (decidedOn is inside data). */
export function eventHash(content: HashedContent): string {
  return eventHashOfCanonicalData(content, canonicalData(content.data));
}

/**
 * The same hash, given the data already in canonical JSON. The envelope is written here in
 * RFC 8785's order (keys sorted by code unit; strings and integers as JSON.stringify writes them),
 * so the data is canonicalised once per event however often it is hashed; a property test holds
 * it to canonicalize() over the whole envelope.
 */
export function eventHashOfCanonicalData(c: Omit<HashedContent, 'data'>, data: string): string {
  if (!Number.isSafeInteger(c.streamRevision) || !Number.isSafeInteger(c.schemaVersion))
    throw new TypeError('event revision and schema version must be integers');
  const s = JSON.stringify;
  return sha256Hex(
    `{"data":${data},"eventId":${s(c.eventId)},"prevHash":${c.prevHash === null ? 'null' : s(c.prevHash)},"recordedAt":${s(c.recordedAt)},"recordedBy":${s(c.recordedBy)},` +
      `"schemaVersion":${c.schemaVersion},"streamId":${s(c.streamId)},"streamRevision":${c.streamRevision},"type":${s(c.type)}}`,
  );
}
