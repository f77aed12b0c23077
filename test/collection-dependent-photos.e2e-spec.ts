// A company that asks for dependents' documents too: config/collection-notice.json with dependentPhotos on
// (the shipped file has it off, because the employee checks the dependents' identity). The legal data
// folder is a copy of config/ with only that value changed.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestApp, ownerConnection, SettingsOverrides } from './support/app';
import { createLink, jpegWithGps, submissionData, submit } from './support/collection';
import { signIn, SignedIn, stepUp } from './support/staff';
import { createSubject, fakeMyNumber } from './support/subjects';

const legalDir = mkdtempSync(join(tmpdir(), 'mnv-legal-'));
cpSync(join(__dirname, '..', 'config'), legalDir, { recursive: true });
const noticeFile = join(legalDir, 'collection-notice.json');
writeFileSync(noticeFile, JSON.stringify({ ...JSON.parse(readFileSync(noticeFile, 'utf8')), dependentPhotos: true }, null, 2));
const SETTINGS: SettingsOverrides = { LEGAL_CONFIG_DIR: legalDir, COLLECTION_RATE_LIMIT_PER_ADDRESS: 100000, COLLECTION_RATE_LIMIT_PER_LINK: 1000 };

describe('collection with dependents\u2019 photos (dependentPhotos: true, issue #15)', () => {
  let app: INestApplication;
  let owner: DataSource;
  let clerk: SignedIn;
  const http = () => request(app.getHttpServer());
  const auth = (t: string) => ({ Authorization: `Bearer ${t}` });
  const spouse = (number: string) => ({
    name: '試験 花子',
    relationship: 'spouse',
    number,
    numberDocument: 'my-number-card',
    identityDocuments: ['my-number-card'],
  });

  beforeAll(async () => {
    app = await createTestApp(SETTINGS);
    owner = await ownerConnection();
    clerk = await signIn(app, ['clerk']);
  });

  afterAll(async () => {
    await owner?.destroy();
    await app?.close();
  });

  it('tells the page that dependents send photos', async () => {
    const employee = await createSubject(app, clerk.token, { number: null, purposes: [] });
    const { token } = await createLink(app, clerk.token, employee.id);
    const page = await http().post('/collect/link').set('X-Collection-Token', token).expect(200);
    expect(page.body.dependentPhotos).toBe(true);
  });

  it('refuses a dependent without the photos, stores nothing, and leaves the link usable', async () => {
    const employee = await createSubject(app, clerk.token, { number: null, purposes: [] });
    const { token } = await createLink(app, clerk.token, employee.id);
    const own = {
      'my-number-card:front': { bytes: await jpegWithGps(), filename: 'a.jpg' },
      'my-number-card:back': { bytes: await jpegWithGps(), filename: 'b.jpg' },
    };

    const missing = await submit(app, token, submissionData({ number: fakeMyNumber(), dependents: [spouse(fakeMyNumber())] }), own).expect(400);
    expect(missing.body.code).toBe('collection.photo-missing');
    expect(missing.body.message).toContain('dependents[0]/my-number-card:front');
    expect(missing.body.message).not.toMatch(/\d{12}/);

    // a photo for a dependent who does not exist, or for a document the dependent did not name
    const stray = await submit(app, token, submissionData({ number: fakeMyNumber(), dependents: [] }), {
      ...own,
      'dependents[0]/my-number-card:front': { bytes: await jpegWithGps(), filename: 'c.jpg' },
    }).expect(400);
    expect(stray.body.code).toBe('collection.photo-unexpected');

    const rows = await owner.query('SELECT count(*)::int AS n FROM collection_submission WHERE subject_id = $1', [employee.id]);
    expect(rows[0].n).toBe(0);
    await http().post('/collect/link').set('X-Collection-Token', token).expect(200);
  });

  it('stores each dependent\u2019s photos as theirs and the reviewer sees whose they are', async () => {
    const employee = await createSubject(app, clerk.token, { number: null, purposes: [] });
    const { token } = await createLink(app, clerk.token, employee.id);
    const photo = async (name: string) => ({ bytes: await jpegWithGps(640, 400), filename: name });
    const res = await submit(app, token, submissionData({ number: fakeMyNumber(), dependents: [spouse(fakeMyNumber())] }), {
      'my-number-card:front': await photo('a.jpg'),
      'my-number-card:back': await photo('b.jpg'),
      'dependents[0]/my-number-card:front': await photo('c.jpg'),
      'dependents[0]/my-number-card:back': await photo('d.jpg'),
    });
    expect(res.status).toBe(201);

    const stored: { entry_position: number; side: string }[] = await owner.query(
      `SELECT i.entry_position, i.side FROM collection_image i JOIN collection_submission s ON s.id = i.submission_id
        WHERE s.subject_id = $1 ORDER BY i.entry_position, i.side`,
      [employee.id],
    );
    expect(stored).toEqual([
      { entry_position: 0, side: 'back' },
      { entry_position: 0, side: 'front' },
      { entry_position: 1, side: 'back' },
      { entry_position: 1, side: 'front' },
    ]);

    const list = await http().get('/collection/submissions').set(auth(clerk.token)).expect(200);
    const waiting = list.body.items.find((s: { subject: { id: string } }) => s.subject.id === employee.id);
    const dependent = waiting.entries.find((e: { relation: string }) => e.relation === 'dependent');
    expect(dependent).toMatchObject({ position: 1, name: '試験 花子' });
    const theirs = waiting.images.filter((i: { entry: number }) => i.entry === dependent.position);
    expect(theirs.map((i: { side: string }) => i.side).sort()).toEqual(['back', 'front']);

    // viewing a dependent's photo is audited like the submitter's
    await stepUp(app, clerk);
    const image = await http().get(`/collection/submissions/${waiting.id}/images/${theirs[0].id}`).set(auth(clerk.token)).buffer(true).expect(200);
    expect(image.headers['content-type']).toBe('image/jpeg');
    const audited = await owner.query(`SELECT count(*)::int AS n FROM audit_entry WHERE action = 'collection.revealed' AND details->>'imageId' = $1`, [
      theirs[0].id,
    ]);
    expect(audited[0].n).toBe(1);
  });
});
