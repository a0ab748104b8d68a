import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium, screenshot, seriousA11yViolations, serveSeededLedger, watchedPage, type Served } from '../support/browser';

/** Every reading page, in real Chromium, on the seed ledger: it renders, loads nothing from outside, breaks no CSP rule, and axe finds nothing serious. */
const PAGES: ReadonlyArray<readonly [name: string, path: string, heading: RegExp]> = [
  ['overview', '/', /EUROCITIES positions on migrant integration/],
  ['overview-2010', '/?asOf=2010&groupBy=theme', /EUROCITIES positions/],
  ['positions', '/positions?theme=undocumented-vulnerable', /Positions/],
  ['position', '/positions/national-8', /Acknowledge undocumented migrants/],
  ['position-2010', '/positions/national-8?asOf=2010', /Prioritise safeguarding the most vulnerable groups/],
  ['diff', '/positions/national-8/diff?from=2010&to=2014', /How national-8 changed/],
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
    [served, browser] = await Promise.all([serveSeededLedger(), launchChromium()]);
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
