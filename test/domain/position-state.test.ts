import { foldPosition } from '../../src/domain/position/history';
import { addedOnOf, initialPositionState, positionStateOf } from '../../src/domain/position/state';
import { added, endorsed, revised } from '../support/builders';

const ADDED_ID = '00000000-0000-4000-8000-000000000001';

describe('when a position was added, read from its state', () => {
  it('is the addition’s decidedOn, a correction of it applied, and what the whole fold says', () => {
    const recorded = [added({ decidedOn: '2011-07-20/2014-01-21' }), revised(2), endorsed(2, '2014-02')].map((e, i) => ({
      ...e,
      eventId: i === 0 ? ADDED_ID : `00000000-0000-4000-8000-00000000000${i + 1}`,
      streamRevision: i,
    }));
    const state = positionStateOf(recorded);
    expect(addedOnOf(state)).toBe('2011-07-20/2014-01-21');
    const corrected = positionStateOf([
      ...recorded,
      {
        type: 'PositionRecordCorrected',
        data: { positionId: 'eu-4', correctsEventId: ADDED_ID, changes: { decidedOn: '2010' }, reason: 'the date of the meeting' },
        eventId: '00000000-0000-4000-8000-000000000009',
        streamRevision: 3,
      },
    ]);
    expect(addedOnOf(corrected)).toBe('2010');
    for (const s of [state, corrected]) expect(addedOnOf(s)).toBe(foldPosition(s.entries)!.addedOn);
  });

  it('is undefined for a position not recorded', () => {
    expect(addedOnOf(initialPositionState)).toBeUndefined();
  });
});
