import { INestApplication } from '@nestjs/common';
import { rmSync } from 'node:fs';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { KeyringService } from '../src/crypto/keyring.service';
import { NumbersService } from '../src/numbers/numbers.service';
import { StaffCredentialsService } from '../src/users/staff-credentials.service';
import { CollectionKeysService } from '../src/collection/collection-keys.service';
import { createTestApp } from './support/app';
import { dropOwnDatabase, OWN_DATABASE, prepareOwnDatabase } from './support/own-database';
import { PRIVATE_KEYSTORE, PRIVATE_KEYSTORE_DIR } from './support/private-keystore';
import { RELAXED_LOGIN_RATE_LIMIT } from './support/relaxed-login-rate-limit';
import { signIn, SignedIn } from './support/staff';

jest.setTimeout(300_000);

/**
 * Issue #18 with #19: retiring a key version (destroyed later, final for every backup) needs a
 * second person. With four eyes required the responsible person approves it in the approvals
 * inbox (an admin's confirmation is refused); under a recorded waiver the admin retires alone and
 * the trail flags it. Its own database and keystore: the policy and the key versions are vault-wide.
 */
describe('key retirement under the four-eyes policy', () => {
  let app: INestApplication;
  let admin: SignedIn;
  let otherAdmin: SignedIn;
  let responsible: SignedIn;
  const http = () => request(app.getHttpServer());
  const as = (who: SignedIn) => ({ Authorization: `Bearer ${who.token}` });

  /** keys:rotate, as the command does it: a new version, every data key re-wrapped. */
  async function rotate(): Promise<number> {
    const { version } = app.get(KeyringService).addKekVersion();
    await app.get(NumbersService).rewrapDataKeys();
    await app.get(StaffCredentialsService).rewrapTotpSecrets(version);
    await app.get(CollectionKeysService).rewrapDataKeys();
    return version;
  }

  beforeAll(async () => {
    await prepareOwnDatabase();
    app = await createTestApp(OWN_DATABASE, PRIVATE_KEYSTORE, RELAXED_LOGIN_RATE_LIMIT);
    [admin, otherAdmin, responsible] = await Promise.all([signIn(app, ['admin']), signIn(app, ['admin']), signIn(app, ['responsible'])]);
  });
  afterAll(async () => {
    await app?.close();
    await dropOwnDatabase();
    rmSync(PRIVATE_KEYSTORE_DIR, { recursive: true, force: true });
  });

  it('four eyes required: an admin asks, another admin cannot confirm, the responsible person approves', async () => {
    const old = app.get(KeyringService).currentKek().version;
    await rotate();
    await http().put('/approvals/policy').set(as(responsible)).send({ fourEyes: 'required' }).expect(200);

    const asked = await http().post(`/keys/versions/${old}/retire`).set(as(admin)).expect(202);
    expect(asked.body).toMatchObject({ status: 'pending-approval', version: old, confirmBy: 'responsible' });
    await http()
      .post(`/keys/retirements/${asked.body.approvalId}/confirm`)
      .set(as(otherAdmin))
      .expect(403)
      .expect((r) => expect(r.body.code).toBe('keys.retirement-needs-responsible'));
    const inbox = await http().get('/approvals').set(as(responsible)).expect(200);
    expect(inbox.body.requests).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: asked.body.approvalId, kind: 'key-retirement', payload: { version: old } })]),
    );
    const approved = await http().post(`/approvals/${asked.body.approvalId}/approve`).set(as(responsible)).send({}).expect(200);
    expect(approved.body.result).toMatchObject({ version: old, present: true, destroyedAt: null });
    const [entry] = await app
      .get(DataSource)
      .query(`SELECT actor_username, details FROM audit_entry WHERE action = 'keys.retired' AND (details->>'version')::int = $1`, [old]);
    expect(entry.details).toMatchObject({ fourEyes: 'approved', approvedBy: responsible.username, approvalId: asked.body.approvalId });
  });

  it('a withdrawn request retires nothing; under a recorded waiver the admin retires alone, flagged for auditors', async () => {
    const old = app.get(KeyringService).currentKek().version;
    await rotate();
    const asked = await http().post(`/keys/versions/${old}/retire`).set(as(admin)).expect(202);
    await http().post(`/keys/retirements/${asked.body.approvalId}/cancel`).set(as(admin)).expect(204);
    const versions = await http().get('/keys/versions').set(as(admin)).expect(200);
    expect(versions.body.find((v: { version: number }) => v.version === old)).toMatchObject({ retiredAt: null, pendingRetirement: null });

    await http().put('/approvals/policy').set(as(responsible)).send({ fourEyes: 'waived', reason: 'One person does all of IT' }).expect(200);
    const retired = await http().post(`/keys/versions/${old}/retire`).set(as(admin)).expect(201);
    expect(retired.body).toMatchObject({ version: old, retiredBy: admin.username });
    const [entry] = await app.get(DataSource).query(`SELECT details FROM audit_entry WHERE action = 'keys.retired' AND (details->>'version')::int = $1`, [old]);
    expect(entry.details).toMatchObject({ fourEyes: 'waived', approvedBy: admin.username, approvalId: null });
  });
});
