import { INestApplication } from '@nestjs/common';
import { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { ClockService } from '../../src/config/clock.service';
import { signIn, SignedIn } from '../support/staff';
import { createSubject } from '../support/subjects';
import { byTest, launchBrowser, openPerson, signInOnConsole, startConsoleServer } from './support/browser';

/**
 * Issue #14 in the console: a clerk records a 扶養控除等申告書 by 年分 with the dependent on it and
 * sees each person's computed due date with the rule and why; an admin sees the open-matter report.
 */
describe('web console: filings, due dates, open matters (browser)', () => {
  let app: INestApplication;
  let baseUrl: string;
  let browser: Browser;
  let clerk: SignedIn;
  let admin: SignedIn;
  const problems: string[][] = [];
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    ({ app, baseUrl } = await startConsoleServer());
    browser = await launchBrowser();
    clerk = await signIn(app, ['clerk']);
    admin = await signIn(app, ['admin']);
  });

  afterAll(async () => {
    await browser?.close();
    app?.get(ClockService).reset();
    await app?.close();
  });

  async function loginAs(who: SignedIn): Promise<Page> {
    const { page, problems: p } = await signInOnConsole(browser, baseUrl, app, who);
    problems.push(p);
    return page;
  }

  it('clerk: records a declaration by 年分 naming the dependent; both show the due date, the rule and why', async () => {
    const employee = await createSubject(app, clerk.token);
    const dependent = await createSubject(app, clerk.token, { kind: 'dependent', employeeId: employee.id, purposes: ['dependents-declaration'], number: null });
    await http().patch(`/subjects/${employee.id}`).set('Authorization', `Bearer ${clerk.token}`).send({ leftAt: '2026-03-31' }).expect(200);

    const page = await loginAs(clerk);
    await byTest(page, 'people-screen').waitFor();
    await openPerson(page, employee.code);
    await byTest(page, 'retention-due-on').waitFor();
    expect(await byTest(page, 'retention-due-on').innerText()).toContain('2027年2月1日'); // 廃棄可能日 in 年/月/日 (issue #22)
    expect(await byTest(page, 'retention-why').innerText()).toContain('退職後の届出');

    await byTest(page, 'filing-type').selectOption('dependents-declaration');
    await byTest(page, 'filing-tax-year').fill('2026');
    await byTest(page, 'filing-submitted').fill('2025-12-10');
    await byTest(page, `filing-person-${dependent.code}`).check();
    await byTest(page, 'filing-submit').click();
    await page.locator('[data-test="filings-table"] tbody tr', { hasText: '2026' }).waitFor();
    await page.locator('[data-test="retention-due-on"]', { hasText: '2034年1月11日' }).waitFor();
    expect(await byTest(page, 'retention-rule').innerText()).toContain('扶養控除等(異動)申告書');
    expect(await page.locator('[data-test="filings-table"] tbody tr', { hasText: '2026' }).innerText()).toContain('1 名');

    // a 健康保険 matter, open, then closed on the screen
    await byTest(page, 'filing-type').selectOption('health-pension');
    await byTest(page, 'filing-submit').click();
    await page.locator('[data-test="retention-why"]', { hasText: '完結していない' }).waitFor();
    await byTest(page, 'close-date-health-pension').fill('2026-04-10');
    await byTest(page, 'close-health-pension').click();
    await page.locator('[data-test="retention-due-on"]', { hasText: '2034年1月11日' }).waitFor();

    // the dependent: kept as long as the declaration that carries it
    await openPerson(page, dependent.code);
    await page.locator('[data-test="retention-due-on"]', { hasText: '2034年1月11日' }).waitFor();
    expect(await page.locator('[data-test="filings-table"] tbody tr').innerText()).toContain('従業員の書類に記載');
  });

  it('admin: sees leavers kept by an open matter (who, which matter, since when) and confirms one is still needed', async () => {
    const leaver = await createSubject(app, clerk.token);
    await http()
      .post(`/subjects/${leaver.id}/filings`)
      .set('Authorization', `Bearer ${clerk.token}`)
      .send({ documentType: 'employment-insurance-insured', submittedAt: '2025-03-01' })
      .expect(201);
    await http().patch(`/subjects/${leaver.id}`).set('Authorization', `Bearer ${clerk.token}`).send({ leftAt: '2025-03-31' }).expect(200);
    await http().post('/retention/sweep').set('Authorization', `Bearer ${admin.token}`).expect(200); // a year after leaving: review due

    const page = await loginAs(admin);
    await byTest(page, 'nav-retention').click();
    const row = page.locator('[data-test="open-matters-table"] tbody tr', { hasText: leaver.code });
    await row.waitFor();
    expect(await row.innerText()).toContain('雇用保険の被保険者に関する書類');
    expect(await row.innerText()).toContain('2025-03-01');
    await byTest(page, `review-reason-${leaver.code}`).fill('離職票の再発行手続中');
    await byTest(page, `review-confirm-${leaver.code}`).click();
    await page.locator('[data-test="open-matters-status"][data-kind="ok"]').waitFor();
    const reviews = await http().get('/retention/reviews').query({ status: 'confirmed' }).set('Authorization', `Bearer ${admin.token}`).expect(200);
    expect(reviews.body.items.find((r: { subjectId: string }) => r.subjectId === leaver.id)).toMatchObject({ reason: '離職票の再発行手続中' });
  });

  it('ran without console errors or CSP violations', () => {
    expect(problems.flat()).toEqual([]);
  });
});
