import type { Browser, BrowserContext, Page } from 'playwright-core';
import { screenshot, seriousA11yViolations, serveAndLaunch, watchedPage, type Served } from '../support/browser';

const SECRETARIAT = 'secretariat-browser-token';
const AUDITOR = 'auditor-browser-token';

// a browser on a busy 2-core machine: generous, since nothing here is a timed assertion
jest.setTimeout(120_000);

/**
 * The secretariat's and the auditors' tasks, end to end in Chromium on the seed ledger: sign in,
 * revise a position, meet a colleague's change (412 explained), double submit recorded once;
 * open /audit and see verify clean; open pages update themselves from the live feed.
 */
describe('recording and auditing in Chromium', () => {
  let served: Served;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [served, browser] = await serveAndLaunch({ LEDGER_TOKENS: `secretariat:${SECRETARIAT},auditor:${AUDITOR}` });
  });
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
  });
  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  const newContext = async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    return context;
  };

  /** A browser signed in with this token, on `next`. */
  const signedIn = async (token: string, next: string) => {
    const context = await newContext();
    const { page, problems } = await watchedPage(context, served.baseUrl);
    await page.goto(`${served.baseUrl}/signin?next=${encodeURIComponent(next)}`);
    await page.getByLabel('Token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(served.baseUrl + next);
    return { context, page, problems };
  };

  /** How many events the position's stream holds, from the API (the ETag is its last revision). */
  const streamRevision = async (id: string) => {
    const res = await fetch(`${served.baseUrl}/api/positions/${id}`);
    return Number(JSON.parse(res.headers.get('etag')!));
  };

  /** A colleague revises through the API, with the ETag they read. */
  const colleagueRevises = async (id: string, statement: string) => {
    const etag = (await fetch(`${served.baseUrl}/api/positions/${id}`)).headers.get('etag')!;
    const current = (await (await fetch(`${served.baseUrl}/api/positions/${id}`)).json()) as { source: { documentId: string } };
    const res = await fetch(`${served.baseUrl}/api/positions/${id}/revisions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${SECRETARIAT}`, 'Content-Type': 'application/json', 'If-Match': etag },
      body: JSON.stringify({
        statement,
        decidedOn: '2026-11-19',
        source: { documentId: current.source.documentId, locator: 'colleague' },
        rationale: 'a colleague’s revision',
      }),
    });
    expect(res.status).toBe(201);
  };

  const fillRevision = async (page: Page, statement: string) => {
    await page.getByLabel('Statement (verbatim from the source)').fill(statement);
    await page.getByLabel('Decided on').fill('2026-11-20');
    await page.getByLabel('Where in the document').fill('item 7');
    await page.getByLabel('Rationale').fill('restated by the working group');
  };

  it('the sign-in page, and a wrong token refused beside the field', async () => {
    const context = await newContext();
    const { page, problems } = await watchedPage(context, served.baseUrl);
    await page.goto(`${served.baseUrl}/signin`);
    await screenshot(page, 'signin');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByLabel('Token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('#token-error').textContent()).resolves.toMatch(/not valid/);
    expect(await page.getByLabel('Token').getAttribute('aria-describedby')).toBe('token-error');
    await screenshot(page, 'signin-refused');
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('the secretariat signs in, revises a position from its page, and sees it recorded', async () => {
    const { page, problems } = await signedIn(SECRETARIAT, '/positions/eu-7');
    const before = await streamRevision('eu-7');
    await page.getByRole('link', { name: 'Revise' }).click();
    await page.waitForURL(`${served.baseUrl}/positions/eu-7/revise`);
    await screenshot(page, 'revise-form');
    expect(await seriousA11yViolations(page)).toEqual([]);

    // a required field left empty: the problem beside it, nothing recorded
    await page.getByLabel('Statement (verbatim from the source)').fill('Cities ask the EU to act.');
    await page.getByLabel('Decided on').fill('2026-11-20');
    await page.getByLabel('Rationale').fill('restated');
    await page.getByRole('button', { name: 'Revise' }).click();
    const locator = page.getByLabel('Where in the document');
    await expect(locator.getAttribute('aria-invalid')).resolves.toBe('true');
    const describedBy = (await locator.getAttribute('aria-describedby'))!.split(' ');
    const message = await page.locator(`#${describedBy.at(-1)}`).textContent();
    expect(message).toMatch(/./);
    await screenshot(page, 'revise-form-problem');
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(await streamRevision('eu-7')).toBe(before);

    await fillRevision(page, 'Cities ask the EU institutions to act with them.');
    await page.getByRole('button', { name: 'Revise' }).click();
    await page.waitForURL(`${served.baseUrl}/positions/eu-7`);
    await expect(page.getByRole('status').filter({ hasText: 'Recorded' }).textContent()).resolves.toMatch(/Recorded: revised/);
    await expect(page.locator('[data-statement]').textContent()).resolves.toMatch(/act with them/);
    expect(await streamRevision('eu-7')).toBe(before + 1);
    await screenshot(page, 'revise-recorded');
    expect(problems).toEqual([]);
  });

  it('a colleague got there first: the 412 explained, with the fresh version and the diff, nothing recorded', async () => {
    const { page, problems } = await signedIn(SECRETARIAT, '/positions/eu-6/revise');
    await fillRevision(page, 'My revision, typed while a colleague recorded theirs.');
    await colleagueRevises('eu-6', 'The colleague’s revision.');
    const afterColleague = await streamRevision('eu-6');
    await page.getByRole('button', { name: 'Revise' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Someone recorded a change first');
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/Nothing was recorded/);
    await expect(
      page
        .getByRole('link', { name: /fresh version/ })
        .first()
        .getAttribute('href'),
    ).resolves.toBe('/positions/eu-6');
    await expect(page.getByRole('link', { name: /what changed/ }).getAttribute('href')).resolves.toMatch(/^\/positions\/eu-6\/diff\?from=/);
    await expect(page.locator('.typed').textContent()).resolves.toMatch(/My revision, typed/);
    expect(await streamRevision('eu-6')).toBe(afterColleague);
    await screenshot(page, 'revise-412');
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByRole('link', { name: /what changed/ }).click();
    await expect(page.locator('main').textContent()).resolves.toMatch(/colleague/);
    expect(problems).toEqual([]);
  });

  it('a double submit (two requests at once) and the same form sent again record once', async () => {
    const { page, problems } = await signedIn(SECRETARIAT, '/positions/eu-5/revise');
    const before = await streamRevision('eu-5');
    await fillRevision(page, 'Recorded once, however often it is sent.');
    // exactly what the browser sends (Chromium itself cancels the first of two quick clicks, so the two requests are sent side by side here)
    const sent = await page.evaluate(() =>
      new URLSearchParams(new FormData(document.querySelector<HTMLFormElement>('form[data-record-form]')!) as unknown as string[][]).toString(),
    );
    const post = () =>
      page.request.post(`${served.baseUrl}/positions/eu-5/revise`, {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        data: sent,
        maxRedirects: 0,
      });
    const both = await Promise.all([post(), post()]);
    expect(both.map((r) => [r.status(), r.headers().location])).toEqual([
      [303, '/positions/eu-5'],
      [303, '/positions/eu-5'],
    ]);
    expect(await streamRevision('eu-5')).toBe(before + 1);

    // and the page's own form, sent once more
    await page.getByRole('button', { name: 'Revise' }).click();
    await page.waitForURL(`${served.baseUrl}/positions/eu-5`);
    await expect(page.getByRole('status').filter({ hasText: 'already' }).textContent()).resolves.toMatch(/not recorded twice/);
    await expect(page.locator('[data-statement]').textContent()).resolves.toMatch(/Recorded once/);
    expect(await streamRevision('eu-5')).toBe(before + 1);
    expect(problems).toEqual([]);
  });

  it('the secretariat adds a position related to an earlier one: an unknown one refused beside its row, then recorded both ways', async () => {
    const { page, problems } = await signedIn(SECRETARIAT, '/new-position');
    await page.getByLabel('Id', { exact: true }).fill('eu-related');
    await page.getByLabel('Title').fill('Cities in the reception of newcomers');
    await page.getByLabel('Statement (verbatim from the source)').fill('Cities ask to be consulted on reception.');
    await page.getByLabel('Asylum and the reception of newcomers').check();
    await page.getByLabel('Cities', { exact: true }).check();
    await page.getByLabel('Decided on').fill('2026-11-20');
    await page.getByLabel('Where in the document').fill('item 2');
    // the second row, the first left blank
    await page.getByLabel('Position 2', { exact: true }).fill('no-such-position');
    await page.getByLabel('How position 2 is related').selectOption('extends');
    await page.getByRole('button', { name: 'Add the position' }).click();
    await page.locator('#form-problem').waitFor();
    const row = page.getByLabel('Position 1', { exact: true });
    await expect(row.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(row.inputValue()).resolves.toBe('no-such-position');
    await expect(page.getByLabel('How position 1 is related').inputValue()).resolves.toBe('extends');
    await screenshot(page, 'add-form-relation-problem');
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect((await fetch(`${served.baseUrl}/api/positions/eu-related`)).status).toBe(404);

    await row.fill('eu-3');
    await page.getByRole('button', { name: 'Add the position' }).click();
    await page.waitForURL(`${served.baseUrl}/positions/eu-related`);
    await expect(page.locator('ul.relations').textContent()).resolves.toMatch(/This position extends .*\(eu-3;/);
    await page.goto(`${served.baseUrl}/positions/eu-3`);
    await expect(page.locator('ul.relations').textContent()).resolves.toMatch(/Cities in the reception of newcomers extends this position/);
    expect(problems).toEqual([]);
  });

  it('the other forms render and pass axe: add, endorse, withdraw, correct', async () => {
    const { page, problems } = await signedIn(SECRETARIAT, '/positions/eu-3');
    for (const [name, path] of [
      ['add', '/new-position'],
      ['endorse', '/positions/eu-3/endorse'],
      ['withdraw', '/positions/eu-3/withdraw'],
      ['correct', '/positions/eu-3/correct'],
    ] as const) {
      const response = await page.goto(served.baseUrl + path);
      expect(response?.status()).toBe(200);
      await screenshot(page, `form-${name}`);
      expect({ name, violations: await seriousA11yViolations(page) }).toEqual({ name, violations: [] });
    }
    // an endorsement of the revision in force, from its form
    await page.goto(`${served.baseUrl}/positions/eu-3/endorse`);
    const before = await streamRevision('eu-3');
    await page.getByLabel('Endorsed by').fill('EUROCITIES working group on migrant integration');
    await page.getByLabel('Endorsed on').fill('2026-11-21');
    await page.getByRole('button', { name: 'Record an endorsement' }).click();
    await page.waitForURL(`${served.baseUrl}/positions/eu-3`);
    expect(await streamRevision('eu-3')).toBe(before + 1);
    expect(problems).toEqual([]);
  });

  it('an auditor opens /audit and sees verify clean, the checkpoints and the audit log', async () => {
    const { page, problems } = await signedIn(AUDITOR, '/audit');
    await expect(page.locator('[data-verify]').getAttribute('data-verify')).resolves.toBe('ok');
    await expect(page.locator('[data-verify]').textContent()).resolves.toMatch(/Verified: no problem found/);
    await expect(page.locator('table.audit-log tbody tr').count()).resolves.toBeGreaterThan(0);
    await screenshot(page, 'audit');
    expect(await seriousA11yViolations(page)).toEqual([]);

    const who = await page.locator('#a-recordedBy option').nth(1).getAttribute('value');
    await page.getByLabel('Recorded by').selectOption(who!);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/recordedBy=/);
    const recorders = await page.locator('table.audit-log tbody tr td:nth-child(2)').allTextContents();
    expect(new Set(recorders)).toEqual(new Set([who]));

    // an export ends at the latest checkpoint: record one from the page, then download
    await page.getByRole('button', { name: 'Record a checkpoint now' }).click();
    await page.waitForURL(`${served.baseUrl}/audit#checkpoints`);
    await expect(page.getByRole('status').filter({ hasText: 'Checkpoint recorded' }).textContent()).resolves.toMatch(/keep its root hash [0-9a-f]{64}/);
    await expect(page.locator('[data-verify]').getAttribute('data-verify')).resolves.toBe('ok');
    const exported = await page.evaluate(async () => {
      const res = await fetch('/api/audit/export');
      return { status: res.status, lines: (await res.text()).trim().split('\n').length };
    });
    expect(exported.status).toBe(200);
    expect(exported.lines).toBeGreaterThan(1);
    expect(problems).toEqual([]);
  });

  it('the auditors’ page refreshed live while its verify still runs for this reader (429) keeps its last result, says so, and refreshes later', async () => {
    const { page, problems } = await signedIn(AUDITOR, '/audit');
    await page.waitForFunction(() => document.body.dataset.liveFeed === 'open');
    const before = await page.locator('[data-verify]').textContent();
    // the server's answer while this reader's previous verify is still running (WholeLedgerWork): once, then the page itself
    let asked = 0;
    await page.route(`${served.baseUrl}/audit`, async (route) => {
      asked += 1;
      if (asked > 1) return route.fallback();
      return route.fulfill({
        status: 429,
        headers: { 'Retry-After': '1', 'Content-Type': 'application/problem+json' },
        body: JSON.stringify({ status: 429, code: 'too-many-audits' }),
      });
    });
    await colleagueRevises('eu-2', 'Changed while the auditor watched.');
    await page.waitForFunction(() => document.body.dataset.liveDeferred === '1');
    await expect(page.locator('[data-live-status]').textContent()).resolves.toMatch(/shows what it showed before; it will refresh in 1 s/);
    await expect(page.locator('[data-verify]').textContent()).resolves.toBe(before);
    await page.waitForFunction(() => document.body.dataset.liveUpdates === '1');
    await expect(page.locator('[data-live-status]').textContent()).resolves.toMatch(/This page now shows it/);
    expect(asked).toBe(2);
    expect(problems).toEqual([`429 for ${served.baseUrl}/audit`]);
  });

  it('an open position page updates itself when someone records a change', async () => {
    const context = await newContext();
    const { page, problems } = await watchedPage(context, served.baseUrl);
    await page.goto(`${served.baseUrl}/positions/eu-2`);
    await page.waitForFunction(() => document.body.dataset.liveFeed === 'open');
    await colleagueRevises('eu-2', 'Changed while the page was open.');
    await page.waitForFunction(() => document.querySelector('[data-statement]')?.textContent?.includes('Changed while the page was open'));
    await expect(page.locator('[data-live-status]').textContent()).resolves.toMatch(/revision to eu-2/);
    await screenshot(page, 'position-live-update');
    expect(problems).toEqual([]);
  });
});
