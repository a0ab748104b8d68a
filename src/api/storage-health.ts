import { StoreUnavailableError, type EventStore, type StorageFault } from '../store/event-store';

export interface StorageStatus {
  /** `read-only`: served read-only on purpose (LEDGER_READ_ONLY), which is healthy */
  readonly mode: 'read-write' | 'read-only';
  /** set while the store cannot take writes: what is wrong, since when */
  readonly fault?: { readonly reason: StorageFault; readonly detail: string; readonly since: string };
}

/**
 * What /health says about storage. Every write goes through `observe`: a write the store refused
 * for the storage's sake (disk full, read-only file, I/O error) marks storage degraded with the
 * reason, and the next write that succeeds clears it, so the ledger recovers without a restart
 * once the cause is gone. Writes are never refused in advance because of an earlier fault.
 * A lock held too long by another process is contention, not a fault: that write gets its 503,
 * storage stays healthy.
 */
export class StorageHealth {
  private fault: StorageStatus['fault'];

  constructor(
    private readonly store: EventStore,
    private readonly readOnly: boolean,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async observe<T>(write: () => Promise<T>): Promise<T> {
    try {
      const result = await write();
      this.fault = undefined;
      return result;
    } catch (error) {
      if (error instanceof StoreUnavailableError && error.fault !== 'locked' && !this.readOnly) {
        this.fault = { reason: error.fault, detail: error.message, since: this.fault?.since ?? this.now().toISOString() };
      }
      throw error;
    }
  }

  /** While degraded, asks the store again, so that the reason shown is today's (a disk that now fails outright). */
  async status(): Promise<StorageStatus> {
    const mode = this.readOnly ? 'read-only' : 'read-write';
    if (this.fault && this.store.probeWritable) {
      const now = await this.store.probeWritable();
      if (now && now.fault !== 'locked' && now.fault !== this.fault.reason) this.fault = { reason: now.fault, detail: now.message, since: this.fault.since };
    }
    return this.fault ? { mode, fault: this.fault } : { mode };
  }
}
