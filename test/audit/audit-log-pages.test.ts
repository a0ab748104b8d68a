import { auditLog, type AuditLogFilter } from '../../src/audit/audit-log';
import { checkpointEvents, recordedCheckpoints, asRecordedCheckpoint } from '../../src/audit/checkpoint';
import { rebuildProjection } from '../../src/audit/projection-snapshot';
import { ReadStore } from '../../src/projections/read-store/read-store';
import type { EventStore } from '../../src/store/event-store';
import { AUDITOR, recordHistory, type History } from './history';

/** The store, counting the events each kind of read hands out. */
function counted(store: EventStore) {
  const read = { all: 0, streams: 0 };
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'readAll')
        return async (...args: Parameters<EventStore['readAll']>) => {
          const page = await target.readAll(...args);
          read.all += page.length;
          return page;
        };
      if (property === 'readStream')
        return async (...args: Parameters<EventStore['readStream']>) => {
          const events = await target.readStream(...args);
          read.streams += events.length;
          return events;
        };
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: proxy, read };
}

/** Every entry of the log, following `next` from the first page; how many requests it took. */
async function follow(store: EventStore, filter: Omit<AuditLogFilter, 'after'>, scan?: number) {
  const entries: string[] = [];
  let after: string | undefined;
  let requests = 0;
  for (;;) {
    requests += 1;
    const page = await auditLog(store, { ...filter, after }, scan);
    expect(page.entries.length).toBeLessThanOrEqual(filter.limit);
    entries.push(...page.entries.map((e) => e.eventId));
    if (page.next === null) return { entries, requests };
    after = page.next;
  }
}

/**
 * The audit log at a million events: a page reads the ledger from its cursor, a page of events at
 * a time, and stops at its entries or at a bounded number of events read; the checkpoints are read
 * from their own stream. No request reads or holds the whole ledger.
 */
describe('the audit log and the checkpoints, read without the whole ledger', () => {
  let history: History;
  beforeAll(async () => {
    history = await recordHistory();
  });

  it('a page reads its entries and one more, not the ledger', async () => {
    const { store, read } = counted(history.store);
    const page = await auditLog(store, { limit: 2 });
    expect(page.entries.map((e) => e.eventId)).toEqual(history.events.slice(0, 2).map((e) => e.id));
    expect(page.next).toBe(history.events[1]!.position);
    expect(read.all).toBe(3);
    expect(history.events.length).toBeGreaterThan(6);
  });

  it('a filter few events match stops at the events it may read, and following `next` gives every match once', async () => {
    const filter = { recordedBy: AUDITOR.id, limit: 10 };
    const whole = history.events.filter((e) => e.metadata.recordedBy === AUDITOR.id).map((e) => e.id);
    expect(whole.length).toBe(2);
    const unbounded = await follow(history.store, filter);
    expect(unbounded).toEqual({ entries: whole, requests: 1 });
    // three events read at most per page: the two checkpoints are found over several requests, each once
    const bounded = await follow(history.store, filter, 3);
    expect(bounded.entries).toEqual(whole);
    expect(bounded.requests).toBeGreaterThanOrEqual(Math.floor(history.events.length / 3));
    const first = await auditLog(history.store, filter, 3);
    expect([first.entries, first.next]).toEqual([[], history.events[2]!.position]);
  });

  it('with no filter, pages of any size follow the ledger in order', async () => {
    expect((await follow(history.store, { limit: 3 })).entries).toEqual(history.events.map((e) => e.id));
    expect((await follow(history.store, { limit: 1 }, 2)).entries).toEqual(history.events.map((e) => e.id));
  });

  it('the checkpoints come from their own stream, never from a read of the ledger', async () => {
    const { store, read } = counted(history.store);
    const checkpoints = await recordedCheckpoints(store);
    expect(checkpoints).toEqual(checkpointEvents(history.events).map(asRecordedCheckpoint));
    expect(checkpoints.map((c) => c.checkpoint.rootHash)).toEqual([history.checkpointA.checkpoint.rootHash, history.checkpointB.checkpoint.rootHash]);
    expect(read).toEqual({ all: 0, streams: 2 });
  });

  it("who recorded the decisions, from the read store as from the projections in memory (the /audit page's choice of recorders)", async () => {
    const readStore = await ReadStore.follow(history.store, { location: 'memory' });
    try {
      const decisions = history.events.filter((e) => e.streamId !== 'ledger-checkpoints');
      const expected = [...new Set(decisions.map((e) => e.metadata.recordedBy as string))].sort();
      expect(expected).toEqual(['secretariat/test']);
      expect(readStore.recorders()).toEqual(expected);
      expect(rebuildProjection(history.events).recorders()).toEqual(expected);
    } finally {
      await readStore.stop();
    }
  });
});
