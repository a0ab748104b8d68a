import request from 'supertest';
import { composeLedger, type LedgerApp } from '../../src/app/compose';
import { loadConfig } from '../../src/app/config';
import { SqliteEventStore } from '../../src/store/sqlite-store';
import { passageAnchor } from '../../src/sources/cited-passages';

/** The pages as HTML, without a browser: what they say, their errors, paging, CSP and assets (the browser suite checks how they behave). */
describe('web pages on the seed ledger', () => {
  let ledger: LedgerApp;
  beforeAll(async () => {
    const config = loadConfig({ LEDGER_RATE_LIMIT_PER_MINUTE: '0', LEDGER_CHECKPOINT_INTERVAL_MINUTES: '0', LEDGER_LOG_LEVEL: 'silent' });
    ledger = await composeLedger(config, { store: new SqliteEventStore(':memory:') });
  });
  afterAll(async () => ledger.close());
  const get = (path: string) => request(ledger.app).get(path);
  const statementOf = (html: string) => /<blockquote class="statement" data-statement[^>]*><p>([^<]*)</.exec(html)?.[1];

  it('serves pages as HTML under a strict Content-Security-Policy: scripts and styles only from the app itself', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/style-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-inline|https:/);
    expect(res.text).not.toMatch(/<script>|<script [^>]*>[^<]|style="|\son[a-z]+="/);
    expect(res.text).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('draws the history on the overview with each date as precise as it is: intervals as spans, no invented day as a point', async () => {
    const html = (await get('/')).text;
    expect(html).toMatch(/<svg[^>]*viewBox/);
    expect(html).toMatch(/<rect class="mark span mark-revised"/);
    expect(html).not.toMatch(/<circle class="mark /);
    // the undated recommendations (1999-10/2007-02) began before the axis: drawn as open to the left
    expect(html).toMatch(/<path class="mark mark-added"/);
  });

  it('counts the overview in the read model and draws a page of positions: it never asks for every position or the whole timeline', async () => {
    const { projection } = ledger;
    const pages = jest.spyOn(projection, 'positionPage');
    const timeline = jest.spyOn(projection, 'timelinePage');
    try {
      for (const asOf of [undefined, '2010']) {
        const html = (await get(asOf ? `/?asOf=${asOf}` : '/')).text;
        const every = projection.positionPage({ asOf });
        expect(html).toContain(`<h2 id="c-positions">${every.items.length} positions</h2>`);
        const endorsed = every.items.filter((s) => s.status === 'endorsed').length;
        expect(html).toMatch(new RegExp(`status=endorsed">${endorsed} endorsed</a>`));
      }
      const asked = pages.mock.calls.filter(([, page]) => page === undefined).length;
      // the two whole lists above are this test's own
      expect(asked).toBe(2);
      expect(timeline).not.toHaveBeenCalled();
    } finally {
      pages.mockRestore();
      timeline.mockRestore();
    }
  });

  it('filters and searches positions with the API query, as of a date', async () => {
    const in2010 = (await get('/positions?q=undocumented&asOf=2010')).text;
    const in2014 = (await get('/positions?q=undocumented&asOf=2014')).text;
    expect(in2010).toContain('href="/positions/national-8?asOf=2010"');
    expect(in2010).not.toContain('eu-undocumented-migrants');
    expect(in2014).toContain('href="/positions/eu-undocumented-migrants?asOf=2014"');
    expect(in2014).toMatch(/format=csv/);
  });

  it('says on the timeline what each decision was, and credits no decision to the working group that the sources do not', async () => {
    const html = (await get('/timeline?theme=undocumented-vulnerable')).text;
    expect(html).toContain('<div class="summary">Protect the most vulnerable in an open, tolerant and democratic urban society</div>');
    for (const page of [html, (await get('/')).text, (await get('/positions?asOf=2010')).text])
      expect(page).not.toMatch(/working group (had decided|on migrant integration committed)|decision of the working group/);
  });

  it('pages a list with the read model cursor', async () => {
    const first = await get('/positions?limit=5');
    const next = /href="(\/positions\?[^"]*cursor=[^"]+)" rel="next"/.exec(first.text)?.[1]?.replace(/&amp;/g, '&');
    expect(next).toBeDefined();
    const second = await get(next!);
    const ids = (html: string) => [...html.matchAll(/<h2><a href="\/positions\/([a-z0-9-]+)/g)].map((m) => m[1]);
    expect(ids(first.text)).toHaveLength(5);
    expect(ids(second.text)).toHaveLength(5);
    expect(ids(second.text).some((id) => ids(first.text).includes(id))).toBe(false);
  });

  it('shows a position as of a date, with its provenance linked to the passage in the document', async () => {
    const in2010 = (await get('/positions/eu-4?asOf=2010')).text;
    const now = (await get('/positions/eu-4')).text;
    expect(statementOf(in2010)).toMatch(/pivotal role/);
    expect(statementOf(now)).toMatch(/equal partners/);
    const current = ledger.projection.position('eu-4')!;
    expect(now).toContain(`/documents/home-affairs-contribution#${passageAnchor(current.source.quote!)}`);
    expect(now).toMatch(/readdresses/);
    expect(now).toMatch(/version=\d+/);
    const pinned = (await get(`/positions/eu-4?asOf=2010&recordedAsOf=2100-01-01&version=${ledger.projection.version().version}`)).text;
    expect(pinned).toMatch(
      /data-as-of-state[^>]*>Showing what had been decided by the end of 2010, as the ledger had recorded it by 2100-01-01, at ledger version \d+\./,
    );
  });

  it('highlights every cited passage of a document at the anchor the positions link to', async () => {
    const html = (await get('/documents/home-affairs-contribution')).text;
    const quote = ledger.projection.position('eu-4')!.source.quote!;
    expect(html).toContain(`<mark id="${passageAnchor(quote)}">`);
    expect(html).not.toMatch(/quotes could not be found/);
  });

  it('shows the documents and a document as at a cited version: the positions citing them then, links kept at that version', async () => {
    const { projection } = ledger;
    const id = 'home-affairs-contribution';
    const now = projection.document(id)!;
    // the first version at which the document was cited, by fewer positions than now
    const current = projection.version().version;
    const version = Array.from({ length: current }, (_, i) => i + 1).find((v) => {
      const then = projection.document(id, { version: v });
      return then !== undefined && then.citedByCount > 0 && then.citedByCount < now.citedByCount;
    })!;
    expect(version).toBeDefined();
    const then = projection.document(id, { version })!;
    const page = await get(`/documents/${id}?version=${version}`);
    expect(page.status).toBe(200);
    for (const positionId of then.citedBy) expect(page.text).toContain(`href="/positions/${positionId}?version=${version}"`);
    for (const positionId of now.citedBy.filter((p) => !then.citedBy.includes(p))) expect(page.text).not.toContain(`href="/positions/${positionId}?`);
    // the cited passages in the text link to the positions at that version too
    expect(page.text).toMatch(/<span class="cited-by">[^]*?href="\/positions\/[^"?]+\?version=/);
    expect(page.text).not.toMatch(/href="\/positions\/[^"?]+"/);
    const list = await get(`/documents?version=${version}`);
    expect(list.status).toBe(200);
    expect(list.text).toContain(`href="/documents/${id}?version=${version}"`);
    expect(list.text).toContain(`cited by ${then.citedByCount} positions`);
    expect((await get(`/documents/${id}?version=${current + 1}`)).status).toBe(404);
  });

  it('renders the word diff with <ins> and <del>, and what else changed', async () => {
    const html = (await get('/positions/eu-4/diff?from=2010&to=2014')).text;
    expect(html).toMatch(/<ins>[^<]*equal[^<]*<\/ins>/);
    expect(html).toMatch(/<del>/);
    expect(html).toMatch(/Competences of cities/);
    const untilToday = (await get('/positions/eu-4/diff?from=2010')).text;
    expect(untilToday).toMatch(/to the text in force today \(/);
  });

  it('answers bad input with an HTML page naming the field, and an unknown position with a 404 page', async () => {
    const bad = await get('/positions?theme=weather');
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^text\/html/);
    expect(bad.text).toMatch(/<code>theme<\/code>/);
    const unknown = await get('/positions?colour=red');
    expect(unknown.status).toBe(400);
    expect(unknown.text).toMatch(/colour/);
    const missing = await get('/positions/no-such-position');
    expect(missing.status).toBe(404);
    expect(missing.text).toMatch(/no-such-position/);
    expect((await get('/positions/eu-undocumented-migrants?asOf=2010')).text).toMatch(/was not yet decided by the end of 2010/);
    // a citation to a version before the position was recorded says so, in words, and names the field
    const early = await get('/positions/eu-4?version=1');
    expect(early.status).toBe(404);
    expect(early.text).toMatch(/was not yet recorded at ledger version 1: it was first recorded at \d{1,2} \w{3} \d{4}, \d\d:\d\d UTC/);
    expect(early.text).toMatch(/<code>version<\/code>/);
    expect((await get('/positions/eu-4?recordedAsOf=2000-01-01T00:00:00Z')).text).toMatch(/was not yet recorded by 2000-01-01T00:00:00/);
  });

  it('serves its own client code, stylesheet and the API reference from npm packages, nothing from elsewhere', async () => {
    const js = await get('/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.text).toMatch(/asOf/);
    expect((await get('/assets/site.css')).status).toBe(200);
    const docs = await get('/api/docs');
    expect(docs.text).toContain('/assets/swagger-ui/swagger-ui-bundle.js');
    expect((await get('/assets/swagger-ui/swagger-ui-bundle.js')).status).toBe(200);
    expect((await get('/assets/api-docs.js')).text).toMatch(/openapi\.json/);
    const again = await request(ledger.app)
      .get('/assets/app.js')
      .set('If-None-Match', js.headers.etag as string);
    expect(again.status).toBe(304);
  });

  it('shows a correction beside the record it corrects, with who made it and why (last: it records one)', async () => {
    const endorsement = ledger.projection.positionTimeline('cities-3')!.find((e) => e.type === 'PositionEndorsed')!;
    const recorded = await ledger.ledger.execute(
      {
        type: 'CorrectRecord',
        positionId: 'cities-3',
        data: { eventId: endorsement.eventId, changes: { reference: 'heading WE, THE PUBLIC AUTHORITIES' }, reason: 'reference mistyped when recorded' },
      },
      { id: 'secretariat/test' },
    );
    await ledger.projection.waitFor(recorded.events.at(-1)!.eventId);
    const html = (await get('/positions/cities-3')).text;
    const item = html.slice(html.indexOf(`id="event-${endorsement.eventId}"`));
    expect(item).toMatch(
      /^[^]*?<div class="correction"><p><strong>Corrected<\/strong>[^<]*by <span class="mono">secretariat\/test<\/span>: reference mistyped when recorded/,
    );
    expect(item.slice(0, item.indexOf('</li>'))).toMatch(/corrected to <q>heading WE, THE PUBLIC AUTHORITIES<\/q>/);
  });
});
