import { DomainError } from '../../src/domain/errors';
import { decideDocument, evolveDocument, initialDocumentState } from '../../src/domain/document';

const register = { type: 'RegisterDocument' as const, data: { id: 'contribution', title: 'Contribution', publisher: 'EUROCITIES', issuedOn: '2011-07-20/2014-01-21', language: 'en' } };

describe('RegisterDocument', () => {
  it('given nothing, registers the document', () => {
    const [event] = decideDocument(register, initialDocumentState);
    expect(event).toEqual({ type: 'SourceDocumentRegistered', data: { documentId: 'contribution', title: 'Contribution', publisher: 'EUROCITIES', issuedOn: '2011-07-20/2014-01-21', language: 'en' } });
  });

  it('refuses a second registration of the same id', () => {
    const state = evolveDocument(initialDocumentState, decideDocument(register, initialDocumentState)[0]!);
    expect(() => decideDocument(register, state)).toThrow(DomainError);
    expect(() => decideDocument(register, state)).toThrow(/already registered/);
  });
});
