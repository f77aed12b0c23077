import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestApp, ownerConnection, SettingsOverrides } from './support/app';
import { signIn, SignedIn, uniqueUsername } from './support/staff';

/** This spec's own settings, on top of the run's (the app is built from them). */
const SETTINGS: SettingsOverrides = {
  SOD_ONE_PERSON_COMPANY: 'true',
};

/** Issue #16, finding 4: with SOD_ONE_PERSON_COMPANY, admin+clerk is allowed, flagged to auditors and in the inventory. */
describe('a one-person company (SOD_ONE_PERSON_COMPANY=true)', () => {
  let app: INestApplication;
  let owner: DataSource;
  let admin: SignedIn;
  const http = () => request(app.getHttpServer());
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    app = await createTestApp(SETTINGS);
    owner = await ownerConnection();
    admin = await signIn(app, ['admin']);
  });

  afterAll(async () => {
    await owner?.destroy();
    await app?.close();
  });

  it('admin+clerk is granted as a flagged exception; clerk+auditor and own changes stay refused', async () => {
    const res = await http()
      .post('/users')
      .set(bearer(admin.token))
      .send({ username: uniqueUsername(), displayName: '一人 社長', roles: ['admin', 'clerk'] })
      .expect(201);
    const flagged = await owner.query(`SELECT actor_id, details FROM audit_entry WHERE action = 'user.sod-exception' AND details->>'userId' = $1`, [
      res.body.id,
    ]);
    expect(flagged).toEqual([{ actor_id: admin.userId, details: expect.objectContaining({ exception: 'admin+clerk', basis: 'SOD_ONE_PERSON_COMPANY' }) }]);
    const account = (await http().get(`/users/${res.body.id}`).set(bearer(admin.token)).expect(200)).body;
    expect(account.sodException).toBe('admin+clerk');
    const inventory = (await http().get('/users').query({ limit: 500 }).set(bearer(admin.token)).expect(200)).body.items;
    expect(inventory.find((u: { id: string }) => u.id === res.body.id).sodException).toBe('admin+clerk');
    expect(inventory.find((u: { id: string }) => u.id === admin.userId).sodException).toBeNull();
    await http()
      .post('/users')
      .set(bearer(admin.token))
      .send({ username: uniqueUsername(), displayName: 'x', roles: ['clerk', 'auditor'] })
      .expect(400);
    await http()
      .patch(`/users/${admin.userId}`)
      .set(bearer(admin.token))
      .send({ roles: ['admin', 'clerk'] })
      .expect(403);
  });
});
