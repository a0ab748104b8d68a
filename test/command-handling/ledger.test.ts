import { randomUUID } from 'node:crypto';
import { StaleRevisionError } from '../../src/command-handling/errors';
import { Ledger } from '../../src/command-handling/ledger';
import { eventHash } from '../../src/integrity/event-hash';
import { toLedgerEvent } from '../../src/domain/ledger-event';
import type { EventStore, ExpectedRevision, NewEvent } from '../../src/store/event-store';
import { SqliteEventStore } from '../../src/store/sqlite-store';
import { addBody, reviseBody } from '../support/builders';
import { documents, SECRETARIAT } from '../support/ledger-fixture';

/** A store that lets another writer slip in between the ledger's read and its append. */
function racing(store: EventStore, intruder: () => Promise<void>): EventStore {
  let armed = true;
  return Object.assign(Object.create(store) as EventStore, {
    append: async (streamId: string, events: readonly NewEvent[], expected: ExpectedRevision) => {
      if (armed && streamId.startsWith('position-')) {
        armed = false;
        await intruder();
      }
      return store.append(streamId, events, expected);
    },
  });
}

describe('Ledger command handling', () => {
  async function seeded() {
    const store = new SqliteEventStore(':memory:');
    const ledger = new Ledger(store, { historyStart: '2006-01-01' });
    await ledger.execute(documents.recommendations, SECRETARIAT);
    await ledger.execute(documents.contribution, SECRETARIAT);
    await ledger.execute({ type: 'AddPosition', data: addBody() }, SECRETARIAT);
    return { store, ledger };
  }

  it('sets recordedAt and recordedBy itself and chains each event to the previous one of its stream', async () => {
    const { store, ledger } = await seeded();
    const at = new Date('2026-01-02T03:04:05.000Z');
    const timed = new Ledger(store, { historyStart: '2006-01-01', now: () => at });
    const r = await timed.execute({ type: 'RevisePosition', positionId: 'eu-4', data: reviseBody() }, SECRETARIAT);
    const [added, revised] = (await store.readStream('position-eu-4')).map(toLedgerEvent);
    expect(revised!.metadata).toMatchObject({ recordedAt: '2026-01-02T03:04:05.000Z', recordedBy: SECRETARIAT.id, prevHash: added!.metadata.hash });
    expect(added!.metadata.prevHash).toBeNull();
    expect(revised!.metadata.hash).toBe(
      eventHash({
        eventId: revised!.eventId,
        streamId: 'position-eu-4',
        streamRevision: 1,
        type: 'PositionRevised',
        schemaVersion: 2,
        data: revised!.data,
        recordedAt: revised!.metadata.recordedAt,
        recordedBy: SECRETARIAT.id,
        prevHash: added!.metadata.hash,
      }),
    );
    expect(r.events.map((e) => e.eventId)).toEqual([revised!.eventId]);
    void ledger;
  });

  it('with If-Match, a writer that slips in between read and append makes it stale (412), not merged', async () => {
    const { store } = await seeded();
    const other = new Ledger(store, { historyStart: '2006-01-01' });
    const ledger = new Ledger(
      racing(store, async () => {
        await other.execute({ type: 'EndorsePosition', positionId: 'eu-4', data: { revision: 1, endorsedBy: 'WG', decidedOn: '2006' } }, SECRETARIAT);
      }),
      { historyStart: '2006-01-01' },
    );
    await expect(
      ledger.execute({ type: 'RevisePosition', positionId: 'eu-4', data: reviseBody() }, SECRETARIAT, { expectedRevision: 0 }),
    ).rejects.toBeInstanceOf(StaleRevisionError);
    expect((await store.readStream('position-eu-4')).map((e) => e.type)).toEqual(['PositionAdded', 'PositionEndorsed']);
  });

  it('without If-Match, it decides again on the new state and records', async () => {
    const { store } = await seeded();
    const other = new Ledger(store, { historyStart: '2006-01-01' });
    const ledger = new Ledger(
      racing(store, async () => {
        await other.execute({ type: 'EndorsePosition', positionId: 'eu-4', data: { revision: 1, endorsedBy: 'WG', decidedOn: '2006' } }, SECRETARIAT);
      }),
      { historyStart: '2006-01-01' },
    );
    await ledger.execute({ type: 'WithdrawPosition', positionId: 'eu-4', data: { decidedOn: '2010', reason: 'r' } }, SECRETARIAT);
    expect((await store.readStream('position-eu-4')).map((e) => e.type)).toEqual(['PositionAdded', 'PositionEndorsed', 'PositionWithdrawn']);
  });

  it('an idempotency key makes a retry return what was recorded, with the same event ids', async () => {
    const { store, ledger } = await seeded();
    const options = { idempotencyKey: randomUUID(), requestHash: 'h1' };
    const first = await ledger.execute(
      { type: 'EndorsePosition', positionId: 'eu-4', data: { revision: 1, endorsedBy: 'WG', decidedOn: '2006' } },
      SECRETARIAT,
      options,
    );
    const again = await ledger.execute(
      { type: 'EndorsePosition', positionId: 'eu-4', data: { revision: 1, endorsedBy: 'WG', decidedOn: '2006' } },
      SECRETARIAT,
      options,
    );
    expect(again.replayed).toBe(true);
    expect(again.events.map((e) => e.eventId)).toEqual(first.events.map((e) => e.eventId));
    expect(await store.readStream('position-eu-4')).toHaveLength(2);
    await expect(
      ledger.execute({ type: 'EndorsePosition', positionId: 'eu-4', data: { revision: 1, endorsedBy: 'Other', decidedOn: '2006' } }, SECRETARIAT, {
        ...options,
        requestHash: 'h2',
      }),
    ).rejects.toThrow(/already used for a different request/);
  });
});
