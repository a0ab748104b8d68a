import type { Browser, BrowserContext } from 'playwright-core';
import { screenshot, seriousA11yViolations, serveAndLaunch, watchedPage, type Served } from '../support/browser';

/** Every reading page, in real Chromium, on the seed ledger: it renders, loads nothing from outside, breaks no CSP rule, and axe finds nothing serious. */
const PAGES: ReadonlyArray<readonly [name: string, path: string, heading: RegExp]> = [
  ['overview', '/', /EUROCITIES positions on migrant integration/],
  ['overview-2010', '/?asOf=2010&groupBy=theme', /EUROCITIES positions/],
  ['positions', '/positions?q=undocumented', /Positions/],
  ['position', '/positions/eu-4', /Cities as equal partners/],
  ['position-2010', '/positions/eu-4?asOf=2010', /pivotal role/i],
  ['position-related', '/positions/national-8?asOf=2014', /Prioritise safeguarding the most vulnerable groups/],
  ['diff', '/positions/eu-4/diff?from=2010&to=2014', /How eu-4 changed/],
  ['timeline', '/timeline?from=2011', /Timeline/],
  ['documents', '/documents', /Source documents/],
  ['document', '/documents/home-affairs-contribution', /public consultation/i],
  ['api-docs', '/api/docs', /HTTP API reference/],
  ['not-found', '/positions/no-such-position', /Not found/],
];

// a browser on a busy 2-core machine: generous, since nothing here is a timed assertion
jest.setTimeout(90_000);

describe('reading pages in Chromium', () => {
  let served: Served;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    [served, browser] = await serveAndLaunch();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  it.each(PAGES)('%s (%s) renders, stays on its own origin, and passes axe', async (name, path, heading) => {
    const { page, problems } = await watchedPage(context, served.baseUrl);
    const response = await page.goto(served.baseUrl + path);
    expect(response?.status()).toBe(name === 'not-found' ? 404 : 200);
    await expect(page.locator('h1').first().textContent()).resolves.toMatch(heading);
    if (name === 'api-docs') await page.locator('.swagger-ui .opblock').first().waitFor();
    await screenshot(page, name);
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("a researcher's task: positions on undocumented migrants, the as-of control from 2010 to 2014, the diff, the cited passage", async () => {
    const { page, problems } = await watchedPage(context, served.baseUrl);
    await page.goto(served.baseUrl + '/');
    await page.getByRole('link', { name: 'Positions', exact: true }).click();
    await page.getByLabel('Words', { exact: true }).fill('undocumented');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await page.waitForURL(/q=undocumented/);
    const titles = () => page.locator('ul.positions h2').allTextContents();
    expect(await titles()).toEqual(
      expect.arrayContaining([expect.stringMatching(/Acknowledge undocumented migrants/), expect.stringMatching(/including the undocumented/)]),
    );

    // the year slider swaps the view in place: no navigation, the URL follows
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
    const slider = page.getByRole('slider', { name: 'Year' });
    await slider.fill('2010');
    await page.waitForURL(/asOf=2010/);
    expect(await titles()).toEqual([expect.stringMatching(/including the undocumented/)]);
    await slider.fill('2014');
    await page.waitForURL(/asOf=2014/);
    expect(await titles()).toEqual(expect.arrayContaining([expect.stringMatching(/Acknowledge undocumented migrants/)]));
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    await screenshot(page, 'task-1-search-2014');

    // the 2014 ask is new, and the page says which earlier position it readdresses
    await page.getByRole('link', { name: /Acknowledge undocumented migrants/ }).click();
    await page.waitForURL(/\/positions\/eu-undocumented-migrants\?asOf=2014$/);
    expect(await page.locator('ul.relations').textContent()).toMatch(/readdresses.*national-8/s);

    // a restated position: its text changes between 2010 and 2014, by keyboard this time
    await page.goto(served.baseUrl + '/positions/eu-4?asOf=2010');
    const statement = () => page.locator('[data-statement]').textContent();
    const in2010 = await statement();
    expect(in2010).toMatch(/pivotal role/);
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
    await page.getByRole('slider', { name: 'Year' }).focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
    await page.waitForURL(/asOf=2014/);
    expect(await statement()).toMatch(/equal partners/);
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    await screenshot(page, 'task-2-eu-4-2014');

    // the diff of that revision, word by word
    await page.getByRole('link', { name: 'See what this revision changed' }).click();
    await page.waitForURL(/\/positions\/eu-4\/diff\?/);
    await page.locator('[data-diff="statement"] ins').first().waitFor({ state: 'visible' });
    await page.locator('[data-diff="statement"] del').first().waitFor({ state: 'visible' });
    expect(await page.locator('[data-diff="statement"] ins').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/equal/)]));
    await screenshot(page, 'task-3-diff');

    // and the passage it was quoted from, highlighted at its anchor
    await page.goto(served.baseUrl + '/positions/eu-4');
    await page
      .locator('dl.facts')
      .getByRole('link', { name: /contribution/i })
      .click();
    const target = page.locator('mark:target');
    await target.waitFor({ state: 'visible' });
    expect(await target.textContent()).toMatch(/cities need to be involved directly in planning/);
    await screenshot(page, 'task-4-cited-passage');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('without JavaScript the pages read the same, and the as-of control is a plain form', async () => {
    const noJs = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await noJs.newPage();
      await page.goto(served.baseUrl + '/positions/eu-4');
      expect(await page.getByRole('slider').count()).toBe(0);
      await page.getByLabel('As of', { exact: true }).fill('2010');
      await page.getByRole('button', { name: 'Show', exact: true }).click();
      await page.waitForURL(/\/positions\/eu-4\?asOf=2010$/);
      expect(await page.locator('[data-statement]').textContent()).toMatch(/pivotal role/);
    } finally {
      await noJs.close();
    }
  });

  it('every page is readable at 375 px: nothing but the picture and tables scroll sideways', async () => {
    const narrow = await browser.newContext({ viewport: { width: 375, height: 800 } });
    try {
      for (const [name, path] of PAGES) {
        const { page } = await watchedPage(narrow, served.baseUrl);
        await page.goto(served.baseUrl + path);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect({ name, overflow }).toEqual({ name, overflow: 0 });
        if (name === 'overview' || name === 'position') await screenshot(page, `${name}-375`);
        await page.close();
      }
    } finally {
      await narrow.close();
    }
  });
});
