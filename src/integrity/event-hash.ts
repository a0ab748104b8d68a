import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';

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
  return createHash('sha256').update(bytes).digest('hex');
}

/** SHA-256 of the RFC 8785 canonical JSON of the content (decidedOn is inside data). */
export function eventHash(content: HashedContent): string {
  const canonical = canonicalize({
    eventId: content.eventId,
    streamId: content.streamId,
    streamRevision: content.streamRevision,
    type: content.type,
    schemaVersion: content.schemaVersion,
    data: content.data,
    recordedAt: content.recordedAt,
    recordedBy: content.recordedBy,
    prevHash: content.prevHash,
  });
  if (canonical === undefined) throw new TypeError('event content cannot be canonicalised');
  return sha256Hex(canonical);
}
