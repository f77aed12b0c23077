import { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestApp, ownerConnection } from './support/app';
import { signIn, SignedIn, uniqueUsername } from './support/staff';
import { createSubject, uniqueCode } from './support/subjects';

/**
 * Issue #16, finding 5: numbers must not get into places that never forget. Every example of the
 * outside review is refused with 400 `input.number-like` and nothing of it is stored: not in the
 * append-only trail, not in an account or a person.
 */
describe('number-like values in free text and the request id (issue #16, finding 5)', () => {
  let app: INestApplication;
  let owner: DataSource;
  let admin: SignedIn;
  let clerk: SignedIn;
  const server = () => app.getHttpServer();

  /** No stored text anywhere in the trail, accounts or people holds one of these digit strings. */
  async function nowhereStored(...digitStrings: string[]): Promise<void> {
    const rows: { t: string }[] = await owner.query(
      `SELECT row_to_json(a)::text AS t FROM audit_entry a
       UNION ALL SELECT row_to_json(u)::text FROM staff_user u
       UNION ALL SELECT row_to_json(s)::text FROM subject s`,
    );
    const all = rows.map((r) => r.t).join('\n');
    for (const d of digitStrings) expect(all).not.toContain(d);
  }

  beforeAll(async () => {
    app = await createTestApp();
    owner = await ownerConnection();
    admin = await signIn(app, ['admin']);
    clerk = await signIn(app, ['clerk']);
  });

  afterAll(async () => {
    await owner?.destroy();
    await app?.close();
  });

  it('refuses an X-Request-Id of 12 digits before anything is written, and names its own id', async () => {
    const before = Number((await owner.query('SELECT count(*) AS n FROM audit_entry'))[0].n);
    const res = await request(server())
      .post('/subjects')
      .set('Authorization', `Bearer ${clerk.token}`)
      .set('X-Request-Id', '983205673214')
      .send({ kind: 'employee', code: uniqueCode(), name: '試験 花子' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('input.number-like');
    expect(res.headers['x-request-id']).not.toContain('983205673214');
    const after = Number((await owner.query('SELECT count(*) AS n FROM audit_entry'))[0].n);
    expect(after).toBe(before);
    await nowhereStored('983205673214');
  });

  it('keeps a plain X-Request-Id, and a UUID one', async () => {
    for (const id of ['req-reveal-1', '123e4567-e89b-42d3-a456-42661417400f']) {
      const res = await request(server()).get('/me').set('Authorization', `Bearer ${clerk.token}`).set('X-Request-Id', id);
      expect(res.status).toBe(200);
      expect(res.headers['x-request-id']).toBe(id);
    }
  });

  it('refuses a deactivation reason with a spaced number', async () => {
    const target = await signIn(app, ['clerk']);
    const res = await request(server())
      .post(`/users/${target.userId}/deactivate`)
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ reason: 'old card 1234 5678 9018' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('input.number-like');
    const [row] = await owner.query('SELECT status FROM staff_user WHERE id = $1', [target.userId]);
    expect(row.status).toBe('active');
    await nowhereStored('1234 5678 9018', '123456789018');
  });

  it('refuses a postpone reason and a dispose note with a spaced number', async () => {
    const alarm = randomUUID();
    for (const [path, body] of [
      [`/retention/alarms/${alarm}/postpone`, { until: '2030-01-01', reason: 'tax audit 1234 5678 9018' }],
      [`/retention/alarms/${alarm}/dispose`, { note: 'card 1234 5678 9018 shredded' }],
      ['/retention/alarms/dispose-all', { note: 'card 1234 5678 9018 shredded' }],
    ] as const) {
      const res = await request(server()).post(path).set('Authorization', `Bearer ${admin.token}`).send(body);
      expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 400, code: 'input.number-like' });
    }
    await nowhereStored('1234 5678 9018');
  });

  it.each([
    ['a code with hyphens', { code: '3775-9458-0792' }],
    ['a name with a hyphenated number', { name: '山田 3775-9458-0792' }],
    ['a name in superscript digits', { name: '山田 ³⁷⁷⁵⁹⁴⁵⁸⁰⁷⁹²' }],
    ['a name in Arabic-Indic digits', { name: 'يامادا ٣٧٧٥٩٤٥٨٠٧٩٢' }],
    ['a name in full-width digits', { name: '山田 ３７７５　９４５８　０７９２' }],
  ])('refuses a person with %s, and a rename to it', async (_, fields) => {
    const res = await request(server())
      .post('/subjects')
      .set('Authorization', `Bearer ${clerk.token}`)
      .send({ kind: 'employee', code: uniqueCode(), name: '試験 花子', ...fields });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('input.number-like');
    if ('name' in fields) {
      const subject = await createSubject(app, clerk.token, { number: null, purposes: [] });
      const renamed = await request(server()).patch(`/subjects/${subject.id}`).set('Authorization', `Bearer ${clerk.token}`).send(fields);
      expect(renamed.status).toBe(400);
      expect(renamed.body.code).toBe('input.number-like');
    }
    await nowhereStored('377594580792', '3775-9458-0792');
  });

  it('refuses a username and a display name that carry a number', async () => {
    for (const body of [
      { username: 'a123456789018', displayName: '試験', roles: ['clerk'] },
      { username: uniqueUsername(), displayName: 'Sato 1234.5678.9018', roles: ['clerk'] },
    ]) {
      const res = await request(server()).post('/users').set('Authorization', `Bearer ${admin.token}`).send(body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('input.number-like');
    }
    await nowhereStored('a123456789018', '1234.5678.9018');
  });

  it('accepts ordinary text with short figures and dates', async () => {
    const res = await request(server())
      .post('/subjects')
      .set('Authorization', `Bearer ${clerk.token}`)
      .send({ kind: 'employee', code: 'E-0001-' + uniqueCode('x'), name: '試験 花子 2号' });
    expect(res.status).toBe(201);
  });
});
