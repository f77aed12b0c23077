import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ClockService } from '../src/config/clock.service';
import { createTestApp } from './support/app';
import { signIn, SignedIn } from './support/staff';
import { createSubject } from './support/subjects';

/** A month of the 2030s no other spec moves its clock to (the per-run database is shared). */
export function quietMonth(): { month: string; year: number; mm: string } {
  const year = 2030 + Math.floor(Math.random() * 10);
  const mm = String(1 + Math.floor(Math.random() * 12)).padStart(2, '0');
  return { month: `${year}-${mm}`, year, mm };
}

/**
 * 取扱状況の確認 (issue #19): the monthly report's figures for a known set of actions, checked
 * against the trail, and the responsible person's sign-off (once, after the month, audited).
 */
describe('monthly handling report (e2e)', () => {
  let app: INestApplication;
  let clock: ClockService;
  let clerk: SignedIn;
  let responsible: SignedIn;
  let auditor: SignedIn;
  const { month, year, mm } = quietMonth();
  const http = () => request(app.getHttpServer());
  const as = (who: SignedIn) => ({ Authorization: `Bearer ${who.token}` });

  beforeAll(async () => {
    app = await createTestApp();
    clock = app.get(ClockService);
    // the 10th of the month, 10:00 Japan time
    clock.set(new Date(`${year}-${mm}-10T10:00:00+09:00`));
    clerk = await signIn(app, ['clerk']);
    responsible = await signIn(app, ['responsible']);
    auditor = await signIn(app, ['auditor']);
    const people = [];
    for (let i = 0; i < 3; i++) people.push(await createSubject(app, clerk.token));
    await http().post(`/subjects/${people[0]!.id}/number/reveal`).set(as(clerk)).send({ purpose: 'withholding-slip' }).expect(200);
    await http().post(`/subjects/${people[1]!.id}/number/reveal`).set(as(clerk)).send({ purpose: 'withholding-slip' }).expect(200);
    // not told of this purpose: refused and audited
    const refused = await http().post(`/subjects/${people[2]!.id}/number/reveal`).set(as(clerk)).send({ purpose: 'payment-record' });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    // a bulk retrieval of the three, kept inside the company (持出し)
    await http()
      .post('/reveals')
      .set(as(clerk))
      .send({ purpose: 'withholding-slip', subjectIds: people.map((p) => p.id) })
      .expect(200);
  }, 120_000);

  afterAll(async () => {
    clock?.reset();
    await app?.close();
  });

  const trailCount = async (action: string) => {
    const res = await http()
      .get('/audit/entries')
      .query({ actor: clerk.username, action, from: `${year}-${mm}-01T00:00:00+09:00`, limit: 200 })
      .set(as(auditor))
      .expect(200);
    return (res.body.items as { at: string }[]).filter((e) => e.at.slice(0, 7) <= month).length;
  };

  it('counts the clerk’s reveals, bulk retrievals, export, stores and refusals exactly as the trail has them; never a number', async () => {
    const res = await http().get(`/reports/monthly/${month}`).set(as(responsible)).expect(200);
    const row = res.body.byStaff.find((s: { actorId: string }) => s.actorId === clerk.userId);
    expect(row).toMatchObject({ reveals: 2, bulk: 3, exports: 1, stores: 3, refused: 1, disposals: 0 });
    expect(row.reveals).toBe(await trailCount('number.revealed'));
    expect(row.bulk).toBe(await trailCount('number.bulk-retrieved'));
    expect(row.refused).toBe(await trailCount('number.reveal-refused'));
    expect(res.body.month).toBe(month);
    expect(res.body.from).toBe(new Date(`${month}-01T00:00:00+09:00`).toISOString());
    expect(res.body.partial).toBe(true);
    expect(res.body.totals.reveals).toBeGreaterThanOrEqual(2);
    expect(res.body.totals.exports.takeOut).toBeGreaterThanOrEqual(1);
    const purpose = res.body.byPurpose.find((p: { purpose: string }) => p.purpose === 'withholding-slip');
    expect(purpose.reveals).toBeGreaterThanOrEqual(2);
    expect(purpose.label).toEqual(expect.any(String));
    expect(res.body.exports.find((e: { username: string }) => e.username === clerk.username)).toMatchObject({ kind: 'take-out', rows: 3 });
    expect(res.body.daily.find((d: { day: string }) => d.day === `${month}-10`).reveals).toBeGreaterThanOrEqual(2);
    expect(res.body.signoff).toBeNull();
    expect(JSON.stringify(res.body)).not.toMatch(/\d{12}/);
  });

  it('is for the responsible person, auditors and admins, not clerks; a bad month is a coded 400', async () => {
    await http().get(`/reports/monthly/${month}`).set(as(auditor)).expect(200);
    const forbidden = await http().get(`/reports/monthly/${month}`).set(as(clerk)).expect(403);
    expect(forbidden.body.code).toEqual(expect.any(String));
    for (const bad of ['2026-13', '2026-4', 'latest', '1999-12']) {
      const res = await http().get(`/reports/monthly/${bad}`).set(as(responsible)).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'report.bad-month' });
    }
  });

  it('is signed off by the responsible person once, after the month ended, with a comment; the trail records it', async () => {
    const early = await http().post(`/reports/monthly/${month}/sign-off`).set(as(responsible)).send({ comment: '確認しました' }).expect(409);
    expect(early.body.code).toBe('report.month-not-ended');
    // next month, 09:00 on the 2nd
    const next = new Date(Date.UTC(year, Number(mm), 2, 0, 0, 0));
    clock.set(next);
    responsible = await signIn(app, ['responsible']);
    auditor = await signIn(app, ['auditor']);
    const admin = await signIn(app, ['admin']);
    await http().post(`/reports/monthly/${month}/sign-off`).set(as(admin)).send({ comment: '確認しました' }).expect(403);
    const numberLike = await http().post(`/reports/monthly/${month}/sign-off`).set(as(responsible)).send({ comment: '番号 1234 5678 9012 を確認' }).expect(400);
    expect(JSON.stringify(numberLike.body)).not.toMatch(/1234/);
    await http().post(`/reports/monthly/${month}/sign-off`).set(as(responsible)).send({}).expect(400);

    const signed = await http().post(`/reports/monthly/${month}/sign-off`).set(as(responsible)).send({ comment: '開示はすべて目的内。' }).expect(201);
    expect(signed.body).toMatchObject({ month, signedBy: responsible.userId, signedByUsername: responsible.username, comment: '開示はすべて目的内。' });
    const again = await http().post(`/reports/monthly/${month}/sign-off`).set(as(responsible)).send({ comment: 'もう一度' }).expect(409);
    expect(again.body.code).toBe('report.already-signed');

    const report = await http().get(`/reports/monthly/${month}`).set(as(auditor)).expect(200);
    expect(report.body.partial).toBe(false);
    expect(report.body.signoff).toMatchObject({ signedByUsername: responsible.username, signedAt: next.toISOString() });
    const trail = await http().get('/audit/entries').query({ action: 'report.signed-off', actor: responsible.username }).set(as(auditor)).expect(200);
    expect(trail.body.items).toHaveLength(1);
    expect(trail.body.items[0].details).toEqual({ month });
  });
});
