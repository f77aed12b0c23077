import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ClockService } from '../src/config/clock.service';
import { createTestApp, ownerConnection } from './support/app';
import { signIn, SignedIn } from './support/staff';
import { createSubject } from './support/subjects';

describe('purpose-bound reveal and bulk retrieval', () => {
  let app: INestApplication;
  let owner: DataSource;
  let clerk: SignedIn;
  const http = () => request(app.getHttpServer());
  const auditRows = (subjectId: string, action?: string) =>
    owner
      .query(
        `SELECT action, outcome, purpose, details, actor_id, request_id, client_address FROM audit_entry WHERE subject_id = $1 ${action ? 'AND action = $2' : ''} ORDER BY seq`,
        action ? [subjectId, action] : [subjectId],
      )
      .then(
        (
          rows: {
            action: string;
            outcome: string;
            purpose: string | null;
            details: Record<string, unknown>;
            actor_id: string;
            request_id: string;
            client_address: string;
          }[],
        ) => rows,
      );

  /** POST /reveals as NDJSON for these people: the raw text and its parsed lines. */
  async function bulkNdjson(subjectIds: string[]): Promise<{ text: string; lines: Record<string, any>[] }> {
    const res = await http()
      .post('/reveals')
      .set('Authorization', `Bearer ${clerk.token}`)
      .set('Accept', 'application/x-ndjson')
      .send({ purpose: 'withholding-slip', subjectIds })
      .buffer(true)
      .parse((r, cb) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (text += c));
        r.on('end', () => cb(null, text));
      })
      .expect(200);
    const text = res.body as string;
    return {
      text,
      lines: text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    };
  }

  beforeAll(async () => {
    app = await createTestApp();
    owner = await ownerConnection();
    clerk = await signIn(app, ['clerk']);
  });

  afterAll(async () => {
    await owner?.destroy();
    await app?.close();
  });

  it('reveals for a notified purpose with exactly one audit entry, committed, and no-store', async () => {
    const s = await createSubject(app, clerk.token);
    const res = await http()
      .post(`/subjects/${s.id}/number/reveal`)
      .set('Authorization', `Bearer ${clerk.token}`)
      .set('X-Request-Id', 'req-reveal-1')
      .send({ purpose: 'withholding-slip' })
      .expect(200);
    expect(res.body).toEqual({ number: s.number });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-request-id']).toBe('req-reveal-1');
    // No body hash in the headers: an ETag of {"number":…} would be a brute-forceable hash of the number.
    expect(res.headers.etag).toBeUndefined();
    const entries = await auditRows(s.id, 'number.revealed');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ outcome: 'success', purpose: 'withholding-slip', actor_id: clerk.userId, request_id: 'req-reveal-1' });
    expect(entries[0]!.client_address).toBeTruthy();
  });

  it('answers a body that is not JSON with a fixed 4xx message that never quotes it, and reveals nothing', async () => {
    const s = await createSubject(app, clerk.token);
    const url = `/subjects/${s.id}/number/reveal`;
    const auth = { Authorization: `Bearer ${clerk.token}` };
    const malformed = await http().post(url).set(auth).set('Content-Type', 'application/json').send(`{"purpose": ${s.number}`).expect(400);
    expect(malformed.body).toEqual({ statusCode: 400, code: expect.any(String), error: 'Bad Request', message: 'Request body is not valid JSON' });
    const text = await http().post(url).set(auth).set('Content-Type', 'text/plain').send(`purpose=withholding-slip ${s.number}`).expect(415);
    expect(text.body).toEqual({
      statusCode: 415,
      code: expect.any(String),
      error: 'Unsupported Media Type',
      message: 'Send the request body as JSON (Content-Type: application/json)',
    });
    const huge = await http()
      .post(url)
      .set(auth)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ purpose: 'x'.repeat(300_000) }))
      .expect(413);
    expect(huge.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    expect(await auditRows(s.id, 'number.revealed')).toHaveLength(0);
  });

  it.each([
    ['no purpose', {}, 400, 'no-purpose'],
    ['an unknown purpose', { purpose: 'marketing' }, 400, 'unknown-purpose'],
    ['a purpose not notified to this person', { purpose: 'health-pension' }, 403, 'purpose-not-notified'],
  ])('refuses %s and audits the refusal', async (_name, body, status, reason) => {
    const s = await createSubject(app, clerk.token);
    const res = await http().post(`/subjects/${s.id}/number/reveal`).set('Authorization', `Bearer ${clerk.token}`).send(body).expect(status);
    expect(JSON.stringify(res.body)).not.toContain(s.number!);
    const refused = await auditRows(s.id, 'number.reveal-refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.details).toMatchObject({ reason });
    expect(await auditRows(s.id, 'number.revealed')).toHaveLength(0);
  });

  it('answers 404 for a person with no number on file', async () => {
    const s = await createSubject(app, clerk.token, { number: null });
    const res = await http()
      .post(`/subjects/${s.id}/number/reveal`)
      .set('Authorization', `Bearer ${clerk.token}`)
      .send({ purpose: 'withholding-slip' })
      .expect(404);
    expect(res.body.message).toMatch(/No number/);
  });

  it('needs current training and a fresh step-up', async () => {
    const s = await createSubject(app, clerk.token);
    const untrained = await signIn(app, ['clerk'], { acknowledgeTraining: false });
    await http().post(`/subjects/${s.id}/number/reveal`).set('Authorization', `Bearer ${untrained.token}`).send({ purpose: 'withholding-slip' }).expect(403);
    const clock = app.get(ClockService);
    const fresh = await signIn(app, ['clerk']);
    try {
      clock.advance(6 * 60_000); // past STEP_UP_MINUTES (5), inside the idle timeout
      const res = await http().post(`/subjects/${s.id}/number/reveal`).set('Authorization', `Bearer ${fresh.token}`).send({ purpose: 'withholding-slip' });
      expect(res.status).toBe(403);
      expect(res.body.message).toMatch(/step-up/);
    } finally {
      clock.reset();
    }
    const reasons = (await auditRows(s.id, 'number.reveal-refused')).map((r) => r.details.reason);
    expect(reasons).toEqual(['training-required', 'step-up-required']);
  });

  it('fails closed: when the audit insert fails the caller gets an error and no digits', async () => {
    const s = await createSubject(app, clerk.token);
    // a trigger in this run's database that makes the audit insert fail for this one person
    await owner.query(`
      CREATE OR REPLACE FUNCTION test_fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.subject_id = '${s.id}'::uuid AND NEW.action = 'number.revealed' THEN RAISE EXCEPTION 'audit unavailable'; END IF;
        RETURN NEW;
      END $$`);
    await owner.query(`CREATE TRIGGER test_fail_audit BEFORE INSERT ON audit_entry FOR EACH ROW EXECUTE FUNCTION test_fail_audit()`);
    try {
      const res = await http().post(`/subjects/${s.id}/number/reveal`).set('Authorization', `Bearer ${clerk.token}`).send({ purpose: 'withholding-slip' });
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect(res.text).not.toContain(s.number!);
      expect(res.body.number).toBeUndefined();
    } finally {
      await owner.query('DROP TRIGGER test_fail_audit ON audit_entry');
      await owner.query('DROP FUNCTION test_fail_audit()');
    }
    expect(await auditRows(s.id, 'number.revealed')).toHaveLength(0);
  });

  it('bulk CSV: each employee followed by their 配偶者・扶養親族 (employee_code), with フリガナ (issue #22)', async () => {
    const employee = await createSubject(app, clerk.token);
    const dependent = await createSubject(app, clerk.token, { kind: 'dependent', employeeId: employee.id });
    const other = await createSubject(app, clerk.token);
    const res = await http()
      .post('/reveals')
      .set('Authorization', `Bearer ${clerk.token}`)
      .send({ purpose: 'withholding-slip', subjectIds: [dependent.id, other.id, employee.id] })
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    const rows = (res.body as Buffer)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
      .filter((l) => !l.startsWith('#'))
      .slice(1);
    // codes are E-… and D-…: sorted by code alone the dependent would come first
    const order = rows.map((r) => r.split(',')[0]);
    expect(order.indexOf(dependent.code)).toBe(order.indexOf(employee.code) + 1);
    expect(order).toContain(other.code);
    expect(rows[order.indexOf(dependent.code)]).toBe(`${dependent.code},試験 太郎,dependent,${dependent.number},シケン タロウ,${employee.code}`);
  });

  it('bulk retrieval of N people returns N rows and writes N audit entries, lists the skipped, records the take-out', async () => {
    const told = await Promise.all(Array.from({ length: 5 }, () => createSubject(app, clerk.token)));
    const notTold = await createSubject(app, clerk.token, { purposes: ['health-pension'] });
    const noNumber = await createSubject(app, clerk.token, { number: null });
    const ids = [...told.map((s) => s.id), notTold.id, noNumber.id];
    const res = await http()
      .post('/reveals')
      .set('Authorization', `Bearer ${clerk.token}`)
      .send({ purpose: 'withholding-slip', subjectIds: ids })
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    const body = (res.body as Buffer).toString('utf8');
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(body.charCodeAt(0)).toBe(0xfeff);
    const lines = body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('code,name,kind,my_number,name_kana,employee_code');
    const rows = lines.filter((l) => !l.startsWith('#')).slice(1);
    expect(rows).toHaveLength(5);
    for (const s of told) expect(rows).toContain(`${s.code},試験 太郎,employee,${s.number},シケン タロウ,`);
    expect(body).toContain(`#skipped,${notTold.code},${notTold.id},purpose-not-notified`);
    expect(body).toContain(`#skipped,${noNumber.code},${noNumber.id},no-number`);
    expect(body).not.toContain(notTold.number!);
    for (const s of told) expect(await auditRows(s.id, 'number.bulk-retrieved')).toHaveLength(1);
    expect(await auditRows(notTold.id, 'number.bulk-retrieved')).toHaveLength(0);
    const summary = /#summary,rows=5,skipped=2,purpose=withholding-slip,bulk_id=([0-9a-f-]+)/.exec(body);
    expect(summary).not.toBeNull();
    const exported = await owner.query(`SELECT details FROM audit_entry WHERE action = 'number.exported' AND details->>'bulkId' = $1`, [summary![1]]);
    expect(exported).toHaveLength(1);
    expect(exported[0].details).toMatchObject({ rows: 5, skipped: 2, format: 'csv' });
  });

  it('bulk retrieval lists a record that fails its integrity check as skipped and still delivers the rest', async () => {
    const [good, victim, donor] = await Promise.all([1, 2, 3].map(() => createSubject(app, clerk.token)));
    // The donor's ciphertext moved onto the victim's row: it cannot decrypt there (GCM additional data).
    await owner.query(
      `UPDATE subject_number SET ciphertext = src.ciphertext, wrapped_key = src.wrapped_key, key_version = src.key_version
         FROM (SELECT ciphertext, wrapped_key, key_version FROM subject_number WHERE subject_id = $1) src
        WHERE subject_id = $2`,
      [donor!.id, victim!.id],
    );
    const { text, lines } = await bulkNdjson([good!.id, victim!.id]);
    expect(lines.filter((l) => l.type === 'row').map((l) => l.number)).toEqual([good!.number]);
    expect(lines).toContainEqual({ type: 'skipped', subjectId: victim!.id, code: victim!.code, reason: 'undecryptable' });
    expect(lines[lines.length - 1]).toMatchObject({ type: 'summary', rows: 1, skipped: 1 });
    expect(text).not.toContain(donor!.number!);
    expect(text).not.toContain(victim!.number!);
    const trail = await auditRows(victim!.id, 'number.bulk-retrieved');
    expect(trail.map((e) => [e.outcome, e.details.reason])).toEqual([
      ['success', undefined],
      ['failure', 'undecryptable'],
    ]);
  });

  it('bulk retrieval streams NDJSON when asked', async () => {
    const people = await Promise.all(Array.from({ length: 3 }, () => createSubject(app, clerk.token)));
    const { lines } = await bulkNdjson(people.map((p) => p.id));
    expect(
      lines
        .filter((l) => l.type === 'row')
        .map((l) => l.number)
        .sort(),
    ).toEqual(people.map((p) => p.number).sort());
    expect(lines[lines.length - 1]).toMatchObject({ type: 'summary', rows: 3, skipped: 0 });
  });

  it('bulk retrieval with a purpose the caller cannot use is refused before anything streams', async () => {
    await http().post('/reveals').set('Authorization', `Bearer ${clerk.token}`).send({ purpose: 'marketing', kind: 'employee' }).expect(400);
    await http().post('/reveals').set('Authorization', `Bearer ${clerk.token}`).send({ purpose: 'withholding-slip' }).expect(400);
  });
});
