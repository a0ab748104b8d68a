import { readWholeLedger } from '../../src/audit/read-ledger';
import { recordCheckpoint } from '../../src/audit/record-checkpoint';
import type { RecordedCheckpoint } from '../../src/audit/checkpoint';
import { eventHash } from '../../src/integrity/event-hash';
import type { EventStore, StoredEvent } from '../../src/store/event-store';
import { SqliteEventStore } from '../../src/store/sqlite-store';
import { addBody, reviseBody, source } from '../support/builders';
import { documents, ledgerFixture } from '../support/ledger-fixture';

export const AUDITOR = { id: 'auditor/test' };

export interface History {
  readonly store: EventStore;
  /** recorded mid-way; the auditor kept it */
  readonly checkpointA: RecordedCheckpoint;
  /** recorded last: the latest checkpoint */
  readonly checkpointB: RecordedCheckpoint;
  readonly events: StoredEvent[];
}

/**
 * A small ledger with every kind of event: two documents, three positions, a revision, a
 * correction, an endorsement, and two checkpoints (A mid-way, B at the end).
 */
export async function recordHistory(store: EventStore = new SqliteEventStore(':memory:')): Promise<History> {
  const f = ledgerFixture(store);
  await f.at('2020-01-01T09:00:00.000Z', documents.recommendations);
  await f.at('2020-01-01T09:01:00.000Z', documents.contribution);
  const eu4 = await f.at('2020-01-02T10:00:00.000Z', { type: 'AddPosition', data: addBody({ title: 'Role of citie' }) });
  await f.at('2020-01-02T10:05:00.000Z', {
    type: 'AddPosition',
    data: addBody({
      id: 'cities-1',
      title: 'Exchange between cities',
      statement: 'Cities learn from each other.',
      themes: ['city-exchange'],
      addressees: ['cities'],
    }),
  });
  await f.at('2020-01-03T11:00:00.000Z', { type: 'RevisePosition', positionId: 'eu-4', data: reviseBody() });
  await f.at('2020-01-04T12:00:00.000Z', {
    type: 'CorrectRecord',
    positionId: 'eu-4',
    data: { eventId: eu4.events[0]!.eventId, changes: { title: 'Role of cities' }, reason: 'typing mistake in the title' },
  });
  const a = await recordCheckpoint(store, { actor: AUDITOR, now: () => new Date('2020-02-01T00:00:00.000Z') });
  await f.at('2020-02-02T09:00:00.000Z', {
    type: 'EndorsePosition',
    positionId: 'eu-4',
    data: { revision: 2, endorsedBy: 'EUROCITIES working group on migrant integration', decidedOn: '2014-02' },
  });
  await f.at('2020-02-03T09:00:00.000Z', {
    type: 'AddPosition',
    data: addBody({
      id: 'eu-7',
      title: 'Funding',
      statement: 'Cities should have direct access to EU funds.',
      decidedOn: '2014-01-21',
      source: source('bullet 3', 'contribution'),
    }),
  });
  const b = await recordCheckpoint(store, { actor: AUDITOR, now: () => new Date('2020-03-01T00:00:00.000Z') });
  return { store, checkpointA: a.checkpoint!, checkpointB: b.checkpoint!, events: await readWholeLedger(store) };
}

/** What an attacker does after changing a stream: recompute every hash of it so that its chain holds again. */
export function rechain<E extends Pick<StoredEvent, 'id' | 'streamId' | 'revision' | 'type' | 'data' | 'metadata'>>(stream: readonly E[]): E[] {
  let prevHash: string | null = null;
  return stream.map((e) => {
    const m = e.metadata as { schemaVersion: number; recordedAt: string; recordedBy: string };
    const hash = eventHash({
      eventId: e.id,
      streamId: e.streamId,
      streamRevision: e.revision,
      type: e.type,
      schemaVersion: m.schemaVersion,
      data: e.data,
      recordedAt: m.recordedAt,
      recordedBy: m.recordedBy,
      prevHash,
    });
    const out = { ...e, metadata: { ...e.metadata, prevHash, hash } };
    prevHash = hash;
    return out;
  });
}
