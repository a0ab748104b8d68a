import type { StoredSerializedEvent } from '../store/event-store';
import { hashMatchesText, recordedHash } from './hash-chain';

/** What a walk over a whole ledger found: how much it checked, and whether every link held. */
export interface ChainWalkReport {
  readonly ok: boolean;
  readonly events: number;
  readonly streams: number;
  /** events whose recorded hash was recomputed from their bytes and found equal, chain link included */
  readonly hashesVerified: number;
}

/**
 * A ledger's events checked one by one in global order, as JSON text: each stream's revisions
 * 0, 1, 2…, and every recorded hash the hash of the event's bytes and chained to the hash before it
 * in its stream. Memory: the head of each stream. The migration proof walks the ledger with it,
 * in lockstep with the copy or off the main thread.
 */
export class ChainWalk {
  private readonly heads = new Map<string, { revision: number; hash: string | null }>();
  private events = 0;
  private hashesVerified = 0;
  private broken = false;

  /** false, from this event on, once an event breaks its stream's order or chain */
  step(e: Pick<StoredSerializedEvent, 'id' | 'streamId' | 'revision' | 'type' | 'data' | 'metadata'>): boolean {
    if (this.broken) return false;
    const head = this.heads.get(e.streamId);
    if (e.revision !== (head ? head.revision + 1 : 0)) return this.break();
    const metadata = JSON.parse(e.metadata) as Record<string, unknown>;
    const hash = recordedHash({ metadata });
    if (hash !== null) {
      if ((metadata.prevHash ?? null) !== (head?.hash ?? null)) return this.break();
      if (!hashMatchesText({ id: e.id, streamId: e.streamId, revision: e.revision, type: e.type, metadata }, e.data)) return this.break();
      this.hashesVerified += 1;
    }
    this.heads.set(e.streamId, { revision: e.revision, hash: hash ?? head?.hash ?? null });
    this.events += 1;
    return true;
  }

  report(): ChainWalkReport {
    return { ok: !this.broken, events: this.events, streams: this.heads.size, hashesVerified: this.hashesVerified };
  }

  private break(): false {
    this.broken = true;
    return false;
  }
}
