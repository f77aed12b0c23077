import { INestApplication } from '@nestjs/common';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import * as openpgp from 'openpgp';
import { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ClockService } from '../../src/config/clock.service';
import { ownerConnection } from '../support/app';
import { dropOwnDatabase, OWN_DATABASE, OWN_DATABASE_URL, prepareOwnDatabase } from '../support/own-database';
import { freshTotpCode, signIn, SignedIn } from '../support/staff';
import { createSubject, uniqueCode } from '../support/subjects';
import { byTest, launchBrowser, newPage, screenshot, startConsoleServer } from './support/browser';
import { japaneseScreenProblems } from './support/japanese-screen';

/**
 * Issue #19's office screens in Chromium (ja-JP): 承認 (a disposal click answered 202 explained and
 * linked; the four-eyes refusal of one's own request in Japanese; approve, decline with a reason,
 * new firm accounts, early disposals; a waiver flagged), 委託先 (contract, checklist, key, accounts),
 * 漏えい等報告 (affected people from the trail, the duty and why, deadlines, a report recorded, the
 * PPC-form print) and the IP allow-list (the lock-out warning before saving). Own database: the
 * four-eyes policy and the allow-list apply to the whole vault. One app, one browser.
 */
describe('web console: approvals, outside firms, breach register, IP allow-list (browser)', () => {
  let app: INestApplication;
  let baseUrl: string;
  let browser: Browser;
  let owner: DataSource;
  let clerk: SignedIn;
  let admin: SignedIn;
  let responsible: SignedIn;
  /** Both admin and responsible: may ask and approve, never both for the same request (unless waived). */
  let adminResponsible: SignedIn;
  let auditor: SignedIn;
  let firmPublicKey: string;
  let firmAgeRecipient: string;
  const alarms: Record<'a' | 'b' | 'd', { alarmId: string; code: string }> = {} as never;
  let earlyCode: string;
  const revealed: string[] = [];
  const problems: string[][] = [];
  const http = () => request(app.getHttpServer());
  const as = (who: SignedIn) => ({ Authorization: `Bearer ${who.token}` });
  /** No English sentence or raw code on the screen (support/japanese-screen.ts), then the screenshot. */
  const shot = async (page: Page, name: string, options: { fullPage?: boolean } = {}) => {
    expect({ screen: name, problems: await japaneseScreenProblems(page) }).toEqual({ screen: name, problems: [] });
    await screenshot(page, name, options);
  };

  async function dueAlarm(): Promise<{ alarmId: string; code: string }> {
    const s = await createSubject(app, clerk.token);
    await http().patch(`/subjects/${s.id}`).set(as(clerk)).send({ leftAt: '2039-09-30' }).expect(200);
    await http().post('/retention/sweep').set(as(admin)).expect(200);
    const [alarm] = await owner.query(`SELECT id FROM disposal_alarm WHERE subject_id = $1 AND status = 'open'`, [s.id]);
    return { alarmId: alarm.id, code: s.code };
  }

  beforeAll(async () => {
    await prepareOwnDatabase();
    ({ app, baseUrl } = await startConsoleServer(OWN_DATABASE));
    browser = await launchBrowser();
    owner = await ownerConnection(OWN_DATABASE_URL);
    // 1 April 2041, 10:00 Japan time: people who left in 2039 are due for disposal
    app.get(ClockService).set(new Date('2041-04-01T10:00:00+09:00'));
    clerk = await signIn(app, ['clerk']);
    admin = await signIn(app, ['admin']);
    responsible = await signIn(app, ['responsible']);
    adminResponsible = await signIn(app, ['admin', 'responsible']);
    auditor = await signIn(app, ['auditor']);
    alarms.a = await dueAlarm();
    alarms.b = await dueAlarm();
    alarms.d = await dueAlarm();
    // the clerk shows three numbers this morning (the trail the breach register reads)
    for (let i = 0; i < 3; i++) {
      const p = await createSubject(app, clerk.token);
      await http().post(`/subjects/${p.id}/number/reveal`).set(as(clerk)).send({ purpose: 'withholding-slip' }).expect(200);
      revealed.push(p.code);
    }
    // four eyes from now on
    await http().put('/approvals/policy').set(as(responsible)).send({ fourEyes: 'required' }).expect(200);
    const b = await http().post(`/retention/alarms/${alarms.b.alarmId}/dispose`).set(as(adminResponsible)).send({}).expect(202);
    expect(b.body.status).toBe('pending-approval');
    await http().post(`/retention/alarms/${alarms.d.alarmId}/dispose`).set(as(admin)).send({}).expect(202);
    // a leaver whose filings are done: early disposal waits for the responsible person
    const leaver = await createSubject(app, clerk.token);
    await http().patch(`/subjects/${leaver.id}`).set(as(clerk)).send({ leftAt: '2041-03-15' }).expect(200);
    await http().post(`/subjects/${leaver.id}/early-disposal`).set(as(clerk)).send({ filingsDoneOn: '2041-03-25' }).expect(201);
    earlyCode = leaver.code;
    firmAgeRecipient = await identityToRecipient(await generateIdentity());
    firmPublicKey = (await openpgp.generateKey({ userIDs: [{ name: 'Mihon SR office', email: 'sr@example.invalid' }], format: 'armored' })).publicKey;
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await owner?.destroy();
    app?.get(ClockService).reset();
    await app?.close();
    await dropOwnDatabase();
  });

  async function loginAs(who: SignedIn): Promise<Page> {
    const { page, problems: p } = await newPage(browser);
    problems.push(p);
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${baseUrl}/`);
    await byTest(page, 'username').fill(who.username);
    await byTest(page, 'password').fill(who.password);
    await byTest(page, 'login-submit').click();
    await byTest(page, 'totp-code').fill(await freshTotpCode(app, who));
    await byTest(page, 'totp-submit').click();
    await byTest(page, 'who').waitFor();
    return page;
  }

  it('admin: registers an outside firm with its contract, checklist, key and an account that waits for approval', async () => {
    const page = await loginAs(admin);
    await byTest(page, 'nav-firms').click();
    await byTest(page, 'firms-screen').waitFor();
    await byTest(page, 'firm-new').click();
    await byTest(page, 'firm-name').fill('見本社会保険労務士事務所');
    await byTest(page, 'firm-kind').selectOption('labor-consultant');
    await byTest(page, 'firm-scope').fill('社会保険・雇用保険の届出事務');
    await byTest(page, 'firm-purpose-health-pension').check();
    await byTest(page, 'firm-purpose-employment-insurance').check();
    await byTest(page, 'firm-starts').fill('2041/04/01');
    await byTest(page, 'firm-ends').fill('2042/03/31');
    await byTest(page, 'firm-submit').click();
    const card = byTest(page, 'firm-見本社会保険労務士事務所');
    await card.waitFor();
    expect(await card.locator('[data-test="firm-contract"]').innerText()).toBe('2041年4月1日 ～ 2042年3月31日');
    expect(await card.locator('[data-test="firm-purposes"]').innerText()).toContain('健康保険');
    expect(await card.locator('[data-test="firm-window-state"]').innerText()).toBe('現在利用可');
    expect(await card.locator('[data-test="firm-no-key"]').count()).toBe(1);

    // the supervision checklist: two items checked, one with how
    await card.locator('[data-test="check-confidentiality"]').check();
    await card.locator('[data-test="check-no-take-out"]').check();
    await card.locator('[data-test="check-note-confidentiality"]').fill('委託契約書第8条で確認');
    await card.locator('[data-test="checklist-save"]').click();
    await page.locator('[data-test="checklist-summary"]', { hasText: '2/10' }).waitFor();
    expect(await byTest(page, 'firm-checklist').innerText()).toContain(admin.username); // who checked, on the items checked only

    // the firm's public keys (OpenPGP and age), then an account (waits for the responsible person under four eyes)
    // the contract is extended by half a year: the access window follows the new dates
    await byTest(page, 'firm-edit').click();
    expect(await byTest(page, 'firm-ends').inputValue()).toBe('2042/03/31');
    await byTest(page, 'firm-ends').fill('2042/09/30');
    await byTest(page, 'firm-submit').click();
    await page.locator('[data-test="firm-contract"]', { hasText: '2042年9月30日' }).waitFor();
    // a narrower window inside the contract: April only (the last day included)
    await byTest(page, 'firm-edit').click();
    await byTest(page, 'firm-access-from').fill('2041/04/01');
    await byTest(page, 'firm-access-to').fill('2041/04/30');
    await byTest(page, 'firm-submit').click();
    await page.locator('[data-test="firm-window"]', { hasText: '2041/05/01 00:00' }).waitFor();
    expect(await byTest(page, 'firm-window-state').innerText()).toBe('現在利用可');
    const windowed = (await http().get('/firms').set(as(admin)).expect(200)).body.items[0];
    expect(windowed).toMatchObject({ contractEndsOn: '2042-09-30', accessFrom: '2041-03-31T15:00:00.000Z', accessUntil: '2041-04-30T15:00:00.000Z' });
    await byTest(page, 'firm-key-new').click();
    await byTest(page, 'firm-key-text').fill(firmPublicKey);
    await byTest(page, 'firm-key-submit').click();
    await byTest(page, 'firm-key-fingerprint').waitFor();
    await byTest(page, 'firm-age-new').click();
    await byTest(page, 'firm-age-text').fill(firmAgeRecipient);
    await byTest(page, 'firm-age-submit').click();
    await page.locator('[data-test="firm-age-recipient"]', { hasText: firmAgeRecipient }).waitFor();
    await byTest(page, 'firm-account-new').click();
    await byTest(page, 'firm-account-username').fill('mihon.sr');
    await byTest(page, 'firm-account-display').fill('見本 花子（見本社労士事務所）');
    await byTest(page, 'firm-account-submit').click();
    await byTest(page, 'firm-account-created').waitFor();
    expect(await byTest(page, 'firm-account-pending-mihon.sr').innerText()).toBe('責任者の承認待ち');
    await shot(page, '50-outside-firm');

    const firms = await http().get('/firms').set(as(admin)).expect(200);
    const checklist: { code: string; done: boolean; checkedBy: string | null }[] = firms.body.items[0].checklist;
    expect(checklist.filter((c) => c.done).map((c) => c.code)).toEqual(['confidentiality', 'no-take-out']);
    expect(checklist.filter((c) => c.checkedBy).map((c) => c.code)).toEqual(['confidentiality', 'no-take-out']);
    expect(firms.body.items[0].recipientKeyFingerprint).toMatch(/^[0-9A-F]{40}$/i);
    await page.close();
  });

  it('admin: a dispose click answered 202 says it waits for the responsible person and links to the approvals screen', async () => {
    const page = await loginAs(admin);
    await byTest(page, 'nav-retention').click();
    await byTest(page, `alarm-${alarms.a.code}`).click();
    await byTest(page, 'dispose').click();
    const status = byTest(page, 'retention-status');
    await page.locator('[data-test="retention-status"][data-kind="warn"]').waitFor();
    expect(await status.innerText()).toContain('承認待ちです。事務取扱責任者の承認後に廃棄されます。');
    await byTest(page, 'open-approvals').click();
    await byTest(page, 'approvals-screen').waitFor();
    const rows = page.locator('[data-test="approvals-table"] tbody tr');
    await rows.first().waitFor();
    const row = rows.filter({ hasText: alarms.a.code });
    expect(await row.innerText()).toContain('個人番号の廃棄');
    expect(await row.innerText()).toContain('事務取扱責任者が承認します'); // admins see, the responsible person decides
    expect(await row.locator('button').count()).toBe(0);
    await shot(page, '51-approvals-admin');
    await page.close();
  });

  it('admin and responsible: approving their own request is refused in Japanese (four eyes)', async () => {
    const page = await loginAs(adminResponsible);
    await byTest(page, 'nav-approvals').click();
    const row = page.locator('[data-test="approvals-table"] tbody tr', { hasText: alarms.b.code });
    await row.waitFor();
    const approvalId = (await http().get('/approvals').set(as(responsible)).expect(200)).body.requests.find(
      (r: { about: { subjectCode: string } }) => r.about?.subjectCode === alarms.b.code,
    ).id;
    expect(await byTest(page, `own-${approvalId}`).innerText()).toBe('あなたの依頼');
    await byTest(page, `approve-${approvalId}`).click();
    const refusal = byTest(page, `decision-status-${approvalId}`);
    await page.locator(`[data-test="decision-status-${approvalId}"][data-kind="error"]`).waitFor();
    expect(await refusal.innerText()).toBe('依頼した本人は承認できません（四つの目の原則）。依頼した人とは別の人が承認してください。');
    await shot(page, '52-approvals-same-person');
    const still = await owner.query(`SELECT status FROM disposal_alarm WHERE id = $1`, [alarms.b.alarmId]);
    expect(still[0].status).toBe('open');
    await page.close();
  });

  it('responsible person: approves a disposal, declines one with a reason, approves the firm account and an early disposal; a waiver is flagged, to auditors too', async () => {
    const page = await loginAs(responsible);
    await byTest(page, 'approvals-screen').waitFor(); // the responsible person's first screen
    expect(await byTest(page, 'policy-mode').innerText()).toContain('必須');
    const requests = (await http().get('/approvals').set(as(responsible)).expect(200)).body.requests as { id: string; about: { subjectCode: string } }[];
    const idOf = (code: string) => requests.find((r) => r.about?.subjectCode === code)!.id;

    await byTest(page, `approve-${idOf(alarms.a.code)}`).click();
    await page.locator('[data-test="approvals-status"][data-kind="ok"]').waitFor();
    expect((await owner.query(`SELECT status FROM disposal_alarm WHERE id = $1`, [alarms.a.alarmId]))[0].status).toBe('disposed');

    // declining needs a reason
    const d = idOf(alarms.d.code);
    await byTest(page, `decline-${d}`).click();
    expect(await byTest(page, `decision-status-${d}`).innerText()).toBe('却下する理由を入力してください。');
    await byTest(page, `reason-${d}`).fill('税務調査の対象期間のため保存を継続');
    await byTest(page, `decline-${d}`).click();
    await page.locator('[data-test="approvals-status"]', { hasText: '却下しました。' }).waitFor();
    expect((await owner.query(`SELECT status FROM disposal_alarm WHERE id = $1`, [alarms.d.alarmId]))[0].status).toBe('open');

    // the outside firm's account, named with its firm
    expect(await byTest(page, 'account-firm-mihon.sr').innerText()).toBe('見本社会保険労務士事務所');
    await byTest(page, 'approve-mihon.sr').click();
    await page.locator('[data-test="approvals-accounts"]', { hasText: 'ロールの承認を待つアカウントはありません。' }).waitFor();

    // the early disposal, with the person's code
    await byTest(page, `approve-early-${earlyCode}`).click();
    await page.locator('[data-test="approvals-early"]', { hasText: '早期廃棄の承認待ちはありません。' }).waitFor();
    const early = await http().get('/retention/early-disposals').query({ status: 'approved' }).set(as(responsible)).expect(200);
    expect(early.body.items.map((e: { subject: { code: string } }) => e.subject.code)).toEqual([earlyCode]);

    // a one-person company: four eyes waived with a recorded reason, flagged
    await page.locator('.policy-form summary').click();
    await byTest(page, 'policy-select').selectOption('waived');
    await byTest(page, 'policy-reason-input').fill('担当者が一人のため（令和23年4月から）');
    await byTest(page, 'policy-save').click();
    await byTest(page, 'policy-waived').waitFor();
    expect(await byTest(page, 'policy-reason').innerText()).toBe('担当者が一人のため（令和23年4月から）');
    await shot(page, '53-approvals-responsible');
    await page.close();

    // under the waiver the one who asked approves alone: the decided list flags it
    const own = await loginAs(adminResponsible);
    await byTest(own, 'nav-approvals').click();
    const b = idOf(alarms.b.code);
    await byTest(own, `approve-${b}`).click();
    await own.locator('[data-test="approvals-status"][data-kind="ok"]').waitFor();
    await byTest(own, `waived-${b}`).waitFor();
    expect(await byTest(own, `waived-${b}`).innerText()).toContain('省略（本人が承認）');
    await byTest(own, 'approvals-history-status').selectOption('declined');
    await own.locator('[data-test="approvals-history-table"]', { hasText: '税務調査の対象期間のため保存を継続' }).waitFor();
    await own.close();

    // the auditor reads it: the waiver with its reason, the approval under it flagged, no buttons
    const audit = await loginAs(auditor);
    await byTest(audit, 'nav-approvals').click();
    await byTest(audit, 'policy-waived').waitFor();
    await byTest(audit, `waived-${b}`).waitFor();
    expect(await audit.locator('[data-test="approvals-screen"] button, [data-test="approvals-requests"] button').count()).toBe(0);
    expect(await byTest(audit, 'approvals-early').count()).toBe(0);
    // the disposal records say how each was approved: the one under the waiver flagged with its reason
    await byTest(audit, 'nav-disposals').click();
    await byTest(audit, `disposal-waived-${alarms.b.code}`).waitFor();
    const flagged = await byTest(audit, `disposal-waived-${alarms.b.code}`).innerText();
    expect(flagged).toContain('⚠ 四つの目の省略');
    expect(flagged).toContain('担当者が一人のため（令和23年4月から）');
    expect(await byTest(audit, `disposal-approved-${alarms.a.code}`).innerText()).toBe(`${responsible.username} が承認`);
    expect(await audit.locator('[data-test="disposal-records"] button:visible').count()).toBe(0);
    await shot(audit, '53b-disposal-records-auditor');
    await audit.close();
  });

  it('admin: a breach register entry finds the people from the trail, says why the report is due, records the 速報 and prints the PPC items', async () => {
    const page = await loginAs(admin);
    await byTest(page, 'nav-breaches').click();
    await byTest(page, 'breach-new').click();
    await byTest(page, 'breach-title').fill('給与担当者の端末からの持出し');
    await byTest(page, 'breach-category').selectOption('leak');
    await byTest(page, 'breach-summary').fill('担当者が表示した個人番号を私物の端末に書き写していたことが分かった。');
    await byTest(page, 'breach-discovered-day').fill('2041/04/01');
    await byTest(page, 'breach-discovered-time').fill('09:00');
    await byTest(page, 'breach-discovered-by').fill('総務部長');
    await byTest(page, 'breach-submit').click();
    await byTest(page, 'breach-detail').waitFor();
    // no circumstance yet and nobody on the list: no duty, and why
    expect(await byTest(page, 'breach-duty-none').innerText()).toContain('基準は 100 人を超えること');
    expect(await byTest(page, 'breach-state-final').innerText()).toBe('不要');
    // found out later: done for an unlawful purpose (the duty applies, 確報 within 60 days)
    await page.locator('.breach-facts summary').click();
    await byTest(page, 'facts-unlawfulPurpose').check();
    await byTest(page, 'facts-save').click();
    await byTest(page, 'breach-duty-applies').waitFor();
    expect(await byTest(page, 'breach-duty-applies').innerText()).toContain('報告と本人への通知が必要です');
    expect(await byTest(page, 'breach-trigger').first().innerText()).toContain('不正の目的');
    expect(await byTest(page, 'breach-due-final').innerText()).toContain('2041/05/31'); // 60 days, the first day not counted
    expect(await byTest(page, 'breach-state-preliminary').innerText()).toBe('未報告');

    // the people: every number the clerk was shown this morning
    await byTest(page, 'affected-actor').selectOption(clerk.userId);
    await byTest(page, 'affected-from-day').fill('2041/04/01');
    await byTest(page, 'affected-from-time').fill('00:00');
    await byTest(page, 'affected-to-day').fill('2041/04/01');
    await byTest(page, 'affected-to-time').fill('23:59');
    await byTest(page, 'affected-add').click();
    await page.locator('[data-test="breach-affected-count"]', { hasText: '3 人' }).waitFor();
    const listed = await byTest(page, 'breach-affected-table').innerText();
    for (const code of revealed) expect(listed).toContain(code);

    // the 速報, sent through the PPC form
    await byTest(page, 'report-kind').selectOption('preliminary');
    await byTest(page, 'report-sent-day').fill('2041/04/01');
    await byTest(page, 'report-sent-time').fill('09:30');
    await byTest(page, 'report-reference').fill('PPC-A-0001');
    await byTest(page, 'report-record').click();
    await page.locator('[data-test="breach-state-preliminary"]', { hasText: '報告済み' }).waitFor();
    await shot(page, '54-breach-register');

    // print: the report's items in the PPC form's order, the rest of the console hidden
    await page.evaluate(() => {
      const w = globalThis as any;
      w.printed = 0;
      w.print = () => (w.printed += 1);
    });
    await byTest(page, 'print-report').click();
    await byTest(page, 'breach-doc-report').waitFor();
    expect(await page.evaluate(() => (globalThis as any).printed)).toBe(1);
    const order = await page.locator('[data-test="breach-doc-report"] li').evaluateAll((els) => els.map((e: any) => e.getAttribute('data-test')));
    expect(order).toEqual(
      ['summary', 'items', 'people', 'cause', 'secondary-damage', 'response-to-people', 'publication', 'prevention', 'other'].map((c) => `doc-item-${c}`),
    );
    expect(await byTest(page, 'doc-item-people').innerText()).toContain('3人');
    await page.emulateMedia({ media: 'print' });
    expect(await byTest(page, 'breach-doc-report').isVisible()).toBe(true);
    expect(await byTest(page, 'breach-detail').isVisible()).toBe(false);
    expect(await page.locator('nav.tabs').isVisible()).toBe(false);
    await shot(page, '55-breach-report-print');
    await page.emulateMedia({ media: 'screen' });
    await byTest(page, 'print-notice').click();
    await byTest(page, 'breach-doc-notice').waitFor();
    expect(await page.locator('[data-test="breach-doc-notice"] li').count()).toBe(5);
    expect(await page.locator('body').innerText()).not.toMatch(/\d{12}/);
    await page.close();
  });

  it('breach register: people named by their codes (an unknown code named, nobody added); auditors read it page by page, without buttons', async () => {
    // a stolen paper list: 201 people named through the API, two more through the console's form
    const opened = await http()
      .post('/breaches')
      .set(as(admin))
      .send({ title: '紙の名簿の紛失', category: 'loss', summary: '扶養控除等申告書の控えを紛失した。', discoveredAt: '2041-04-01T08:00:00+09:00' })
      .expect(201);
    const people: { id: string; code: string }[] = [];
    for (let i = 0; i < 203; i += 29) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(29, 203 - i) }, async () => {
          const code = uniqueCode('P');
          const made = await http().post('/subjects').set(as(clerk)).send({ kind: 'employee', code, name: '試験 花子', nameKana: 'シケン ハナコ' }).expect(201);
          return { id: made.body.id as string, code };
        }),
      );
      people.push(...batch);
    }
    people.sort((a, b) => (a.code < b.code ? -1 : 1));
    const [last, secondLast] = [people[202]!, people[201]!];
    await http()
      .post(`/breaches/${opened.body.id}/affected`)
      .set(as(admin))
      .send({ source: 'listed', subjectIds: people.slice(0, 201).map((p) => p.id) })
      .expect(200);

    const page = await loginAs(admin);
    await byTest(page, 'nav-breaches').click();
    await byTest(page, 'breach-open-紙の名簿の紛失').click();
    await byTest(page, 'breach-detail').waitFor();
    await byTest(page, 'affected-source').selectOption('listed');
    expect(await byTest(page, 'affected-actor').isVisible()).toBe(false);
    await byTest(page, 'affected-codes').fill(`${secondLast.code}\nNOBODY-0001`);
    await byTest(page, 'affected-add').click();
    await page.locator('[data-test="affected-status"][data-kind="error"]').waitFor();
    expect(await byTest(page, 'affected-status').innerText()).toContain('登録されていないコード: NOBODY-0001');
    expect(await byTest(page, 'breach-affected-count').innerText()).toBe('201 人');
    await byTest(page, 'affected-codes').fill(`${secondLast.code}、 ${last.code}`);
    await byTest(page, 'affected-add').click();
    await page.locator('[data-test="breach-affected-count"]', { hasText: '203 人' }).waitFor();
    const sources = await owner.query(`SELECT DISTINCT source FROM breach_affected WHERE incident_id = $1`, [opened.body.id]);
    expect(sources).toEqual([{ source: 'listed' }]);
    await page.close();

    // the auditor: the register read-only, the people 200 at a time
    const audit = await loginAs(auditor);
    await byTest(audit, 'nav-breaches').click();
    await byTest(audit, 'breaches-read-only').waitFor();
    expect(await byTest(audit, 'breach-new').count()).toBe(0);
    await byTest(audit, 'breach-open-紙の名簿の紛失').click();
    await byTest(audit, 'breach-detail').waitFor();
    const rows = audit.locator('[data-test="breach-affected-table"] tbody tr');
    expect(await rows.count()).toBe(200);
    expect(await byTest(audit, 'affected-shown').innerText()).toBe('200 人を表示しています（合計 203 人）。');
    await byTest(audit, 'affected-more').click();
    await audit.locator('[data-test="breach-affected-table"] tbody tr').nth(202).waitFor();
    expect(await rows.count()).toBe(203);
    expect(await byTest(audit, 'affected-more').count()).toBe(0);
    expect(await rows.last().innerText()).toContain(last.code);
    // nothing to change: no form, no save, no report, no close; the report items are read-only
    for (const test of ['affected-add', 'facts-save', 'items-save', 'report-record', 'breach-close']) expect(await byTest(audit, test).count()).toBe(0);
    expect(await byTest(audit, 'item-cause').getAttribute('readonly')).toBe('');
    await byTest(audit, 'print-report').waitFor(); // printing is reading
    await audit.evaluate(() => (globalThis as any).scrollTo(0, 0));
    await shot(audit, '54b-breach-register-auditor', { fullPage: false }); // the first screen, not 203 rows
    await audit.close();
  });

  it('admin: the IP allow-list warns before a list would lock out their own address, and saves one that does not', async () => {
    const page = await loginAs(admin);
    await byTest(page, 'nav-network').click();
    expect(await byTest(page, 'your-address').innerText()).toBe('127.0.0.1');
    await byTest(page, 'cidrs-admin').fill('192.0.2.0/24');
    await byTest(page, 'lockout-warning-admin').waitFor();
    expect(await byTest(page, 'lockout-warning-admin').innerText()).toContain('127.0.0.1');
    await shot(page, '56-allow-list-warning');
    await byTest(page, 'save-admin').click();
    expect(await byTest(page, 'network-status-admin').innerText()).toBe('保存していません。あなた自身が締め出されるためです。');
    expect((await http().get('/network/allow-list').set(as(admin)).expect(200)).body.items).toEqual([]);

    // the clerks only from the office network (the admin is not a clerk: no warning)
    await byTest(page, 'cidrs-clerk').fill('127.0.0.0/8\n192.0.2.0/24');
    expect(await byTest(page, 'lockout-warning-clerk').isVisible()).toBe(false);
    await byTest(page, 'save-clerk').click();
    await page.locator('[data-test="allow-list-state-clerk"]', { hasText: '2 件' }).waitFor();
    const lists = await http().get('/network/allow-list').set(as(admin)).expect(200);
    expect(lists.body).toMatchObject({ items: [{ role: 'clerk', cidrs: ['127.0.0.0/8', '192.0.2.0/24'] }], yourAddress: '127.0.0.1' });

    // English on request: the four screens in English, no dictionary key left showing
    await byTest(page, 'lang-switch').click();
    await page.locator('h2', { hasText: 'IP allow-list' }).waitFor();
    for (const [nav, heading] of [
      ['nav-approvals', 'Approvals'],
      ['nav-firms', 'Outside firms'],
      ['nav-breaches', 'Breach register'],
      ['nav-network', 'IP allow-list'],
    ]) {
      await byTest(page, nav!).click();
      await page.locator('h2', { hasText: heading! }).waitFor();
      expect(await page.locator('main').innerText()).not.toMatch(/\b(approvals|firms|breach|network|alarm)\.[a-zA-Z]/);
    }
    await page.close();
  });

  it('ran without console errors or CSP violations', () => {
    expect(problems.flat()).toEqual([]);
  });
});
