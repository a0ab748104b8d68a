import type { AddPositionBody, RevisePositionBody } from '../../src/domain/commands';
import type { EventDataOf, PositionEvent } from '../../src/domain/events';

export const source = (locator = 'item 4', documentId = 'recommendations') => ({ documentId, locator });

export const addBody = (over: Partial<AddPositionBody> = {}): AddPositionBody => ({
  id: 'eu-4',
  title: 'Role of cities',
  statement: 'The Commission should consult the large cities.',
  themes: ['governance'],
  addressees: ['eu-institutions'],
  decidedOn: '2006',
  source: source(),
  ...over,
});

export const reviseBody = (over: Partial<RevisePositionBody> = {}): RevisePositionBody => ({
  statement: 'Cities should be equal partners in planning, designing, managing and evaluating policy.',
  decidedOn: '2014-01-21',
  source: source('bullet 1', 'contribution'),
  rationale: 'restated in the 2014 contribution',
  ...over,
});

export const added = (over: Partial<EventDataOf<'PositionAdded'>> = {}): PositionEvent => {
  const { id, ...rest } = addBody();
  return { type: 'PositionAdded', data: { positionId: id, ...rest, ...over } };
};

export const revised = (revision: number, over: Partial<EventDataOf<'PositionRevised'>> = {}): PositionEvent => ({
  type: 'PositionRevised',
  data: { positionId: 'eu-4', revision, ...reviseBody(), ...over },
});

export const endorsed = (revision: number, decidedOn: string, endorsedBy = 'EUROCITIES working group on migrant integration'): PositionEvent => ({
  type: 'PositionEndorsed',
  data: { positionId: 'eu-4', revision, endorsedBy, decidedOn },
});

export const withdrawn = (decidedOn: string, reason = 'superseded'): PositionEvent => ({
  type: 'PositionWithdrawn',
  data: { positionId: 'eu-4', decidedOn, reason },
});
