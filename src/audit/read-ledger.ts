import type { EventStore, StoredEvent } from '../store/event-store';

/** Every stored event in global order, read page by page. */
export async function readWholeLedger(store: EventStore, pageSize = 1000): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  await forEachPage(store, (page) => all.push(...page), pageSize);
  return all;
}

/**
 * Calls `each` with every page of the store in global order, one page held at a time; the number
 * of events read. The event loop gets a turn between pages: a store whose reads do not wait
 * (SQLite) would otherwise hold a server's thread for the whole ledger and whatever `each` does.
 */
export async function forEachPage(store: EventStore, each: (page: readonly StoredEvent[]) => void, pageSize = 1000): Promise<number> {
  let after: string | undefined;
  let read = 0;
  for (;;) {
    const page = await store.readAll({ after, maxCount: pageSize });
    each(page);
    read += page.length;
    if (page.length < pageSize) return read;
    after = page.at(-1)!.position;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
