import { INestApplication } from '@nestjs/common';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { ClockService } from '../../src/config/clock.service';
import { dropOwnDatabase, OWN_DATABASE, prepareOwnDatabase } from '../support/own-database';
import { signIn, SignedIn } from '../support/staff';
import { createSubject } from '../support/subjects';
import { byTest, launchBrowser, screenshot, signInOnConsole, startConsoleServer } from './support/browser';

/** The printed PDF is kept out of the tracked screenshots (its bytes change on every run). */
const PDF_OUT = join(tmpdir(), 'mnv-console-screenshots');

/**
 * 取扱状況の確認 (issue #19) in Chromium: the responsible person opens October's report, its
 * figures match the trail for a known set of actions, the charts (Chart.js, served locally) are
 * drawn under the strict CSP, the page prints to an A4 PDF, and the month is signed off.
 * Own database, so the month holds exactly these actions.
 */
describe('web console: monthly handling report (browser)', () => {
  let app: INestApplication;
  let baseUrl: string;
  let browser: Browser;
  let clock: ClockService;
  let clerk: SignedIn;
  let responsible: SignedIn;
  let auditor: SignedIn;
  const problems: string[][] = [];
  const http = () => request(app.getHttpServer());
  const as = (who: SignedIn) => ({ Authorization: `Bearer ${who.token}` });
  const MONTH = '2026-10';

  beforeAll(async () => {
    await prepareOwnDatabase();
    ({ app, baseUrl } = await startConsoleServer(OWN_DATABASE));
    browser = await launchBrowser();
    clock = app.get(ClockService);
    // Wednesday 14 October 2026, 10:00 Japan time: a clerk's ordinary day
    clock.set(new Date('2026-10-14T10:00:00+09:00'));
    clerk = await signIn(app, ['clerk']);
    const people = [];
    for (let i = 0; i < 4; i++) people.push(await createSubject(app, clerk.token));
    for (const p of people.slice(0, 3)) {
      await http().post(`/subjects/${p.id}/number/reveal`).set(as(clerk)).send({ purpose: 'withholding-slip' }).expect(200);
    }
    const refused = await http().post(`/subjects/${people[3]!.id}/number/reveal`).set(as(clerk)).send({ purpose: 'payment-record' });
    expect(refused.status).toBe(403);
    await http()
      .post('/reveals')
      .set(as(clerk))
      .send({ purpose: 'withholding-slip', subjectIds: people.map((p) => p.id) })
      .expect(200);
    // another clerk, late in the evening of the 20th: outside working hours (an audit alert)
    clock.set(new Date('2026-10-20T22:30:00+09:00'));
    const late = await signIn(app, ['clerk']);
    await http().post(`/subjects/${people[0]!.id}/number/reveal`).set(as(late)).send({ purpose: 'withholding-slip' }).expect(200);
    // the check is done at the start of November
    clock.set(new Date('2026-11-02T09:30:00+09:00'));
    responsible = await signIn(app, ['responsible']);
    auditor = await signIn(app, ['auditor']);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    app?.get(ClockService).reset();
    await app?.close();
    await dropOwnDatabase();
  });

  async function loginAs(who: SignedIn): Promise<Page> {
    const { page, problems: p } = await signInOnConsole(browser, baseUrl, app, who);
    problems.push(p);
    return page;
  }

  /** How many entries of an action the trail holds for the month (what the report must say). */
  async function inTrail(action: string, actor?: string): Promise<number> {
    const res = await http()
      .get('/audit/entries')
      .query({ action, from: '2026-10-01T00:00:00+09:00', to: '2026-11-01T00:00:00+09:00', limit: 200, ...(actor ? { actor } : {}) })
      .set(as(auditor))
      .expect(200);
    return res.body.items.length;
  }

  const text = async (page: Page, id: string) => (await byTest(page, id).innerText()).trim();

  it('responsible person: the report matches the trail, charts are drawn, it prints to A4 PDF, and the month is signed off', async () => {
    const page = await loginAs(responsible);
    await byTest(page, 'nav-report').click();
    await byTest(page, 'report-screen').waitFor();
    await byTest(page, 'report-month').fill(MONTH);
    await byTest(page, 'report-load').click();
    await page.locator('.report-heading', { hasText: MONTH }).waitFor();
    await page.locator('[data-test="report-sheet"][data-charts="drawn"]').waitFor();

    // figures against the trail: 3 + 1 reveals, 4 bulk, 1 take-out, 4 stored, 1 refused
    expect(await text(page, 'total-reveals')).toBe(String(await inTrail('number.revealed')));
    expect(await text(page, 'total-reveals')).toBe('4');
    expect(await text(page, 'total-bulk')).toBe(String(await inTrail('number.bulk-retrieved')));
    expect(await text(page, 'total-bulk')).toBe('4');
    expect(await text(page, 'total-take-out')).toBe('1');
    expect(await text(page, 'total-provision')).toBe('0');
    expect(await text(page, 'total-stores')).toBe(String(await inTrail('number.stored')));
    expect(await text(page, 'total-refused')).toBe(String(await inTrail('number.reveal-refused')));
    expect(await text(page, `staff-reveals-${clerk.username}`)).toBe(String(await inTrail('number.revealed', clerk.username)));
    expect(await text(page, `staff-reveals-${clerk.username}`)).toBe('3');
    expect(await text(page, `staff-bulk-${clerk.username}`)).toBe('4');
    expect(await text(page, `staff-refused-${clerk.username}`)).toBe('1');
    expect(await byTest(page, 'report-alerts').innerText()).toContain('業務時間外の利用');
    expect(await byTest(page, 'report-exports').innerText()).toContain('持出し');
    expect(await page.locator('body').innerText()).not.toMatch(/\d{12}/);

    // the three charts are drawn on their canvases (not blank)
    for (const id of ['daily', 'purpose', 'staff']) {
      const painted = await byTest(page, id).evaluate((c: any) => {
        const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
        return n;
      });
      expect(painted).toBeGreaterThan(500);
    }
    await screenshot(page, '40-monthly-report');

    // print: A4, the console's chrome and the form hidden, the sheet kept
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('nav.tabs').isVisible()).toBe(false);
    expect(await byTest(page, 'report-screen').isVisible()).toBe(false);
    expect(await byTest(page, 'report-sheet').isVisible()).toBe(true);
    await page.emulateMedia({ media: 'screen' });
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    mkdirSync(PDF_OUT, { recursive: true });
    writeFileSync(join(PDF_OUT, 'monthly-report.pdf'), pdf);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const pdfText = readFileSync(join(PDF_OUT, 'monthly-report.pdf')).toString('latin1');
    // every page A4 (595 × 842 pt; Chromium rounds to 594.96 × 841.92)
    const boxes = pdfText.match(/\/MediaBox \[[^\]]*\]/g) ?? [];
    expect(boxes.length).toBeGreaterThan(0);
    for (const box of boxes) expect(box).toMatch(/^\/MediaBox \[0 0 59[45]\.\d+ 841\.\d+\]$/);

    // the PDF made on the server (Chromium there too): downloaded from the same screen
    const [download] = await Promise.all([page.waitForEvent('download'), byTest(page, 'report-pdf').click()]);
    expect(download.suggestedFilename()).toBe(`monthly-report-${MONTH}.pdf`);
    const serverPdf = readFileSync((await download.path())!);
    expect(serverPdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(await byTest(page, 'report-status').innerText()).toContain('PDF をダウンロードしました');

    // sign-off
    expect(await text(page, 'not-signed')).toContain('まだ確認');
    await byTest(page, 'signoff-comment').fill('開示・一括取得はすべて目的内。時間外の利用1件は本人に確認済み。');
    await byTest(page, 'signoff-submit').click();
    await byTest(page, 'signed-by').waitFor();
    expect(await text(page, 'signed-by')).toBe(responsible.username);
    expect(await text(page, 'signed-at')).toContain('2026/11/02');
    expect(await byTest(page, 'signoff-form').count()).toBe(0);
    await page.locator('[data-test="report-sheet"][data-charts="drawn"]').waitFor();
    await screenshot(page, '41-monthly-report-signed');

    const trail = await http().get('/audit/entries').query({ action: 'report.signed-off' }).set(as(auditor)).expect(200);
    expect(trail.body.items).toHaveLength(1);
    expect(trail.body.items[0]).toMatchObject({ actorUsername: responsible.username, details: { month: MONTH } });
  });

  it('ran without console errors or CSP violations', () => {
    expect(problems.flat()).toEqual([]);
  });
});
