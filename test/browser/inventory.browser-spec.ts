import { INestApplication } from '@nestjs/common';
import { Browser } from 'playwright-core';
import request from 'supertest';
import { ClockService } from '../../src/config/clock.service';
import { signIn, SignedIn } from '../support/staff';
import { byTest, launchBrowser, signInOnConsole, startConsoleServer } from './support/browser';

/** 台帳 (issue #19) in the console: an auditor opens the file inventory; the print view keeps the inventory, hides the navigation. */
describe('web console: file inventory (browser)', () => {
  let app: INestApplication;
  let baseUrl: string;
  let browser: Browser;
  let auditor: SignedIn;

  beforeAll(async () => {
    ({ app, baseUrl } = await startConsoleServer());
    browser = await launchBrowser();
    auditor = await signIn(app, ['auditor']);
    const admin = await signIn(app, ['admin']);
    await request(app.getHttpServer())
      .post('/inventory/other-files')
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ name: '給与台帳（紙）', medium: 'paper', items: '個人番号、氏名', department: '総務部', location: '金庫', access: '担当者', retention: '7年' })
      .expect(201);
  });

  afterAll(async () => {
    await browser?.close();
    app?.get(ClockService).reset();
    await app?.close();
  });

  it('auditor: the inventory lists the vault files and the paper file; printing hides the navigation', async () => {
    const { page, problems } = await signInOnConsole(browser, baseUrl, app, auditor);
    await byTest(page, 'nav-inventory').click();
    await byTest(page, 'inventory-file-numbers').waitFor();
    expect(await byTest(page, 'inventory-file-numbers').innerText()).toContain('個人番号ファイル');
    expect(await byTest(page, 'inventory-other-files').innerText()).toContain('給与台帳（紙）');
    await page.emulateMedia({ media: 'print' });
    expect(await byTest(page, 'inventory-screen').isVisible()).toBe(true);
    expect(await byTest(page, 'nav-inventory').isVisible()).toBe(false);
    expect(await byTest(page, 'inventory-print').isVisible()).toBe(false);
    expect(problems).toEqual([]);
  });
});
