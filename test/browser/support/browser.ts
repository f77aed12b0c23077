import { INestApplication } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, chromium, ConsoleMessage, Page } from 'playwright-core';
import { createTestApp, SettingsOverrides } from '../../support/app';
import { RELAXED_LOGIN_RATE_LIMIT } from '../../support/relaxed-login-rate-limit';
import { freshTotpCode, SignedIn } from '../../support/staff';

/** Debian's Chromium (.ci/run installs it); CHROMIUM_PATH overrides. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(__dirname, '..', 'screenshots');

export interface ConsoleServer {
  app: INestApplication;
  baseUrl: string;
}

/** The real application (test database, real Redis, no login rate limit in the way) listening on a free loopback port. */
export async function startConsoleServer(...settings: SettingsOverrides[]): Promise<ConsoleServer> {
  const app = await createTestApp(RELAXED_LOGIN_RATE_LIMIT, ...settings);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, baseUrl: `http://127.0.0.1:${port}` };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/**
 * A page that records every console error, page error and CSP violation report, so a test can
 * assert the console runs cleanly under its Content-Security-Policy.
 */
export async function newPage(browser: Browser, lang: 'ja' | 'en' = 'ja'): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: lang === 'ja' ? 'ja-JP' : 'en-US', timezoneId: 'Asia/Tokyo' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (msg: ConsoleMessage) => {
    // a 401/403/409 answer the console handles is logged by the browser as a failed resource; not a problem
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) problems.push(msg.text());
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  // runs in the page (this file is compiled without DOM types, hence the loose typing)
  await page.addInitScript(() => {
    const w = globalThis as any;
    w.document.addEventListener('securitypolicyviolation', (e: { violatedDirective: string; blockedURI: string }) =>
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  return { page, problems };
}

/**
 * Where screenshots go: the committed test/browser/screenshots/ (shown in docs/console.md) only
 * with UPDATE_SCREENSHOTS=1; otherwise a folder under the system's temp directory, so that
 * `npm test` never rewrites tracked files (a PNG differs in bytes from run to run even when the
 * screen looks the same: clock, generated names, font hinting).
 */
export const SCREENSHOT_OUT = process.env.UPDATE_SCREENSHOTS === '1' ? SCREENSHOT_DIR : join(tmpdir(), 'mnv-console-screenshots');

/** A full-page screenshot into SCREENSHOT_OUT/<name>.png. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOT_OUT, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_OUT, `${name}.png`), fullPage: options.fullPage ?? true, animations: 'disabled' });
}

/** A locator by the console's data-test attribute. */
export const byTest = (page: Page, id: string) => page.locator(`[data-test="${id}"]`);

/** Signs `who` in on a fresh page through the console's own screens: password, then a current TOTP code. */
export async function signInOnConsole(browser: Browser, baseUrl: string, app: INestApplication, who: SignedIn): Promise<{ page: Page; problems: string[] }> {
  const { page, problems } = await newPage(browser);
  await page.goto(`${baseUrl}/`);
  await byTest(page, 'username').fill(who.username);
  await byTest(page, 'password').fill(who.password);
  await byTest(page, 'login-submit').click();
  await byTest(page, 'totp-code').fill(await freshTotpCode(app, who));
  await byTest(page, 'totp-submit').click();
  return { page, problems };
}

/** Finds a person by code on the people screen and opens their card. */
export async function openPerson(page: Page, code: string): Promise<void> {
  await byTest(page, 'nav-people').click();
  await byTest(page, 'people-search').fill(code);
  await byTest(page, 'people-search-submit').click();
  await byTest(page, `open-${code}`).click();
  await page.locator('[data-test="person-card"] h2', { hasText: code }).waitFor();
}
