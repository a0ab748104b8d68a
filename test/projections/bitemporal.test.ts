import { addBody, reviseBody } from '../support/builders';
import { documents, ledgerFixture } from '../support/ledger-fixture';

/**
 * The position eu-4: added 2006 and endorsed; a 2014 restatement is recorded on 2021-03-01; a 2009
 * revision is only discovered and recorded later, on 2022-05-01 (recorded out of order).
 */
async function history() {
  const f = ledgerFixture();
  await f.at('2021-01-01T10:00:00Z', documents.recommendations);
  await f.at('2021-01-01T10:00:00Z', documents.contribution);
  await f.at('2021-01-02T10:00:00Z', { type: 'AddPosition', data: addBody({ statement: 'Text of 2006.' }) });
  await f.at('2021-01-02T11:00:00Z', { type: 'EndorsePosition', positionId: 'eu-4', data: { revision: 1, endorsedBy: 'WG', decidedOn: '2006' } });
  await f.at('2021-03-01T10:00:00Z', { type: 'RevisePosition', positionId: 'eu-4', data: reviseBody({ statement: 'Text of 2014.', decidedOn: '2014-01-21' }) });
  await f.at('2022-05-01T10:00:00Z', {
    type: 'RevisePosition',
    positionId: 'eu-4',
    data: reviseBody({ statement: 'Text of 2009.', title: 'Cities as partners', decidedOn: '2009-06' }),
  });
  return f;
}

describe('stance over business time and recording time', () => {
  it('the current stance is the text latest in business time, whatever the recording order', async () => {
    const p = await (await history()).rebuild();
    const s = p.position('eu-4')!;
    expect(s.statement).toBe('Text of 2014.');
    expect(s.revision).toBe(2);
    // the 2009 revision changed the title; the 2014 one did not, so the title of 2009 carries on
    expect(s.title).toBe('Cities as partners');
    expect(s.status).toBe('proposed');
    expect(s.lastEndorsed).toEqual({ revision: 1, title: 'Role of cities', statement: 'Text of 2006.' });
    expect(s.streamRevision).toBe(3);
  });

  it('asOf: the stance as decided by a business date', async () => {
    const p = await (await history()).rebuild();
    expect(p.position('eu-4', { asOf: '2008' })!.statement).toBe('Text of 2006.');
    expect(p.position('eu-4', { asOf: '2008' })!.status).toBe('endorsed');
    expect(p.position('eu-4', { asOf: '2010' })!.statement).toBe('Text of 2009.');
    expect(p.position('eu-4', { asOf: '2010' })!.revision).toBe(3);
    // a decision known only to the month is in force once the month is over
    expect(p.position('eu-4', { asOf: '2009-06-15' })!.statement).toBe('Text of 2006.');
    expect(p.position('eu-4', { asOf: '2009-06' })!.statement).toBe('Text of 2009.');
    // nothing is known to have been decided by mid-2006 for a decision known only as "2006"
    expect(p.position('eu-4', { asOf: '2006-06-01' })).toBeUndefined();
  });

  it('recordedAsOf: what the ledger said at an instant', async () => {
    const p = await (await history()).rebuild();
    expect(p.position('eu-4', { recordedAsOf: '2021-02-01T00:00:00Z' })!.statement).toBe('Text of 2006.');
    expect(p.position('eu-4', { recordedAsOf: '2021-04-01T00:00:00Z' })!.title).toBe('Role of cities');
    expect(p.position('eu-4', { recordedAsOf: '2020-12-31T00:00:00Z' })).toBeUndefined();
  });

  it('both: what the ledger said on day Y about day X', async () => {
    const p = await (await history()).rebuild();
    // in April 2021 the ledger did not yet know of the 2009 revision: about 2010 it said the 2006 text
    expect(p.position('eu-4', { asOf: '2010', recordedAsOf: '2021-04-01T00:00:00Z' })!.statement).toBe('Text of 2006.');
    // after May 2022 it says the 2009 text about 2010
    expect(p.position('eu-4', { asOf: '2010', recordedAsOf: '2022-06-01T00:00:00Z' })!.statement).toBe('Text of 2009.');
  });

  it('the timeline orders by decidedOn, not by recording', async () => {
    const p = await (await history()).rebuild();
    const t = p.positionTimeline('eu-4')!;
    expect(t.map((e) => [e.type, e.decidedOn])).toEqual([
      ['PositionAdded', '2006'],
      ['PositionEndorsed', '2006'],
      ['PositionRevised', '2009-06'],
      ['PositionRevised', '2014-01-21'],
    ]);
    expect(t.map((e) => e.precision)).toEqual(['year', 'year', 'month', 'day']);
    expect(t[2]!.recordedAt > t[3]!.recordedAt).toBe(true);
  });

  it('the live read model, followed event by event, equals one rebuilt from event one', async () => {
    const f = await history();
    const { LedgerProjection } = await import('../../src/projections/ledger-projection');
    const live = await LedgerProjection.follow(f.store);
    await f.at('2023-01-01T10:00:00Z', { type: 'EndorsePosition', positionId: 'eu-4', data: { revision: 2, endorsedBy: 'WG', decidedOn: '2014-01-21' } });
    const last = (await f.store.readAll()).at(-1)!;
    expect(await live.waitFor(last.id)).toBe(true);
    const rebuilt = await f.rebuild();
    expect(live.positions()).toEqual(rebuilt.positions());
    expect(live.position('eu-4')!.status).toBe('endorsed');
    await live.stop();
  });
});

describe('status and endorsements', () => {
  it('goes proposed → endorsed → proposed (revised) → endorsed → withdrawn, keeping the last endorsed text', async () => {
    const f = ledgerFixture();
    await f.at('2021-01-01T10:00:00Z', documents.recommendations);
    await f.at('2021-01-01T10:00:00Z', documents.contribution);
    await f.at('2021-01-02T10:00:00Z', { type: 'AddPosition', data: addBody({ statement: 'v1' }) });
    expect((await f.rebuild()).position('eu-4')!.status).toBe('proposed');
    await f.at('2021-01-02T10:00:01Z', { type: 'EndorsePosition', positionId: 'eu-4', data: { revision: 1, endorsedBy: 'WG', decidedOn: '2007' } });
    expect((await f.rebuild()).position('eu-4')!.status).toBe('endorsed');
    await f.at('2021-01-02T10:00:02Z', { type: 'RevisePosition', positionId: 'eu-4', data: reviseBody({ statement: 'v2', decidedOn: '2014' }) });
    const revised = (await f.rebuild()).position('eu-4')!;
    expect([revised.status, revised.statement, revised.lastEndorsed?.statement]).toEqual(['proposed', 'v2', 'v1']);
    await f.at('2021-01-02T10:00:03Z', { type: 'EndorsePosition', positionId: 'eu-4', data: { revision: 2, endorsedBy: 'WG', decidedOn: '2014' } });
    const endorsed = (await f.rebuild()).position('eu-4')!;
    expect([endorsed.status, endorsed.lastEndorsed?.statement, endorsed.latestEndorsement?.decidedOn]).toEqual(['endorsed', 'v2', '2014']);
    await f.at('2021-01-02T10:00:04Z', { type: 'WithdrawPosition', positionId: 'eu-4', data: { decidedOn: '2016', reason: 'replaced' } });
    const gone = (await f.rebuild()).position('eu-4')!;
    expect([gone.status, gone.withdrawal]).toEqual(['withdrawn', { decidedOn: '2016', reason: 'replaced' }]);
    expect((await f.rebuild()).position('eu-4', { asOf: '2015' })!.status).toBe('endorsed');
  });
});

describe('corrections', () => {
  it('fix the views from the moment they are recorded, and the timeline shows both values', async () => {
    const f = ledgerFixture();
    await f.at('2021-01-01T10:00:00Z', documents.recommendations);
    const added = await f.at('2021-01-02T10:00:00Z', { type: 'AddPosition', data: addBody({ statement: 'Cites teh cities.' }) });
    const eventId = added.events[0]!.eventId;
    await f.at('2021-02-01T10:00:00Z', {
      type: 'CorrectRecord',
      positionId: 'eu-4',
      data: { eventId, changes: { statement: 'Cites the cities.' }, reason: 'typo' },
    });
    const p = await f.rebuild();
    expect(p.position('eu-4')!.statement).toBe('Cites the cities.');
    expect(p.position('eu-4')!.corrections).toBe(1);
    expect(p.position('eu-4', { recordedAsOf: '2021-01-15T00:00:00Z' })!.statement).toBe('Cites teh cities.');
    const [entry] = p.positionTimeline('eu-4')!;
    expect(entry!.data.statement).toBe('Cites the cities.');
    expect(entry!.corrections).toEqual([
      expect.objectContaining({ reason: 'typo', changes: { statement: 'Cites the cities.' }, original: { statement: 'Cites teh cities.' } }),
    ]);
  });
});

describe('the ledger timeline and filters', () => {
  it('merges positions in business order and filters by dates and theme', async () => {
    const f = ledgerFixture();
    await f.at('2021-01-01T10:00:00Z', documents.recommendations);
    await f.at('2021-01-01T10:00:00Z', documents.contribution);
    await f.at('2021-01-02T10:00:00Z', { type: 'AddPosition', data: addBody({ id: 'b', decidedOn: '2010', themes: ['monitoring-data'] }) });
    await f.at('2021-01-03T10:00:00Z', { type: 'AddPosition', data: addBody({ id: 'a', decidedOn: '2008-05-02' }) });
    await f.at('2021-01-04T10:00:00Z', { type: 'AddPosition', data: addBody({ id: 'c', decidedOn: '2012', addressees: ['cities'] }) });
    const p = await f.rebuild();
    expect(p.timeline().map((e) => e.positionId)).toEqual(['a', 'b', 'c']);
    expect(p.timeline({ from: '2009', to: '2011' }).map((e) => e.positionId)).toEqual(['b']);
    expect(p.timeline({ theme: 'monitoring-data' }).map((e) => e.positionId)).toEqual(['b']);
    expect(p.positions({ addressee: 'cities' }).map((s) => s.id)).toEqual(['c']);
    expect(p.positions({ theme: 'governance', asOf: '2009' }).map((s) => s.id)).toEqual(['a']);
    expect(p.document('recommendations')!.citedBy).toEqual(['a', 'b', 'c']);
  });
});
