import { INestApplication } from '@nestjs/common';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ClockService } from '../src/config/clock.service';
import { createTestApp } from './support/app';
import { dropOwnDatabase, OWN_DATABASE, prepareOwnDatabase } from './support/own-database';
import { PATIENT_HASH_QUEUE } from './support/patient-hash-queue';
import { PRIVATE_KEYSTORE, PRIVATE_KEYSTORE_DIR } from './support/private-keystore';
import { signIn, SignedIn, stepUp } from './support/staff';
import { createSubject } from './support/subjects';

jest.setTimeout(300_000);

/**
 * Issue #18: sealed start and k-of-n unseal. n = 3 holders, k = 2; a restart comes up sealed;
 * one share is not enough, a wrong one is refused with a reason, two unseal; a holder who leaves
 * opens a rekey task, and after the rekey that holder's share no longer works.
 */
describe('key custody: sealed start, k-of-n unseal, rekey', () => {
  let app: INestApplication;
  let admin: SignedIn;
  let clerk: SignedIn;
  let holders: [SignedIn, SignedIn, SignedIn];
  let person: { id: string; number: string | null };

  beforeAll(async () => {
    await prepareOwnDatabase();
    app = await createTestApp(OWN_DATABASE, PRIVATE_KEYSTORE, PATIENT_HASH_QUEUE);
    const [a, c, h1, h2, h3] = await Promise.all([
      signIn(app, ['admin']),
      signIn(app, ['clerk']),
      signIn(app, ['admin']),
      signIn(app, ['auditor']),
      signIn(app, ['clerk']),
    ]);
    [admin, clerk, holders] = [a, c, [h1, h2, h3]];
    person = await createSubject(app, clerk.token);
  });
  afterAll(async () => {
    await app?.close();
    await dropOwnDatabase();
    rmSync(PRIVATE_KEYSTORE_DIR, { recursive: true, force: true });
  });

  const http = () => request(app.getHttpServer());
  const as = (who: SignedIn) => ({ Authorization: `Bearer ${who.token}` });
  const restart = async () => {
    await app.close();
    app = await createTestApp(OWN_DATABASE, PRIVATE_KEYSTORE, PATIENT_HASH_QUEUE);
  };
  const reveal = () => http().post(`/subjects/${person.id}/number/reveal`).set(as(clerk)).send({ purpose: 'withholding-slip' });
  const collect = async (who: SignedIn): Promise<string> => {
    const res = await http().post('/custody/my-share').set(as(who)).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    return res.body.share as string;
  };

  it('starts in auto-unseal mode: not sealed, no share needed', async () => {
    expect((await http().get('/custody/status').expect(200)).body).toMatchObject({ mode: 'auto-unseal', sealed: false });
    await http()
      .post('/custody/unseal')
      .send({ share: 'MNV-00000000-x' })
      .expect(409)
      .expect((r) => expect(r.body.code).toBe('custody.not-sealed'));
    // the unseal page: the console's strict CSP
    const page = await http().get('/console/unseal.html').expect(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.text).toContain('/console/js/unseal.js');
  });

  let shares: string[];
  it('an admin switches to custody (n=3, k=2); each holder collects their share once; nothing on disk opens it', async () => {
    await http()
      .post('/custody/shares')
      .set(as(clerk))
      .send({ threshold: 2, holders: holders.map((h) => h.userId) })
      .expect(403);
    await http()
      .post('/custody/shares')
      .set(as(admin))
      .send({ threshold: 4, holders: holders.map((h) => h.userId) })
      .expect(400)
      .expect((r) => expect(r.body.code).toBe('custody.threshold-too-high'));
    const res = await http()
      .post('/custody/shares')
      .set(as(admin))
      .send({ threshold: 2, holders: holders.map((h) => h.userId) })
      .expect(201);
    expect(res.body).toMatchObject({ mode: 'custody', sealed: false, threshold: 2, shares: 3 });
    expect(JSON.stringify(res.body)).not.toContain('MNV-');
    // the admin is not a holder: no share for them
    await http()
      .post('/custody/my-share')
      .set(as(admin))
      .expect(404)
      .expect((r) => expect(r.body.code).toBe('custody.no-share-waiting'));
    shares = [];
    for (const h of holders) shares.push(await collect(h));
    expect(new Set(shares).size).toBe(3);
    await http().post('/custody/my-share').set(as(holders[0])).expect(404); // shown once
    // still unsealed: the service keeps working
    expect((await reveal().expect(200)).body.number).toBe(person.number);
    // no share and no master secret anywhere beside the keystore
    for (const f of readdirSync(PRIVATE_KEYSTORE_DIR)) {
      const text = readFileSync(`${PRIVATE_KEYSTORE_DIR}/${f}`).toString('latin1');
      for (const s of shares) expect(text).not.toContain(s.slice('MNV-12345678-'.length));
    }
    expect(existsSync(`${PRIVATE_KEYSTORE_DIR}/keystore.passphrase`)).toBe(false);
    const trail = await http().get('/custody').set(as(admin)).expect(200);
    expect(trail.body.holders.map((h: { collected: boolean }) => h.collected)).toEqual([true, true, true]);
  });

  it('after a restart it is sealed: health says so, reveals answer 503 vault.sealed; one share is not enough, a wrong one is refused, two unseal', async () => {
    await restart();
    await http().get('/console/unseal.html').expect(200); // served while sealed
    const health = await http().get('/health').expect(503);
    expect(health.body.status).toBe('sealed');
    const refused = await reveal().expect(503);
    expect(refused.body.code).toBe('vault.sealed');
    expect(refused.body.message).toMatch(/sealed.*shares/);
    expect((await http().get('/custody/status').expect(200)).body).toMatchObject({ mode: 'custody', sealed: true, threshold: 2, shares: 3, received: 0 });

    const first = await http().post('/custody/unseal').send({ share: shares[0] }).expect(200);
    expect(first.body).toMatchObject({ sealed: true, received: 1 });
    await reveal().expect(503);
    await http()
      .post('/custody/unseal')
      .send({ share: shares[0] })
      .expect(409)
      .expect((r) => expect(r.body.code).toBe('custody.share-duplicate'));
    await http()
      .post('/custody/unseal')
      .send({ share: 'not a share' })
      .expect(400)
      .expect((r) => expect(r.body.code).toBe('custody.share-malformed'));
    // a well-formed share of this set with one character changed
    // (base64url has '-' in its alphabet: the body is everything after the 8-hex-digit set id)
    const [, setId, body] = /^MNV-([0-9a-f]{8})-(.+)$/.exec(shares[1]!) as unknown as [string, string, string];
    const wrong = `MNV-${setId}-${body.slice(0, 10)}${body[10] === 'A' ? 'B' : 'A'}${body.slice(11)}`;
    const bad = await http().post('/custody/unseal').send({ share: wrong }).expect(400);
    expect(bad.body.code).toBe('custody.share-unknown');
    expect(bad.body.message).toMatch(/not one of the current set/);
    await reveal().expect(503);

    const second = await http().post('/custody/unseal').send({ share: shares[2] }).expect(200);
    expect(second.body).toMatchObject({ sealed: false });
    expect((await reveal().expect(200)).body.number).toBe(person.number);
    expect((await http().get('/health').expect(200)).body.status).not.toBe('sealed');
  });

  it('deactivating a holder opens a rekey task; after the rekey their share no longer works, the new shares do', async () => {
    const leaver = holders[2];
    await http().post(`/users/${leaver.userId}/deactivate`).set(as(admin)).send({ reason: 'left the company' }).expect(204);
    const view = await http().get('/custody').set(as(admin)).expect(200);
    expect(view.body.tasks).toEqual([expect.objectContaining({ kind: 'rekey', userId: leaver.userId, username: leaver.username })]);
    // a deactivated account cannot hold a share
    await http()
      .post('/custody/shares')
      .set(as(admin))
      .send({ threshold: 2, holders: [holders[0].userId, leaver.userId] })
      .expect(400)
      .expect((r) => expect(r.body.code).toBe('custody.holder-inactive'));
    const staying = [holders[0], holders[1], admin];
    const rekeyed = await http()
      .post('/custody/shares')
      .set(as(admin))
      .send({ threshold: 2, holders: staying.map((h) => h.userId) })
      .expect(201);
    expect(rekeyed.body.tasks).toEqual([]);
    const fresh: string[] = [];
    for (const h of staying) fresh.push(await collect(h));

    await restart();
    await reveal().expect(503);
    const stale = await http().post('/custody/unseal').send({ share: shares[2]! }).expect(400);
    expect(stale.body.code).toBe('custody.share-stale');
    await http().post('/custody/unseal').send({ share: shares[0] }).expect(400);
    await http().post('/custody/unseal').send({ share: fresh[0] }).expect(200);
    await http()
      .post('/custody/unseal')
      .send({ share: fresh[2] })
      .expect(200)
      .expect((r) => expect(r.body.sealed).toBe(false));
    expect((await reveal().expect(200)).body.number).toBe(person.number);
  });

  it('back to auto-unseal: an admin with k shares (or a fresh step-up) switches back; the next start opens alone, old shares mean nothing', async () => {
    // fresh shares for this test: the holders of the last rekey
    const staying = [holders[0], holders[1], admin];
    await http()
      .post('/custody/shares')
      .set(as(admin))
      .send({ threshold: 2, holders: staying.map((h) => h.userId) })
      .expect(201);
    const mine = await http().get('/custody/my-share').set(as(holders[0])).expect(200);
    expect(mine.body).toMatchObject({ mode: 'custody', holder: true, waiting: true, threshold: 2, shares: 3 });
    expect(JSON.stringify(mine.body)).not.toContain('MNV-');
    const current: string[] = [];
    for (const h of staying) current.push(await collect(h));
    expect((await http().get('/custody/my-share').set(as(holders[0])).expect(200)).body).toMatchObject({ holder: true, waiting: false });

    // only admins; one share is not enough; a malformed one is refused with its code
    await http().post('/custody/auto-unseal').set(as(clerk)).send({ shares: current }).expect(403);
    await http()
      .post('/custody/auto-unseal')
      .set(as(admin))
      .send({ shares: [current[0], current[0]] })
      .expect(400)
      .expect((r) => expect(r.body.code).toBe('custody.shares-too-few'));
    await http()
      .post('/custody/auto-unseal')
      .set(as(admin))
      .send({ shares: [current[0], 'MNV-nonsense'] })
      .expect(400)
      .expect((r) => expect(r.body.code).toBe('custody.share-malformed'));
    expect((await http().get('/custody/status').expect(200)).body.mode).toBe('custody');

    const res = await http()
      .post('/custody/auto-unseal')
      .set(as(admin))
      .send({ shares: [current[0], current[2]] })
      .expect(200);
    expect(res.body).toMatchObject({ mode: 'auto-unseal', sealed: false, threshold: null });
    expect(existsSync(`${PRIVATE_KEYSTORE_DIR}/keystore.p12.custody.json`)).toBe(false);
    await http()
      .post('/custody/auto-unseal')
      .set(as(admin))
      .send({})
      .expect(409)
      .expect((r) => expect(r.body.code).toBe('custody.not-in-custody'));

    await restart();
    expect((await http().get('/custody/status').expect(200)).body).toMatchObject({ mode: 'auto-unseal', sealed: false });
    expect((await reveal().expect(200)).body.number).toBe(person.number);
    await http()
      .post('/custody/unseal')
      .send({ share: current[0] })
      .expect(409)
      .expect((r) => expect(r.body.code).toBe('custody.not-sealed'));

    // the step-up path: custody again, then back with the admin's recent TOTP code (login counts as one)
    await http()
      .post('/custody/shares')
      .set(as(admin))
      .send({ threshold: 2, holders: staying.map((h) => h.userId) })
      .expect(201);
    const clock = app.get(ClockService);
    clock.set(new Date(Date.now() + 10 * 60_000)); // STEP_UP_MINUTES (5) later: the last step-up is too old (the session, 30 idle minutes, lives on)
    try {
      await http()
        .post('/custody/auto-unseal')
        .set(as(admin))
        .send({})
        .expect(403)
        .expect((r) => expect(r.body.code).toBe('custody.step-up-required'));
    } finally {
      clock.reset();
    }
    await stepUp(app, admin);
    await http().post('/custody/auto-unseal').set(as(admin)).send({}).expect(200);
    const trail = await app.get(DataSource).query(`SELECT details FROM audit_entry WHERE action = 'custody.disabled' ORDER BY seq`);
    expect(trail.map((e: { details: { proof: string } }) => e.details.proof)).toEqual(['shares', 'step-up']);
    expect(trail[0].details.holders).toEqual([holders[0].username, admin.username]);
  });
});
