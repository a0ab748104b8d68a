import { randomUUID } from 'node:crypto';
import { IdempotencyKeyReusedError } from '../../src/command-handling/errors';
import { Ledger } from '../../src/command-handling/ledger';
import type { Command } from '../../src/domain/commands';
import type { EventStore } from '../../src/store/event-store';
import { SqliteEventStore } from '../../src/store/sqlite-store';
import { addBody, reviseBody } from '../support/builders';
import { documents, SECRETARIAT } from '../support/ledger-fixture';

/** A store that counts the streams read, to show what a command costs. */
function counting(store: EventStore) {
  const reads: string[] = [];
  const counted = Object.assign(Object.create(store) as EventStore, {
    readStream: (streamId: string, options?: { fromRevision?: number; maxCount?: number }) => {
      reads.push(streamId);
      return store.readStream(streamId, options);
    },
  });
  return { store: counted, reads };
}

describe('the command handler', () => {
  async function seeded(store: EventStore) {
    const ledger = new Ledger(store, { historyStart: '2006-01-01' });
    await ledger.execute(documents.recommendations, SECRETARIAT);
    await ledger.execute(documents.contribution, SECRETARIAT);
    await ledger.execute({ type: 'AddPosition', data: addBody() }, SECRETARIAT);
    return ledger;
  }

  it('keeps the state current itself: a command on a known stream reads nothing back from the store', async () => {
    const { store, reads } = counting(new SqliteEventStore(':memory:'));
    const ledger = await seeded(store);
    reads.length = 0;
    for (let i = 0; i < 5; i += 1) {
      const r = await ledger.execute(
        { type: 'RevisePosition', positionId: 'eu-4', data: reviseBody({ statement: `Statement ${i}.`, decidedOn: String(2007 + i) }) },
        SECRETARIAT,
      );
      expect(r.events.map((e) => e.streamRevision)).toEqual([i + 1]);
      expect(r.events[0]!.position).toMatch(/^\d+$/);
    }
    expect(reads).toEqual([]);
  });

  it('a cache made stale by another writer is found out by the expected revision and rebuilt from the stream', async () => {
    const store = new SqliteEventStore(':memory:');
    const ledger = await seeded(store);
    const other = new Ledger(store, { historyStart: '2006-01-01' });
    await other.execute({ type: 'EndorsePosition', positionId: 'eu-4', data: { revision: 1, endorsedBy: 'WG', decidedOn: '2006' } }, SECRETARIAT);
    // the first ledger still holds revision 0; its decision must see the endorsement
    await expect(
      ledger.execute({ type: 'EndorsePosition', positionId: 'eu-4', data: { revision: 1, endorsedBy: 'WG', decidedOn: '2007' } }, SECRETARIAT),
    ).rejects.toMatchObject({ code: 'already-endorsed' });
    const r = await ledger.execute({ type: 'WithdrawPosition', positionId: 'eu-4', data: { decidedOn: '2010', reason: 'r' } }, SECRETARIAT);
    expect(r.streamRevision).toBe(2);
    expect((await store.readStream('position-eu-4')).map((e) => e.type)).toEqual(['PositionAdded', 'PositionEndorsed', 'PositionWithdrawn']);
  });

  it('an idempotency key used on one stream is refused on another, without looking at any read model', async () => {
    const store = new SqliteEventStore(':memory:');
    const ledger = await seeded(store);
    const key = randomUUID();
    await ledger.execute({ type: 'AddPosition', data: addBody({ id: 'eu-5' }) }, SECRETARIAT, { idempotencyKey: key, requestHash: 'a' });
    const other = new Ledger(store, { historyStart: '2006-01-01' }); // a fresh cache: the collision is found by the store
    await expect(
      other.execute({ type: 'AddPosition', data: addBody({ id: 'eu-6' }) }, SECRETARIAT, { idempotencyKey: key, requestHash: 'b' }),
    ).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(await store.readStream('position-eu-6')).toEqual([]);
  });

  it('in bulk: decided in memory on the states the earlier commands left, then all recorded, or none', async () => {
    const store = new SqliteEventStore(':memory:');
    const ledger = await seeded(store);
    const before = (await store.readAll()).length;
    const bad = [
      { command: { type: 'AddPosition', data: addBody({ id: 'eu-7' }) }, actor: SECRETARIAT },
      { command: { type: 'EndorsePosition', positionId: 'eu-7', data: { revision: 1, endorsedBy: 'WG', decidedOn: '2006' } }, actor: SECRETARIAT },
      { command: { type: 'EndorsePosition', positionId: 'eu-7', data: { revision: 1, endorsedBy: 'WG', decidedOn: '2007' } }, actor: SECRETARIAT },
    ] as const;
    await expect(ledger.executeAll(bad)).rejects.toMatchObject({ index: 2, cause: expect.objectContaining({ code: 'already-endorsed' }) });
    expect(await store.readAll()).toHaveLength(before);
    expect(await ledger.executeAll(bad.slice(0, 2))).toEqual([
      { replayed: false, events: 1 },
      { replayed: false, events: 1 },
    ]);
    expect((await store.readStream('position-eu-7')).map((e) => e.type)).toEqual(['PositionAdded', 'PositionEndorsed']);
  });

  /** Many commands over a few positions (more than the handler decides per chunk), each with its own idempotency key so that ids are the same on every run. */
  function manyCommands(positions: number) {
    const commands: { command: Command; key: string }[] = [
      { command: documents.recommendations, key: 'doc-1' },
      { command: documents.contribution, key: 'doc-2' },
    ];
    for (let p = 0; p < positions; p += 1) {
      const id = `p-${p}`;
      commands.push({ command: { type: 'AddPosition', data: addBody({ id }) }, key: `${id}/0` });
      commands.push({ command: { type: 'EndorsePosition', positionId: id, data: { revision: 1, endorsedBy: 'WG', decidedOn: '2006' } }, key: `${id}/1` });
      for (let r = 2; r < 6; r += 1)
        commands.push({
          command: { type: 'RevisePosition', positionId: id, data: reviseBody({ statement: `Statement ${r}.`, decidedOn: String(2006 + r) }) },
          key: `${id}/${r}`,
        });
    }
    return commands;
  }
  const now = () => new Date('2026-11-23T10:00:00.000Z');

  it('in bulk, stores the same events, ids, metadata and hashes as the same commands one at a time', async () => {
    const commands = manyCommands(60);
    const one = new SqliteEventStore(':memory:');
    const single = new Ledger(one, { historyStart: '2006-01-01', now });
    for (const { command, key } of commands) await single.execute(command, SECRETARIAT, { idempotencyKey: key, requestHash: `h-${key}` });
    const all = new SqliteEventStore(':memory:');
    const bulk = new Ledger(all, { historyStart: '2006-01-01', now });
    await bulk.executeAll(commands.map(({ command, key }) => ({ command, actor: SECRETARIAT, options: { idempotencyKey: key, requestHash: `h-${key}` } })));
    // byte for byte: both store the data's canonical JSON (the bytes the hash covers)
    const stored = await all.readAllSerialized();
    expect(stored).toHaveLength(commands.length);
    expect(await one.readAllSerialized()).toEqual(stored);
    await one.close();
    await all.close();
  });

  it('in bulk, a command refused after earlier chunks were stored leaves nothing, and other writes wait for the run to end', async () => {
    const store = new SqliteEventStore(':memory:');
    const ledger = new Ledger(store, { historyStart: '2006-01-01', now });
    const commands = manyCommands(100).map(({ command }) => ({ command, actor: SECRETARIAT }));
    const late = commands.length - 2;
    commands[late] = {
      command: { type: 'EndorsePosition', positionId: 'p-99', data: { revision: 1, endorsedBy: 'WG', decidedOn: '2006' } },
      actor: SECRETARIAT,
    };
    let written: Promise<unknown> | undefined;
    const run = ledger.executeAll(commands, (done) => {
      // half-way through the run, another writer on the same store
      if (done === 300)
        written = new Ledger(store, { historyStart: '2006-01-01', now }).execute({ type: 'AddPosition', data: addBody({ id: 'other' }) }, SECRETARIAT);
    });
    await expect(run).rejects.toMatchObject({ index: late, cause: expect.objectContaining({ code: 'already-endorsed' }) });
    await written;
    expect((await store.readAll()).map((e) => e.streamId)).toEqual(['position-other']);
    await store.close();
  });
});
