import { INestApplication } from '@nestjs/common';
import { rmSync } from 'node:fs';
import { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { CollectionKeysService } from '../../src/collection/collection-keys.service';
import { KeyringService } from '../../src/crypto/keyring.service';
import { NumbersService } from '../../src/numbers/numbers.service';
import { StaffCredentialsService } from '../../src/users/staff-credentials.service';
import { dropOwnDatabase, OWN_DATABASE, prepareOwnDatabase } from '../support/own-database';
import { PRIVATE_KEYSTORE, PRIVATE_KEYSTORE_DIR } from '../support/private-keystore';
import { signIn, SignedIn } from '../support/staff';
import { createSubject } from '../support/subjects';
import { byTest, launchBrowser, newPage, screenshot, signInOnConsole, startConsoleServer } from './support/browser';

jest.setTimeout(300_000);

/**
 * Issue #18 in the console: two admins retire an old key version (a second person confirms); an
 * admin switches to custody with n=3, k=2; each holder collects their share once (QR code, a
 * printable sheet); the service restarts sealed; on the unseal page a malformed share is refused
 * in Japanese, and two shares unseal (one typed, one read from its QR code's image); a holder's deactivation shows as a rekey task; the admin
 * switches back to auto-unseal with two shares. Own database and keystore: custody is vault-wide.
 */
describe('web console: key custody and key versions (browser)', () => {
  let app: INestApplication;
  let baseUrl: string;
  let browser: Browser;
  let admin: SignedIn;
  let secondAdmin: SignedIn;
  let clerk: SignedIn;
  let holders: SignedIn[];
  const shares: string[] = [];
  /** Each holder's QR code as the browser drew it (a PNG), to read back on the unseal page. */
  const qrImages: Buffer[] = [];
  const problems: string[][] = [];
  const http = () => request(app.getHttpServer());
  const as = (who: SignedIn) => ({ Authorization: `Bearer ${who.token}` });

  beforeAll(async () => {
    await prepareOwnDatabase();
    ({ app, baseUrl } = await startConsoleServer(OWN_DATABASE, PRIVATE_KEYSTORE));
    browser = await launchBrowser();
    [admin, secondAdmin, clerk] = await Promise.all([signIn(app, ['admin']), signIn(app, ['admin']), signIn(app, ['clerk'])]);
    holders = await Promise.all([signIn(app, ['admin']), signIn(app, ['auditor']), signIn(app, ['clerk'])]);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await dropOwnDatabase();
    rmSync(PRIVATE_KEYSTORE_DIR, { recursive: true, force: true });
  });

  async function loginAs(who: SignedIn): Promise<Page> {
    const { page, problems: p } = await signInOnConsole(browser, baseUrl, app, who);
    problems.push(p);
    await byTest(page, 'who').waitFor();
    return page;
  }

  it('key versions: one admin asks to retire the old version, a second admin confirms it', async () => {
    const keyring = app.get(KeyringService);
    const old = keyring.currentKek().version;
    const { version } = keyring.addKekVersion(); // keys:rotate, as the command does it
    await app.get(NumbersService).rewrapDataKeys();
    await app.get(StaffCredentialsService).rewrapTotpSecrets(version);
    await app.get(CollectionKeysService).rewrapDataKeys();

    const first = await loginAs(admin);
    await byTest(first, 'nav-keys').click();
    await byTest(first, `retire-${old}`).click();
    await first.locator('[data-test="key-versions-status"][data-kind="ok"]').waitFor();
    expect(await byTest(first, 'key-versions-status').innerText()).toContain('別の管理者が確認すると廃止されます');
    expect(await byTest(first, `retire-pending-${old}`).innerText()).toContain(admin.username);
    expect(await byTest(first, `retire-confirm-${old}`).count()).toBe(0); // not for the one who asked

    const second = await loginAs(secondAdmin);
    await byTest(second, 'nav-keys').click();
    await byTest(second, `retire-confirm-${old}`).click();
    await second.locator('[data-test="key-versions-status"][data-kind="ok"]').waitFor();
    const row = second.locator('[data-test="key-versions"] tbody tr', { hasText: `v${old}` });
    expect(await row.innerText()).toContain('廃止済み');
    await screenshot(second, 'keys-versions');
    await first.close();
    await second.close();
  });

  it('admin sets up custody (n=3, k=2); each holder collects their share once, with its QR code and a printable sheet', async () => {
    const page = await loginAs(admin);
    await byTest(page, 'nav-keys').click();
    expect(await byTest(page, 'custody-mode').innerText()).toBe('自動解錠（パスフレーズ）');
    for (const h of holders) await byTest(page, `custody-holder-${h.username}`).check();
    await byTest(page, 'custody-threshold').fill('2');
    expect(await byTest(page, 'custody-n').innerText()).toBe('3 名のうち 2 名で解錠');
    await byTest(page, 'custody-understood').check();
    await byTest(page, 'custody-submit').click();
    await page.locator('[data-test="custody-mode"]', { hasText: '分割保管' }).waitFor();
    expect(await byTest(page, 'custody-mode').innerText()).toBe('分割保管（3 名のうち 2 名で解錠）');
    for (const h of holders) await byTest(page, `holder-waiting-${h.username}`).waitFor();
    await screenshot(page, 'keys-custody');

    for (const [i, holder] of holders.entries()) {
      const hp = await loginAs(holder);
      await byTest(hp, 'share-banner').waitFor();
      await byTest(hp, 'nav-my-share').click();
      await byTest(hp, 'my-share-collect').click();
      await byTest(hp, 'my-share-sheet').waitFor();
      // the QR code is drawn (an SVG with modules), the sheet names the holder and k of n
      const qr = byTest(hp, 'my-share-qr');
      expect(await qr.isVisible()).toBe(true);
      expect(((await qr.locator('path').getAttribute('d')) ?? '').length).toBeGreaterThan(500);
      expect(await byTest(hp, 'my-share-holder').innerText()).toContain(holder.username);
      expect(await byTest(hp, 'my-share-k-of-n').innerText()).toBe('3 名のうち 2 名');
      expect(await byTest(hp, 'my-share-sheet').innerText()).toContain('シュレッダー');
      const text = (await byTest(hp, 'my-share-text').innerText()).replace(/\s+/g, '');
      expect(text).toMatch(/^MNV-[0-9a-f]{8}-[A-Za-z0-9_-]{44}$/);
      shares.push(text);
      qrImages.push(await qr.screenshot());
      // printed: only the sheet, no navigation or buttons
      await hp.emulateMedia({ media: 'print' });
      expect(await hp.locator('nav.tabs').isVisible()).toBe(false);
      expect(await byTest(hp, 'my-share-print').isVisible()).toBe(false);
      expect(await byTest(hp, 'my-share-sheet').isVisible()).toBe(true);
      if (i === 0) await screenshot(hp, 'share-sheet-print');
      await hp.emulateMedia({ media: 'screen' });
      // shown once: reopening the screen says it was collected
      await byTest(hp, 'nav-my-share').click();
      await byTest(hp, 'my-share-none').waitFor();
      expect(await byTest(hp, 'my-share-none').innerText()).toContain('受け取り済み');
      await hp.close();
    }
    await byTest(page, 'nav-keys').click();
    for (const h of holders) await byTest(page, `holder-collected-${h.username}`).waitFor();
    await page.close();
  });

  it('the service restarts sealed; the unseal page refuses a malformed share in Japanese and two shares unseal', async () => {
    const person = await createSubject(app, clerk.token);
    await app.close();
    ({ app, baseUrl } = await startConsoleServer(OWN_DATABASE, PRIVATE_KEYSTORE));
    await http().post(`/subjects/${person.id}/number/reveal`).set(as(clerk)).send({ purpose: 'withholding-slip' }).expect(503);

    const { page, problems: p } = await newPage(browser);
    problems.push(p);
    await page.goto(`${baseUrl}/console/unseal.html`);
    await page.locator('[data-test="unseal-progress"]', { hasText: '封印中' }).waitFor();
    expect(await byTest(page, 'unseal-progress').innerText()).toContain('0 / 必要数 2');

    await byTest(page, 'unseal-share').fill('MNV-1234abcd-これはシェアではありません');
    await byTest(page, 'unseal-submit').click();
    await page.locator('[data-test="unseal-status"][data-kind="error"]').waitFor();
    expect(await byTest(page, 'unseal-status').innerText()).toBe('シェアの形式ではありません。入力の誤りがないか確認してください。');
    expect(await byTest(page, 'unseal-share').inputValue()).toBe(''); // never kept in the page
    await screenshot(page, 'unseal-error');

    // typed as printed: in groups with spaces
    await byTest(page, 'unseal-share').fill(shares[0]!.replace(/(.{4})/g, '$1 '));
    await byTest(page, 'unseal-submit').click();
    await page.locator('[data-test="unseal-progress"]', { hasText: '1 / 必要数 2' }).waitFor();
    expect(await byTest(page, 'unseal-status').innerText()).toContain('次の保有者が入力してください');
    // the third holder's QR code, from an image (decoded in the page); a picture without one is refused in Japanese
    await byTest(page, 'unseal-qr-image').setInputFiles({
      name: 'blank.png',
      mimeType: 'image/png',
      buffer: await page.screenshot({ clip: { x: 0, y: 0, width: 40, height: 40 } }),
    });
    await page.locator('[data-test="unseal-status"][data-kind="error"]', { hasText: 'QRコードを読み取れませんでした' }).waitFor();
    await byTest(page, 'unseal-qr-image').setInputFiles({ name: 'share.png', mimeType: 'image/png', buffer: qrImages[2]! });
    await page.locator('[data-test="unseal-progress"]', { hasText: '解錠済み' }).waitFor();
    expect(await byTest(page, 'unseal-status').innerText()).toBe('解錠しました。');
    const revealed = await http().post(`/subjects/${person.id}/number/reveal`).set(as(clerk)).send({ purpose: 'withholding-slip' }).expect(200);
    expect(revealed.body.number).toBe(person.number);
    await page.close();
  });

  it("a holder's deactivation shows as a rekey task; the admin switches back to auto-unseal with two shares", async () => {
    await http().post(`/users/${holders[2]!.userId}/deactivate`).set(as(admin)).send({ reason: 'left the company' }).expect(204);
    const page = await loginAs(admin);
    await byTest(page, 'nav-keys').click();
    await byTest(page, `rekey-task-${holders[2]!.username}`).waitFor();
    expect(await byTest(page, 'rekey-needed').innerText()).toContain('再発行（リキー）');

    await byTest(page, 'custody-leave-shares').fill(`${shares[0]}\n${shares[1]}`);
    await byTest(page, 'custody-leave-understood').check();
    await byTest(page, 'custody-leave-submit').click();
    await page.locator('[data-test="custody-mode"]', { hasText: '自動解錠' }).waitFor();
    expect(await byTest(page, 'custody-status').innerText()).toContain('自動解錠に戻しました');
    await byTest(page, 'rekey-none').waitFor(); // switching back closed the task
    expect((await http().get('/custody/status').expect(200)).body).toMatchObject({ mode: 'auto-unseal', sealed: false });
    await page.close();
  });

  it('ran without console errors or CSP violations', () => {
    expect(problems.flat()).toEqual([]);
  });
});
