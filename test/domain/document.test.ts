import { DomainError } from '../../src/domain/errors';
import { decideDocument, evolveDocument, initialDocumentState } from '../../src/domain/document';
import { RegisterDocumentBody } from '../../src/domain/commands';

const TODAY = '2026-11-23';
const register = {
  type: 'RegisterDocument' as const,
  data: { id: 'contribution', title: 'Contribution', publisher: 'EUROCITIES', issuedOn: '2011-07-20/2014-01-21', language: 'en' },
};

describe('RegisterDocument', () => {
  it('given nothing, registers the document', () => {
    const [event] = decideDocument(register, initialDocumentState, TODAY);
    expect(event).toEqual({
      type: 'SourceDocumentRegistered',
      data: { documentId: 'contribution', title: 'Contribution', publisher: 'EUROCITIES', issuedOn: '2011-07-20/2014-01-21', language: 'en' },
    });
  });

  it('refuses a second registration of the same id', () => {
    const state = evolveDocument(initialDocumentState, decideDocument(register, initialDocumentState, TODAY)[0]!);
    expect(() => decideDocument(register, state, TODAY)).toThrow(DomainError);
    expect(() => decideDocument(register, state, TODAY)).toThrow(/already registered/);
  });

  it('refuses a document issued in the future, or possibly so', () => {
    for (const issuedOn of ['2030', '2020/2099', '2026-12']) {
      let error: unknown;
      try {
        decideDocument({ ...register, data: { ...register.data, issuedOn } }, initialDocumentState, TODAY);
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'in-future', field: 'issuedOn' });
    }
    expect(decideDocument({ ...register, data: { ...register.data, issuedOn: TODAY } }, initialDocumentState, TODAY)).toHaveLength(1);
  });

  it('takes a bare file name only, never a path', () => {
    for (const file of ['../../../etc/passwd', 'a/b.txt', 'a\\b.txt', '..', '.']) {
      const parsed = RegisterDocumentBody.safeParse({ ...register.data, file });
      expect(parsed.success ? 'accepted' : parsed.error.issues[0]!.path.join('.')).toBe('file');
    }
    expect(RegisterDocumentBody.safeParse({ ...register.data, file: '000_3e8654bc4036b4f8.txt' }).success).toBe(true);
  });
});
