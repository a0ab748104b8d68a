import request from 'supertest';
import { join } from 'node:path';
import { composeLedger, type LedgerApp } from '../../src/app/compose';
import { loadConfig } from '../../src/app/config';
import { SqliteEventStore } from '../../src/store/sqlite-store';
import { addBody, reviseBody } from '../support/builders';

/** A recorded source.quote is in the document it cites, when the server holds that document's registered file. */
describe('a quote must be in the document it cites', () => {
  const token = 'secretariat-cited-quote';
  const issuedOn = '2011-07-20/2014-01-21';
  let ledger: LedgerApp;
  const post = (path: string, body: object, headers: Record<string, string> = {}) =>
    request(ledger.app).post(path).set('Authorization', `Bearer ${token}`).set(headers).send(body);
  const cite = (quote: string, documentId = 'home-affairs-contribution') => ({ documentId, locator: 'nowhere', quote });
  const add = (id: string, quote: string, documentId?: string) => post('/api/positions', addBody({ id, decidedOn: issuedOn, source: cite(quote, documentId) }));
  const expectQuoteRefused = (res: request.Response, field: string) =>
    expect({ status: res.status, type: res.headers['content-type'], field: res.body.field, detail: res.body.detail }).toEqual({
      status: 422,
      type: expect.stringMatching(/^application\/problem\+json/),
      field,
      detail: expect.stringMatching(/not in the text of document home-affairs-contribution/),
    });

  beforeEach(async () => {
    const config = loadConfig({
      LEDGER_TOKENS: `secretariat:${token}`,
      LEDGER_SEED_ON_START: 'false',
      LEDGER_SOURCES_DIR: join(__dirname, '../../sources'),
      LEDGER_RATE_LIMIT_PER_MINUTE: '0',
    });
    ledger = await composeLedger(config, { store: new SqliteEventStore(':memory:') });
    const doc = { title: 'T', publisher: 'EUROCITIES', issuedOn, language: 'en' };
    expect((await post('/api/documents', { ...doc, id: 'home-affairs-contribution', file: '000_3e8654bc4036b4f8.txt' })).status).toBe(201);
    expect((await post('/api/documents', { ...doc, id: 'without-file' })).status).toBe(201);
  });
  afterEach(async () => ledger.close());

  it('refuses a new position quoting words the document does not contain (422 naming source.quote), and records nothing', async () => {
    expectQuoteRefused(await add('eu-open-borders', 'EUROCITIES demands open borders.'), 'source.quote');
    expect((await request(ledger.app).get('/api/positions/eu-open-borders')).status).toBe(404);
  });

  it('accepts a real quote, as printed apart from line breaks and emphasis marks, and passages joined by " […] "', async () => {
    const real =
      'Improving multi-level governance through direct involvement of cities in migration and integration policies. In order to have a coherent approach';
    const res = await add('eu-real', real);
    expect(res.status).toBe(201);
    expect(res.body.source.quote).toBe(real);
    expect((await add('eu-joined', 'EUROCITIES has welcomed the increasing recognition […] The system for monitoring integration in Europe')).status).toBe(201);
    // the passages of a joined quote are looked for in order, as the document page finds them
    expectQuoteRefused(
      await add('eu-reversed', 'The system for monitoring integration in Europe […] EUROCITIES has welcomed the increasing recognition'),
      'source.quote',
    );
  });

  it('refuses a revision or a correction whose quote is not in the document (naming its field); one without a file is left to review', async () => {
    const added = await add('eu-revised', 'EUROCITIES has welcomed the increasing recognition');
    expect(added.status).toBe(201);
    const revise = (quote: string, etag: string) =>
      post('/api/positions/eu-revised/revisions', reviseBody({ decidedOn: issuedOn, source: cite(quote) }), { 'If-Match': etag });
    expectQuoteRefused(await revise('EUROCITIES demands open borders.', added.headers.etag!), 'source.quote');
    const correct = (quote: string) =>
      post(
        '/api/positions/eu-revised/corrections',
        { eventId: added.headers['ledger-event-ids']!, changes: { source: cite(quote) }, reason: 'the quote' },
        { 'If-Match': added.headers.etag! },
      );
    expectQuoteRefused(await correct('EUROCITIES demands open borders.'), 'changes.source.quote');
    expect((await request(ledger.app).get('/api/positions/eu-revised')).body).toMatchObject({ revision: 1, corrections: 0 });
    const corrected = await correct('Local authorities can also play a key role');
    expect(corrected.status).toBe(201);
    expect((await revise('Local authorities can also play a key role', corrected.headers.etag!)).status).toBe(201);
    // a document registered without a file: the server has no text to check a quote against
    expect((await add('eu-unchecked', 'EUROCITIES demands open borders.', 'without-file')).status).toBe(201);
  });
});
