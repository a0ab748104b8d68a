import type { EventStore, StoredEvent } from '../store/event-store';

/** Every stored event in global order, read page by page. */
export async function readWholeLedger(store: EventStore, pageSize = 1000): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.readAll({ after, maxCount: pageSize });
    all.push(...page);
    if (page.length < pageSize) return all;
    after = page.at(-1)!.position;
  }
}
