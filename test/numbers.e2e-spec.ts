import { INestApplication } from '@nestjs/common';
import { execFileSync } from 'node:child_process';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { KeyringService } from '../src/crypto/keyring.service';
import { NumbersService } from '../src/numbers/numbers.service';
import { createTestApp, ownerConnection } from './support/app';
import { signIn, SignedIn } from './support/staff';
import { CARD_CHECK, createSubject, fakeMyNumber } from './support/subjects';

/** Every textual form a number could take in a dump: digits, full-width, hex of the ASCII bytes. */
function forms(number: string): string[] {
  const fullWidth = [...number].map((d) => String.fromCharCode(0xff10 + Number(d))).join('');
  return [number, fullWidth, Buffer.from(number).toString('hex'), Buffer.from(number).toString('base64')];
}

function pgDump(): string {
  const bin = ['/usr/lib/postgresql/15/bin/pg_dump', 'pg_dump'].find((b) => {
    try {
      execFileSync(b, ['--version']);
      return true;
    } catch {
      return false;
    }
  })!;
  return execFileSync(bin, ['--data-only', process.env.DATABASE_URL!], { maxBuffer: 512 * 1024 * 1024 }).toString('utf8');
}

describe('numbers (vault core)', () => {
  let app: INestApplication;
  let owner: DataSource;
  let clerk: SignedIn;
  let auditor: SignedIn;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createTestApp();
    owner = await ownerConnection();
    clerk = await signIn(app, ['clerk']);
    auditor = await signIn(app, ['auditor']);
  });

  afterAll(async () => {
    await owner?.destroy();
    await app?.close();
  });

  it('stores only ciphertext: the digits appear nowhere in a database dump', async () => {
    const number = fakeMyNumber();
    const subject = await createSubject(app, clerk.token, { number });
    const spaced = `${number.slice(0, 4)} ${number.slice(4, 8)}-${number.slice(8)}`;
    const other = await createSubject(app, clerk.token, { number: null });
    const second = fakeMyNumber();
    const fullWidth = [...second].map((d) => String.fromCharCode(0xff10 + Number(d))).join('');
    await http()
      .put(`/subjects/${other.id}/number`)
      .set('Authorization', `Bearer ${clerk.token}`)
      .send({ number: fullWidth, identityCheck: CARD_CHECK })
      .expect(201);
    expect(spaced).toBeTruthy();
    const dump = pgDump();
    expect(dump).toContain(subject.id); // the dump really holds this run's rows
    for (const n of [number, second]) for (const form of forms(n)) expect(dump).not.toContain(form);
  });

  it('answers the masked status without digits', async () => {
    const number = fakeMyNumber();
    const subject = await createSubject(app, clerk.token, { number });
    const res = await http().get(`/subjects/${subject.id}/number`).set('Authorization', `Bearer ${clerk.token}`).expect(200);
    expect(res.body).toMatchObject({ onFile: true, identityChecked: true, keyVersion: expect.any(Number) });
    expect(JSON.stringify(res.body)).not.toMatch(/\d{12}/);
    const detail = await http().get(`/subjects/${subject.id}`).set('Authorization', `Bearer ${clerk.token}`).expect(200);
    expect(detail.body.number.onFile).toBe(true);
    expect(JSON.stringify(detail.body)).not.toContain(number);
    const list = await http().get(`/subjects?q=${subject.code}`).set('Authorization', `Bearer ${clerk.token}`).expect(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0].number.onFile).toBe(true);
    expect(JSON.stringify(list.body)).not.toContain(number);
  });

  it('refuses a number already on file for another person (409, no digits) and writes nothing', async () => {
    const number = fakeMyNumber();
    await createSubject(app, clerk.token, { number });
    const other = await createSubject(app, clerk.token, { number: null });
    const res = await http()
      .put(`/subjects/${other.id}/number`)
      .set('Authorization', `Bearer ${clerk.token}`)
      .send({ number: `${number.slice(0, 4)}-${number.slice(4)}`, identityCheck: CARD_CHECK })
      .expect(409);
    expect(JSON.stringify(res.body)).not.toMatch(/\d{4}/);
    const status = await http().get(`/subjects/${other.id}/number`).set('Authorization', `Bearer ${clerk.token}`).expect(200);
    expect(status.body.onFile).toBe(false);
  });

  it('corrects a number: the new one is revealed, the old one is gone, the audit says corrected', async () => {
    const first = fakeMyNumber();
    const subject = await createSubject(app, clerk.token, { number: first });
    const second = fakeMyNumber();
    await http()
      .put(`/subjects/${subject.id}/number`)
      .set('Authorization', `Bearer ${clerk.token}`)
      .send({ number: second, identityCheck: CARD_CHECK })
      .expect(200);
    const revealed = await http()
      .post(`/subjects/${subject.id}/number/reveal`)
      .set('Authorization', `Bearer ${clerk.token}`)
      .send({ purpose: 'withholding-slip' })
      .expect(200);
    expect(revealed.body.number).toBe(second);
    const actions = await owner.query('SELECT action FROM audit_entry WHERE subject_id = $1 ORDER BY seq', [subject.id]);
    expect(actions.map((a: { action: string }) => a.action)).toEqual(
      expect.arrayContaining(['subject.created', 'subject.purposes-notified', 'number.stored', 'number.corrected', 'number.revealed']),
    );
    // the first number is free again: another person may hold it
    await createSubject(app, clerk.token, { number: first });
  });

  it('a ciphertext moved to another record fails to decrypt', async () => {
    const a = await createSubject(app, clerk.token);
    const b = await createSubject(app, clerk.token);
    await owner.query(
      `UPDATE subject_number SET ciphertext = src.ciphertext, wrapped_key = src.wrapped_key, key_version = src.key_version
         FROM (SELECT ciphertext, wrapped_key, key_version FROM subject_number WHERE subject_id = $1) src
        WHERE subject_id = $2`,
      [a.id, b.id],
    );
    const res = await http().post(`/subjects/${b.id}/number/reveal`).set('Authorization', `Bearer ${clerk.token}`).send({ purpose: 'withholding-slip' });
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).not.toContain(a.number!);
    expect(JSON.stringify(res.body)).not.toContain(b.number!);
  });

  it('after key rotation every number still decrypts and every data key carries the new version', async () => {
    const people = await Promise.all([1, 2, 3].map(() => createSubject(app, clerk.token)));
    const keyring = app.get(KeyringService);
    const numbers = app.get(NumbersService);
    const { version } = keyring.addKekVersion();
    await numbers.rewrapDataKeys(2);
    const versions = await owner.query('SELECT DISTINCT key_version FROM subject_number');
    expect(versions).toEqual([{ key_version: version }]);
    for (const p of people) {
      const res = await http()
        .post(`/subjects/${p.id}/number/reveal`)
        .set('Authorization', `Bearer ${clerk.token}`)
        .send({ purpose: 'withholding-slip' })
        .expect(200);
      expect(res.body.number).toBe(p.number);
    }
  });

  describe('bad input gets a 4xx with a reason and writes nothing', () => {
    const cases: [string, unknown, number][] = [
      ['missing number', { identityCheck: CARD_CHECK }, 400],
      ['missing identity check', { number: '123456789018' }, 400],
      ['number as a JSON number', { number: 123456789018, identityCheck: CARD_CHECK }, 400],
      ['11 digits', { number: '12345678901', identityCheck: CARD_CHECK }, 400],
      ['13 digits', { number: '1234567890123', identityCheck: CARD_CHECK }, 400],
      ['letters', { number: '12345678901a', identityCheck: CARD_CHECK }, 400],
      ['wrong check digit', { number: '123456789010', identityCheck: CARD_CHECK }, 400],
      ['unknown field', { number: '123456789018', identityCheck: CARD_CHECK, extra: 1 }, 400],
      ['identity check with the notification letter', { number: '123456789018', identityCheck: { ...CARD_CHECK, numberDocument: 'notification-letter' } }, 400],
      [
        'resident record alone (no identity proof)',
        { number: '123456789018', identityCheck: { numberDocument: 'resident-record-with-number', identityDocuments: [], checkedAt: CARD_CHECK.checkedAt } },
        400,
      ],
      ['identity documents of the wrong type', { number: '123456789018', identityCheck: { ...CARD_CHECK, identityDocuments: 'passport' } }, 400],
    ];

    it.each(cases)('%s', async (_name, body, status) => {
      const subject = await createSubject(app, clerk.token, { number: null });
      const res = await http()
        .put(`/subjects/${subject.id}/number`)
        .set('Authorization', `Bearer ${clerk.token}`)
        .send(body as object);
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ statusCode: status, error: expect.any(String), message: expect.anything() });
      expect(JSON.stringify(res.body)).not.toMatch(/\d{11,}/);
      const rows = await owner.query('SELECT count(*)::int AS n FROM subject_number WHERE subject_id = $1', [subject.id]);
      expect(rows[0].n).toBe(0);
    });

    it('malformed JSON is refused without echoing the body', async () => {
      const res = await http()
        .put(`/subjects/00000000-0000-4000-8000-000000000000/number`)
        .set('Authorization', `Bearer ${clerk.token}`)
        .set('Content-Type', 'application/json')
        .send('{"number": "123456789018"');
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).not.toContain('123456789018');
    });

    it('a 10 MB body is refused with 413', async () => {
      const res = await http()
        .put(`/subjects/00000000-0000-4000-8000-000000000000/number`)
        .set('Authorization', `Bearer ${clerk.token}`)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ number: 'x'.repeat(10 * 1024 * 1024) }));
      expect(res.status).toBe(413);
    });

    it('unknown purpose codes are refused', async () => {
      const subject = await createSubject(app, clerk.token, { number: null, purposes: [] });
      const res = await http()
        .put(`/subjects/${subject.id}/purposes`)
        .set('Authorization', `Bearer ${clerk.token}`)
        .send({ purposes: ['marketing'], notifiedAt: '2026-04-01T09:00:00Z' });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/purposes\[0\]/);
      const rows = await owner.query('SELECT count(*)::int AS n FROM subject_purpose WHERE subject_id = $1', [subject.id]);
      expect(rows[0].n).toBe(0);
    });

    it('a purpose that does not apply to the kind of person is refused', async () => {
      const subject = await createSubject(app, clerk.token, { number: null, purposes: [] });
      await http()
        .put(`/subjects/${subject.id}/purposes`)
        .set('Authorization', `Bearer ${clerk.token}`)
        .send({ purposes: ['payment-record'], notifiedAt: '2026-04-01T09:00:00Z' })
        .expect(400);
    });

    it('a dependent needs an existing employee', async () => {
      const res = await http().post('/subjects').set('Authorization', `Bearer ${clerk.token}`).send({ kind: 'dependent', code: 'D-x1', name: '試験 花子' });
      expect(res.status).toBe(400);
      expect(res.body.message.join(' ')).toMatch(/employeeId/);
    });

    it('a non-uuid id is a 400, not a 500', async () => {
      const res = await http().get('/subjects/..%2F..%2Fetc%2Fpasswd/number').set('Authorization', `Bearer ${clerk.token}`);
      expect(res.status).toBe(400);
    });

    it('an unknown person is a 404', async () => {
      await http().get('/subjects/00000000-0000-4000-8000-000000000000/number').set('Authorization', `Bearer ${clerk.token}`).expect(404);
    });
  });

  it('an auditor gets 403 on every number route', async () => {
    const subject = await createSubject(app, clerk.token);
    const auth = { Authorization: `Bearer ${auditor.token}` };
    await http().get(`/subjects/${subject.id}/number`).set(auth).expect(403);
    await http().put(`/subjects/${subject.id}/number`).set(auth).send({ number: fakeMyNumber(), identityCheck: CARD_CHECK }).expect(403);
    await http().post(`/subjects/${subject.id}/number/reveal`).set(auth).send({ purpose: 'withholding-slip' }).expect(403);
    await http()
      .post('/reveals')
      .set(auth)
      .send({ purpose: 'withholding-slip', subjectIds: [subject.id] })
      .expect(403);
    await http().get(`/subjects`).set(auth).expect(403);
  });
});
