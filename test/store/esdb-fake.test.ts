import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  jsonEvent,
  NO_STREAM,
  START,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  DeadlineExceededError,
  MaxAppendSizeExceededError,
  NotLeaderError,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { randomUUID } from 'node:crypto';
import { EsdbEventStore } from '../../src/store/esdb-store';
import type { StoredEvent } from '../../src/store/event-store';
import { KurrentDbProtocolFake } from '../support/esdb-protocol-fake';

/**
 * The protocol fake must not be kinder than a real KurrentDB: these tests hold it, through the
 * real client, to what the server does that a careless adapter would get wrong. The last ones
 * hold the adapter to surviving what the fake does.
 */
describe('KurrentDB protocol fake', () => {
  let fake: KurrentDbProtocolFake;
  let client: EventStoreDBClient;
  const stores: EsdbEventStore[] = [];
  const store = () => {
    const s = EsdbEventStore.connect(fake.connectionString, { resubscribeDelayMs: { first: 20, max: 100 } });
    stores.push(s);
    return s;
  };

  beforeEach(async () => {
    fake = await KurrentDbProtocolFake.start();
    client = EventStoreDBClient.connectionString(fake.connectionString);
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await client.dispose();
    await closeChannel(client);
    await fake.stop();
  });

  const ev = (n = 0) => jsonEvent({ id: randomUUID(), type: 'Happened', data: { n, text: 'x'.repeat(n) } });
  const all = async (options: Parameters<EventStoreDBClient['readAll']>[0] = {}) => collect(client.readAll(options));
  const stream = async (name: string, options: Parameters<EventStoreDBClient['readStream']>[1] = {}) => collect(client.readStream(name, options));

  it('listens on 127.0.0.1 only, and advertises BatchAppend as KurrentDB 25 does: the client appends through it', async () => {
    expect(fake.connectionString).toMatch(/^esdb:\/\/127\.0\.0\.1:\d+\?tls=false$/);
    await client.appendToStream('a-0', [ev(1), ev(2)]);
    await store().append('a-0', [{ id: randomUUID(), type: 'T', data: {}, metadata: {} }], 1);
    expect(fake.calls).toEqual({ append: 0, batchAppend: 2 });
  });

  it('positions are large byte offsets with gaps; every event is a record of its own, committed at its own position', async () => {
    await client.appendToStream('a-1', [ev(10), ev(200), ev(3)]);
    await client.appendToStream('a-2', ev(1));
    const mine = (await all()).filter((e) => e.streamId.startsWith('a-'));
    const positions = mine.map((e) => e.position!);
    expect(positions.every((p) => p.commit === p.prepare)).toBe(true);
    expect(positions[0]!.prepare).toBeGreaterThan(100n);
    const prepares = positions.map((p) => p.prepare);
    const gaps = prepares.slice(1).map((p, i) => p - prepares[i]!);
    expect(gaps.every((g) => g > 1n)).toBe(true);
    expect(new Set(gaps.map(String)).size).toBeGreaterThan(1);
  });

  it('$all interleaves the server’s own records with the clients’ events; the store leaves them out', async () => {
    for (let i = 0; i < 6; i += 1) await client.appendToStream(`b-${i}`, ev(i));
    const raw = await all();
    const first = raw.findIndex((e) => e.streamId === 'b-0');
    const between = raw.slice(first).filter((e) => e.streamId.startsWith('$') || e.type.startsWith('$'));
    expect(raw.slice(0, first).some((e) => e.streamId === '$settings')).toBe(true);
    expect(between.length).toBeGreaterThan(0);
    const s = store();
    const read = await s.readAll();
    expect(read.map((e) => e.streamId)).toEqual(['b-0', 'b-1', 'b-2', 'b-3', 'b-4', 'b-5']);
    const paged: StoredEvent[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await s.readAll({ after, maxCount: 2 });
      if (page.length === 0) break;
      paged.push(...page);
      after = page.at(-1)!.position;
    }
    expect(paged.map((e) => e.id)).toEqual(read.map((e) => e.id));
  });

  it('reads $all and streams in both directions, from start, end, a revision or a position, with a count', async () => {
    const events = [ev(1), ev(2), ev(3), ev(4)];
    await client.appendToStream('c-1', events);
    const ids = events.map((e) => e.id);
    expect((await stream('c-1', { fromRevision: 1n, maxCount: 2 })).map((e) => e.id)).toEqual(ids.slice(1, 3));
    expect((await stream('c-1', { direction: BACKWARDS, fromRevision: END, maxCount: 3 })).map((e) => e.id)).toEqual([ids[3], ids[2], ids[1]]);
    expect((await stream('c-1', { direction: BACKWARDS, fromRevision: 1n })).map((e) => e.id)).toEqual([ids[1], ids[0]]);
    expect(await stream('c-1', { fromRevision: END })).toEqual([]);
    const forward = await all();
    const second = forward.find((e) => e.id === ids[1])!;
    // Forwards from a position includes the record at it; backwards gives the ones before it.
    expect((await all({ fromPosition: second.position!, maxCount: 2 })).map((e) => e.id)).toEqual([ids[1], ids[2]]);
    expect((await all({ fromPosition: second.position!, direction: BACKWARDS, maxCount: 1 })).map((e) => e.id)).toEqual([ids[0]]);
    expect((await all({ fromPosition: END, direction: BACKWARDS, maxCount: 1 }))[0]!.id).toBe(forward.at(-1)!.id);
    expect(await all({ fromPosition: START, direction: BACKWARDS })).toEqual([]);
    await expect(stream('c-none')).rejects.toBeInstanceOf(StreamNotFoundError);
  });

  it('re-appending the same ids after the expected revision is idempotent; with any, only while the server still remembers them', async () => {
    const batch = [ev(1), ev(2)];
    const first = await client.appendToStream('d-1', batch, { expectedRevision: NO_STREAM });
    const again = await client.appendToStream('d-1', batch, { expectedRevision: NO_STREAM });
    expect(again.nextExpectedRevision).toBe(first.nextExpectedRevision);
    expect(await stream('d-1')).toHaveLength(2);
    // The server's idempotency for expected revision any is a best-effort cache of recent writes.
    for (let i = 0; i < 70; i += 1) await client.appendToStream(`d-other-${i}`, ev());
    await client.appendToStream('d-1', batch, { expectedRevision: 'any' });
    expect(await stream('d-1')).toHaveLength(4);
  });

  it('with expected revision any, idempotency is a cache of recent ids that a restart empties; exact revisions read the log', async () => {
    const batch = [ev(1)];
    await client.appendToStream('e-1', batch, { expectedRevision: 'any' });
    await client.appendToStream('e-1', batch, { expectedRevision: 'any' });
    expect(await stream('e-1')).toHaveLength(1);
    await fake.restart();
    // A call after a node restart may meet the dropped connection; the client reconnects on the next.
    await client
      .appendToStream('e-1', batch, { expectedRevision: NO_STREAM })
      .catch(() => client.appendToStream('e-1', batch, { expectedRevision: NO_STREAM }));
    expect(await stream('e-1')).toHaveLength(1);
    await client.appendToStream('e-1', batch, { expectedRevision: 'any' });
    expect(await stream('e-1')).toHaveLength(2);
  });

  it('refuses an append over MaxAppendSize (data + metadata + 2 × type, 1 MiB by default), through either append call', async () => {
    const big = jsonEvent({ id: randomUUID(), type: 'Big', data: { text: 'x'.repeat(1024 * 1024) } });
    await expect(client.appendToStream('m-1', big)).rejects.toMatchObject({ constructor: MaxAppendSizeExceededError, maxAppendSize: 1024 * 1024 });
    const plain = await KurrentDbProtocolFake.start({ batchAppend: false });
    const other = EventStoreDBClient.connectionString(plain.connectionString);
    await expect(other.appendToStream('m-1', big)).rejects.toMatchObject({ constructor: MaxAppendSizeExceededError, maxAppendSize: 1024 * 1024 });
    expect(plain.calls).toEqual({ append: 1, batchAppend: 0 });
    await other.dispose();
    await closeChannel(other);
    await plain.stop();
    expect(await all()).not.toContainEqual(expect.objectContaining({ streamId: 'm-1' }));
  });

  it('answers invalid positions as the server does: Unknown for a read from inside a record, InvalidArgument for a subscription, nothing past the end', async () => {
    await client.appendToStream('n-1', [ev(100)]);
    const [e] = (await all()).filter((x) => x.streamId === 'n-1');
    const inside = { commit: e!.position!.commit + 8n, prepare: e!.position!.prepare + 8n };
    await expect(all({ fromPosition: inside })).rejects.toThrow(/Unexpected ReadAllResult: InvalidPosition/);
    const sub = client.subscribeToAll({ fromPosition: inside });
    await expect(collect(sub)).rejects.toThrow(/invalid position/);
    expect(await all({ fromPosition: { commit: 10n ** 12n, prepare: 10n ** 12n } })).toEqual([]);
  });

  it('a "replicating" write is unreadable and unanswered for a while; a retry of it is dropped (IdempotentNotReady)', async () => {
    const batch = [ev(1)];
    fake.log.holdNextWrite(400);
    const first = client.appendToStream('o-1', batch, { expectedRevision: NO_STREAM, deadline: 150 });
    await expect(first).rejects.toBeInstanceOf(DeadlineExceededError);
    await expect(stream('o-1')).rejects.toBeInstanceOf(StreamNotFoundError);
    await expect(client.appendToStream('o-1', batch, { expectedRevision: NO_STREAM, deadline: 100 })).rejects.toBeInstanceOf(DeadlineExceededError);
    await new Promise((r) => setTimeout(r, 250));
    expect((await stream('o-1')).map((x) => x.id)).toEqual([batch[0]!.id]);
    expect((await client.appendToStream('o-1', batch, { expectedRevision: NO_STREAM })).nextExpectedRevision).toBe(0n);
  });

  it('a follower serves its own stale copy and forwards writes; asked for the leader, it answers NotLeader naming it', async () => {
    const follower = await KurrentDbProtocolFake.start({ leader: fake });
    const onFollower = EventStoreDBClient.connectionString(follower.connectionString);
    try {
      await client.appendToStream('q-1', ev(1));
      await expect(collect(onFollower.readStream('q-1'))).rejects.toBeInstanceOf(StreamNotFoundError);
      await onFollower.appendToStream('q-1', ev(2));
      expect(await stream('q-1')).toHaveLength(2);
      await expect(collect(onFollower.readStream('q-1', { requiresLeader: true }))).rejects.toMatchObject({
        constructor: NotLeaderError,
        leader: { address: '127.0.0.1', port: fake.port },
      });
      follower.replicate();
      expect(await collect(onFollower.readStream('q-1'))).toHaveLength(2);
    } finally {
      await onFollower.dispose();
      await closeChannel(onFollower);
      await follower.stop();
    }
  });

  it('a soft-deleted stream reads as not found and keeps its numbering when written again', async () => {
    await client.appendToStream('f-1', [ev(), ev()]);
    await client.deleteStream('f-1');
    await expect(stream('f-1')).rejects.toBeInstanceOf(StreamNotFoundError);
    const again = ev();
    const r = await client.appendToStream('f-1', again, { expectedRevision: NO_STREAM });
    expect(r.nextExpectedRevision).toBe(2n);
    expect((await stream('f-1')).map((e) => [e.id, e.revision])).toEqual([[again.id, 2n]]);
    expect((await all()).some((e) => e.streamId === '$$f-1' && e.type === '$metadata')).toBe(true);
  });

  it('answers with the server’s errors: wrong expected version in the append body and in trailers, stream-deleted in trailers', async () => {
    await client.appendToStream('g-1', [ev(), ev()]);
    await expect(client.appendToStream('g-1', ev(), { expectedRevision: 0n })).rejects.toMatchObject({
      constructor: WrongExpectedVersionError,
      expectedVersion: 0n,
      actualVersion: 1n,
    });
    await expect(client.deleteStream('g-1', { expectedRevision: 5n })).rejects.toMatchObject({
      constructor: WrongExpectedVersionError,
      streamName: 'g-1',
      expectedVersion: 5n,
      actualVersion: 1n,
    });
    await client.tombstoneStream('g-1');
    await expect(client.appendToStream('g-1', ev())).rejects.toMatchObject({ constructor: StreamDeletedError, streamName: 'g-1' });
    await expect(stream('g-1')).rejects.toBeInstanceOf(StreamDeletedError);
    await expect(store().append('g-1', [{ id: randomUUID(), type: 'T', data: {}, metadata: {} }], 'any')).rejects.toBeInstanceOf(StreamDeletedError);
    const tombstone = (await all()).find((e) => e.streamId === 'g-1' && e.type === '$streamDeleted');
    expect(tombstone?.revision).toBe(9223372036854775807n);
  });

  it('subscriptions confirm, catch up, say so, then go live', async () => {
    const before = ev();
    await client.appendToStream('h-1', before);
    const sub = client.subscribeToAll({ fromPosition: START });
    const seen: string[] = [];
    const caughtUp = new Promise<void>((resolve) => sub.once('caughtUp', () => resolve()));
    const live = ev();
    const gotLive = new Promise<void>((resolve) =>
      sub.on('data', (e: ResolvedEvent) => {
        if (e.event?.streamId === 'h-1') seen.push(e.event.id);
        if (e.event?.id === live.id) resolve();
      }),
    );
    await caughtUp;
    expect(seen).toEqual([before.id]);
    await client.appendToStream('h-1', live);
    await gotLive;
    expect(seen).toEqual([before.id, live.id]);
    await sub.unsubscribe();
  });

  it('the store’s live follower survives a dropped connection and resumes after the last event it handled', async () => {
    const s = store();
    const seen: string[] = [];
    let notify = () => undefined as void;
    const waitFor = (n: number) =>
      new Promise<void>((resolve) => {
        notify = () => (seen.length >= n ? resolve() : undefined);
        notify();
      });
    const errors: unknown[] = [];
    const sub = s.subscribeToAll({ onError: (e) => errors.push(e) }, (e) => {
      if (e.streamId.startsWith('i-')) seen.push(e.id);
      notify();
    });
    const writer = store();
    const mk = () => ({ id: randomUUID(), type: 'Happened', data: {}, metadata: {} });
    const early = [mk(), mk()];
    await writer.append('i-1', early, 'no-stream');
    await waitFor(2);
    await fake.restart(150);
    const late = [mk(), mk(), mk()];
    await writer.append('i-1', late, 1);
    await waitFor(5);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual([...early, ...late].map((e) => e.id));
    expect(errors).toEqual([]);
    await sub.close();
  });

  it('an append failed by a channel still reconnecting (raw gRPC UNAVAILABLE, before it is sent) is sent again, and stored once', async () => {
    const raw = EventStoreDBClient.connectionString(fake.connectionString);
    const appendToStream = raw.appendToStream.bind(raw);
    let refused = 0;
    // what the client throws from its server-features probe while its channel reconnects after a restart: not wrapped in its UnavailableError
    raw.appendToStream = ((...args: Parameters<typeof appendToStream>) => {
      if (args[0] === 'j-1' && refused === 0) {
        refused += 1;
        return Promise.reject(Object.assign(new Error('14 UNAVAILABLE: No connection established. Last error: null.'), { code: 14 }));
      }
      return appendToStream(...args);
    }) as typeof raw.appendToStream;
    const writer = new EsdbEventStore(raw);
    stores.push(writer);
    const e = { id: randomUUID(), type: 'Happened', data: {}, metadata: {} };
    await expect(writer.append('j-1', [e], 'no-stream')).resolves.toMatchObject({ stored: [{ id: e.id, revision: 0 }] });
    expect(refused).toBe(1);
    expect((await writer.readStream('j-1')).map((x) => x.id)).toEqual([e.id]);
  });

  it('the store’s live follower stops at a handler that fails, rather than skip the event or deliver it twice', async () => {
    const s = store();
    const calls: string[] = [];
    const failed = new Promise<unknown>((resolve) => {
      s.subscribeToAll({ onError: resolve }, (e) => {
        if (!e.streamId.startsWith('k-')) return;
        calls.push(e.id);
        throw new Error('projection broke');
      });
    });
    const e = { id: randomUUID(), type: 'Happened', data: {}, metadata: {} };
    await s.append('k-1', [e], 'no-stream');
    await expect(failed).resolves.toThrow('projection broke');
    await s.append('k-1', [{ ...e, id: randomUUID() }], 0);
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toEqual([e.id]);
  });

  it('the store refuses positions a server cannot have produced', async () => {
    const s = store();
    await expect(s.readAll({ after: '42' })).rejects.toMatchObject({ name: 'InvalidPositionError' });
    await expect(s.readAll({ after: 'C:1/P:2' })).rejects.toMatchObject({ name: 'InvalidPositionError' });
    await expect(s.readAll({ after: 'C:99999999999999999999999/P:1' })).rejects.toMatchObject({ name: 'InvalidPositionError' });
  });
});

async function collect(read: AsyncIterable<ResolvedEvent>): Promise<NonNullable<ResolvedEvent['event']>[]> {
  const out: NonNullable<ResolvedEvent['event']>[] = [];
  for await (const r of read) if (r.event) out.push(r.event);
  return out;
}

async function closeChannel(client: EventStoreDBClient): Promise<void> {
  const channel = await (client as unknown as { getChannel(): Promise<{ close(): void }> }).getChannel().catch(() => undefined);
  channel?.close();
}
