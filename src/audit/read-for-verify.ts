import type { EventStore, StoredEvent } from '../store/event-store';
import { forEachPage } from './read-ledger';
import { EachEventChecks, interned, withoutData, type AuditedEvent } from './verify';

/** The ledger as verify keeps it: every event without its data, and what each event showed on its own. */
export interface LedgerReadForVerify {
  readonly events: readonly AuditedEvent[];
  readonly checked: EachEventChecks;
}

/**
 * Reads the whole ledger page by page for verify. Each event is checked on its own (schema, hash)
 * and handed to `onPage` (the projections rebuilt beside) as it is read; only what the chains,
 * checkpoints and global order are checked with is kept. At a million events this is a few hundred
 * megabytes where the events themselves are gigabytes.
 */
export async function readLedgerForVerify(
  store: EventStore,
  onPage: (page: readonly StoredEvent[]) => void = () => {},
  pageSize = 1000,
): Promise<LedgerReadForVerify> {
  const events: AuditedEvent[] = [];
  const checked = new EachEventChecks();
  const once = interned();
  const lastHash = new Map<string, string>();
  await forEachPage(
    store,
    (page) => {
      for (const e of page) {
        checked.check(e, events.length);
        const kept = withoutData(e, once);
        // a prevHash that links to the stream's last hash is kept as that very string, not a copy of it
        const link = kept.metadata as { hash?: unknown; prevHash?: unknown };
        const last = lastHash.get(kept.streamId);
        if (last !== undefined && link.prevHash === last) link.prevHash = last;
        if (typeof link.hash === 'string') lastHash.set(kept.streamId, link.hash);
        events.push(kept);
      }
      onPage(page);
    },
    pageSize,
  );
  return { events, checked };
}
