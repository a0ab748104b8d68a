import { randomUUID } from 'node:crypto';
import { toLedgerEvent } from '../../src/domain/ledger-event';
import { EVENT_SCHEMA_VERSION } from '../../src/domain/events';
import { upcast, UnknownSchemaVersionError, type Upcasters } from '../../src/domain/upcast';
import type { StoredEvent } from '../../src/store/event-store';

/** Upcasting is keyed on the schema version stored with each event. */
describe('upcasting stored events', () => {
  const stored = (schemaVersion: number, data: Record<string, unknown>): StoredEvent => ({
    id: randomUUID(),
    streamId: 'position-eu-4',
    revision: 0,
    position: '1',
    type: 'PositionAdded',
    data,
    metadata: { schemaVersion, recordedAt: '2020-01-01T00:00:00.000Z', recordedBy: 'secretariat/old', prevHash: null, hash: 'a'.repeat(64) },
  });
  // written before relations existed: no relatesTo
  const v1 = {
    positionId: 'eu-4',
    title: 'Role of cities',
    statement: 'The Commission should consult the large cities.',
    themes: ['governance'],
    addressees: ['eu-institutions'],
    decidedOn: '2006',
    source: { documentId: 'recommendations', locator: 'item 4' },
  };

  it('a v1 PositionAdded written before the v2 schema reads as a v2 event', () => {
    expect(EVENT_SCHEMA_VERSION.PositionAdded).toBe(2);
    const event = toLedgerEvent(stored(1, v1));
    expect(event).toMatchObject({ type: 'PositionAdded', data: v1, metadata: { schemaVersion: 1 } });
  });

  it('steps run in order from the stored version to the current one, and data already current is left alone', () => {
    const steps: Upcasters = {
      PositionWithdrawn: {
        1: (d) => ({ ...d, trail: [...((d.trail as number[]) ?? []), 1] }),
        2: (d) => ({ ...d, trail: [...((d.trail as number[]) ?? []), 2] }),
      },
    };
    const current = { ...EVENT_SCHEMA_VERSION, PositionWithdrawn: 3 };
    expect(upcast('PositionWithdrawn', 1, {}, steps, current)).toEqual({ trail: [1, 2] });
    expect(upcast('PositionWithdrawn', 2, {}, steps, current)).toEqual({ trail: [2] });
    expect(upcast('PositionWithdrawn', 3, { same: true }, steps, current)).toEqual({ same: true });
    expect(() => upcast('PositionEndorsed', 1, {}, steps, { ...current, PositionEndorsed: 2 })).toThrow(UnknownSchemaVersionError);
  });

  it('an event written by a newer ledger (a schema version this one does not know) is refused, not misread', () => {
    expect(() => toLedgerEvent(stored(3, v1))).toThrow(/schema version 3 is newer than this ledger knows/);
  });
});
