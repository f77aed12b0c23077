import { INestApplication } from '@nestjs/common';
import sharp from 'sharp';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ClockService } from '../src/config/clock.service';
import { EnvelopeService } from '../src/crypto/envelope.service';
import { imageAad } from '../src/collection/entities/collection-image.entity';
import { jpegHasMetadataSegment } from '../src/collection/image-processor';
import { createTestApp, ownerConnection, SettingsOverrides } from './support/app';
import { createLink, hasExif, heicWithGps, jpegWithGps, submissionData, submit } from './support/collection';
import { signIn, SignedIn, stepUp } from './support/staff';
import { createSubject, fakeMyNumber } from './support/subjects';

/** This spec's own settings, on top of the run's (the app is built from them). */
const SETTINGS: SettingsOverrides = {
  COLLECTION_RATE_LIMIT_PER_ADDRESS: '100000',
  COLLECTION_RATE_LIMIT_PER_LINK: '1000',
};

describe('collection links (issue #15)', () => {
  let app: INestApplication;
  let owner: DataSource;
  let clerk: SignedIn;
  let auditor: SignedIn;
  const http = () => request(app.getHttpServer());
  const auth = (t: string) => ({ Authorization: `Bearer ${t}` });

  beforeAll(async () => {
    app = await createTestApp(SETTINGS);
    owner = await ownerConnection();
    clerk = await signIn(app, ['clerk']);
    auditor = await signIn(app, ['auditor']);
  });

  afterAll(async () => {
    app?.get(ClockService).reset();
    await owner?.destroy();
    await app?.close();
  });

  async function auditOf(subjectId: string): Promise<{ action: string; outcome: string; purpose: string | null; details: Record<string, unknown> }[]> {
    return owner.query('SELECT action, outcome, purpose, details FROM audit_entry WHERE subject_id = $1 ORDER BY seq', [subjectId]);
  }

  async function waitingFor(subjectId: string) {
    const res = await http().get('/collection/submissions').set(auth(clerk.token)).expect(200);
    return res.body.items.find((s: { subject: { id: string } }) => s.subject.id === subjectId);
  }

  it('walks the whole path: link, page, submission with photos and a dependent, review, approval, reveal', async () => {
    const employee = await createSubject(app, clerk.token, { number: null, purposes: [] });
    const { token, link } = await createLink(app, clerk.token, employee.id);
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:3000\/collect#[A-Za-z0-9_-]{43}$/);
    // the token is stored only hashed
    const [stored] = await owner.query('SELECT encode(token_hash, $2) AS h FROM collection_request WHERE subject_id = $1', [employee.id, 'hex']);
    expect(stored.h).toHaveLength(64);
    expect(stored.h).not.toContain(Buffer.from(token).toString('hex'));

    const page = await http().post('/collect/link').set('X-Collection-Token', token).expect(200);
    expect(page.body).toMatchObject({ company: expect.any(String), greetingName: '試験 太郎', notice: { version: '2026-04' } });
    expect(page.body.notice.purposes.map((p: { code: string }) => p.code)).toContain('withholding-slip');
    await http().post('/collect/link').set('X-Collection-Token', token).expect(200);
    expect((await auditOf(employee.id)).filter((e) => e.action === 'collection.started')).toHaveLength(1);

    const number = fakeMyNumber();
    const dependentNumber = fakeMyNumber();
    const front = await jpegWithGps(800, 500);
    const back = await jpegWithGps(800, 500, { r: 20, g: 90, b: 200 });
    expect(await hasExif(front)).toBe(true);
    const res = await submit(
      app,
      token,
      submissionData({
        number: `${number.slice(0, 4)} ${number.slice(4, 8)} ${number.slice(8)}`,
        dependents: [
          {
            name: '試験 花子',
            nameKana: 'シケン ハナコ',
            relationship: 'spouse',
            number: dependentNumber,
            numberDocument: 'my-number-card',
            identityDocuments: ['my-number-card'],
          },
        ],
      }),
      { 'my-number-card:front': { bytes: front, filename: 'IMG_0001.JPG' }, 'my-number-card:back': { bytes: heicWithGps(), filename: 'IMG_0002.HEIC' } },
    );
    expect(res.status).toBe(201);
    expect(back.length).toBeGreaterThan(0);
    expect(JSON.stringify(res.body)).not.toMatch(/\d{12}/);

    // the purposes are recorded as notified, with the acknowledgement time
    const purposes = await http().get(`/subjects/${employee.id}/purposes`).set(auth(clerk.token)).expect(200);
    expect(purposes.body.purposes.map((p: { purpose: string }) => p.purpose)).toEqual(expect.arrayContaining(['withholding-slip', 'dependents-declaration']));
    for (const p of purposes.body.purposes) expect(Math.abs(Date.parse(p.notifiedAt) - Date.now())).toBeLessThan(60_000);

    // the link works once
    const again = await http().post('/collect/link').set('X-Collection-Token', token).expect(410);
    expect(again.body.code).toBe('collection.link-used');

    // stored photos: encrypted, re-encoded, no EXIF block
    const images: { id: string; submission_id: string; ciphertext: Buffer; wrapped_key: Buffer; key_version: number; content_type: string }[] =
      await owner.query(
        `SELECT i.id, i.submission_id, i.ciphertext, i.wrapped_key, i.key_version, i.content_type FROM collection_image i JOIN collection_submission s ON s.id = i.submission_id WHERE s.subject_id = $1`,
        [employee.id],
      );
    expect(images).toHaveLength(2);
    const envelope = app.get(EnvelopeService);
    for (const image of images) {
      expect(image.content_type).toBe('image/jpeg');
      expect(image.ciphertext.includes(Buffer.from('Exif'))).toBe(false);
      const plain = envelope.decrypt(
        { ciphertext: image.ciphertext, wrappedKey: image.wrapped_key, keyVersion: image.key_version },
        imageAad(image.id, image.submission_id),
      );
      expect(plain.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
      expect(jpegHasMetadataSegment(plain)).toBe(false);
      expect(await hasExif(plain)).toBe(false);
      expect((await sharp(plain).metadata()).width).toBeGreaterThan(0);
    }

    // review: listed without digits, flagged nowhere
    const waiting = await waitingFor(employee.id);
    expect(waiting).toMatchObject({ status: 'waiting', flagged: false, numberDocument: 'my-number-card' });
    expect(waiting.entries).toHaveLength(2);
    expect(waiting.images).toHaveLength(2);
    expect(JSON.stringify(waiting)).not.toMatch(/\d{12}/);

    await stepUp(app, clerk);
    const revealed = await http().post(`/collection/submissions/${waiting.id}/reveal`).set(auth(clerk.token)).expect(200);
    expect(revealed.headers['cache-control']).toBe('no-store');
    expect(revealed.body.entries.map((e: { number: string }) => e.number)).toEqual([number, dependentNumber]);
    const photo = await http().get(`/collection/submissions/${waiting.id}/images/${waiting.images[0].id}`).set(auth(clerk.token)).buffer(true).expect(200);
    expect(photo.headers['content-type']).toBe('image/jpeg');
    expect(jpegHasMetadataSegment(photo.body)).toBe(false);
    const looks = (await auditOf(employee.id)).filter((e) => e.action === 'collection.revealed');
    expect(looks.map((e) => [e.purpose, e.details.what])).toEqual([
      ['identity-check', 'numbers'],
      ['identity-check', 'image'],
    ]);

    const approved = await http().post(`/collection/submissions/${waiting.id}/approve`).set(auth(clerk.token)).expect(200);
    expect(approved.body).toMatchObject({ status: 'approved', imagesDeleted: 2 });
    expect(approved.body.storedFor).toHaveLength(2);
    const [dependentId] = approved.body.storedFor.slice(1);

    // the number is on file with the identity check from the submission, and revealable for a notified purpose
    const status = await http().get(`/subjects/${employee.id}/number`).set(auth(clerk.token)).expect(200);
    expect(status.body).toMatchObject({
      onFile: true,
      identityChecked: true,
      identityCheck: { numberDocument: 'my-number-card', identityDocuments: ['my-number-card'], checkedBy: clerk.userId },
    });
    const shown = await http().post(`/subjects/${employee.id}/number/reveal`).set(auth(clerk.token)).send({ purpose: 'withholding-slip' }).expect(200);
    expect(shown.body.number).toBe(number);
    const dependent = await http().get(`/subjects/${dependentId}`).set(auth(clerk.token)).expect(200);
    expect(dependent.body).toMatchObject({ kind: 'dependent', employeeId: employee.id, name: '試験 花子' });
    const depShown = await http().post(`/subjects/${dependentId}/number/reveal`).set(auth(clerk.token)).send({ purpose: 'dependents-declaration' }).expect(200);
    expect(depShown.body.number).toBe(dependentNumber);

    // photos and the submission's own copies of the numbers are gone; their deletion is recorded
    const [{ n }] = await owner.query('SELECT count(*)::int AS n FROM collection_image WHERE submission_id = $1', [waiting.id]);
    expect(n).toBe(0);
    const [{ c }] = await owner.query('SELECT count(*)::int AS c FROM collection_entry WHERE submission_id = $1 AND ciphertext IS NOT NULL', [waiting.id]);
    expect(c).toBe(0);
    await http().get(`/collection/submissions/${waiting.id}/images/${waiting.images[0].id}`).set(auth(clerk.token)).expect(404);
    const actions = (await auditOf(employee.id)).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'collection.requested',
        'collection.started',
        'collection.submitted',
        'subject.purposes-notified',
        'collection.approved',
        'collection.images-deleted',
        'number.stored',
      ]),
    );
    // no audit entry holds a number or the token
    const trail = JSON.stringify(await auditOf(employee.id));
    expect(trail).not.toContain(number);
    expect(trail).not.toContain(token);
    const requests = await http().get('/collection/requests?status=approved').set(auth(clerk.token)).expect(200);
    expect(requests.body.items.find((r: { subjectId: string }) => r.subjectId === employee.id)).toMatchObject({ status: 'approved' });
  });

  it('flags a number already on another person, never merges it; send back reopens the link', async () => {
    const number = fakeMyNumber();
    await createSubject(app, clerk.token, { number });
    const employee = await createSubject(app, clerk.token, { number: null, purposes: [] });
    const { token, id: requestId } = await createLink(app, clerk.token, employee.id);
    const photos = {
      'my-number-card:front': { bytes: await jpegWithGps(), filename: 'a.jpg' },
      'my-number-card:back': { bytes: await jpegWithGps(), filename: 'b.jpg' },
    };
    await submit(app, token, submissionData({ number }), photos).expect(201);
    const waiting = await waitingFor(employee.id);
    expect(waiting.flagged).toBe(true);
    expect(waiting.entries[0].duplicate).toBe(true);
    const refused = await http().post(`/collection/submissions/${waiting.id}/approve`).set(auth(clerk.token)).expect(409);
    expect(refused.body.code).toBe('collection.number-on-another-record');
    expect((await http().get(`/subjects/${employee.id}/number`).set(auth(clerk.token)).expect(200)).body.onFile).toBe(false);

    await http().post(`/collection/submissions/${waiting.id}/return`).set(auth(clerk.token)).send({ reason: 'nope' }).expect(400);
    await http().post(`/collection/submissions/${waiting.id}/return`).set(auth(clerk.token)).send({ reason: 'number-mismatch' }).expect(200);
    const [{ n }] = await owner.query('SELECT count(*)::int AS n FROM collection_image WHERE submission_id = $1', [waiting.id]);
    expect(n).toBe(0);
    const page = await http().post('/collect/link').set('X-Collection-Token', token).expect(200);
    expect(page.body.returnReason).toBe('number-mismatch');
    const fixed = fakeMyNumber();
    await submit(app, token, submissionData({ number: fixed }), photos).expect(201);
    const second = await waitingFor(employee.id);
    expect(second.flagged).toBe(false);
    expect(second.requestId).toBe(requestId);
    await http().post(`/collection/submissions/${second.id}/approve`).set(auth(clerk.token)).expect(200);
    await http().post(`/collection/submissions/${second.id}/approve`).set(auth(clerk.token)).expect(409);
  });

  it('records "will not provide" with its reason as not provided; no photos needed', async () => {
    const employee = await createSubject(app, clerk.token, { number: null, purposes: [] });
    const { token } = await createLink(app, clerk.token, employee.id);
    await submit(app, token, submissionData({ notProvidedReason: 'declined', numberDocument: undefined, identityDocuments: [] }), {}).expect(201);
    const waiting = await waitingFor(employee.id);
    expect(waiting.entries[0]).toMatchObject({ provided: false, notProvidedReason: 'declined' });
    await http().post(`/collection/submissions/${waiting.id}/approve`).set(auth(clerk.token)).expect(200);
    expect((await http().get(`/subjects/${employee.id}/number`).set(auth(clerk.token)).expect(200)).body.onFile).toBe(false);
    const requests = await http().get(`/subjects/${employee.id}/number-requests`).set(auth(clerk.token));
    expect(requests.status).toBe(200);
    expect(JSON.stringify(requests.body)).toContain('refused');
    const notProvided = (await auditOf(employee.id)).filter((e) => e.action === 'collection.not-provided');
    expect(notProvided).toHaveLength(1);
    expect(notProvided[0]!.details).toMatchObject({ relation: 'self', reason: 'declined' });
  });

  it('creates links for every employee without a number, skips those with one open; reissue and cancel', async () => {
    const withNumber = await createSubject(app, clerk.token, {});
    const without = await createSubject(app, clerk.token, { number: null });
    const all = await http().post('/collection/requests').set(auth(clerk.token)).send({ allWithoutNumber: true }).expect(201);
    const ids = all.body.items.map((i: { subjectId: string }) => i.subjectId);
    expect(ids).toContain(without.id);
    expect(ids).not.toContain(withNumber.id);
    const twice = await http()
      .post('/collection/requests')
      .set(auth(clerk.token))
      .send({ subjectIds: [without.id] })
      .expect(201);
    expect(twice.body).toMatchObject({ items: [], skipped: [{ subjectId: without.id, reason: 'link-open' }] });
    const mine = all.body.items.find((i: { subjectId: string }) => i.subjectId === without.id);
    const oldToken = mine.link.split('#')[1];
    expect(mine.expiresAt).toBeDefined();
    expect(new Date(mine.expiresAt).getTime() - Date.now()).toBeGreaterThan(13.9 * 86400_000);

    const reissued = await http().post(`/collection/requests/${mine.id}/reissue`).set(auth(clerk.token)).send({}).expect(200);
    const newToken = reissued.body.link.split('#')[1];
    expect(newToken).not.toBe(oldToken);
    expect((await http().post('/collect/link').set('X-Collection-Token', oldToken).expect(404)).body.code).toBe('collection.link-unknown');
    await http().post('/collect/link').set('X-Collection-Token', newToken).expect(200);
    await http().post(`/collection/requests/${mine.id}/cancel`).set(auth(clerk.token)).expect(200);
    expect((await http().post('/collect/link').set('X-Collection-Token', newToken).expect(410)).body.code).toBe('collection.link-cancelled');
    await http().post(`/collection/requests/${mine.id}/cancel`).set(auth(clerk.token)).expect(409);

    const dependent = await createSubject(app, clerk.token, { kind: 'dependent', employeeId: withNumber.id, number: null });
    expect(
      (
        await http()
          .post('/collection/requests')
          .set(auth(clerk.token))
          .send({ subjectIds: [dependent.id] })
          .expect(400)
      ).body.code,
    ).toBe('collection.not-an-employee');
    // mail asked for without SMTP configured: refused before anything is created
    const noMail = await http()
      .post('/collection/requests')
      .set(auth(clerk.token))
      .send({ subjectIds: [dependent.id], recipients: [{ subjectId: dependent.id, email: 'x@example.com' }] })
      .expect(409);
    expect(noMail.body.code).toBe('collection.mail-not-configured');
    const actions = (await auditOf(without.id)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['collection.requested', 'collection.reissued', 'collection.started', 'collection.cancelled']));
  });

  it('lets only clerks create and review; auditors and the public are refused', async () => {
    await http().get('/collection/submissions').set(auth(auditor.token)).expect(403);
    await http().post('/collection/requests').set(auth(auditor.token)).send({ allWithoutNumber: true }).expect(403);
    await http().get('/collection/requests').expect(401);
  });
});
