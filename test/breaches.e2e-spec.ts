import { INestApplication } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { once } from 'node:events';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { BREACH_DEADLINES_QUEUE, breachJobId, BreachQueueService } from '../src/breaches/breach-queue.service';
import { ClockService } from '../src/config/clock.service';
import { createTestApp, ownerConnection } from './support/app';
import { dropOwnDatabase, OWN_DATABASE, OWN_DATABASE_URL, prepareOwnDatabase } from './support/own-database';
import { ownRedisPrefix } from './support/own-redis-prefix';
import { signIn, SignedIn } from './support/staff';
import { createSubject } from './support/subjects';

/**
 * 漏えい等報告 (番号法29条の4; issue #19): a clerk's reveals leak; the register finds the 150 people
 * from the trail, says the PPC report duty applies (more than 100), computes 速報 and 確報 deadlines
 * from config/compliance.json, and raises the alarms from the Bull queue (real Redis) on a moved
 * clock, through the alarm webhook. Own database and queue prefix (the clock moves weeks here).
 */
describe('breach register (漏えい等報告)', () => {
  let app: INestApplication;
  let owner: DataSource;
  let clock: ClockService;
  let clerk: SignedIn;
  let otherClerk: SignedIn;
  let admin: SignedIn;
  let hook: Server;
  const received: Record<string, unknown>[] = [];
  const http = () => request(app.getHttpServer());
  const as = (who: SignedIn) => ({ Authorization: `Bearer ${who.token}` });
  const leaked: string[] = [];
  let bystander: string;
  let earlier: string;

  /** Moves the clock (Japan time) and signs the admin in again (sessions follow the clock). */
  async function at(isoJst: string): Promise<void> {
    clock.set(new Date(isoJst));
    admin = await signIn(app, ['admin']);
  }

  async function until(what: string, check: () => Promise<boolean>): Promise<void> {
    for (let i = 0; i < 200; i++) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting until ${what}`);
  }

  const alarmsOf = async (id: string) =>
    (
      (await http().get('/breaches/alarms').set(as(admin)).expect(200)).body.items as { incidentId: string; kind: string; status: string; raisedBy: string }[]
    ).filter((a) => a.incidentId === id);

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(204, { Connection: 'close' }).end();
      });
    }).listen(0, '127.0.0.1');
    await once(hook, 'listening');
    await prepareOwnDatabase();
    app = await createTestApp(OWN_DATABASE, ownRedisPrefix(), { ALARM_WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alarms` });
    owner = await ownerConnection(OWN_DATABASE_URL);
    clock = app.get(ClockService);
    clock.set(new Date('2026-11-30T09:00:00+09:00'));
    clerk = await signIn(app, ['clerk']);
    otherClerk = await signIn(app, ['clerk']);
    admin = await signIn(app, ['admin']);
    // one person revealed the day before the leak window, 150 inside it, one by another clerk
    const early = await createSubject(app, clerk.token);
    await http().post(`/subjects/${early.id}/number/reveal`).set(as(clerk)).send({ purpose: 'withholding-slip' }).expect(200);
    earlier = early.id;
    clock.set(new Date('2026-12-01T09:00:00+09:00'));
    clerk = await signIn(app, ['clerk']);
    otherClerk = await signIn(app, ['clerk']);
    const batch = 10;
    for (let i = 0; i < 150; i += batch) {
      const made = await Promise.all(Array.from({ length: batch }, () => createSubject(app, clerk.token)));
      leaked.push(...made.map((s) => s.id));
    }
    await http().post(`/subjects/${earlier}/number/reveal`).set(as(otherClerk)).send({ purpose: 'withholding-slip' }).expect(200);
    const other = await createSubject(app, clerk.token);
    bystander = other.id;
    await http().post(`/subjects/${other.id}/number/reveal`).set(as(otherClerk)).send({ purpose: 'withholding-slip' }).expect(200);
    // the leak: the clerk's bulk export of the 150 (one trail entry per person)
    await http().post('/reveals').set(as(clerk)).send({ purpose: 'withholding-slip', subjectIds: leaked }).expect(200);
  }, 300_000);

  afterAll(async () => {
    clock?.reset();
    await owner?.destroy();
    await app?.close();
    await dropOwnDatabase();
    hook?.closeAllConnections();
    await new Promise((r) => hook?.close(r));
  });

  it('150 people from the trail: the duty applies, 速報 by day 5 and 確報 by day 30, alarms from the queue, reports recorded, then closed', async () => {
    await at('2026-12-01T15:00:00+09:00');
    const opened = await http()
      .post('/breaches')
      .set(as(admin))
      .send({
        title: '担当者のノートPCの紛失',
        category: 'loss',
        summary: '担当者が一括取得した一覧を保存したノートPCを紛失した',
        discoveredAt: '2026-12-01T14:30:00+09:00',
        occurredFrom: '2026-12-01T09:00:00+09:00',
        report: { cause: 'ノートPCの持出し', prevention: '持出しの禁止を徹底' },
      })
      .expect(201);
    const id = opened.body.id as string;
    expect(opened.body).toMatchObject({ affectedCount: 0, duty: { applies: false, triggers: [] }, deadlines: { preliminaryState: 'not-required' } });
    expect(await app.get(BreachQueueService).scheduled(id, 'preliminary')).toBeNull();

    const added = await http()
      .post(`/breaches/${id}/affected`)
      .set(as(admin))
      .send({ source: 'reveals', actorId: clerk.userId, from: '2026-12-01T00:00:00+09:00', to: '2026-12-01T15:00:00+09:00' })
      .expect(200);
    expect(added.body).toMatchObject({ added: 150, affectedCount: 150, duty: { applies: true, threshold: 100 } });
    expect(added.body.duty.triggers.map((t: { code: string }) => t.code)).toEqual(['over-threshold']);
    // adding the same range again adds nobody
    const again = await http()
      .post(`/breaches/${id}/affected`)
      .set(as(admin))
      .send({ source: 'reveals', actorId: clerk.userId, from: '2026-12-01T00:00:00+09:00', to: '2026-12-01T15:00:00+09:00' })
      .expect(200);
    expect(again.body).toMatchObject({ added: 0, affectedCount: 150 });

    const listed: string[] = [];
    let after: string | null = null;
    do {
      const page: { body: { items: { subjectId: string; source: string }[]; nextCursor: string | null } } = await http()
        .get(`/breaches/${id}/affected`)
        .query({ limit: 100, ...(after ? { after } : {}) })
        .set(as(admin))
        .expect(200);
      listed.push(...page.body.items.map((i) => i.subjectId));
      after = page.body.nextCursor;
    } while (after);
    expect(listed.sort()).toEqual([...leaked].sort());
    expect(listed).not.toContain(bystander); // another clerk's reveal
    expect(listed).not.toContain(earlier); // before the window

    const view = (await http().get(`/breaches/${id}`).set(as(admin)).expect(200)).body;
    expect(view.deadlines).toMatchObject({
      discoveredOn: '2026-12-01',
      preliminary: { label: '速報', alarmAt: '2026-12-03T15:00:00.000Z', dueOn: '2026-12-06' },
      final: { label: '確報', days: 30, dueOn: '2026-12-31', alarmAt: '2026-12-23T15:00:00.000Z' },
      preliminaryState: 'pending',
      finalState: 'pending',
    });
    expect(view.deadlines.final.basis).toMatch(/30日以内/);
    expect(view.affectedBySource).toEqual({ reveals: 150 });
    const queue = app.get<Queue>(getQueueToken(BREACH_DEADLINES_QUEUE));
    const job = await app.get(BreachQueueService).scheduled(id, 'preliminary');
    expect(job).toMatchObject({ state: 'delayed' });
    expect(Math.abs(job!.delay - (Date.parse('2026-12-04T00:00:00+09:00') - Date.parse('2026-12-01T15:00:00+09:00')))).toBeLessThan(5 * 60_000);

    // day 3, 00:00 Japan time: the delayed job runs (promoted: Bull's delay is real time, the clock is moved)
    await at('2026-12-04T00:00:05+09:00');
    expect(await alarmsOf(id)).toEqual([]);
    await (await queue.getJob(breachJobId(id, 'preliminary')))!.promote();
    await until('the 速報 alarm opens', async () => (await alarmsOf(id)).length === 1);
    expect(await alarmsOf(id)).toMatchObject([{ kind: 'preliminary', status: 'open', raisedBy: 'queue' }]);
    await until('the webhook hears of it', async () => received.some((n) => n.incidentId === id));
    expect(received.find((n) => n.incidentId === id)).toMatchObject({
      event: 'breach-deadline.alarm',
      report: 'preliminary',
      dueAt: '2026-12-06T14:59:59.999Z',
    });
    expect((await http().get(`/breaches/${id}`).set(as(admin)).expect(200)).body.deadlines.preliminaryState).toBe('alarm');
    // a repeated job or sweep raises nothing more
    expect((await http().post('/breaches/sweep').set(as(admin)).expect(200)).body.raised).toBe(0);

    const early = await http()
      .post(`/breaches/${id}/reports`)
      .set(as(admin))
      .send({ kind: 'preliminary', sentAt: '2026-12-05T10:00:00+09:00', means: 'PPC 報告フォーム' })
      .expect(400);
    expect(early.body.code).toBe('breach.sent-in-future');
    await http()
      .post(`/breaches/${id}/reports`)
      .set(as(admin))
      .send({ kind: 'preliminary', sentAt: '2026-12-03T18:00:00+09:00', means: 'PPC 報告フォーム', reference: 'uketsuke-abc' })
      .expect(201);
    const twice = await http()
      .post(`/breaches/${id}/reports`)
      .set(as(admin))
      .send({ kind: 'preliminary', sentAt: '2026-12-03T18:00:00+09:00', means: 'x' })
      .expect(409);
    expect(twice.body.code).toBe('breach.report-recorded');
    expect(await alarmsOf(id)).toMatchObject([{ kind: 'preliminary', status: 'resolved' }]);
    expect(await app.get(BreachQueueService).scheduled(id, 'preliminary')).toBeNull();

    // 7 days before the 確報 deadline
    await at('2026-12-24T00:00:05+09:00');
    await (await queue.getJob(breachJobId(id, 'final')))!.promote();
    await until('the 確報 alarm opens', async () => (await alarmsOf(id)).some((a) => a.kind === 'final'));
    expect((await alarmsOf(id)).find((a) => a.kind === 'final')).toMatchObject({ status: 'open', raisedBy: 'queue' });
    await until('the webhook hears of the 確報', async () => received.some((n) => n.incidentId === id && n.report === 'final'));

    // past the deadline: overdue, and it cannot be closed without the 確報
    await at('2027-01-01T09:00:00+09:00');
    expect((await http().get(`/breaches/${id}`).set(as(admin)).expect(200)).body.deadlines.finalState).toBe('overdue');
    const closing = await http().patch(`/breaches/${id}`).set(as(admin)).send({ status: 'closed' }).expect(409);
    expect(closing.body.code).toBe('breach.final-report-missing');
    await http()
      .post(`/breaches/${id}/reports`)
      .set(as(admin))
      .send({ kind: 'final', sentAt: '2027-01-01T08:00:00+09:00', means: 'PPC 報告フォーム' })
      .expect(201);
    await http().post(`/breaches/${id}/reports`).set(as(admin)).send({ kind: 'people-notice', sentAt: '2027-01-01T08:30:00+09:00', means: '書面' }).expect(201);
    const closed = await http().patch(`/breaches/${id}`).set(as(admin)).send({ status: 'closed' }).expect(200);
    expect(closed.body).toMatchObject({ status: 'closed', deadlines: { preliminaryState: 'reported', finalState: 'reported' } });
    expect(closed.body.alarms.every((a: { status: string }) => a.status === 'resolved')).toBe(true);
    const afterClose = await http().post(`/breaches/${id}/affected`).set(as(admin)).send({ source: 'on-file' }).expect(409);
    expect(afterClose.body.code).toBe('breach.closed');

    // the report's items in the PPC form's order, with the count; no number-like digit run anywhere
    const text = (await http().get(`/breaches/${id}/report`).query({ format: 'text' }).set(as(admin)).expect(200)).text;
    expect(text).toMatch(/^特定個人情報の漏えい等に関する報告/);
    const order = ['1. 概要', '2. 漏えい等が発生し', '3. 漏えい等が発生し', '4. 原因', '5. 二次被害', '6. 本人への対応', '7. 公表', '8. 再発防止', '9. その他'];
    const positions = order.map((h) => text.indexOf(h));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(text).toContain('150人');
    expect(text).toContain('ノートPCの持出し');
    expect(text).not.toMatch(/\d{12}/);
    const notice = (await http().get(`/breaches/${id}/notice`).set(as(admin)).expect(200)).body;
    expect(notice.items.map((i: { code: string }) => i.code)).toEqual(['summary', 'items', 'cause', 'secondary-damage', 'other']);

    // the trail: opened, people added (with the count), alarms raised by the queue, reports
    const trail: { action: string; details: Record<string, unknown> }[] = await owner.query(
      `SELECT action, details FROM audit_entry WHERE action LIKE 'breach.%' AND details->>'incidentId' = $1 ORDER BY seq`,
      [id],
    );
    expect(trail.map((e) => e.action)).toEqual([
      'breach.opened',
      'breach.affected-added',
      'breach.affected-added',
      'breach.alarm-raised',
      'breach.report-recorded',
      'breach.alarm-raised',
      'breach.report-recorded',
      'breach.report-recorded',
      'breach.updated',
    ]);
    expect(trail[1]!.details).toMatchObject({ source: 'reveals', added: 150, actorId: clerk.userId });
    expect(trail.filter((e) => e.action === 'breach.report-recorded').map((e) => e.details.late)).toEqual([false, true, false]);
  });

  it('one person is enough when an unlawful purpose is suspected: 確報 within 60 days; the sweep raises what the queue missed', async () => {
    await at('2026-12-01T15:00:00+09:00');
    const opened = await http()
      .post('/breaches')
      .set(as(admin))
      .send({
        title: '不正な持出し',
        category: 'leak',
        summary: '退職予定者による持出しのおそれ',
        discoveredAt: '2026-12-01T12:00:00+09:00',
        unlawfulPurpose: true,
      })
      .expect(201);
    const id = opened.body.id as string;
    expect(opened.body.duty.triggers.map((t: { code: string }) => t.code)).toEqual(['unlawful-purpose']);
    expect(opened.body.deadlines.final).toMatchObject({ days: 60, dueOn: '2027-01-30', unlawfulPurpose: true });
    await http()
      .post(`/breaches/${id}/affected`)
      .set(as(admin))
      .send({ source: 'listed', subjectIds: [bystander] })
      .expect(200);
    const unknown = await http()
      .post(`/breaches/${id}/affected`)
      .set(as(admin))
      .send({ source: 'listed', subjectIds: ['00000000-0000-4000-8000-000000000000'] })
      .expect(400);
    expect(unknown.body.code).toBe('breach.unknown-people');
    // named by their codes (the console's form); a code that is nobody adds nobody, and is named
    const [{ code: earlierCode }] = await owner.query('SELECT code FROM subject WHERE id = $1', [earlier]);
    const byCode = await http()
      .post(`/breaches/${id}/affected`)
      .set(as(admin))
      .send({ source: 'listed', subjectCodes: [earlierCode] })
      .expect(200);
    expect(byCode.body).toMatchObject({ added: 1, affectedCount: 2 });
    const [row] = await owner.query(`SELECT source FROM breach_affected WHERE incident_id = $1 AND subject_id = $2`, [id, earlier]);
    expect(row.source).toBe('listed');
    const unknownCode = await http()
      .post(`/breaches/${id}/affected`)
      .set(as(admin))
      .send({ source: 'listed', subjectCodes: [earlierCode, 'NOBODY-0001'] })
      .expect(400);
    expect(unknownCode.body).toMatchObject({ code: 'breach.unknown-people', params: { n: 1, codes: 'NOBODY-0001' } });
    const numberLikeCode = await http()
      .post(`/breaches/${id}/affected`)
      .set(as(admin))
      .send({ source: 'listed', subjectCodes: ['123456789018'] })
      .expect(400);
    expect(numberLikeCode.body.code).toBe('input.number-like');
    expect(JSON.stringify(numberLikeCode.body)).not.toContain('123456789018');
    const neither = await http().post(`/breaches/${id}/affected`).set(as(admin)).send({ source: 'listed' }).expect(400);
    expect(neither.body.code).toBe('validation.failed');
    expect((await http().get(`/breaches/${id}`).set(as(admin)).expect(200)).body.affectedCount).toBe(2);

    // Redis "lost" the job: the sweep raises it (idempotent with the queue)
    await app.get(BreachQueueService).schedule({ incidentId: id, kind: 'preliminary' }, null);
    await at('2026-12-04T09:00:00+09:00');
    expect((await http().post('/breaches/sweep').set(as(admin)).expect(200)).body.raised).toBeGreaterThanOrEqual(1);
    expect(await alarmsOf(id)).toMatchObject([{ kind: 'preliminary', status: 'open', raisedBy: 'manual' }]);
    // a 確報 answers both
    await http()
      .post(`/breaches/${id}/reports`)
      .set(as(admin))
      .send({ kind: 'final', sentAt: '2026-12-04T08:00:00+09:00', means: 'PPC 報告フォーム' })
      .expect(201);
    const view = (await http().get(`/breaches/${id}`).set(as(admin)).expect(200)).body;
    expect(view.deadlines).toMatchObject({ preliminaryState: 'reported', finalState: 'reported' });
    expect(view.alarms).toMatchObject([{ kind: 'preliminary', status: 'resolved' }]);
  });

  it('refuses what makes no sense, with codes; clerks cannot open or read the register', async () => {
    await at('2026-12-10T10:00:00+09:00');
    const base = { title: 't', category: 'leak', summary: 's' };
    const future = await http()
      .post('/breaches')
      .set(as(admin))
      .send({ ...base, discoveredAt: '2026-12-11T10:00:00+09:00' })
      .expect(400);
    expect(future.body.code).toBe('breach.discovered-in-future');
    const range = await http()
      .post('/breaches')
      .set(as(admin))
      .send({ ...base, discoveredAt: '2026-12-10T09:00:00+09:00', occurredFrom: '2026-12-09T00:00:00Z', occurredUntil: '2026-12-08T00:00:00Z' })
      .expect(400);
    expect(range.body.code).toBe('breach.occurred-range');
    const numberLike = await http()
      .post('/breaches')
      .set(as(admin))
      .send({ ...base, summary: '番号 1234 5678 9012 が漏えい', discoveredAt: '2026-12-10T09:00:00+09:00' })
      .expect(400);
    expect(numberLike.body.code).toBe('input.number-like');
    const ok = await http()
      .post('/breaches')
      .set(as(admin))
      .send({ ...base, discoveredAt: '2026-12-10T09:00:00+09:00' })
      .expect(201);
    const backwards = await http()
      .post(`/breaches/${ok.body.id}/affected`)
      .set(as(admin))
      .send({ source: 'reveals', from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' })
      .expect(400);
    expect(backwards.body.code).toBe('breach.range');
    const before = await http()
      .post(`/breaches/${ok.body.id}/reports`)
      .set(as(admin))
      .send({ kind: 'preliminary', sentAt: '2026-12-09T00:00:00Z', means: 'x' })
      .expect(400);
    expect(before.body.code).toBe('breach.sent-before-discovery');
    const missing = await http().get('/breaches/00000000-0000-4000-8000-000000000000').set(as(admin)).expect(404);
    expect(missing.body.code).toBe('breach.not-found');
    const c = await signIn(app, ['clerk']);
    await http().post('/breaches').set(as(c)).send(base).expect(403);
    await http().get('/breaches').set(as(c)).expect(403);
    const auditor = await signIn(app, ['auditor']);
    expect((await http().get('/breaches').set(as(auditor)).expect(200)).body.items.length).toBeGreaterThanOrEqual(3);
    await http().post('/breaches').set(as(auditor)).send(base).expect(403);
  });
});
