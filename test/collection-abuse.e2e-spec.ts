import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ClockService } from '../src/config/clock.service';
import { createTestApp, ownerConnection, SettingsOverrides } from './support/app';
import { createLink, jpegWithGps, submissionData, submit } from './support/collection';
import { signIn, SignedIn } from './support/staff';
import { createSubject, fakeMyNumber } from './support/subjects';

/** This spec's own settings, on top of the run's (the app is built from them). */
const SETTINGS: SettingsOverrides = {
  COLLECTION_RATE_LIMIT_PER_LINK: '30',
  COLLECTION_RATE_LIMIT_PER_ADDRESS: '1400',
  COLLECTION_IMAGE_MAX_PIXELS: '12000000',
};

/** A PNG whose header claims width × height pixels over a tiny compressed body (a classic bomb). */
function pngClaiming(width: number, height: number): Buffer {
  const crc = (buf: Buffer) => {
    let c = ~0;
    for (const b of buf) {
      c ^= b;
      for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
    }
    return (~c >>> 0) as number;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(64 * 1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('collection links: bad input and abuse (issue #15)', () => {
  let app: INestApplication;
  let owner: DataSource;
  let clerk: SignedIn;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createTestApp(SETTINGS);
    owner = await ownerConnection();
    clerk = await signIn(app, ['clerk']);
  });

  afterAll(async () => {
    app?.get(ClockService).reset();
    await owner?.destroy();
    await app?.close();
  });

  /** Nothing of a submission exists for this person: no submission, entry, photo or notified purpose. */
  async function expectNothingStored(subjectId: string): Promise<void> {
    const [row] = await owner.query(
      `SELECT (SELECT count(*) FROM collection_submission WHERE subject_id = $1)::int AS submissions,
              (SELECT count(*) FROM collection_image i JOIN collection_submission s ON s.id = i.submission_id WHERE s.subject_id = $1)::int AS images,
              (SELECT count(*) FROM subject_purpose WHERE subject_id = $1)::int AS purposes,
              (SELECT count(*) FROM subject_number WHERE subject_id = $1)::int AS numbers,
              (SELECT status FROM collection_request WHERE subject_id = $1 ORDER BY created_at DESC LIMIT 1) AS status`,
      [subjectId],
    );
    expect(row).toMatchObject({ submissions: 0, images: 0, purposes: 0, numbers: 0, status: 'open' });
  }

  async function freshLink() {
    const person = await createSubject(app, clerk.token, { number: null, purposes: [] });
    return { person, ...(await createLink(app, clerk.token, person.id)) };
  }

  const cardPhotos = async (front?: Buffer, name = 'IMG_0001.jpg') => ({
    'my-number-card:front': { bytes: front ?? (await jpegWithGps()), filename: name },
    'my-number-card:back': { bytes: await jpegWithGps(), filename: 'IMG_0002.jpg' },
  });

  it('refuses a PDF renamed .jpg (415), keeps nothing', async () => {
    const { person, token } = await freshLink();
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n'), randomBytes(2048), Buffer.from('\n%%EOF\n')]);
    const res = await submit(app, token, submissionData({ number: fakeMyNumber() }), await cardPhotos(pdf, 'card.jpg'));
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('collection.image-type');
    await expectNothingStored(person.id);
  });

  it('refuses a 50 MB image (413) without reading it all into memory, keeps nothing', async () => {
    const { person, token } = await freshLink();
    const big = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(50 * 1024 * 1024)]);
    const res = await submit(app, token, submissionData({ number: fakeMyNumber() }), await cardPhotos(big));
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('collection.image-too-large');
    await expectNothingStored(person.id);
  });

  it('refuses decompression bombs: a header claiming 100,000² pixels and a real 16-megapixel PNG of zeros (422)', async () => {
    const { person, token } = await freshLink();
    const claimed = await submit(app, token, submissionData({ number: fakeMyNumber() }), await cardPhotos(pngClaiming(100_000, 100_000), 'a.png'));
    expect(claimed.status).toBe(422);
    expect(claimed.body.code).toBe('collection.image-too-many-pixels');
    const real = await sharp({ create: { width: 4000, height: 4000, channels: 3, background: '#000' } })
      .png({ compressionLevel: 9 })
      .toBuffer();
    expect(real.length).toBeLessThan(1024 * 1024); // small on the wire, 48 MB once decoded
    const res = await submit(app, token, submissionData({ number: fakeMyNumber() }), await cardPhotos(real, 'b.png'));
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('collection.image-too-many-pixels');
    await expectNothingStored(person.id);
  });

  it('refuses a wrong check digit (400, no digits in the answer), a missing photo, a photo not asked for, bad JSON', async () => {
    const { person, token } = await freshLink();
    const good = fakeMyNumber();
    const wrong = good.slice(0, 11) + String((Number(good[11]) + 1) % 10);
    const res = await submit(app, token, submissionData({ number: wrong }), await cardPhotos());
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('collection.number-invalid');
    expect(JSON.stringify(res.body)).not.toContain(wrong);
    const missing = await submit(app, token, submissionData({ number: good }), { 'my-number-card:front': { bytes: await jpegWithGps(), filename: 'a.jpg' } });
    expect(missing.body.code).toBe('collection.photo-missing');
    const extra = await submit(app, token, submissionData({ number: good }), {
      ...(await cardPhotos()),
      'passport:front': { bytes: await jpegWithGps(), filename: 'p.jpg' },
    });
    expect(extra.body.code).toBe('collection.photo-unexpected');
    expect((await submit(app, token, '{not json', {})).body.code).toBe('collection.form-invalid');
    const badDoc = await submit(app, token, submissionData({ number: good, numberDocument: 'drivers-licence', identityDocuments: ['drivers-licence'] }), {});
    expect(badDoc.body.code).toBe('collection.identity-documents');
    const json = await http().post('/collect/submission').set('X-Collection-Token', token).send({ number: good });
    expect(json.status).toBe(415);
    await expectNothingStored(person.id);
  });

  it('answers a used, expired, cancelled or unknown link with its own code, on the page route too', async () => {
    const used = await freshLink();
    await submit(app, used.token, submissionData({ number: fakeMyNumber() }), await cardPhotos()).expect(201);
    const reused = await submit(app, used.token, submissionData({ number: fakeMyNumber() }), await cardPhotos());
    expect([reused.status, reused.body.code]).toEqual([410, 'collection.link-used']);
    const [{ n }] = await owner.query('SELECT count(*)::int AS n FROM collection_submission WHERE subject_id = $1', [used.person.id]);
    expect(n).toBe(1);

    const expired = await freshLink();
    app.get(ClockService).advance(15 * 24 * 3600_000);
    try {
      const res = await http().post('/collect/link').set('X-Collection-Token', expired.token);
      expect([res.status, res.body.code]).toEqual([410, 'collection.link-expired']);
      const late = await submit(app, expired.token, submissionData({ number: fakeMyNumber() }), await cardPhotos());
      expect(late.body.code).toBe('collection.link-expired');
    } finally {
      app.get(ClockService).reset();
    }
    await expectNothingStored(expired.person.id);
    for (const token of ['', 'short', 'A'.repeat(43), '../../etc/passwd']) {
      const res = await http().post('/collect/link').set('X-Collection-Token', token);
      expect([res.status, res.body.code]).toEqual([404, 'collection.link-unknown']);
    }
    // the page itself is always a page (it shows the friendly text for these codes)
    const page = await http().get('/collect').expect(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('keeps nothing of an abandoned submission but the audited "started" event', async () => {
    const { person, token } = await freshLink();
    await http().post('/collect/link').set('X-Collection-Token', token).expect(200);
    await expectNothingStored(person.id);
    const actions = (await owner.query('SELECT action FROM audit_entry WHERE subject_id = $1 ORDER BY seq', [person.id])).map(
      (r: { action: string }) => r.action,
    );
    expect(actions).toEqual(['subject.created', 'collection.requested', 'collection.started']);
  });

  it('1,000 fast attempts on one link: clear 429s after the per-link limit, nothing stored, the service stays responsive', async () => {
    const { person, token } = await freshLink();
    const statuses: number[] = [];
    const codes = new Set<string>();
    const started = Date.now();
    for (let batch = 0; batch < 20; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (batch + i) % 2
            ? http().post('/collect/link').set('X-Collection-Token', token)
            : submit(app, token, submissionData({ number: '1234 5678 9012' }), {}),
        ),
      );
      for (const a of answers) {
        statuses.push(a.status);
        if (a.body?.code) codes.add(a.body.code);
      }
    }
    expect(statuses).toHaveLength(1000);
    expect(statuses.every((s) => s >= 200 && s < 500)).toBe(true);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1000 - 30);
    expect(codes).toContain('collection.rate-limited-link');
    const limited = await http().post('/collect/link').set('X-Collection-Token', token).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await expectNothingStored(person.id);
    // still responsive: health and a clerk's list answer at once
    const t0 = Date.now();
    await http()
      .get('/health')
      .expect((r) => expect([200, 503]).toContain(r.status));
    await http().get('/collection/requests').set('Authorization', `Bearer ${clerk.token}`).expect(200);
    expect(Date.now() - t0).toBeLessThan(15_000); // not stuck behind the flood (a hang check, the machine may be busy)
    expect(Date.now() - started).toBeLessThan(120_000);
    // another person's link from the same address still works until the per-address limit
    const other = await freshLink();
    await http().post('/collect/link').set('X-Collection-Token', other.token).expect(200);
  });

  it('limits one address across links', async () => {
    let last = 0;
    for (let i = 0; i < 1500 && last !== 429; i++) {
      last = (await http().post('/collect/link').set('X-Collection-Token', randomBytes(32).toString('base64url'))).status;
    }
    expect(last).toBe(429);
    const res = await http().post('/collect/link').set('X-Collection-Token', randomBytes(32).toString('base64url')).expect(429);
    expect(res.body.code).toBe('collection.rate-limited-address');
  });
});
