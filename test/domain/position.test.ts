import type { PositionRelation } from '../../src/domain/primitives';
import { CONTEXT, given } from '../support/decider-spec';
import { addBody, added, endorsed, reviseBody, revised, source, withdrawn } from '../support/builders';

const ID = '5e0f2f1a-0000-4000-8000-000000000001';

describe('AddPosition', () => {
  it('given nothing, when added, then PositionAdded with the position id', () => {
    given([]).when({ type: 'AddPosition', data: addBody() }).then([added()]);
  });

  it('refuses a position that already exists', () => {
    given([added()]).when({ type: 'AddPosition', data: addBody() }).thenRefuses('position-exists', 'id');
  });

  it('refuses a decision before the start of history (configurable)', () => {
    given([])
      .when({ type: 'AddPosition', data: addBody({ decidedOn: '2005-12' }) })
      .thenRefuses('before-history', 'decidedOn');
    // a date that may fall within the history belongs to it: an undated source from between 1999 and 2007
    given([])
      .when({ type: 'AddPosition', data: addBody({ decidedOn: '1999-10/2007-02' }) })
      .then([added({ decidedOn: '1999-10/2007-02' })]);
    given([])
      .when({ type: 'AddPosition', data: addBody({ decidedOn: '2005/2005' }) })
      .thenRefuses('before-history', 'decidedOn');
    given([])
      .when({ type: 'AddPosition', data: addBody({ decidedOn: '2005-12' }) }, { ...CONTEXT, historyStart: '2000-01-01' })
      .then([added({ decidedOn: '2005-12' })]);
  });

  it('refuses a decision that may lie in the future, and says how to record one taken by today', () => {
    given([])
      .when({ type: 'AddPosition', data: addBody({ decidedOn: '2026-11-24' }) })
      .thenRefuses('in-future', 'decidedOn');
    // an interval or a year still running would be missing from today's as-of view
    given([])
      .when({ type: 'AddPosition', data: addBody({ decidedOn: '2020/2099' }) })
      .thenRefuses('in-future', 'decidedOn');
    const stillRunning = given([])
      .when({ type: 'AddPosition', data: addBody({ decidedOn: '2026' }) })
      .thenRefuses('in-future', 'decidedOn');
    expect(stillRunning.message).toContain('record it as 2026-01-01/2026-11-23');
    given([])
      .when({ type: 'AddPosition', data: addBody({ decidedOn: '2026-01-01/2026-11-23' }) })
      .then([added({ decidedOn: '2026-01-01/2026-11-23' })]);
    given([])
      .when({ type: 'AddPosition', data: addBody({ decidedOn: '2026-11-23' }) })
      .then([added({ decidedOn: '2026-11-23' })]);
  });

  it('refuses a source that cites an unregistered document', () => {
    given([])
      .when({ type: 'AddPosition', data: addBody({ source: source('x', 'nowhere') }) })
      .thenRefuses('unregistered-source', 'source.documentId');
  });
});

describe('RevisePosition', () => {
  const revise = (over = {}) => ({ type: 'RevisePosition' as const, positionId: 'eu-4', data: reviseBody(over) });

  it('numbers the new text revision after those recorded', () => {
    given([added()])
      .when(revise())
      .then([revised(2)]);
    given([added(), revised(2)])
      .when(revise({ statement: 'again', decidedOn: '2015' }))
      .then([revised(3, { statement: 'again', decidedOn: '2015' })]);
  });

  it('refuses a position that does not exist', () => {
    given([]).when(revise()).thenRefuses('position-not-found');
  });

  it('refuses a revision dated before the position existed', () => {
    given([added({ decidedOn: '2010' })])
      .when(revise({ decidedOn: '2008' }))
      .thenRefuses('position-not-yet-added', 'decidedOn');
  });

  it('must change the text in force on its own date', () => {
    given([added()])
      .when(revise({ statement: addBody().statement }))
      .thenRefuses('revision-changes-nothing');
    given([added()])
      .when(revise({ statement: undefined, themes: ['governance'] }))
      .thenRefuses('revision-changes-nothing');
    given([added()])
      .when(revise({ statement: undefined, themes: ['governance', 'competences-funding'] }))
      .then([revised(2, { statement: undefined, themes: ['governance', 'competences-funding'] })]);
  });

  it('checks "changes something" in business time when recorded out of order', () => {
    // the 2014 text was recorded first; a 2009 revision with the same words is still a change from the 2006 text
    const in2014 = revised(2, { decidedOn: '2014' });
    given([added(), in2014])
      .when(revise({ decidedOn: '2009' }))
      .then([revised(3, { decidedOn: '2009' })]);
  });

  it('refuses a revision recorded late that would change a text the working group already endorsed', () => {
    // 2015 title "Role of cities"; 2020 statement S2, endorsed 2021; a title change dated 2018 would put a new title under that endorsement
    const history = [added({ decidedOn: '2015' }), revised(2, { decidedOn: '2020', statement: 'S2' }), endorsed(2, '2021')];
    given(history)
      .when(revise({ decidedOn: '2018', title: 'X', statement: undefined }))
      .thenRefuses('changes-endorsed-text', 'decidedOn');
    // dated after the endorsement, or setting every field the endorsed revision inherits, it changes nothing endorsed
    given(history)
      .when(revise({ decidedOn: '2022', title: 'X', statement: undefined }))
      .then([revised(3, { decidedOn: '2022', title: 'X', statement: undefined })]);
    given([added({ decidedOn: '2015' }), revised(2, { decidedOn: '2020', statement: 'S2' })])
      .when(revise({ decidedOn: '2018', title: 'X', statement: undefined }))
      .then([revised(3, { decidedOn: '2018', title: 'X', statement: undefined })]);
  });

  it('refuses anything after a withdrawal, but accepts an earlier decision recorded late', () => {
    given([added(), withdrawn('2012')])
      .when(revise({ decidedOn: '2013' }))
      .thenRefuses('position-withdrawn');
    given([added(), withdrawn('2012')])
      .when(revise({ decidedOn: '2012' }))
      .thenRefuses('position-withdrawn');
    given([added(), withdrawn('2012')])
      .when(revise({ decidedOn: '2010' }))
      .then([revised(2, { decidedOn: '2010' })]);
  });
});

describe('EndorsePosition', () => {
  const endorse = (revision: number, decidedOn: string, endorsedBy = 'EUROCITIES working group on migrant integration') => ({
    type: 'EndorsePosition' as const,
    positionId: 'eu-4',
    data: { revision, endorsedBy, decidedOn },
  });

  it('endorses a revision that exists on the endorsement date', () => {
    given([added()])
      .when(endorse(1, '2006'))
      .then([endorsed(1, '2006')]);
  });

  it('refuses an unknown revision', () => {
    given([added()]).when(endorse(2, '2015')).thenRefuses('unknown-revision', 'revision');
  });

  it('refuses a revision that may not have existed yet on that date', () => {
    given([added(), revised(2, { decidedOn: '2014-01' })])
      .when(endorse(2, '2014-01-15'))
      .thenRefuses('revision-not-yet-decided');
    given([added(), revised(2, { decidedOn: '2014-01' })])
      .when(endorse(2, '2014-01'))
      .then([endorsed(2, '2014-01')]);
  });

  it('refuses the same body endorsing the same revision twice; another body may', () => {
    given([added(), endorsed(1, '2006')])
      .when(endorse(1, '2007'))
      .thenRefuses('already-endorsed');
    given([added(), endorsed(1, '2006')])
      .when(endorse(1, '2007', 'EUROCITIES Executive Committee'))
      .then([endorsed(1, '2007', 'EUROCITIES Executive Committee')]);
  });

  it('refuses an endorsement after a withdrawal', () => {
    given([added(), withdrawn('2010')])
      .when(endorse(1, '2011'))
      .thenRefuses('position-withdrawn');
  });
});

describe('WithdrawPosition', () => {
  const withdraw = (decidedOn: string) => ({ type: 'WithdrawPosition' as const, positionId: 'eu-4', data: { decidedOn, reason: 'superseded' } });

  it('withdraws a position', () => {
    given([added()])
      .when(withdraw('2015'))
      .then([withdrawn('2015')]);
  });

  it('refuses a second withdrawal', () => {
    given([added(), withdrawn('2015')])
      .when(withdraw('2016'))
      .thenRefuses('already-withdrawn');
  });

  it('refuses a withdrawal dated before decisions already recorded', () => {
    given([added(), revised(2, { decidedOn: '2014' })])
      .when(withdraw('2012'))
      .thenRefuses('decisions-after-withdrawal', 'decidedOn');
  });

  it('refuses a withdrawal before the position existed', () => {
    given([added({ decidedOn: '2010' })])
      .when(withdraw('2008'))
      .thenRefuses('position-not-yet-added');
  });
});

describe('CorrectRecord', () => {
  const correct = (eventId: string, changes: Record<string, unknown>) => ({
    type: 'CorrectRecord' as const,
    positionId: 'eu-4',
    data: { eventId, changes, reason: 'typo when recording' },
  });

  it('records a correction that references the corrected event', () => {
    given([added()], [ID])
      .when(correct(ID, { statement: 'Fixed.' }))
      .then([
        { type: 'PositionRecordCorrected', data: { positionId: 'eu-4', correctsEventId: ID, changes: { statement: 'Fixed.' }, reason: 'typo when recording' } },
      ]);
  });

  it('refuses an event that is not of this position', () => {
    given([added()], [ID])
      .when(correct('5e0f2f1a-0000-4000-8000-0000000000ff', { statement: 'x' }))
      .thenRefuses('unknown-event', 'eventId');
  });

  it('refuses a field the corrected event does not have', () => {
    given([added()], [ID])
      .when(correct(ID, { endorsedBy: 'someone' }))
      .thenRefuses('not-correctable', 'changes.endorsedBy');
  });

  it('refuses a correction that changes nothing', () => {
    given([added()], [ID])
      .when(correct(ID, { statement: addBody().statement }))
      .thenRefuses('correction-changes-nothing');
  });

  it('refuses a correction that would make the corrected revision change nothing', () => {
    const REV = '5e0f2f1a-0000-4000-8000-000000000002';
    given([added(), revised(2, { decidedOn: '2014' })], [ID, REV])
      .when(correct(REV, { statement: addBody().statement }))
      .thenRefuses('correction-changes-nothing', 'changes');
    given([added(), revised(2, { decidedOn: '2014' })], [ID, REV])
      .when(correct(REV, { statement: 'Another text.' }))
      .then([
        {
          type: 'PositionRecordCorrected',
          data: { positionId: 'eu-4', correctsEventId: REV, changes: { statement: 'Another text.' }, reason: 'typo when recording' },
        },
      ]);
  });

  it('refuses a correction that would leave an inconsistent history', () => {
    given([added(), revised(2, { decidedOn: '2014' })], [ID, '5e0f2f1a-0000-4000-8000-000000000002'])
      .when(correct(ID, { decidedOn: '2015' }))
      .thenRefuses('correction-breaks-history');
  });

  it('applies corrections to the state the next decision sees', () => {
    const spec = given(
      [added(), { type: 'PositionRecordCorrected', data: { positionId: 'eu-4', correctsEventId: ID, changes: { decidedOn: '2010' }, reason: 'wrong year' } }],
      [ID, '5e0f2f1a-0000-4000-8000-000000000003'],
    );
    spec.when({ type: 'RevisePosition', positionId: 'eu-4', data: reviseBody({ decidedOn: '2008' }) }).thenRefuses('position-not-yet-added');
  });
});

describe('relations between positions', () => {
  const readdresses = [{ positionId: 'national-5', kind: 'readdresses' as const }];

  it('records the relations of an added or revised text', () => {
    given([])
      .when({ type: 'AddPosition', data: addBody({ decidedOn: '2014', relatesTo: readdresses }) })
      .then([added({ decidedOn: '2014', relatesTo: readdresses })]);
    given([added()])
      .when({ type: 'RevisePosition', positionId: 'eu-4', data: reviseBody({ relatesTo: readdresses }) })
      .then([revised(2, { relatesTo: readdresses })]);
  });

  it('refuses a relation to a position that is not recorded, naming the relation', () => {
    given([])
      .when({ type: 'AddPosition', data: addBody({ decidedOn: '2014', relatesTo: [...readdresses, { positionId: 'nowhere', kind: 'extends' }] }) })
      .thenRefuses('unknown-related-position', 'relatesTo.1.positionId');
  });

  it('refuses a position related to itself', () => {
    given([])
      .when({ type: 'AddPosition', data: addBody({ relatesTo: [{ positionId: 'eu-4', kind: 'restates' }] }) })
      .thenRefuses('self-relation', 'relatesTo.0.positionId');
    given([added()])
      .when({ type: 'RevisePosition', positionId: 'eu-4', data: reviseBody({ relatesTo: [{ positionId: 'eu-4', kind: 'extends' }] }) })
      .thenRefuses('self-relation', 'relatesTo.0.positionId');
  });

  it('refuses a relation to a position added after this text (lineage only reaches back, in business time)', () => {
    given([])
      .when({ type: 'AddPosition', data: addBody({ decidedOn: '2014', relatesTo: [{ positionId: 'eu-later', kind: 'responds-to' }] }) })
      .thenRefuses('related-position-later', 'relatesTo.0.positionId');
    // an interval counts from its latest day, on both sides
    given([])
      .when({ type: 'AddPosition', data: addBody({ decidedOn: '2007', relatesTo: readdresses }) })
      .then([added({ decidedOn: '2007', relatesTo: readdresses })]);
    given([])
      .when({ type: 'AddPosition', data: addBody({ decidedOn: '2007-01', relatesTo: readdresses }) })
      .thenRefuses('related-position-later');
  });

  it('a correction may add or fix the relations of an added or revised text, under the same rules', () => {
    const change = (relatesTo: PositionRelation[]) => ({
      type: 'CorrectRecord' as const,
      positionId: 'eu-4',
      data: { eventId: ID, changes: { relatesTo }, reason: 'lineage missed when recording' },
    });
    given([added({ decidedOn: '2014' })], [ID])
      .when(change(readdresses))
      .then([
        {
          type: 'PositionRecordCorrected',
          data: { positionId: 'eu-4', correctsEventId: ID, changes: { relatesTo: readdresses }, reason: 'lineage missed when recording' },
        },
      ]);
    given([added({ decidedOn: '2014' })], [ID])
      .when(change([{ positionId: 'nowhere', kind: 'extends' }]))
      .thenRefuses('unknown-related-position', 'changes.relatesTo.0.positionId');
  });
});
