import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { DataSource } from 'typeorm';
import { ClockService } from '../src/config/clock.service';
import { createTestApp, ownerConnection } from './support/app';
import { RELAXED_LOGIN_RATE_LIMIT } from './support/relaxed-login-rate-limit';
import { dropOwnDatabase, OWN_DATABASE, OWN_DATABASE_URL, prepareOwnDatabase } from './support/own-database';
import { codeNow, firstLogin } from './support/login-flow';
import { signIn, SignedIn, uniqueUsername } from './support/staff';
import { createSubject } from './support/subjects';

/**
 * 委託先 (issue #19): an outside firm's account works only for its contract's purposes and within
 * its access window; its accesses are marked as the firm's; its bulk export is recorded as 提供.
 * Own database: the four-eyes policy it sets applies to the whole vault.
 */
describe('outside firms (委託先)', () => {
  let app: INestApplication;
  let owner: DataSource;
  let clock: ClockService;
  let clerk: SignedIn;
  let admin: SignedIn;
  let responsible: SignedIn;
  let auditor: SignedIn;
  let firmId: string;
  let firmUser: { id: string; username: string; password: string; secret: string; token: string };
  let firmKeys: { publicKey: string; privateKey: string };
  const http = () => request(app.getHttpServer());
  const as = (who: { token: string }) => ({ Authorization: `Bearer ${who.token}` });
  /** Decrypts with OpenPGP.js and with Debian's gpg (an independent implementation); both must agree. */
  async function decryptBoth(armored: string): Promise<string> {
    const message = await openpgp.readMessage({ armoredMessage: armored });
    const decrypted = await openpgp.decrypt({ message, format: 'binary', decryptionKeys: await openpgp.readPrivateKey({ armoredKey: firmKeys.privateKey }) });
    const data = Buffer.from(decrypted.data as Uint8Array).toString('utf8');
    const home = mkdtempSync(join(tmpdir(), 'mnv-gpg-'));
    try {
      writeFileSync(join(home, 'key.asc'), firmKeys.privateKey);
      writeFileSync(join(home, 'export.asc'), armored);
      execFileSync('gpg', ['--homedir', home, '--batch', '--quiet', '--import', join(home, 'key.asc')], { stdio: 'pipe' });
      const viaGpg = execFileSync('gpg', ['--homedir', home, '--batch', '--quiet', '--decrypt', join(home, 'export.asc')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }).toString('utf8');
      expect(viaGpg).toBe(data);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
    return data;
  }

  beforeAll(async () => {
    await prepareOwnDatabase();
    app = await createTestApp(RELAXED_LOGIN_RATE_LIMIT, OWN_DATABASE);
    owner = await ownerConnection(OWN_DATABASE_URL);
    clock = app.get(ClockService);
    clock.set(new Date('2026-12-10T10:00:00+09:00'));
    clerk = await signIn(app, ['clerk']);
    admin = await signIn(app, ['admin']);
    responsible = await signIn(app, ['responsible']);
    auditor = await signIn(app, ['auditor']);
    await http().put('/approvals/policy').set(as(responsible)).send({ fourEyes: 'required' }).expect(200);
    firmKeys = await openpgp.generateKey({ userIDs: [{ name: 'Mihon SR office', email: 'sr@example.invalid' }], format: 'armored' });
  });

  afterAll(async () => {
    await owner?.destroy();
    await app?.close();
    await dropOwnDatabase();
  });

  it('registers a firm with its contract, purposes, window and supervision checklist', async () => {
    const bad = await http()
      .post('/firms')
      .set(as(admin))
      .send({
        name: '見本社会保険労務士事務所',
        kind: 'labor-consultant',
        scope: '社会保険の届出',
        purposes: ['no-such-purpose'],
        contractStartsOn: '2026-04-01',
        contractEndsOn: '2027-03-31',
      })
      .expect(400);
    expect(bad.body.code).toBe('firm.unknown-purpose');
    const res = await http()
      .post('/firms')
      .set(as(admin))
      .send({
        name: '見本社会保険労務士事務所',
        kind: 'labor-consultant',
        scope: '社会保険・雇用保険の届出事務',
        purposes: ['health-pension'],
        contractStartsOn: '2026-04-01',
        contractEndsOn: '2027-03-31',
        accessFrom: '2026-12-01T00:00:00+09:00',
        accessUntil: '2027-01-31T00:00:00+09:00',
        checklist: [{ code: 'selection', done: true, note: 'Questionnaire received' }],
      })
      .expect(201);
    firmId = res.body.id;
    expect(res.body).toMatchObject({ accessOpenNow: true, purposes: ['health-pension'] });
    expect(res.body.checklist.find((c: { code: string }) => c.code === 'selection')).toMatchObject({ done: true, checkedBy: admin.username });
    const checked = await http()
      .put(`/firms/${firmId}/checklist`)
      .set(as(responsible))
      .send({ items: [{ code: 'confidentiality', done: true }] })
      .expect(200);
    expect(checked.body.checklist.filter((c: { done: boolean }) => c.done).map((c: { code: string }) => c.code)).toEqual(['selection', 'confidentiality']);
    await http()
      .put(`/firms/${firmId}/checklist`)
      .set(as(responsible))
      .send({ items: [{ code: 'made-up', done: true }] })
      .expect(400);
    await http().get(`/firms/${firmId}`).set(as(auditor)).expect(200);
    const privateRefused = await http().put(`/firms/${firmId}/recipient-key`).set(as(admin)).send({ publicKey: firmKeys.privateKey }).expect(400);
    expect(privateRefused.body.code).toBe('firm.key-private');
    const keyed = await http().put(`/firms/${firmId}/recipient-key`).set(as(admin)).send({ publicKey: firmKeys.publicKey }).expect(200);
    expect(keyed.body.recipientKeyFingerprint).toMatch(/^[0-9a-f]{40}$/);
    await http().post('/firms').set(as(clerk)).send({}).expect(403);
  });

  it("a firm's account waits for the responsible person, then works for its contract's purposes only, marked as the firm's", async () => {
    const created = (
      await http()
        .post(`/firms/${firmId}/accounts`)
        .set(as(admin))
        .send({ username: uniqueUsername('sr'), displayName: '見本 花子（見本社労士事務所）' })
        .expect(201)
    ).body;
    const session = await firstLogin(app, created);
    firmUser = { id: created.id, username: created.username, password: session.password, secret: session.secret, token: session.token };
    await http()
      .post('/me/training')
      .set(as(firmUser))
      .send({ version: (await http().get('/me/training').set(as(firmUser))).body.version })
      .expect(204);
    const person = await createSubject(app, clerk.token, { purposes: ['withholding-slip', 'health-pension'] });
    // not approved yet: no clerk role
    await http().post(`/subjects/${person.id}/number/reveal`).set(as(firmUser)).send({ purpose: 'health-pension' }).expect(403);
    await http().post(`/approvals/accounts/${created.id}/approve`).set(as(responsible)).send({}).expect(200);

    const ok = await http().post(`/subjects/${person.id}/number/reveal`).set(as(firmUser)).send({ purpose: 'health-pension' }).expect(200);
    expect(ok.body.number).toBe(person.number);
    const [entry] = await owner.query(`SELECT details FROM audit_entry WHERE action = 'number.revealed' AND actor_id = $1`, [created.id]);
    expect(entry.details.firm).toEqual({ id: firmId, name: '見本社会保険労務士事務所' });

    const outside = await http().post(`/subjects/${person.id}/number/reveal`).set(as(firmUser)).send({ purpose: 'withholding-slip' }).expect(403);
    expect(outside.body.code).toBe('reveal.purpose-outside-contract');
    const [refusal] = await owner.query(`SELECT details FROM audit_entry WHERE action = 'number.reveal-refused' AND actor_id = $1`, [created.id]);
    expect(refusal.details).toMatchObject({ reason: 'purpose-outside-contract', firm: { id: firmId } });

    // a bulk export by the firm is a provision (提供) to the firm, encrypted for its key
    const bulk = await http()
      .post('/reveals')
      .set(as(firmUser))
      .send({ purpose: 'health-pension', subjectIds: [person.id] })
      .expect(200);
    expect(bulk.headers['content-type']).toMatch(/application\/pgp-encrypted/);
    expect(bulk.text).toMatch(/^-----BEGIN PGP MESSAGE-----/);
    expect(bulk.text).not.toContain(person.number!);
    const plain = await decryptBoth(bulk.text);
    expect(plain.startsWith('\uFEFFcode,name,kind,my_number,name_kana,employee_code\r\n')).toBe(true);
    expect(plain).toContain(`,${person.number},`);
    expect(plain).toMatch(/#summary,rows=1,/);
    await http()
      .post('/reveals')
      .set(as(firmUser))
      .send({ purpose: 'withholding-slip', subjectIds: [person.id] })
      .expect(403);
    const [exported] = await owner.query(`SELECT details FROM audit_entry WHERE action = 'number.exported' AND actor_id = $1`, [created.id]);
    expect(exported.details.transfer).toMatchObject({ kind: 'provision', label: '提供', firmId, firmName: '見本社会保険労務士事務所', encryption: 'openpgp' });
    // an internal clerk's plain export stays a take-out (持出し)
    await http()
      .post('/reveals')
      .set(as(clerk))
      .send({ purpose: 'health-pension', subjectIds: [person.id] })
      .expect(200);
    const [internal] = await owner.query(`SELECT details FROM audit_entry WHERE action = 'number.exported' AND actor_id = $1`, [clerk.userId]);
    expect(internal.details.transfer).toEqual({ kind: 'take-out', label: '持出し', encryption: 'none' });
    // a clerk handing the export to the firm: encrypted, and only for the contract's purposes
    await http()
      .post('/reveals')
      .set(as(clerk))
      .send({ purpose: 'withholding-slip', subjectIds: [person.id], recipientFirmId: firmId })
      .expect(403);
    const handed = await http()
      .post('/reveals')
      .set(as(clerk))
      .send({ purpose: 'health-pension', subjectIds: [person.id], recipientFirmId: firmId })
      .expect(200);
    expect(await decryptBoth(handed.text)).toContain(person.number!);
  });

  it("refuses the firm's account on every route outside its access window, audited", async () => {
    clock.set(new Date('2027-02-01T10:00:00+09:00'));
    const login = await http().post('/auth/login').send({ username: firmUser.username, password: firmUser.password }).expect(200);
    const done = await http()
      .post('/auth/totp')
      .send({ challenge: login.body.challenge, code: codeNow(app, firmUser.secret) })
      .expect(200);
    const late = { token: done.body.token as string };
    const me = await http().get('/me').set(as(late)).expect(403);
    expect(me.body.code).toBe('firm.outside-window');
    const subjects = await http().get('/subjects').set(as(late)).expect(403);
    expect(subjects.body.code).toBe('firm.outside-window');
    const [entry] = await owner.query(`SELECT outcome, details FROM audit_entry WHERE action = 'firm.access-refused' AND actor_id = $1`, [firmUser.id]);
    expect(entry).toMatchObject({ outcome: 'refused', details: { firmId, reason: 'outside-window' } });
    // the company's own clerk is not affected
    const ownClerk = await signIn(app, ['clerk']);
    await http().get('/subjects').set(as(ownClerk)).expect(200);
  });
});
