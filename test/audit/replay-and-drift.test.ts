import { snapshotOf, rebuildProjection } from '../../src/audit/projection-snapshot';
import { parseUntil, replay, UnknownPositionError } from '../../src/audit/replay';
import { verifyLedger } from '../../src/audit/verify';
import { recordHistory, type History } from './history';

describe('replay --until and projection drift, pure over the events', () => {
  let history: History;
  beforeAll(async () => {
    history = await recordHistory();
  });

  it('reads --until as a business date, a recorded instant, or a position, and nothing else', () => {
    expect(parseUntil('2010')).toEqual({ kind: 'business-date', asOf: '2010' });
    expect(parseUntil('2014-01-21')).toEqual({ kind: 'business-date', asOf: '2014-01-21' });
    expect(parseUntil('2020-01-03T12:00:00+01:00')).toEqual({ kind: 'recorded-instant', recordedAsOf: '2020-01-03T11:00:00.000Z' });
    expect(parseUntil('position:7')).toEqual({ kind: 'position', position: '7' });
    for (const bad of ['yesterday', '2020-01-03T12:00:00', '2014-02-30', 'position:']) expect(parseUntil(bad)).toBeUndefined();
  });

  it('a business date: positions as decided by then, from all that is recorded (the correction included)', () => {
    const r = replay(history.events, parseUntil('2010')!);
    expect(r.positions.map((p) => [p.id, p.revision, p.title])).toEqual([
      ['cities-1', 1, 'Exchange between cities'],
      ['eu-4', 1, 'Role of cities'],
    ]);
  });

  it('a recorded instant: only what the ledger had recorded by then', () => {
    const r = replay(history.events, parseUntil('2020-01-03T12:00:00Z')!);
    const eu4 = r.positions.find((p) => p.id === 'eu-4')!;
    expect([eu4.revision, eu4.title, eu4.corrections]).toEqual([2, 'Role of citie', 0]); // revised, not yet corrected
    expect(r.positions.map((p) => p.id)).toEqual(['cities-1', 'eu-4']);
    expect(r.lastEvent?.recordedAt).toBe('2020-01-03T11:00:00.000Z');
    // what was replayed is what had been recorded by then, and the last of it is the event named
    const known = history.events.filter((e) => String(e.metadata.recordedAt) <= '2020-01-03T12:00:00.000Z');
    expect(r.eventsReplayed).toBe(known.length);
    expect(r.eventsReplayed).toBeLessThan(history.events.length);
    expect(r.lastEvent?.id).toBe(known.at(-1)!.id);
  });

  it('an instant before anything was recorded: nothing replayed, nothing shown', () => {
    const r = replay(history.events, parseUntil('2000-01-01T00:00:00Z')!);
    expect([r.eventsReplayed, r.lastEvent, r.count]).toEqual([0, null, 0]);
  });

  it('a position: the ledger replayed from event one through that event', () => {
    const third = history.events[2]!;
    const r = replay(history.events, { kind: 'position', position: third.position });
    expect(r.eventsReplayed).toBe(3);
    expect(r.positions.map((p) => p.id)).toEqual(['eu-4']);
    expect(() => replay(history.events, { kind: 'position', position: 'nowhere' })).toThrow(UnknownPositionError);
  });

  it('checkpoint events are in the version, never in a position, and make nothing unreadable', () => {
    const p = rebuildProjection(history.events);
    expect(p.unreadableEvents()).toEqual([]);
    expect(p.version().events).toBe(history.events.length);
    expect(p.positions().map((s) => s.id)).toEqual(['cities-1', 'eu-4', 'eu-7']);
  });

  it('a live read model that drifted is reported at the position and the field', () => {
    const live = snapshotOf(rebuildProjection(history.events));
    const drifted = { ...live, positions: live.positions.map((s) => (s.id === 'eu-7' ? { ...s, statement: 'Something else.' } : s)) };
    expect(verifyLedger(history.events, { live }).problems).toEqual([]);
    const eu7 = history.events.filter((e) => e.streamId === 'position-eu-7').at(-1)!;
    expect(verifyLedger(history.events, { live: drifted }).problems).toEqual([
      expect.objectContaining({
        check: 'projection',
        streamId: 'position-eu-7',
        eventId: eu7.id,
        problem: expect.stringContaining('statement: live "Something else."'),
      }),
    ]);
    const missing = { ...live, positions: live.positions.filter((s) => s.id !== 'cities-1') };
    expect(verifyLedger(history.events, { live: missing }).problems).toEqual([
      expect.objectContaining({ check: 'projection', streamId: 'position-cities-1', problem: expect.stringContaining('missing from the live read model') }),
    ]);
  });
});
