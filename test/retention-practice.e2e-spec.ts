import { INestApplication } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ClockService } from '../src/config/clock.service';
import { DisposalQueueService } from '../src/retention/queue/disposal-queue.service';
import { DISPOSAL_ALARMS_QUEUE } from '../src/retention/queue/queue.constants';
import { createTestApp } from './support/app';
import { dropOwnDatabase, OWN_DATABASE, OWN_DATABASE_URL, prepareOwnDatabase } from './support/own-database';
import { ownRedisPrefix } from './support/own-redis-prefix';
import { signIn, SignedIn } from './support/staff';
import { fakeMyNumber, uniqueCode } from './support/subjects';

/**
 * Issue #14 over HTTP: retention that matches payroll practice. A database and a Bull queue of
 * its own (the sweep is global and the clock moves to 2025-2027 here), real Redis.
 */
describe('retention in practice (issue #14)', () => {
  let app: INestApplication;
  let owner: DataSource;
  let clock: ClockService;
  let clerk: SignedIn;
  let admin: SignedIn;
  const http = () => request(app.getHttpServer());
  const as = (who: SignedIn) => ({ Authorization: `Bearer ${who.token}` });

  /** Moves the clock (Japan time) and signs in again (sessions follow the clock). */
  async function at(isoJst: string): Promise<void> {
    clock.set(new Date(isoJst));
    clerk = await signIn(app, ['clerk']);
    admin = await signIn(app, ['admin']);
  }

  /** Registers a person told of `purposes` now, with a number unless `number: null`. */
  async function person(
    options: { kind?: 'employee' | 'dependent' | 'payee'; employeeId?: string; purposes?: string[]; number?: string | null; leftAt?: string } = {},
  ) {
    const kind = options.kind ?? 'employee';
    const created = await http()
      .post('/subjects')
      .set(as(clerk))
      .send({ kind, code: uniqueCode(kind[0]!.toUpperCase()), name: '見本 花子', employeeId: options.employeeId, hiredAt: '2020-04-01' })
      .expect(201);
    const id = created.body.id as string;
    const purposes = options.purposes ?? (kind === 'payee' ? ['payment-record'] : kind === 'dependent' ? ['dependents-declaration'] : ['withholding-slip']);
    await http().put(`/subjects/${id}/purposes`).set(as(clerk)).send({ purposes, notifiedAt: clock.now().toISOString() }).expect(200);
    const number = options.number === null ? null : (options.number ?? fakeMyNumber());
    if (number) {
      await http()
        .put(`/subjects/${id}/number`)
        .set(as(clerk))
        .send({ number, identityCheck: { numberDocument: 'my-number-card', identityDocuments: ['my-number-card'], checkedAt: clock.now().toISOString() } })
        .expect(201);
    }
    if (options.leftAt) await http().patch(`/subjects/${id}`).set(as(clerk)).send({ leftAt: options.leftAt }).expect(200);
    return { id, code: created.body.code as string, number };
  }

  const explain = async (id: string) => (await http().get(`/subjects/${id}/retention`).set(as(clerk)).expect(200)).body;
  const alarmsOf = (id: string): Promise<{ status: string; due_on: string; raised_by: string }[]> =>
    owner.query(`SELECT status, to_char(due_on, 'YYYY-MM-DD') AS due_on, raised_by FROM disposal_alarm WHERE subject_id = $1 ORDER BY raised_at`, [id]);
  const sweep = () => http().post('/retention/sweep').set(as(admin)).expect(200);

  async function bulk(body: object): Promise<Record<string, any>[]> {
    const res = await http()
      .post('/reveals')
      .set(as(clerk))
      .set('Accept', 'application/x-ndjson')
      .send(body)
      .buffer(true)
      .parse((r, cb) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (text += c));
        r.on('end', () => cb(null, text));
      })
      .expect(200);
    return (res.body as string)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
  }

  beforeAll(async () => {
    await prepareOwnDatabase();
    app = await createTestApp(OWN_DATABASE, ownRedisPrefix());
    owner = new DataSource({ type: 'postgres', url: OWN_DATABASE_URL, extra: { max: 2 } });
    await owner.initialize();
    clock = app.get(ClockService);
  });

  afterAll(async () => {
    clock?.reset();
    await owner?.destroy();
    await app?.close();
    await dropOwnDatabase();
  });

  it("an employee who leaves on 2025-06-30 is still retrievable in January 2026; on the floor's due date the alarm opens (real Redis queue)", async () => {
    await at('2025-06-01T10:00:00+09:00');
    const leaver = await person({ leftAt: '2025-06-30' });

    const why = await explain(leaver.id);
    expect(why).toMatchObject({ dueOn: '2026-02-01', rule: 'floor-employee-leaving', reason: 'due', leftOn: '2025-06-30', period: 'law' });
    expect(why.basis).toContain('所得税法226条');
    expect(why.why).toMatch(/Left on 2025-06-30; the filings that follow the departure/);
    const job = await app.get(DisposalQueueService).scheduled(leaver.id);
    expect(job).toMatchObject({ state: 'delayed' });
    // the delay runs to 2026-02-01 00:00 JST on the service's clock (a login may move it by a few TOTP steps)
    expect(Math.abs(job!.delay - (new Date('2026-02-01T00:00:00+09:00').getTime() - clock.now().getTime()))).toBeLessThan(5 * 60_000);

    // year-end: the leaver's 源泉徴収票 and 給与支払報告書 are being made
    await at('2026-01-20T10:00:00+09:00');
    const lines = await bulk({ purpose: 'withholding-slip', kind: 'employee', activeInYear: 2025 });
    expect(lines.find((l) => l.type === 'row' && l.subjectId === leaver.id)).toMatchObject({ number: leaver.number });
    await sweep();
    expect(await alarmsOf(leaver.id)).toEqual([]);

    await at('2026-01-31T23:59:00+09:00');
    await sweep();
    expect(await alarmsOf(leaver.id)).toEqual([]);

    // the floor's due date: the delayed job runs (promoted: Bull's delay is real time, the clock is moved)
    clock.set(new Date('2026-02-01T00:00:05+09:00'));
    const queue = app.get<Queue>(getQueueToken(DISPOSAL_ALARMS_QUEUE));
    await (await queue.getJob(leaver.id))!.promote();
    for (let i = 0; i < 100 && (await alarmsOf(leaver.id)).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await alarmsOf(leaver.id)).toEqual([{ status: 'open', due_on: '2026-02-01', raised_by: 'queue' }]);
  });

  it('early disposal: the clerk records the filings done, an admin approves; then the day after leaving decides', async () => {
    await at('2025-07-20T10:00:00+09:00');
    const leaver = await person({ leftAt: '2025-06-30' });
    const future = await http().post(`/subjects/${leaver.id}/early-disposal`).set(as(clerk)).send({ filingsDoneOn: '2025-07-21' }).expect(400);
    expect(future.body.code).toBe('early-disposal.done-in-future');
    const asked = await http()
      .post(`/subjects/${leaver.id}/early-disposal`)
      .set(as(clerk))
      .send({ filingsDoneOn: '2025-07-15', note: '源泉徴収票・資格喪失届 提出済' })
      .expect(201);
    expect(asked.body).toMatchObject({ status: 'pending', relationshipKind: 'employee', leftOn: '2025-06-30' });
    await http().post(`/retention/early-disposals/${asked.body.id}/approve`).set(as(clerk)).send({}).expect(403);
    expect((await explain(leaver.id)).dueOn).toBe('2026-02-01');
    const listed = await http().get('/retention/early-disposals').set(as(admin)).expect(200);
    expect(listed.body.items.map((e: { id: string }) => e.id)).toContain(asked.body.id);
    await http().post(`/retention/early-disposals/${asked.body.id}/approve`).set(as(admin)).send({}).expect(200);
    const after = await explain(leaver.id);
    expect(after).toMatchObject({ dueOn: '2025-07-01', rule: 'left' });
    expect(after.relationships[0]).toMatchObject({ kind: 'employee', floor: 'floor-employee-leaving', floorReleased: true });
    expect((await alarmsOf(leaver.id)).map((a) => a.status)).toEqual(['open']);
    await http().post(`/retention/early-disposals/${asked.body.id}/approve`).set(as(admin)).send({}).expect(409);
    const [entry] = await owner.query(`SELECT actor_id FROM audit_entry WHERE subject_id = $1 AND action = 'disposal.early-approved'`, [leaver.id]);
    expect(entry.actor_id).toBe(admin.userId);
  });

  it("a dependent named on the employee's 扶養控除等申告書 (年分 2026, handed in December 2025) is kept as long as the declaration", async () => {
    await at('2025-12-10T10:00:00+09:00');
    const employee = await person();
    const dependent = await person({ kind: 'dependent', employeeId: employee.id });
    const filed = await http()
      .post(`/subjects/${employee.id}/filings`)
      .set(as(clerk))
      .send({ documentType: 'dependents-declaration', taxYear: 2026, submittedAt: '2025-12-10', people: [dependent.id] })
      .expect(201);
    expect(filed.body.filing).toMatchObject({
      taxYear: 2026,
      fiscalYear: 2026,
      retentionStart: '2027-01-11',
      dueOn: '2034-01-11',
      people: [dependent.id],
      period: 'law',
    });
    expect(filed.body.filing.startFromTaxYear).toMatch(/年分/);
    // the old field name still works (the same number)
    const old = await http()
      .post(`/subjects/${employee.id}/filings`)
      .set(as(clerk))
      .send({ documentType: 'insurance-deduction-declaration', fiscalYear: 2025 })
      .expect(201);
    expect(old.body.filing).toMatchObject({ taxYear: 2025, dueOn: '2033-01-11' });
    const conflict = await http()
      .post(`/subjects/${employee.id}/filings`)
      .set(as(clerk))
      .send({ documentType: 'dependents-declaration', taxYear: 2026, fiscalYear: 2025 })
      .expect(400);
    expect(conflict.body.code).toBe('filing.tax-year-conflict');
    const self = await http()
      .post(`/subjects/${employee.id}/filings`)
      .set(as(clerk))
      .send({ documentType: 'dependents-declaration', taxYear: 2026, people: [employee.id] })
      .expect(400);
    expect(self.body.code).toBe('filing.person-is-filer');

    await http().patch(`/subjects/${employee.id}`).set(as(clerk)).send({ leftAt: '2025-12-31' }).expect(200);
    expect(await explain(dependent.id)).toMatchObject({ dueOn: '2034-01-11', rule: 'dependents-declaration', leftOn: '2025-12-31' });
    const theirs = await http().get(`/subjects/${dependent.id}/filings`).set(as(clerk)).expect(200);
    expect(theirs.body.items.map((f: { id: string }) => f.id)).toEqual([filed.body.filing.id]);
    // a dependent on no filing: the floor for that year's slip
    const other = await person({ kind: 'dependent', employeeId: employee.id });
    expect(await explain(other.id)).toMatchObject({ dueOn: '2026-02-01', rule: 'floor-dependent-ending' });
  });

  it('one person, several relationships: purposes per relationship, due date the latest, one number', async () => {
    await at('2025-04-01T10:00:00+09:00');
    const director = await person();
    const spouseOnStaff = await person();
    const payee = await http().post(`/subjects/${director.id}/relationships`).set(as(clerk)).send({ kind: 'payee', startedAt: '2024-04-01' }).expect(201);
    expect(payee.body).toMatchObject({ kind: 'payee', isPrimary: false });
    const dup = await http().post(`/subjects/${director.id}/relationships`).set(as(clerk)).send({ kind: 'payee' }).expect(409);
    expect(dup.body.code).toBe('relationship.duplicate');
    const wrong = await http()
      .put(`/subjects/${director.id}/purposes`)
      .set(as(clerk))
      .send({ purposes: ['withholding-slip'], notifiedAt: clock.now().toISOString(), relationshipId: payee.body.id })
      .expect(400);
    expect(wrong.body.message).toMatch(/does not apply to a payee/);
    await http()
      .put(`/subjects/${director.id}/purposes`)
      .set(as(clerk))
      .send({ purposes: ['payment-record'], notifiedAt: clock.now().toISOString(), relationshipId: payee.body.id })
      .expect(200);
    const purposes = await http().get(`/subjects/${director.id}/purposes`).set(as(clerk)).expect(200);
    expect(purposes.body.purposes.map((p: { purpose: string }) => p.purpose).sort()).toEqual(['payment-record', 'withholding-slip']);
    const payeeList = await bulk({ purpose: 'payment-record', kind: 'payee' });
    expect(payeeList.find((l) => l.type === 'row' && l.subjectId === director.id)).toMatchObject({ number: director.number });

    // the spouse is on the staff and a 配偶者 of the director: one person, one number
    const again = await http()
      .put(`/subjects/${(await person({ kind: 'dependent', employeeId: director.id, number: null })).id}/number`)
      .set(as(clerk))
      .send({
        number: spouseOnStaff.number,
        identityCheck: { numberDocument: 'my-number-card', identityDocuments: ['my-number-card'], checkedAt: clock.now().toISOString() },
      })
      .expect(409);
    expect(again.body.code).toBe('number.on-file-for-another-person');
    const asSpouse = await http()
      .post(`/subjects/${spouseOnStaff.id}/relationships`)
      .set(as(clerk))
      .send({ kind: 'dependent', employeeId: director.id })
      .expect(201);
    await http()
      .put(`/subjects/${spouseOnStaff.id}/purposes`)
      .set(as(clerk))
      .send({ purposes: ['dependents-declaration', 'national-pension-category3'], notifiedAt: clock.now().toISOString(), relationshipId: asSpouse.body.id })
      .expect(200);
    const own = await http().post(`/subjects/${director.id}/relationships`).set(as(clerk)).send({ kind: 'dependent', employeeId: director.id }).expect(400);
    expect(own.body.code).toBe('relationship.own-dependent');

    // the director leaves employment; the rent contract goes on: nothing is due
    await http().patch(`/subjects/${director.id}`).set(as(clerk)).send({ leftAt: '2025-06-30' }).expect(200);
    expect(await explain(director.id)).toMatchObject({ dueOn: null, reason: 'not-left' });
    await at('2026-04-10T10:00:00+09:00');
    await http().patch(`/subjects/${director.id}/relationships/${payee.body.id}`).set(as(clerk)).send({ endedAt: '2026-03-31' }).expect(200);
    const both = await explain(director.id);
    expect(both).toMatchObject({ dueOn: '2027-02-01', rule: 'floor-payee-contract-ended', leftOn: '2026-03-31' });
    expect(both.relationships.map((r: { kind: string; floorDueOn: string }) => [r.kind, r.floorDueOn])).toEqual([
      ['employee', '2026-02-01'],
      ['payee', '2027-02-01'],
    ]);
    // the spouse's number: still employed, so nothing is due although the director left
    expect(await explain(spouseOnStaff.id)).toMatchObject({ dueOn: null, reason: 'not-left' });
  });

  it('open matters: listed for admins, reviewed a year after leaving, confirmed with a reason or closed', async () => {
    await at('2025-06-01T10:00:00+09:00');
    const leaver = await person();
    await http().post(`/subjects/${leaver.id}/filings`).set(as(clerk)).send({ documentType: 'health-pension', submittedAt: '2025-05-20' }).expect(201);
    await http().patch(`/subjects/${leaver.id}`).set(as(clerk)).send({ leftAt: '2025-06-30' }).expect(200);
    const report = await http().get('/retention/open-matters').set(as(admin)).expect(200);
    const mine = report.body.items.find((i: { subject: { id: string } }) => i.subject.id === leaver.id);
    expect(mine).toMatchObject({
      leftOn: '2025-06-30',
      since: '2025-05-20',
      reviewOn: '2026-06-30',
      review: null,
      matters: [{ documentType: 'health-pension', openSince: '2025-05-20' }],
    });
    await http().get('/retention/open-matters').set(as(clerk)).expect(403);

    await at('2026-06-29T10:00:00+09:00');
    await sweep();
    expect(
      (await http().get('/retention/reviews').set(as(admin)).expect(200)).body.items.filter((r: { subjectId: string }) => r.subjectId === leaver.id),
    ).toHaveLength(0);
    await at('2026-06-30T10:00:00+09:00');
    const swept = await sweep();
    expect(swept.body.reviews).toBeGreaterThanOrEqual(1);
    const [review] = (await http().get('/retention/reviews').set(as(admin)).expect(200)).body.items.filter(
      (r: { subjectId: string }) => r.subjectId === leaver.id,
    );
    expect(review).toMatchObject({ status: 'open', dueOn: '2026-06-30' });
    const noReason = await http().post(`/retention/reviews/${review.id}/confirm`).set(as(admin)).send({ reason: '' }).expect(400);
    expect(noReason.body.message.join(' ')).toMatch(/reason is required/);
    await http().post(`/retention/reviews/${review.id}/confirm`).set(as(admin)).send({ reason: '傷病手当金の請求が継続中' }).expect(200);
    await sweep();
    expect(await explain(leaver.id)).toMatchObject({ reviewOn: '2027-06-30', reason: 'matter-open' });

    await at('2027-06-30T10:00:00+09:00');
    await sweep();
    const [second] = (await http().get('/retention/reviews').set(as(admin)).expect(200)).body.items.filter(
      (r: { subjectId: string }) => r.subjectId === leaver.id,
    );
    const tomorrow = await http().post(`/retention/reviews/${second.id}/close`).set(as(admin)).send({ closedAt: '2027-07-01' }).expect(400);
    expect(tomorrow.body.code).toBe('review.closed-in-future');
    await http().post(`/retention/reviews/${second.id}/close`).set(as(admin)).send({ closedAt: '2027-06-15' }).expect(200);
    expect(await explain(leaver.id)).toMatchObject({ dueOn: '2029-06-16', rule: 'health-pension', reviewOn: null });
    const later = await http().get('/retention/open-matters').set(as(admin)).expect(200);
    expect(later.body.items.find((i: { subject: { id: string } }) => i.subject.id === leaver.id)).toBeUndefined();
  });

  it('未提供: requests are recorded with date and means; the year-end list tells not-provided from disposed', async () => {
    await at('2025-05-01T10:00:00+09:00');
    const refuses = await person({ number: null });
    const future = await http()
      .post(`/subjects/${refuses.id}/number-requests`)
      .set(as(clerk))
      .send({ requestedOn: '2025-05-02', means: 'mail', answer: 'refused' })
      .expect(400);
    expect(future.body.code).toBe('number-request.in-future');
    await http()
      .post(`/subjects/${refuses.id}/number-requests`)
      .set(as(clerk))
      .send({ requestedOn: '2025-04-10', means: 'in-person', answer: 'no-answer' })
      .expect(201);
    await http()
      .post(`/subjects/${refuses.id}/number-requests`)
      .set(as(clerk))
      .send({ requestedOn: '2025-04-30', means: 'mail', answer: 'refused', note: '書面で再依頼' })
      .expect(201);
    const requests = await http().get(`/subjects/${refuses.id}/number-requests`).set(as(clerk)).expect(200);
    expect(requests.body.items.map((r: { requestedOn: string; means: string }) => [r.requestedOn, r.means])).toEqual([
      ['2025-04-10', 'in-person'],
      ['2025-04-30', 'mail'],
    ]);
    const gone = await person({ leftAt: '2024-06-30' }); // floor 2025-02-01: due now
    const [alarm] = await owner.query(`SELECT id FROM disposal_alarm WHERE subject_id = $1 AND status = 'open'`, [gone.id]);
    await http().post(`/retention/alarms/${alarm.id}/dispose`).set(as(admin)).send({}).expect(200);
    const never = await person({ number: null });

    const lines = await bulk({ purpose: 'withholding-slip', subjectIds: [refuses.id, gone.id, never.id] });
    const skipped = Object.fromEntries(lines.filter((l) => l.type === 'skipped').map((l) => [l.subjectId, l]));
    expect(skipped[refuses.id]).toMatchObject({ reason: 'not-provided', request: { requestedOn: '2025-04-30', means: 'mail', answer: 'refused' } });
    expect(skipped[gone.id]).toMatchObject({ reason: 'disposed' });
    expect(skipped[never.id]).toMatchObject({ reason: 'no-number' });
    expect((await explain(refuses.id)).notProvided).toBe(true);
  });

  describe('dates are bounded (1900-01-01..2200-12-31) and not in the future where that makes no sense', () => {
    beforeAll(() => at('2025-05-01T10:00:00+09:00'));

    it.each([
      ['leftAt 9999-12-31', () => ({ path: '/subjects', body: { kind: 'employee', code: uniqueCode(), name: '見本', leftAt: '9999-12-31' } })],
      ['hiredAt 1899-12-31', () => ({ path: '/subjects', body: { kind: 'employee', code: uniqueCode(), name: '見本', hiredAt: '1899-12-31' } })],
      ['leftAt 0000-01-01', () => ({ path: '/subjects', body: { kind: 'employee', code: uniqueCode(), name: '見本', leftAt: '0000-01-01' } })],
    ])('%s is refused with date.out-of-range', async (_what, make) => {
      const { path, body } = make();
      const res = await http().post(path).set(as(clerk)).send(body).expect(400);
      expect(res.body.code).toBe('date.out-of-range');
      expect(await owner.query('SELECT 1 FROM subject WHERE code = $1', [body.code])).toHaveLength(0);
    });

    it('every other date field: out of range is refused with its code', async () => {
      const p = await person();
      const cases: [string, string, object][] = [
        ['patch', `/subjects/${p.id}`, { leftAt: '2201-01-01' }],
        ['put', `/subjects/${p.id}/purposes`, { purposes: ['withholding-slip'], notifiedAt: '1899-12-31T23:00:00Z' }],
        ['post', `/subjects/${p.id}/filings`, { documentType: 'health-pension', closedAt: '1800-01-01' }],
        ['post', `/subjects/${p.id}/filings`, { documentType: 'health-pension', submittedAt: '9999-12-31' }],
        ['post', `/subjects/${p.id}/relationships`, { kind: 'payee', endedAt: '9999-12-31' }],
        ['post', `/subjects/${p.id}/number-requests`, { requestedOn: '1000-01-01', means: 'mail', answer: 'refused' }],
        ['post', `/subjects/${p.id}/early-disposal`, { filingsDoneOn: '2300-01-01' }],
        [
          'put',
          `/subjects/${p.id}/number`,
          {
            number: fakeMyNumber(),
            identityCheck: { numberDocument: 'my-number-card', identityDocuments: ['my-number-card'], checkedAt: '2300-01-01T00:00:00Z' },
          },
        ],
      ];
      for (const [method, path, body] of cases) {
        const res = await (http() as unknown as Record<string, (p: string) => request.Test>)[method]!(path).set(as(clerk)).send(body);
        expect([path, res.status, res.body.code]).toEqual([path, 400, 'date.out-of-range']);
      }
      const audit = await signIn(app, ['auditor']);
      const res = await http().get('/audit/entries?from=0001-01-01T00:00:00Z').set(as(audit));
      expect([res.status, res.body.code]).toEqual([400, 'date.out-of-range']);
      const postpone = await http()
        .post(`/retention/alarms/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/postpone`)
        .set(as(admin))
        .send({ until: '2201-01-01', reason: 'x' });
      expect([postpone.status, postpone.body.code]).toEqual([400, 'date.out-of-range']);
    });

    it('a purpose notified tomorrow is not notified (400 purposes.notified-in-future); nothing is stored', async () => {
      const p = await person({ purposes: [] });
      const res = await http()
        .put(`/subjects/${p.id}/purposes`)
        .set(as(clerk))
        .send({ purposes: ['withholding-slip'], notifiedAt: '2025-05-02T09:00:00+09:00' })
        .expect(400);
      expect(res.body.code).toBe('purposes.notified-in-future');
      expect(await owner.query('SELECT 1 FROM subject_purpose WHERE subject_id = $1', [p.id])).toHaveLength(0);
      const closed = await http().post(`/subjects/${p.id}/filings`).set(as(clerk)).send({ documentType: 'health-pension', closedAt: '2025-05-02' }).expect(400);
      expect(closed.body.code).toBe('filing.closed-in-future');
      const checked = await http()
        .put(`/subjects/${p.id}/number`)
        .set(as(clerk))
        .send({
          number: fakeMyNumber(),
          identityCheck: { numberDocument: 'my-number-card', identityDocuments: ['my-number-card'], checkedAt: '2025-05-03T00:00:00+09:00' },
        })
        .expect(400);
      expect(checked.body.code).toBe('identity-check.in-future');
    });
  });
});
