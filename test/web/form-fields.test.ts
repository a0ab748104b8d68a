import { bodyOf, commandOf, inFormOrder, submittedFields } from '../../src/web/forms/form-fields';
import { ProblemError } from '../../src/api/problem';
import type { Stance } from '../../src/projections/stance';

const current = { title: 'Role of cities', statement: 'Consult the cities.', themes: ['governance'], addressees: ['eu-institutions'] } as unknown as Stance;

/** Forms make the same command bodies as the API's JSON, validated by the same schemas. */
describe('form fields to commands', () => {
  it('a revision records only what the reader changed, with line endings as typed in a textarea normalised', () => {
    const body = bodyOf(
      'revise',
      {
        title: 'Role of cities',
        statement: 'Cities are\r\nequal partners.',
        themes: ['governance'],
        addressees: ['eu-institutions', 'cities'],
        decidedOn: '2014-01',
        'source.documentId': 'contribution',
        'source.locator': 'bullet 1',
        'source.quote': '',
        rationale: 'restated',
      },
      current,
    );
    expect(body).toEqual({
      statement: 'Cities are\nequal partners.',
      addressees: ['eu-institutions', 'cities'],
      decidedOn: '2014-01',
      source: { documentId: 'contribution', locator: 'bullet 1' },
      rationale: 'restated',
    });
  });

  it('a blank required control is the field the problem names', () => {
    const problem = (() => {
      try {
        commandOf('revise', { statement: 'New text.', decidedOn: '2014-01', 'source.documentId': 'contribution', rationale: 'r' }, 'eu-4', current);
      } catch (error) {
        return error as ProblemError;
      }
      throw new Error('accepted');
    })();
    expect(problem.status).toBe(400);
    expect(problem.field).toBe('source.locator');
    expect(problem.errors?.[0]?.message).toBe('required: fill this in');
  });

  it('an endorsement’s revision is a number; anything else is named', () => {
    expect(commandOf('endorse', { revision: '2', endorsedBy: 'Working group', decidedOn: '2014' }, 'eu-4')).toEqual({
      type: 'EndorsePosition',
      positionId: 'eu-4',
      data: { revision: 2, endorsedBy: 'Working group', decidedOn: '2014' },
    });
    expect(() => commandOf('endorse', { revision: 'two', endorsedBy: 'Working group', decidedOn: '2014' }, 'eu-4')).toThrow(
      expect.objectContaining({ field: 'revision' }),
    );
  });

  it('a correction gathers the changes.* controls that were filled in, and needs at least one', () => {
    const eventId = '0b9b6a1e-5a4f-4c3e-8f0a-2f6f1d7c9e11';
    expect(bodyOf('correct', { eventId, 'changes.decidedOn': '2009', 'changes.title': '', reason: 'typo in the date' })).toEqual({
      eventId,
      changes: { decidedOn: '2009' },
      reason: 'typo in the date',
    });
    expect(() => commandOf('correct', { eventId, reason: 'nothing' }, 'eu-4')).toThrow(expect.objectContaining({ field: 'changes' }));
  });

  it('relations are the rows filled in, moved up over blank ones so that a problem names the row it is about', () => {
    const sent = {
      'relatesTo.0.positionId': '',
      'relatesTo.0.kind': '',
      'relatesTo.1.positionId': 'eu-4',
      'relatesTo.1.kind': 'extends',
      'relatesTo.2.positionId': 'eu-5',
      'relatesTo.2.kind': '',
    };
    const fields = inFormOrder(sent);
    expect(fields).toEqual({
      'relatesTo.0.positionId': 'eu-4',
      'relatesTo.0.kind': 'extends',
      'relatesTo.1.positionId': 'eu-5',
      'relatesTo.1.kind': undefined,
    });
    const revision = { decidedOn: '2014-01', 'source.documentId': 'contribution', 'source.locator': 'bullet 1', rationale: 'r' };
    expect(() => commandOf('revise', { ...revision, ...fields }, 'eu-6', current)).toThrow(expect.objectContaining({ field: 'relatesTo.1.kind' }));
    expect(commandOf('revise', { ...revision, ...inFormOrder({ ...sent, 'relatesTo.2.kind': 'restates' }) }, 'eu-6', current).data).toMatchObject({
      relatesTo: [
        { positionId: 'eu-4', kind: 'extends' },
        { positionId: 'eu-5', kind: 'restates' },
      ],
    });
    // none filled in: no relation recorded
    expect(bodyOf('revise', { ...revision, ...inFormOrder({ 'relatesTo.0.positionId': ' ' }) }, current)).not.toHaveProperty('relatesTo');
  });

  it('the Idempotency-Key stands for the fields sent, never the CSRF token', () => {
    expect(submittedFields({ _csrf: 'abc', _key: 'k', _etag: '3', statement: 's' })).toEqual({ _key: 'k', _etag: '3', statement: 's' });
  });
});
