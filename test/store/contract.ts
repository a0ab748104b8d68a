import { randomUUID } from 'node:crypto';
import { DuplicateEventIdError, WrongExpectedRevisionError, type EventStore, type NewEvent, type StoredEvent } from '../../src/store/event-store';

export interface ContractOptions {
  /**
   * Whether the store itself refuses an id stored in another stream. SQLite does (a unique index);
   * KurrentDB's idempotency is per stream, and docs/kurrentdb.md argues why the ledger needs no more.
   */
  readonly uniqueIdsAcrossStreams?: boolean;
}

/**
 * The EventStore contract, written once. Every adapter runs it unchanged:
 * `eventStoreContract('sqlite', () => new SqliteEventStore(':memory:'))`. Each test writes under a
 * random stream prefix and looks only at its own events, so it can share a database with others.
 */
export function eventStoreContract(name: string, open: () => Promise<EventStore> | EventStore, options: ContractOptions = {}): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let prefix: string;
    beforeEach(async () => {
      store = await open();
      prefix = `t${randomUUID().slice(0, 8)}`;
    });
    afterEach(async () => store.close());

    const ev = (type = 'Something', data: Record<string, unknown> = {}): NewEvent => ({
      id: randomUUID(),
      type,
      data: { n: Math.random(), ...data },
      metadata: { recordedBy: 'contract', nested: { a: [1, 'two', null] } },
    });
    const s = (n: string) => `${prefix}-${n}`;
    const mine = (events: StoredEvent[]) => events.filter((e) => e.streamId.startsWith(prefix));
    const allMine = async () => mine(await readEverything(store));

    describe('append with an expected revision', () => {
      it('no-stream creates a stream at revision 0, 1, …', async () => {
        const r = await store.append(s('a'), [ev(), ev()], 'no-stream');
        expect(r.nextExpectedRevision).toBe(1);
        expect((await store.readStream(s('a'))).map((e) => e.revision)).toEqual([0, 1]);
      });

      it('no-stream is refused when the stream exists', async () => {
        await store.append(s('a'), [ev()], 'no-stream');
        await expect(store.append(s('a'), [ev()], 'no-stream')).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        expect(await store.readStream(s('a'))).toHaveLength(1);
      });

      it('stream-exists is refused for a new stream and accepted for an existing one', async () => {
        await expect(store.append(s('b'), [ev()], 'stream-exists')).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        expect(await store.readStream(s('b'))).toEqual([]);
        await store.append(s('b'), [ev()], 'no-stream');
        const r = await store.append(s('b'), [ev()], 'stream-exists');
        expect(r.nextExpectedRevision).toBe(1);
      });

      it('an exact revision must be the current one, and the error says what it was', async () => {
        await store.append(s('c'), [ev(), ev()], 'no-stream');
        const stale = store.append(s('c'), [ev()], 0);
        await expect(stale).rejects.toMatchObject({ name: 'WrongExpectedRevisionError', expected: 0, actual: 1 });
        const r = await store.append(s('c'), [ev()], 1);
        expect(r.nextExpectedRevision).toBe(2);
      });

      it('an exact revision on a missing stream is refused with actual no-stream', async () => {
        await expect(store.append(s('d'), [ev()], 0)).rejects.toMatchObject({ actual: 'no-stream' });
      });

      it('any appends whether or not the stream exists', async () => {
        await store.append(s('e'), [ev()], 'any');
        const r = await store.append(s('e'), [ev()], 'any');
        expect(r.nextExpectedRevision).toBe(1);
      });

      it('of two writers expecting the same revision, exactly one wins', async () => {
        await store.append(s('f'), [ev()], 'no-stream');
        const results = await Promise.allSettled([store.append(s('f'), [ev()], 0), store.append(s('f'), [ev()], 0)]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(rejected.reason).toBeInstanceOf(WrongExpectedRevisionError);
        expect(await store.readStream(s('f'))).toHaveLength(2);
      });

      it('a failed append writes none of its events', async () => {
        await store.append(s('g'), [ev()], 'no-stream');
        await expect(store.append(s('g'), [ev(), ev(), ev()], 5)).rejects.toThrow();
        expect(await store.readStream(s('g'))).toHaveLength(1);
        expect(await allMine()).toHaveLength(1);
      });
    });

    describe('what append returns', () => {
      it('the events as stored, with their revisions and global positions, equal to what a read gives back', async () => {
        await store.append(s('ret'), [ev()], 'no-stream');
        const r = await store.append(s('ret'), [ev(), ev()], 0);
        expect(r.stored.map((e) => e.revision)).toEqual([1, 2]);
        expect(r.stored.at(-1)!.position).toBe(r.position);
        expect(r.stored).toEqual(await store.readStream(s('ret'), { fromRevision: 1 }));
      });
    });

    describe('event ids', () => {
      it('re-appending stored ids is a retry: the original result, nothing new stored', async () => {
        const batch = [ev(), ev()];
        const first = await store.append(s('h'), batch, 'no-stream');
        const again = await store.append(s('h'), batch, 'no-stream');
        expect([first.retried, again.retried]).toEqual([false, true]);
        expect({ ...again, retried: false }).toEqual(first);
        const any = await store.append(s('h'), batch, 'any');
        expect({ ...any, retried: false }).toEqual(first);
        expect(await allMine()).toHaveLength(2);
      });

      if (options.uniqueIdsAcrossStreams !== false) {
        it('a stored id appended to another stream is refused', async () => {
          const e = ev();
          await store.append(s('i'), [e], 'no-stream');
          await expect(store.append(s('j'), [e], 'any')).rejects.toBeInstanceOf(DuplicateEventIdError);
          expect(await store.readStream(s('j'))).toEqual([]);
        });
      }

      it('a retry of an append with an exact revision is answered as the first time, even after more events', async () => {
        const batch = [ev(), ev()];
        const first = await store.append(s('u'), batch, 'no-stream');
        await store.append(s('u'), [ev()], 1);
        expect({ ...(await store.append(s('u'), batch, 'no-stream')), retried: false }).toEqual(first);
        expect(await store.readStream(s('u'))).toHaveLength(3);
      });
    });

    describe('reading', () => {
      it('round-trips ids, types, data and metadata', async () => {
        const e = ev('Typed', { text: 'é “quoted” ✓', list: [1, 2], deep: { x: null } });
        await store.append(s('k'), [e], 'no-stream');
        const [read] = await store.readStream(s('k'));
        expect(read).toMatchObject({ id: e.id, type: 'Typed', data: e.data, metadata: e.metadata, streamId: s('k'), revision: 0 });
        expect(typeof read!.position).toBe('string');
      });

      it('reads a stream from a revision, with a count; a missing stream is empty', async () => {
        await store.append(s('l'), [ev(), ev(), ev(), ev()], 'no-stream');
        expect((await store.readStream(s('l'), { fromRevision: 1, maxCount: 2 })).map((e) => e.revision)).toEqual([1, 2]);
        expect(await store.readStream(s('nope'))).toEqual([]);
      });

      it('reads everything in global order, interleaving streams as appended', async () => {
        const a1 = ev();
        const b1 = ev();
        const a2 = ev();
        await store.append(s('m'), [a1], 'no-stream');
        await store.append(s('n'), [b1], 'no-stream');
        await store.append(s('m'), [a2], 0);
        expect((await allMine()).map((e) => e.id)).toEqual([a1.id, b1.id, a2.id]);
      });

      it('pages through global order with opaque positions, after being exclusive', async () => {
        for (let i = 0; i < 5; i += 1) await store.append(s(`p${i}`), [ev()], 'no-stream');
        const all = await allMine();
        const start = all[0]!;
        const page = mine(await store.readAll({ after: start.position, maxCount: 2 }));
        expect(page.map((e) => e.id)).toEqual(all.slice(1, 3).map((e) => e.id));
        const last = all[all.length - 1]!;
        expect(mine(await store.readAll({ after: last.position }))).toEqual([]);
      });
    });

    describe('following live', () => {
      it('catches up, then delivers new events in global order, and stops when closed', async () => {
        const before = ev();
        await store.append(s('q'), [before], 'no-stream');
        const seen: string[] = [];
        let resolveWait: () => void = () => undefined;
        const waitFor = (n: number) =>
          new Promise<void>((resolve) => {
            resolveWait = () => mine0().length >= n && resolve();
            resolveWait();
          });
        const mine0 = () => seen;
        const sub = store.subscribeToAll({}, (e) => {
          if (e.streamId.startsWith(prefix)) seen.push(e.id);
          resolveWait();
        });
        await waitFor(1);
        const live = [ev(), ev()];
        await store.append(s('q'), [live[0]!], 0);
        await store.append(s('r'), [live[1]!], 'no-stream');
        await waitFor(3);
        expect(seen).toEqual([before.id, live[0]!.id, live[1]!.id]);
        await sub.close();
        await store.append(s('q'), [ev()], 1);
        await new Promise((r) => setTimeout(r, 50));
        expect(seen).toHaveLength(3);
      });

      it('starts after a given position', async () => {
        await store.append(s('t'), [ev()], 'no-stream');
        const [first] = await allMine();
        const second = ev();
        await store.append(s('t'), [second], 0);
        const seen: string[] = [];
        await new Promise<void>((resolve) => {
          const sub = store.subscribeToAll({ after: first!.position }, (e) => {
            if (!e.streamId.startsWith(prefix)) return;
            seen.push(e.id);
            void sub.close().then(resolve);
          });
        });
        expect(seen).toEqual([second.id]);
      });
    });
  });
}

export async function readEverything(store: EventStore): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 1000 });
    if (page.length === 0) return out;
    out.push(...page);
    after = page[page.length - 1]!.position;
  }
}
