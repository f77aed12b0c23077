import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decrypter, armor, generateIdentity, identityToRecipient } from 'age-encryption';
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

  /** Whether a command is installed (age: Debian's package, .ci/run installs it). */
  const installed = (command: string) => {
    try {
      execFileSync(command, ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };

  /** Decrypts an armored age file with age-encryption and, where installed, with the `age` command (Go, the reference implementation). */
  async function decryptAge(armored: string, identity: string): Promise<string> {
    const decrypter = new Decrypter();
    decrypter.addIdentity(identity);
    const data = Buffer.from(await decrypter.decrypt(armor.decode(armored))).toString('utf8');
    if (installed('age')) {
      const dir = mkdtempSync(join(tmpdir(), 'mnv-age-'));
      try {
        writeFileSync(join(dir, 'key.txt'), `${identity}\n`, { mode: 0o600 });
        writeFileSync(join(dir, 'export.age'), armored);
        const viaAge = execFileSync('age', ['--decrypt', '--identity', join(dir, 'key.txt'), join(dir, 'export.age')], { stdio: ['ignore', 'pipe', 'pipe'] });
        expect(viaAge.toString('utf8')).toBe(data);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    return data;
  }

  /** Decrypts a passphrase export with OpenPGP.js and with `gpg --batch` given the passphrase (on standard input, not the command line). */
  async function decryptWithPassphrase(armored: string, passphrase: string): Promise<string> {
    const message = await openpgp.readMessage({ armoredMessage: armored });
    const decrypted = await openpgp.decrypt({ message, passwords: [passphrase], format: 'binary' });
    const data = Buffer.from(decrypted.data as Uint8Array).toString('utf8');
    const home = mkdtempSync(join(tmpdir(), 'mnv-gpg-'));
    try {
      writeFileSync(join(home, 'export.asc'), armored);
      const viaGpg = execFileSync(
        'gpg',
        ['--homedir', home, '--batch', '--quiet', '--pinentry-mode', 'loopback', '--passphrase-fd', '0', '--decrypt', join(home, 'export.asc')],
        { input: passphrase, stdio: ['pipe', 'pipe', 'pipe'] },
      ).toString('utf8');
      expect(viaGpg).toBe(data);
      // and a wrong passphrase opens nothing
      expect(() =>
        execFileSync(
          'gpg',
          ['--homedir', home, '--batch', '--quiet', '--pinentry-mode', 'loopback', '--passphrase-fd', '0', '--decrypt', join(home, 'export.asc')],
          {
            input: 'WRONG-PASSPHRASE',
            stdio: ['pipe', 'pipe', 'pipe'],
          },
        ),
      ).toThrow();
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

  it('exports leave encrypted all three ways: OpenPGP key, age recipient, one-time passphrase (and plain only for company clerks)', async () => {
    const person = await createSubject(app, clerk.token, { purposes: ['health-pension'] });
    const ask = (who: { token: string }, body: Record<string, unknown>) =>
      http()
        .post('/reveals')
        .set(as(who))
        .send({ purpose: 'health-pension', subjectIds: [person.id], ...body });
    const lastExport = async (actorId: string) =>
      (await owner.query(`SELECT details FROM audit_entry WHERE action = 'number.exported' AND actor_id = $1 ORDER BY seq DESC LIMIT 1`, [actorId]))[0].details;

    // age: none registered yet
    expect((await ask(firmUser, { encryption: 'age' }).expect(409)).body.code).toBe('export.no-age-recipient');
    const identity = await generateIdentity();
    const recipient = await identityToRecipient(identity);
    expect((await http().put(`/firms/${firmId}/age-recipient`).set(as(admin)).send({ recipient: identity }).expect(400)).body.code).toBe('firm.key-private');
    expect((await http().put(`/firms/${firmId}/age-recipient`).set(as(admin)).send({ recipient: 'age1notarecipient' }).expect(400)).body.code).toBe(
      'firm.age-recipient-invalid',
    );
    await http().put(`/firms/${firmId}/age-recipient`).set(as(clerk)).send({ recipient }).expect(403);
    const keyed = await http().put(`/firms/${firmId}/age-recipient`).set(as(admin)).send({ recipient }).expect(200);
    expect(keyed.body).toMatchObject({ ageRecipient: recipient, ageRecipientSetAt: expect.any(String), recipientKeyFingerprint: expect.any(String) });
    const [registered] = await owner.query(`SELECT details FROM audit_entry WHERE action = 'firm.key-registered' AND details->>'kind' = 'age'`);
    expect(registered.details).toEqual({ firmId, kind: 'age', recipient });

    // the bulk screen's list of firms to hand to: keys registered, contract purposes; a firm's account sees only its own firm
    const listed = await http().get('/firms/recipients').set(as(clerk)).expect(200);
    expect(listed.body.items).toContainEqual({ id: firmId, name: '見本社会保険労務士事務所', purposes: ['health-pension'], keys: ['openpgp', 'age'] });
    expect((await http().get('/firms/recipients').set(as(firmUser)).expect(200)).body.items.map((f: { id: string }) => f.id)).toEqual([firmId]);
    await http().get('/firms/recipients').set(as(auditor)).expect(403);

    // (b) age, by the firm's own account: an age file only the firm's identity opens
    const byAge = await ask(firmUser, { encryption: 'age' }).expect(200);
    expect(byAge.headers['content-type']).toMatch(/application\/x-age-encryption/);
    expect(byAge.headers['content-disposition']).toContain('my-numbers.csv.age');
    expect(byAge.text).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----/);
    expect(byAge.text).not.toContain(person.number!);
    const viaAge = await decryptAge(byAge.text, identity);
    expect(viaAge.startsWith('\uFEFFcode,name,kind,my_number,name_kana,employee_code\r\n')).toBe(true);
    expect(viaAge).toContain(`,${person.number},`);
    expect(await lastExport(firmUser.id)).toMatchObject({ transfer: { kind: 'provision', label: '提供', firmId, encryption: 'age', ageRecipient: recipient } });
    // (a) OpenPGP stays the default while the firm has a key, asked for or not
    const byPgp = await ask(firmUser, { encryption: 'openpgp' }).expect(200);
    expect(await decryptBoth(byPgp.text)).toContain(person.number!);
    expect(await lastExport(firmUser.id)).toMatchObject({ transfer: { encryption: 'openpgp', recipientFingerprint: expect.stringMatching(/^[0-9a-f]{40}$/) } });

    // (c) a one-time passphrase: a company clerk hands the file to the firm and tells the passphrase separately
    await ask(clerk, { encryption: 'age' }).expect(400);
    expect((await ask(firmUser, { encryption: 'passphrase' }).expect(403)).body.code).toBe('export.passphrase-not-for-firm');
    const byPassphrase = await ask(clerk, { recipientFirmId: firmId, encryption: 'passphrase' }).expect(200);
    expect(byPassphrase.headers['content-type']).toMatch(/application\/json/);
    expect(byPassphrase.headers['cache-control']).toBe('no-store');
    const { passphrase, file, filename, contentType } = byPassphrase.body as Record<string, string>;
    expect(passphrase).toMatch(/^[A-HJKMNP-Z2-9]{5}(-[A-HJKMNP-Z2-9]{5}){5}$/);
    expect({ filename, contentType }).toEqual({ filename: 'my-numbers.csv.asc', contentType: 'application/pgp-encrypted' });
    expect(file).toMatch(/^-----BEGIN PGP MESSAGE-----/);
    expect(file).not.toContain(person.number!);
    expect(await decryptWithPassphrase(file!, passphrase!)).toContain(`,${person.number},`);
    expect(await lastExport(clerk.userId)).toEqual(
      expect.objectContaining({
        transfer: {
          kind: 'provision',
          label: '提供',
          firmId,
          firmName: '見本社会保険労務士事務所',
          encryption: 'passphrase',
          passphraseDelivery: 'separately',
        },
      }),
    );
    // each answer its own passphrase; without a firm it is an encrypted take-out (持出し)
    const takeOut = await ask(clerk, { encryption: 'passphrase' }).expect(200);
    expect(takeOut.body.passphrase).not.toBe(passphrase);
    expect(await decryptWithPassphrase(takeOut.body.file, takeOut.body.passphrase)).toContain(person.number!);
    expect((await lastExport(clerk.userId)).transfer).toEqual({
      kind: 'take-out',
      label: '持出し',
      encryption: 'passphrase',
      passphraseDelivery: 'separately',
    });
    // the passphrases are kept nowhere: not in the trail, not in any table
    for (const p of [passphrase!, takeOut.body.passphrase as string]) {
      const [{ n }] = await owner.query(`SELECT count(*)::int AS n FROM audit_entry WHERE details::text LIKE '%' || $1 || '%'`, [p]);
      expect(n).toBe(0);
    }
    const dump = await owner.query(
      `SELECT string_agg(t, '') AS all FROM (SELECT row_to_json(f)::text AS t FROM outside_firm f UNION ALL SELECT row_to_json(a)::text FROM audit_entry a) x`,
    );
    expect(dump[0].all).not.toContain(passphrase);
    // a plain CSV: company clerks only, labelled 持出し (above); a firm's account never gets one
    const firmPlain = await ask(firmUser, {}).expect(200);
    expect(firmPlain.text).toMatch(/^-----BEGIN PGP MESSAGE-----/);
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
