import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Server } from 'node:http';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { composeLedger, type LedgerApp } from '../../src/app/compose';
import { loadConfig } from '../../src/app/config';
import { SqliteEventStore } from '../../src/store/sqlite-store';

/**
 * Browser tests drive Debian's chromium (apt-get install chromium; .ci/run does it) through
 * playwright-core: no browser download. CHROMIUM_PATH points elsewhere if needed.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Screenshots land here (gitignored), one PNG per page visited, to look at after a run. */
export const SCREENSHOTS = join(__dirname, '..', '..', 'test-output', 'screenshots');

export interface Served {
  readonly ledger: LedgerApp;
  readonly baseUrl: string;
  close(): Promise<void>;
}

/** The whole app, seeded with the real history, on an in-memory store, listening on 127.0.0.1 only. */
export async function serveSeededLedger(env: NodeJS.ProcessEnv = {}): Promise<Served> {
  const config = loadConfig({ LEDGER_RATE_LIMIT_PER_MINUTE: '0', LEDGER_CHECKPOINT_INTERVAL_MINUTES: '0', LEDGER_LOG_LEVEL: 'silent', ...env });
  const ledger = await composeLedger(config, { store: new SqliteEventStore(':memory:') });
  const server: Server = await new Promise((resolve) => {
    const s = ledger.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    ledger,
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await ledger.close();
    },
  };
}

/**
 * The app and Chromium, started together. When either cannot start (no Chromium on this machine),
 * what did start is closed before the error goes on: a server nobody holds would keep jest from
 * exiting after the run.
 */
export async function serveAndLaunch(env: NodeJS.ProcessEnv = {}): Promise<[Served, Browser]> {
  const [served, browser] = await Promise.allSettled([serveSeededLedger(env), launchChromium()]);
  if (served.status === 'fulfilled' && browser.status === 'fulfilled') return [served.value, browser.value];
  if (served.status === 'fulfilled') await served.value.close();
  if (browser.status === 'fulfilled') await browser.value.close();
  throw served.status === 'rejected' ? served.reason : (browser as PromiseRejectedResult).reason;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}

/**
 * A page that records what would go unnoticed otherwise: console errors (a CSP violation is one),
 * uncaught exceptions, and requests to any other origin.
 */
export async function watchedPage(context: BrowserContext, baseUrl: string): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    // a failed load is reported below with its URL; a page's own 404 status is the test's to check
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && r.request().resourceType() !== 'document') problems.push(`${r.status()} for ${r.url()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith(baseUrl) && !r.url().startsWith('data:')) problems.push(`outside request: ${r.url()}`);
  });
  return { page, problems };
}

/** axe-core's serious and critical violations on the page as it is now (WCAG 2.1 A and AA rules), one line each. */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} (${v.nodes.length}×: ${v.nodes
          .slice(0, 4)
          .map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`)
          .join('; ')})`,
    );
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
