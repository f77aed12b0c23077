import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ClockService } from '../src/config/clock.service';
import { createTestApp, ownerConnection } from './support/app';
import { RELAXED_LOGIN_RATE_LIMIT } from './support/relaxed-login-rate-limit';
import { dropOwnDatabase, OWN_DATABASE, OWN_DATABASE_URL, prepareOwnDatabase } from './support/own-database';
import { createAccount, firstLogin } from './support/login-flow';
import { signIn, SignedIn } from './support/staff';
import { createSubject } from './support/subjects';

/**
 * 事務取扱責任者 (issue #19): four eyes on disposal and on new clerks. Its own database: the
 * four-eyes policy applies to the whole vault and must not reach specs running in parallel.
 */
describe('responsible person: four-eyes approvals', () => {
  let app: INestApplication;
  let owner: DataSource;
  let clerk: SignedIn;
  let admin: SignedIn;
  let responsible: SignedIn;
  /** Both admin and responsible: may ask and approve, never both for the same request. */
  let adminResponsible: SignedIn;
  let auditor: SignedIn;
  const http = () => request(app.getHttpServer());
  const as = (who: SignedIn | { token: string }) => ({ Authorization: `Bearer ${who.token}` });

  async function dueAlarm(): Promise<{ alarmId: string; subjectId: string }> {
    const s = await createSubject(app, clerk.token);
    await http().patch(`/subjects/${s.id}`).set(as(clerk)).send({ leftAt: '2039-09-30' }).expect(200);
    await http().post('/retention/sweep').set(as(admin)).expect(200);
    const [alarm] = await owner.query(`SELECT id FROM disposal_alarm WHERE subject_id = $1 AND status = 'open'`, [s.id]);
    expect(alarm).toBeDefined();
    return { alarmId: alarm.id, subjectId: s.id };
  }
  const numberOnFile = async (subjectId: string) => (await owner.query('SELECT 1 FROM subject_number WHERE subject_id = $1', [subjectId])).length === 1;

  beforeAll(async () => {
    await prepareOwnDatabase();
    app = await createTestApp(RELAXED_LOGIN_RATE_LIMIT, OWN_DATABASE);
    owner = await ownerConnection(OWN_DATABASE_URL);
    app.get(ClockService).set(new Date('2041-04-01T10:00:00+09:00'));
    clerk = await signIn(app, ['clerk']);
    admin = await signIn(app, ['admin']);
    responsible = await signIn(app, ['responsible']);
    adminResponsible = await signIn(app, ['admin', 'responsible']);
    auditor = await signIn(app, ['auditor']);
  });

  afterAll(async () => {
    await owner?.destroy();
    await app?.close();
    await dropOwnDatabase();
  });

  it('before a policy is set up, an admin disposes alone and the trail says so', async () => {
    const policy = await http().get('/approvals/policy').set(as(auditor)).expect(200);
    expect(policy.body.fourEyes).toBe('not-set');
    const { alarmId } = await dueAlarm();
    const res = await http().post(`/retention/alarms/${alarmId}/dispose`).set(as(admin)).send({}).expect(200);
    expect(res.body).toMatchObject({ disposedBy: admin.userId, approvedBy: admin.userId });
    const [entry] = await owner.query(`SELECT details FROM audit_entry WHERE action = 'number.disposed' AND details->>'alarmId' = $1`, [alarmId]);
    expect(entry.details.fourEyes).toBe('not-configured');
  });

  it('only the responsible person sets the policy; a waiver needs a reason', async () => {
    await http().put('/approvals/policy').set(as(admin)).send({ fourEyes: 'required' }).expect(403);
    const noReason = await http().put('/approvals/policy').set(as(responsible)).send({ fourEyes: 'waived' }).expect(400);
    expect(String(noReason.body.message)).toMatch(/reason is required when four eyes are waived/);
    const res = await http().put('/approvals/policy').set(as(responsible)).send({ fourEyes: 'required' }).expect(200);
    expect(res.body).toMatchObject({ fourEyes: 'required', setBy: responsible.username });
  });

  it('a disposal waits for a second person: the one who asked is refused, another responsible person approves', async () => {
    const { alarmId, subjectId } = await dueAlarm();
    const asked = await http().post(`/retention/alarms/${alarmId}/dispose`).set(as(adminResponsible)).send({ note: 'Year-end' }).expect(202);
    expect(asked.body).toMatchObject({ status: 'pending-approval', kind: 'disposal' });
    expect(await numberOnFile(subjectId)).toBe(true);
    // asking twice gives the same request
    const again = await http().post(`/retention/alarms/${alarmId}/dispose`).set(as(adminResponsible)).send({}).expect(202);
    expect(again.body.approvalId).toBe(asked.body.approvalId);

    const inbox = await http().get('/approvals').set(as(responsible)).expect(200);
    expect(inbox.body.requests.map((r: { id: string }) => r.id)).toContain(asked.body.approvalId);

    // the same person may not approve their own request
    const self = await http().post(`/approvals/${asked.body.approvalId}/approve`).set(as(adminResponsible)).send({}).expect(403);
    expect(self.body.code).toBe('approval.same-person');
    expect(await numberOnFile(subjectId)).toBe(true);
    const [refusal] = await owner.query(
      `SELECT actor_id, outcome, details FROM audit_entry WHERE action = 'approval.refused' AND details->>'approvalId' = $1`,
      [asked.body.approvalId],
    );
    expect(refusal).toMatchObject({ actor_id: adminResponsible.userId, outcome: 'refused', details: { reason: 'same-person' } });
    // an admin without the responsible role cannot approve at all
    await http().post(`/approvals/${asked.body.approvalId}/approve`).set(as(admin)).send({}).expect(403);

    const approved = await http().post(`/approvals/${asked.body.approvalId}/approve`).set(as(responsible)).send({ note: 'Checked the filings' }).expect(200);
    expect(approved.body.approval).toMatchObject({ status: 'approved', decidedBy: responsible.userId, selfApproved: false });
    expect(approved.body.result).toMatchObject({ disposedBy: adminResponsible.userId, approvedBy: responsible.userId, note: 'Year-end' });
    expect(await numberOnFile(subjectId)).toBe(false);
    const [record] = await owner.query(`SELECT disposed_by, approved_by FROM disposal_record WHERE alarm_id = $1`, [alarmId]);
    expect(record).toEqual({ disposed_by: adminResponsible.userId, approved_by: responsible.userId });
    const [entry] = await owner.query(`SELECT details FROM audit_entry WHERE action = 'number.disposed' AND details->>'alarmId' = $1`, [alarmId]);
    expect(entry.details).toMatchObject({ fourEyes: 'approved', approvedBy: responsible.userId, approvalId: asked.body.approvalId });

    // decided once
    const twice = await http().post(`/approvals/${asked.body.approvalId}/approve`).set(as(responsible)).send({}).expect(409);
    expect(twice.body.code).toBe('approval.decided');
  });

  it('a declined disposal leaves the number and the alarm as they were', async () => {
    const { alarmId, subjectId } = await dueAlarm();
    const asked = await http().post(`/retention/alarms/${alarmId}/dispose`).set(as(admin)).send({}).expect(202);
    await http().post(`/approvals/${asked.body.approvalId}/decline`).set(as(responsible)).send({ note: 'Pending tax audit' }).expect(200);
    expect(await numberOnFile(subjectId)).toBe(true);
    const [alarm] = await owner.query(`SELECT status FROM disposal_alarm WHERE id = $1`, [alarmId]);
    expect(alarm.status).toBe('open');
  });

  it('a batch disposal without the listed alarms is refused before anyone is asked to approve it (issue #22)', async () => {
    const { alarmId, subjectId } = await dueAlarm();
    const [{ n: before }] = await owner.query(`SELECT count(*)::int AS n FROM approval_request WHERE kind = 'disposal-batch'`);
    const res = await http().post('/retention/alarms/dispose-all').set(as(admin)).send({ note: 'Year-end' }).expect(400);
    expect(res.body.code).toBe('disposal.alarm-ids-required');
    const [{ n: after }] = await owner.query(`SELECT count(*)::int AS n FROM approval_request WHERE kind = 'disposal-batch'`);
    expect(after).toBe(before);
    const listed = await http()
      .post('/retention/alarms/dispose-all')
      .set(as(admin))
      .send({ alarmIds: [alarmId] })
      .expect(202);
    expect(listed.body).toMatchObject({ status: 'pending-approval', kind: 'disposal-batch' });
    await http().post(`/approvals/${listed.body.approvalId}/decline`).set(as(responsible)).send({ note: 'Not this year' }).expect(200);
    expect(await numberOnFile(subjectId)).toBe(true);
  });

  it('a new clerk waits for the responsible person, who cannot approve a clerk they asked for', async () => {
    const account = await createAccount(app, admin.token, ['clerk']);
    const listed = await http().get(`/users/${account.id}`).set(as(admin)).expect(200);
    expect(listed.body).toMatchObject({ roles: [], pendingRoles: ['clerk'] });
    const session = await firstLogin(app, account);
    await http().get('/subjects').set(as(session)).expect(403);

    const inbox = await http().get('/approvals').set(as(responsible)).expect(200);
    expect(inbox.body.accounts.map((a: { id: string }) => a.id)).toContain(account.id);

    const own = await createAccount(app, adminResponsible.token, ['clerk']);
    const self = await http().post(`/approvals/accounts/${own.id}/approve`).set(as(adminResponsible)).send({}).expect(403);
    expect(self.body.code).toBe('approval.same-person');

    const ok = await http().post(`/approvals/accounts/${account.id}/approve`).set(as(adminResponsible)).send({}).expect(200);
    expect(ok.body).toMatchObject({ roles: ['clerk'], pendingRoles: [] });
    await http().get('/subjects').set(as(session)).expect(200);
    await http().post(`/approvals/accounts/${own.id}/decline`).set(as(responsible)).send({}).expect(200);
    expect((await http().get(`/users/${own.id}`).set(as(admin)).expect(200)).body).toMatchObject({ roles: [], pendingRoles: [] });
  });

  it('an early disposal is decided by the responsible person while four eyes are required', async () => {
    const s = await createSubject(app, clerk.token);
    await http().patch(`/subjects/${s.id}`).set(as(clerk)).send({ leftAt: '2041-03-15' }).expect(200);
    const asked = await http().post(`/subjects/${s.id}/early-disposal`).set(as(clerk)).send({ filingsDoneOn: '2041-03-20' }).expect(201);
    const refused = await http().post(`/retention/early-disposals/${asked.body.id}/approve`).set(as(admin)).send({}).expect(403);
    expect(refused.body.code).toBe('early-disposal.needs-responsible');
    await http().post(`/retention/early-disposals/${asked.body.id}/approve`).set(as(responsible)).send({}).expect(200);
  });

  it('a company too small for two people waives four eyes with a reason; auditors see it flagged', async () => {
    await http().put('/approvals/policy').set(as(adminResponsible)).send({ fourEyes: 'waived', reason: 'One person runs payroll' }).expect(200);
    const { alarmId } = await dueAlarm();
    const res = await http().post(`/retention/alarms/${alarmId}/dispose`).set(as(adminResponsible)).send({}).expect(200);
    expect(res.body).toMatchObject({ disposedBy: adminResponsible.userId, approvedBy: adminResponsible.userId });
    const to = new Date(app.get(ClockService).now().getTime() + 60_000).toISOString();
    const alerts = await http().get(`/audit/alerts?to=${to}`).set(as(auditor)).expect(200);
    const flagged = alerts.body.items.filter((a: { type: string }) => a.type === 'four-eyes-waived');
    expect(flagged.map((a: { actorId: string }) => a.actorId)).toContain(adminResponsible.userId);
    const policy = await http().get('/approvals/policy').set(as(auditor)).expect(200);
    expect(policy.body).toMatchObject({ fourEyes: 'waived', reason: 'One person runs payroll' });
  });
});
