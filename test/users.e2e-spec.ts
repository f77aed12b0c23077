import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ClockService } from '../src/config/clock.service';
import { createTestApp, ownerConnection } from './support/app';
import { RELAXED_LOGIN_RATE_LIMIT } from './support/relaxed-login-rate-limit';
import { dropOwnDatabase, OWN_DATABASE, OWN_DATABASE_URL, prepareOwnDatabase } from './support/own-database';
import { createAccount, firstLogin } from './support/login-flow';
import { signIn, SignedIn, uniqueUsername } from './support/staff';

describe('staff accounts (admin)', () => {
  let app: INestApplication;
  let owner: DataSource;
  let admin: SignedIn;
  const http = () => request(app.getHttpServer());
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const activeAdmins = async (): Promise<string[]> =>
    (await owner.query(`SELECT id FROM staff_user WHERE status = 'active' AND 'admin' = ANY (roles)`)).map((r: { id: string }) => r.id);
  /** Leaves `keep` as the only active admin (this spec has a database of its own, so no other spec is disturbed). */
  const onlyAdmin = async (keep: string) =>
    owner.query(`UPDATE staff_user SET roles = array_remove(roles, 'admin') WHERE id <> $1 AND 'admin' = ANY (roles)`, [keep]);

  beforeAll(async () => {
    await prepareOwnDatabase();
    app = await createTestApp(RELAXED_LOGIN_RATE_LIMIT, OWN_DATABASE);
    owner = await ownerConnection(OWN_DATABASE_URL);
    admin = await signIn(app, ['admin']);
  });

  afterAll(async () => {
    await owner?.destroy();
    await app?.close();
    await dropOwnDatabase();
  });

  it('creates an account with a one-time password (audited, no-store), lower-cases the username, refuses duplicates', async () => {
    const username = uniqueUsername('New');
    const res = await http()
      .post('/users')
      .set(bearer(admin.token))
      .send({ username: `  ${username}  `, displayName: '佐藤 花子', roles: ['auditor', 'admin'] })
      .expect(201);
    expect(res.body).toEqual({ id: expect.any(String), username: username.toLowerCase(), initialPassword: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/) });
    expect(res.headers['cache-control']).toBe('no-store');
    await http()
      .post('/users')
      .set(bearer(admin.token))
      .send({ username: username.toUpperCase(), displayName: 'x', roles: ['clerk'] })
      .expect(409);
    const [entry] = await owner.query(`SELECT actor_id, details FROM audit_entry WHERE action = 'user.created' AND details->>'userId' = $1`, [res.body.id]);
    expect(entry).toMatchObject({ actor_id: admin.userId, details: { username: username.toLowerCase(), roles: ['auditor', 'admin'], via: 'api' } });
    expect(JSON.stringify(entry)).not.toContain(res.body.initialPassword);
  });

  it.each([
    ['digits only', '12345678'],
    ['too short', 'ab'],
    ['starts with a digit', '1abc'],
    ['spaces inside', 'sato hanako'],
    ['non-ASCII', 'さとう'],
    ['too long', 'a'.repeat(33)],
    ['at sign', 'sato@example'],
  ])('refuses a username that is %s', async (_why, username) => {
    const res = await http()
      .post('/users')
      .set(bearer(admin.token))
      .send({ username, displayName: 'x', roles: ['clerk'] })
      .expect(400);
    expect(res.body.message.join(' ')).toMatch(/username/);
  });

  it('refuses unknown roles and an empty role list', async () => {
    await http()
      .post('/users')
      .set(bearer(admin.token))
      .send({ username: uniqueUsername(), displayName: 'x', roles: ['root'] })
      .expect(400);
    await http().post('/users').set(bearer(admin.token)).send({ username: uniqueUsername(), displayName: 'x', roles: [] }).expect(400);
  });

  it('the inventory shows roles, status, last login, second factor, training and the dormant flag', async () => {
    const fresh = await createAccount(app, admin.token, ['clerk']);
    const clerk = await signIn(app, ['clerk']);
    const untrained = await signIn(app, ['clerk'], { acknowledgeTraining: false });
    const list = async (token = admin.token) => {
      const items: Record<string, unknown>[] = [];
      let cursor: string | undefined;
      do {
        const page = await http()
          .get('/users')
          .query({ limit: 3, ...(cursor ? { cursor } : {}) })
          .set(bearer(token))
          .expect(200);
        items.push(...page.body.items);
        cursor = page.body.nextCursor ?? undefined;
      } while (cursor);
      return new Map(items.map((i) => [i.id as string, i]));
    };
    let inventory = await list();
    expect(inventory.get(fresh.id)).toMatchObject({
      roles: ['clerk'],
      status: 'active',
      lastLoginAt: null,
      totpEnrolled: false,
      trainingCurrent: false,
      dormant: false,
      mustChangePassword: true,
    });
    expect(inventory.get(clerk.userId)).toMatchObject({ totpEnrolled: true, trainingCurrent: true, lastLoginAt: expect.any(String), dormant: false });
    expect(inventory.get(untrained.userId)).toMatchObject({ trainingCurrent: false, trainingAcknowledgedAt: null });
    for (const item of inventory.values()) {
      expect(Object.keys(item)).not.toEqual(expect.arrayContaining(['passwordHash']));
      expect(JSON.stringify(item)).not.toMatch(/argon2|totpCiphertext/);
    }
    // 91 days later (DORMANT_DAYS = 90) every account that has not logged in since is flagged, training is still current
    const clock = app.get(ClockService);
    clock.advance(91 * 24 * 3600_000);
    try {
      const fresher = await signIn(app, ['admin']); // sessions from before are long gone
      inventory = await list(fresher.token);
      expect(inventory.get(clerk.userId)).toMatchObject({ dormant: true });
      expect(inventory.get(fresh.id)).toMatchObject({ dormant: true });
      expect(inventory.get(fresher.userId)).toMatchObject({ dormant: false });
      // after TRAINING_VALID_MONTHS (12) the acknowledgement lapses
      clock.advance(280 * 24 * 3600_000);
      inventory = await list((await signIn(app, ['admin'])).token);
      expect(inventory.get(clerk.userId)).toMatchObject({ trainingCurrent: false });
    } finally {
      clock.reset();
    }
    const deactivatedOnly = await http().get('/users').query({ status: 'deactivated' }).set(bearer(admin.token)).expect(200);
    for (const item of deactivatedOnly.body.items) expect(item.status).toBe('deactivated');
  });

  it('changes roles (audited, effective on the next request) and display name', async () => {
    const clerk = await signIn(app, ['clerk']);
    await http().get('/users').set(bearer(clerk.token)).expect(403);
    const res = await http()
      .patch(`/users/${clerk.userId}`)
      .set(bearer(admin.token))
      .send({ roles: ['clerk', 'responsible'], displayName: '新しい名前' })
      .expect(200);
    expect(res.body).toMatchObject({ roles: ['clerk', 'responsible'], displayName: '新しい名前' });
    await http()
      .patch(`/users/${clerk.userId}`)
      .set(bearer(admin.token))
      .send({ roles: ['auditor', 'admin'] })
      .expect(200);
    await http().get('/users').set(bearer(clerk.token)).expect(200);
    await http()
      .patch(`/users/${clerk.userId}`)
      .set(bearer(admin.token))
      .send({ roles: ['auditor'] })
      .expect(200);
    await http().get('/users').set(bearer(clerk.token)).expect(403);
    const changes = await owner.query(`SELECT details FROM audit_entry WHERE action = 'user.roles-changed' AND details->>'userId' = $1 ORDER BY seq`, [
      clerk.userId,
    ]);
    expect(changes.map((c: { details: { from: string[]; to: string[] } }) => [c.details.from, c.details.to])).toEqual([
      [['clerk'], ['clerk', 'responsible']],
      [
        ['clerk', 'responsible'],
        ['auditor', 'admin'],
      ],
      [['auditor', 'admin'], ['auditor']],
    ]);
    await http().patch(`/users/00000000-0000-4000-8000-000000000000`).set(bearer(admin.token)).send({ displayName: 'x' }).expect(404);
    await http().patch(`/users/not-a-uuid`).set(bearer(admin.token)).send({ displayName: 'x' }).expect(400);
  });

  it('deactivation needs a reason, is final and audited; a deactivated account cannot be changed', async () => {
    const clerk = await signIn(app, ['clerk']);
    await http().post(`/users/${clerk.userId}/deactivate`).set(bearer(admin.token)).send({}).expect(400);
    await http().post(`/users/${clerk.userId}/deactivate`).set(bearer(admin.token)).send({ reason: 'Moved to sales on 2026-04-01' }).expect(204);
    await http().get('/me').set(bearer(clerk.token)).expect(401);
    await http().post(`/users/${clerk.userId}/deactivate`).set(bearer(admin.token)).send({ reason: 'again' }).expect(409);
    await http()
      .patch(`/users/${clerk.userId}`)
      .set(bearer(admin.token))
      .send({ roles: ['clerk'] })
      .expect(409);
    const account = (await http().get(`/users/${clerk.userId}`).set(bearer(admin.token)).expect(200)).body;
    expect(account).toMatchObject({
      status: 'deactivated',
      deactivationReason: 'Moved to sales on 2026-04-01',
      deactivatedAt: expect.any(String),
      dormant: false,
    });
    const [entry] = await owner.query(`SELECT actor_id, details FROM audit_entry WHERE action = 'user.deactivated' AND details->>'userId' = $1`, [
      clerk.userId,
    ]);
    expect(entry).toMatchObject({ actor_id: admin.userId, details: { reason: 'Moved to sales on 2026-04-01' } });
    // the username is never reused
    await http()
      .post('/users')
      .set(bearer(admin.token))
      .send({ username: clerk.username, displayName: 'x', roles: ['clerk'] })
      .expect(409);
  });

  it('the last active admin cannot be deactivated or demoted; handover moves the role in one audited step', async () => {
    const boss = await signIn(app, ['admin', 'clerk']);
    await onlyAdmin(boss.userId);
    try {
      expect(await activeAdmins()).toEqual([boss.userId]);
      // nobody changes their own roles (issue #16), not even to step down: hand over instead
      const demote = await http()
        .patch(`/users/${boss.userId}`)
        .set(bearer(boss.token))
        .send({ roles: ['clerk'] })
        .expect(403);
      expect(demote.body.code).toBe('roles.own-change');
      await http().post(`/users/${boss.userId}/deactivate`).set(bearer(boss.token)).send({ reason: 'leaving' }).expect(409);
      const successor = await signIn(app, ['auditor']);
      await http().post(`/users/${boss.userId}/handover-admin`).set(bearer(boss.token)).expect(409); // to oneself
      const res = await http().post(`/users/${successor.userId}/handover-admin`).set(bearer(boss.token)).expect(200);
      expect(res.body.roles.sort()).toEqual(['admin', 'auditor']);
      expect(await activeAdmins()).toEqual([successor.userId]);
      await http().get('/users').set(bearer(boss.token)).expect(403); // the old admin lost it at once
      await http().get('/users').set(bearer(successor.token)).expect(200);
      const [entry] = await owner.query(`SELECT actor_id, details FROM audit_entry WHERE action = 'user.admin-handover' AND actor_id = $1`, [boss.userId]);
      expect(entry.details).toMatchObject({ fromUserId: boss.userId, toUserId: successor.userId, fromRoles: ['clerk'] });
      // now the former admin can leave
      await http().post(`/users/${boss.userId}/deactivate`).set(bearer(successor.token)).send({ reason: 'Left the company' }).expect(204);
      // handing over to a deactivated account is refused
      await http().post(`/users/${boss.userId}/handover-admin`).set(bearer(successor.token)).expect(409);
      // with two admins, one can be demoted
      const second = await signIn(app, ['admin']);
      await http()
        .patch(`/users/${second.userId}`)
        .set(bearer(successor.token))
        .send({ roles: ['auditor'] })
        .expect(200);
    } finally {
      await owner.query(`UPDATE staff_user SET roles = array_append(roles, 'admin') WHERE id = $1 AND NOT ('admin' = ANY (roles))`, [admin.userId]);
    }
  });

  it('two admins removing each other at the same time leave one admin (the rule is serialised)', async () => {
    const a = await signIn(app, ['admin']);
    const b = await signIn(app, ['admin']);
    await onlyAdmin(a.userId);
    await owner.query(`UPDATE staff_user SET roles = '{admin}' WHERE id = $1`, [b.userId]);
    try {
      const results = await Promise.all([
        http().post(`/users/${b.userId}/deactivate`).set(bearer(a.token)).send({ reason: 'race' }),
        http().post(`/users/${a.userId}/deactivate`).set(bearer(b.token)).send({ reason: 'race' }),
      ]);
      const statuses = results.map((r) => r.status).sort();
      // one wins; the other is either refused by the rule (409) or its caller is already gone (401)
      expect(statuses[0]).toBe(204);
      expect([401, 409]).toContain(statuses[1]);
      expect(await activeAdmins()).toHaveLength(1);
    } finally {
      await owner.query(`UPDATE staff_user SET roles = array_append(roles, 'admin') WHERE id = $1 AND NOT ('admin' = ANY (roles))`, [admin.userId]);
    }
  });

  it('second-factor reset: sessions end, recovery codes go, the next login enrols again (audited)', async () => {
    const account = await createAccount(app, admin.token, ['clerk']);
    const first = await firstLogin(app, account);
    await http().post(`/users/${account.id}/totp/reset`).set(bearer(admin.token)).expect(204);
    await http().get('/me').set(bearer(first.token)).expect(401);
    const login = await http().post('/auth/login').send({ username: account.username, password: first.password }).expect(200);
    expect(login.body.next).toBe('enrol');
    await http().post('/auth/recovery').send({ challenge: login.body.challenge, recoveryCode: first.recoveryCodes[0] }).expect(401);
    const [{ n }] = await owner.query(`SELECT count(*)::int AS n FROM staff_recovery_code WHERE user_id = $1`, [account.id]);
    expect(n).toBe(0);
    const [entry] = await owner.query(`SELECT actor_id FROM audit_entry WHERE action = 'auth.totp-reset' AND details->>'userId' = $1`, [account.id]);
    expect(entry.actor_id).toBe(admin.userId);
  });
});
