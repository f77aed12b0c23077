import { INestApplication } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { imageAad } from '../../src/collection/entities/collection-image.entity';
import { jpegHasMetadataSegment } from '../../src/collection/image-processor';
import { ClockService } from '../../src/config/clock.service';
import { EnvelopeService } from '../../src/crypto/envelope.service';
import { ownerConnection } from '../support/app';
import { hasExif, heicWithGps, jpegWithGps } from '../support/collection';
import { codeNow, createAccount, firstLogin } from '../support/login-flow';
import { signIn, SignedIn } from '../support/staff';
import { createSubject, fakeMyNumber } from '../support/subjects';
import { byTest, launchBrowser, newPage, startConsoleServer } from './support/browser';

/** Phone screenshots for docs/collection.md only with UPDATE_SCREENSHOTS=1; otherwise to a temporary folder. */
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? join(__dirname, '..', '..', 'docs', 'collection') : join(tmpdir(), 'mnv-collection-shots');

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  // numbers (even fictitious ones) are masked: screenshots go into the docs
  const mask = [page.locator('input[inputmode="numeric"]'), page.locator('[data-test^="collection-entry-number"]'), page.locator('.collection-image')];
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, animations: 'disabled', mask });
}

/**
 * Collection links in Chromium (issue #15, "Done when"): the clerk creates a link in the console;
 * the employee opens it on a phone-sized touch screen, acknowledges, enters the number and one
 * dependent, uploads a JPEG with EXIF GPS and a HEIC; the clerk opens a photo and approves; the
 * number is revealable for a notified purpose; the stored photo bytes carry no EXIF and are gone
 * after approval.
 */
describe('collection links (browser, phone)', () => {
  let app: INestApplication;
  let baseUrl: string;
  let browser: Browser;
  let owner: DataSource;
  let admin: SignedIn;
  let apiClerk: SignedIn;
  const problems: string[][] = [];

  beforeAll(async () => {
    ({ app, baseUrl } = await startConsoleServer());
    browser = await launchBrowser();
    owner = await ownerConnection();
    admin = await signIn(app, ['admin']);
    apiClerk = await signIn(app, ['clerk']);
  });

  afterAll(async () => {
    await browser?.close();
    await owner?.destroy();
    app?.get(ClockService).reset();
    await app?.close();
  });

  async function phone(): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'ja-JP',
      timezoneId: 'Asia/Tokyo',
      userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36',
    });
    const page = await context.newPage();
    const found: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) found.push(msg.text());
    });
    page.on('pageerror', (error) => found.push(`pageerror: ${error.message}`));
    await page.addInitScript(() => {
      const w = globalThis as any;
      w.document.addEventListener('securitypolicyviolation', (e: { violatedDirective: string }) => console.error(`CSP violation: ${e.violatedDirective}`));
    });
    return { context, page, problems: found };
  }

  /** The page fits the phone's width: nothing to scroll sideways, no zoom needed. */
  async function expectFitsWidth(page: Page): Promise<void> {
    const widths = (await page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]')) as number[];
    expect(widths[0]).toBeLessThanOrEqual(widths[1]!);
  }

  it('walks the whole path: link in the console, submission on a phone, review and approval', async () => {
    const employee = await createSubject(app, apiClerk.token, { number: null, purposes: [] });

    // the clerk, in the console
    const account = await createAccount(app, admin.token, ['clerk']);
    const session = await firstLogin(app, account);
    const training = await request(app.getHttpServer()).get('/me/training').set('Authorization', `Bearer ${session.token}`).expect(200);
    await request(app.getHttpServer())
      .post('/me/training')
      .set('Authorization', `Bearer ${session.token}`)
      .send({ version: training.body.version })
      .expect(204);
    const { page: desk, problems: deskProblems } = await newPage(browser);
    problems.push(deskProblems);
    await desk.goto(`${baseUrl}/`);
    await byTest(desk, 'username').fill(account.username);
    await byTest(desk, 'password').fill(session.password);
    await byTest(desk, 'login-submit').click();
    await byTest(desk, 'totp-code').fill(codeNow(app, session.secret, 1));
    await byTest(desk, 'totp-submit').click();
    await byTest(desk, 'nav-collection').click();
    await byTest(desk, 'collection-search').fill(employee.code);
    await byTest(desk, 'collection-search-submit').click();
    await byTest(desk, `collection-pick-${employee.code}`).check();
    await byTest(desk, 'collection-create-selected').click();
    await desk.locator('[data-test="collection-sheet"] svg.qr').waitFor();
    const link = (await byTest(desk, 'collection-link').getAttribute('href'))!;
    expect(link).toMatch(/\/collect#[A-Za-z0-9_-]{43}$/);
    await shot(desk, 'clerk-link-qr');

    // the employee, on a phone
    const { context, page, problems: phoneProblems } = await phone();
    problems.push(phoneProblems);
    await page.goto(link.replace('http://127.0.0.1:3000', baseUrl));
    await byTest(page, 'greeting').waitFor();
    expect(await byTest(page, 'greeting').innerText()).toContain('試験 太郎');
    await expectFitsWidth(page);
    await shot(page, 'phone-1-notice');
    await byTest(page, 'ack').tap();
    const number = fakeMyNumber();
    const wrong = number.slice(0, 11) + String((Number(number[11]) + 1) % 10);
    await byTest(page, 'number').fill(wrong);
    expect(await byTest(page, 'number-feedback').getAttribute('data-kind')).toBe('error');
    expect(await byTest(page, 'number-feedback').innerText()).toContain('チェックデジット');
    await byTest(page, 'number').fill(number);
    expect(await byTest(page, 'number-feedback').getAttribute('data-kind')).toBe('ok');
    const front = await jpegWithGps(1600, 1000);
    expect(await hasExif(front)).toBe(true);
    await byTest(page, 'photo-my-number-card:front').setInputFiles({ name: 'IMG_0001.JPG', mimeType: 'image/jpeg', buffer: front });
    await byTest(page, 'photo-my-number-card:back').setInputFiles({ name: 'IMG_0002.HEIC', mimeType: 'image/heic', buffer: heicWithGps() });
    await expectFitsWidth(page);
    await shot(page, 'phone-2-number-photos');
    await byTest(page, 'add-dependent').tap();
    const dependentNumber = fakeMyNumber();
    await byTest(page, 'dep-name-0').fill('試験 花子');
    await byTest(page, 'dep-kana-0').fill('シケン ハナコ');
    await byTest(page, 'dep-number-0').fill(dependentNumber);
    await expectFitsWidth(page);
    await shot(page, 'phone-3-dependent');
    await byTest(page, 'submit').tap();
    await byTest(page, 'done').waitFor({ timeout: 30_000 });
    await shot(page, 'phone-4-done');

    // reopening the used link shows the friendly page
    await page.reload();
    await byTest(page, 'closed').waitFor();
    expect(await byTest(page, 'closed').getAttribute('data-code')).toBe('collection.link-used');
    await shot(page, 'phone-5-link-used');
    await context.close();

    // stored photos: read back and decrypted, no EXIF block
    const rows: { id: string; submission_id: string; ciphertext: Buffer; wrapped_key: Buffer; key_version: number }[] = await owner.query(
      `SELECT i.id, i.submission_id, i.ciphertext, i.wrapped_key, i.key_version FROM collection_image i JOIN collection_submission s ON s.id = i.submission_id WHERE s.subject_id = $1`,
      [employee.id],
    );
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const plain = app
        .get(EnvelopeService)
        .decrypt({ ciphertext: row.ciphertext, wrappedKey: row.wrapped_key, keyVersion: row.key_version }, imageAad(row.id, row.submission_id));
      expect(jpegHasMetadataSegment(plain)).toBe(false);
      expect(await hasExif(plain)).toBe(false);
    }

    // the clerk reviews: numbers and a photo (audited), then approves
    await byTest(desk, 'nav-people').click();
    await byTest(desk, 'nav-collection').click();
    const card = desk.locator(`[data-test="collection-submission"][data-subject="${employee.code}"]`);
    await card.waitFor();
    await card.locator('[data-test="collection-reveal"]').click();
    const selfNumber = card.locator('[data-test="collection-entry-number-self"]');
    for (let i = 0; i < 100 && (await selfNumber.innerText()) !== number; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await selfNumber.innerText()).toBe(number);
    await card.locator('[data-test="collection-open-image-my-number-card-front"]').click();
    await card.locator('[data-test="collection-image"]').waitFor();
    const naturalWidth = () => card.locator('[data-test="collection-image"]').evaluate((img: unknown) => (img as { naturalWidth: number }).naturalWidth);
    for (let i = 0; i < 100 && (await naturalWidth()) === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await naturalWidth()).toBeGreaterThan(0);
    await shot(desk, 'clerk-review');
    await card.locator('[data-test="collection-approve"]').click();
    // this submission leaves the review list (others' waiting submissions may share the run's database)
    await card.waitFor({ state: 'detached' });

    // stored, revealable for a notified purpose; the photos are gone
    const shown = await request(app.getHttpServer())
      .post(`/subjects/${employee.id}/number/reveal`)
      .set('Authorization', `Bearer ${apiClerk.token}`)
      .send({ purpose: 'withholding-slip' })
      .expect(200);
    expect(shown.body.number).toBe(number);
    const [{ n }] = await owner.query('SELECT count(*)::int AS n FROM collection_image WHERE submission_id = $1', [rows[0]!.submission_id]);
    expect(n).toBe(0);
    const looks: { details: { what: string } }[] = await owner.query(
      `SELECT details FROM audit_entry WHERE subject_id = $1 AND action = 'collection.revealed' AND purpose = 'identity-check'`,
      [employee.id],
    );
    expect(looks.map((l) => l.details.what).sort()).toEqual(['image', 'numbers']);
    const dependents = await request(app.getHttpServer())
      .get('/subjects?kind=dependent&q=%E8%A9%A6%E9%A8%93%20%E8%8A%B1%E5%AD%90')
      .set('Authorization', `Bearer ${apiClerk.token}`)
      .expect(200);
    expect(dependents.body.items.some((d: { employeeId: string; number: { onFile: boolean } }) => d.employeeId === employee.id && d.number.onFile)).toBe(true);
    expect(problems.flat()).toEqual([]);
  });
});
