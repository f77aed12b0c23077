import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestApp, ownerConnection } from './support/app';
import { signIn, SignedIn, uniqueUsername } from './support/staff';

/**
 * Issue #16, finding 4: an admin gave itself clerk and auditor, then revealed numbers and searched
 * the trail for its own reveals. Nobody changes their own roles; clerk and auditor are never on
 * one account; admin and clerk only in a one-person company (see one-person-company.e2e-spec.ts).
 */
describe('separation of duties (issue #16, finding 4)', () => {
  let app: INestApplication;
  let owner: DataSource;
  let admin: SignedIn;
  const http = () => request(app.getHttpServer());
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const rolesOf = async (id: string) => (await owner.query(`SELECT roles FROM staff_user WHERE id = $1`, [id]))[0].roles as string[];

  beforeAll(async () => {
    app = await createTestApp();
    owner = await ownerConnection();
    admin = await signIn(app, ['admin']);
  });

  afterAll(async () => {
    await owner?.destroy();
    await app?.close();
  });

  it('an admin cannot give itself clerk or auditor (nor change its own roles at all)', async () => {
    for (const roles of [
      ['admin', 'clerk'],
      ['admin', 'auditor'],
      ['admin', 'clerk', 'auditor'],
    ]) {
      const res = await http().patch(`/users/${admin.userId}`).set(bearer(admin.token)).send({ roles }).expect(403);
      expect(res.body.code).toBe('roles.own-change');
    }
    expect(await rolesOf(admin.userId)).toEqual(['admin']);
    // the display name is not a role: that stays possible
    await http().patch(`/users/${admin.userId}`).set(bearer(admin.token)).send({ displayName: '管理 太郎' }).expect(200);
  });

  it('clerk and auditor are never held by one account: not at creation, not by a change, not by a handover', async () => {
    const created = await http()
      .post('/users')
      .set(bearer(admin.token))
      .send({ username: uniqueUsername(), displayName: 'x', roles: ['clerk', 'auditor'] })
      .expect(400);
    expect(created.body.code).toBe('roles.clerk-and-auditor');
    const clerk = await signIn(app, ['clerk']);
    const changed = await http()
      .patch(`/users/${clerk.userId}`)
      .set(bearer(admin.token))
      .send({ roles: ['clerk', 'auditor'] })
      .expect(400);
    expect(changed.body.code).toBe('roles.clerk-and-auditor');
    expect(await rolesOf(clerk.userId)).toEqual(['clerk']);
  });

  it('admin and clerk together are refused outside a one-person company, also through an admin handover', async () => {
    const created = await http()
      .post('/users')
      .set(bearer(admin.token))
      .send({ username: uniqueUsername(), displayName: 'x', roles: ['admin', 'clerk'] })
      .expect(400);
    expect(created.body.code).toBe('roles.admin-and-clerk');
    const clerk = await signIn(app, ['clerk']);
    await http()
      .patch(`/users/${clerk.userId}`)
      .set(bearer(admin.token))
      .send({ roles: ['clerk', 'admin'] })
      .expect(400);
    const handover = await http().post(`/users/${clerk.userId}/handover-admin`).set(bearer(admin.token)).expect(400);
    expect(handover.body.code).toBe('roles.admin-and-clerk');
    expect(await rolesOf(clerk.userId)).toEqual(['clerk']);
    expect(await rolesOf(admin.userId)).toContain('admin');
    const trail = await owner.query(
      `SELECT count(*)::int AS n FROM audit_entry WHERE action IN ('user.roles-changed', 'user.admin-handover', 'user.sod-exception') AND details->>'userId' = $1`,
      [clerk.userId],
    );
    expect(trail[0].n).toBe(0);
  });
});
