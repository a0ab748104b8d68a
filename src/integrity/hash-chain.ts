import type { StoredEvent } from '../store/event-store';
import { canonicalData, eventHashOfCanonicalData } from './event-hash';

/**
 * The hash chain of a stream, in one place: the command handler links new events with it, and
 * verify, the export proof and the migration proof check stored events with it. Each event's hash
 * covers its content and the hash of the event before it in its stream (prevHash), so a change,
 * removal, insertion or reordering anywhere in a stream breaks every link after it.
 */

/** Where a stream ends: the revision and hash of its last event (revision -1 and null for no stream). */
export interface ChainHead {
  readonly revision: number;
  readonly hash: string | null;
}

export const EMPTY_CHAIN: ChainHead = { revision: -1, hash: null };

/** What the ledger hashes of a new event, besides its place in the chain. */
export interface Unlinked {
  readonly id: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly recordedAt: string;
  readonly recordedBy: string;
}

export interface Link {
  readonly streamRevision: number;
  readonly prevHash: string | null;
  readonly hash: string;
  /** the data's canonical JSON, which the hash covers: the store keeps these very bytes */
  readonly canonicalData: string;
}

/** Links new events after the head of their stream: each gets its revision, prevHash and hash. */
export function linkEvents(streamId: string, head: ChainHead, events: readonly Unlinked[]): Link[] {
  let prevHash = head.hash;
  let streamRevision = head.revision;
  return events.map((e) => {
    streamRevision += 1;
    const data = canonicalData(e.data);
    const hash = eventHashOfCanonicalData(
      { eventId: e.id, streamId, streamRevision, type: e.type, schemaVersion: e.schemaVersion, recordedAt: e.recordedAt, recordedBy: e.recordedBy, prevHash },
      data,
    );
    const link = { streamRevision, prevHash, hash, canonicalData: data };
    prevHash = hash;
    return link;
  });
}

export function recordedHash(e: Pick<StoredEvent, 'metadata'>): string | null {
  const hash = (e.metadata as { hash?: unknown }).hash;
  return typeof hash === 'string' ? hash : null;
}

export function recordedPrevHash(e: Pick<StoredEvent, 'metadata'>): unknown {
  return (e.metadata as { prevHash?: unknown }).prevHash ?? null;
}

/** The hash of a stored event's content as it is now, or undefined when the content cannot be hashed. */
export function recomputeHash(e: StoredEvent): string | undefined {
  try {
    return hashWithData(e, canonicalData(e.data));
  } catch {
    return undefined;
  }
}

/**
 * Whether an event's recorded hash is the hash of its content, given the data as the JSON text the
 * store holds (the bulk paths: no parsing). The ledger stores the data's canonical JSON, so the
 * text is hashed as it is; text that does not match (stored before the ledger kept canonical
 * bytes, or by another writer) is parsed and canonicalised, as recomputeHash does.
 */
export function hashMatchesText(e: Pick<StoredEvent, 'id' | 'streamId' | 'revision' | 'type' | 'metadata'>, dataText: string): boolean {
  const recorded = recordedHash(e);
  if (recorded === null) return false;
  try {
    if (hashWithData(e, dataText) === recorded) return true;
    return hashWithData(e, canonicalData(JSON.parse(dataText))) === recorded;
  } catch {
    return false;
  }
}

function hashWithData(e: Pick<StoredEvent, 'id' | 'streamId' | 'revision' | 'type' | 'metadata'>, canonical: string): string {
  const m = e.metadata as { schemaVersion?: unknown; recordedAt?: unknown; recordedBy?: unknown; prevHash?: unknown };
  return eventHashOfCanonicalData(
    {
      eventId: e.id,
      streamId: e.streamId,
      streamRevision: e.revision,
      type: e.type,
      schemaVersion: m.schemaVersion as number,
      recordedAt: m.recordedAt as string,
      recordedBy: m.recordedBy as string,
      prevHash: (m.prevHash ?? null) as string | null,
    },
    canonical,
  );
}

/** Whether the event is linked to the one before it in its stream (`before` undefined: it must open the stream). */
export function isLinkedTo(e: Pick<StoredEvent, 'metadata'>, before: Pick<StoredEvent, 'metadata'> | undefined): boolean {
  return recordedPrevHash(e) === (before ? recordedHash(before) : null);
}

export type LinkProblem = 'hash' | 'chain';

/**
 * Checks one event against the chain: its recorded hash must be the hash of its content (prevHash
 * included), and its prevHash the recorded hash of the event before it. Both matter: an event
 * whose prevHash was rewritten and whose hash was recomputed to match passes the first check and
 * fails the second.
 */
export function linkProblem(e: StoredEvent, before: StoredEvent | undefined): LinkProblem | undefined {
  const recorded = recordedHash(e);
  if (recorded === null || recomputeHash(e) !== recorded) return 'hash';
  if (!isLinkedTo(e, before)) return 'chain';
  return undefined;
}
