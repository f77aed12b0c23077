import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { NumbersService } from '../src/numbers/numbers.service';
import { createTestApp, ownerConnection, SettingsOverrides } from './support/app';
import { createLink, jpegWithGps, submissionData, submit } from './support/collection';
import { signIn, SignedIn } from './support/staff';
import { createSubject, fakeMyNumber } from './support/subjects';

/** This spec's own settings, on top of the run's (the app is built from them). */
const SETTINGS: SettingsOverrides = {
  COLLECTION_KEEP_IMAGES: 'true',
  COLLECTION_RATE_LIMIT_PER_ADDRESS: '100000',
};

/** COLLECTION_KEEP_IMAGES=true: photos stay after approval and go with the number's disposal, recorded. */
describe('collection photos kept until disposal (issue #15)', () => {
  let app: INestApplication;
  let owner: DataSource;
  let clerk: SignedIn;

  beforeAll(async () => {
    app = await createTestApp(SETTINGS);
    owner = await ownerConnection();
    clerk = await signIn(app, ['clerk']);
  });

  afterAll(async () => {
    await owner?.destroy();
    await app?.close();
  });

  it('keeps the photos after approval, deletes them in the disposal transaction and records it', async () => {
    const employee = await createSubject(app, clerk.token, { number: null, purposes: [] });
    const { token } = await createLink(app, clerk.token, employee.id);
    await submit(app, token, submissionData({ number: fakeMyNumber() }), {
      'my-number-card:front': { bytes: await jpegWithGps(), filename: 'a.jpg' },
      'my-number-card:back': { bytes: await jpegWithGps(), filename: 'b.jpg' },
    }).expect(201);
    const list = await request(app.getHttpServer()).get('/collection/submissions').set('Authorization', `Bearer ${clerk.token}`).expect(200);
    const submission = list.body.items.find((s: { subject: { id: string } }) => s.subject.id === employee.id);
    const approved = await request(app.getHttpServer())
      .post(`/collection/submissions/${submission.id}/approve`)
      .set('Authorization', `Bearer ${clerk.token}`)
      .expect(200);
    expect(approved.body.imagesDeleted).toBe(0);
    const count = async () => (await owner.query('SELECT count(*)::int AS n FROM collection_image WHERE submission_id = $1', [submission.id]))[0].n;
    expect(await count()).toBe(2);

    // the disposal primitive the retention module calls inside its disposal transaction
    await app.get(DataSource).transaction((m) => app.get(NumbersService).dispose(employee.id, m));
    expect(await count()).toBe(0);
    const entries = await owner.query(`SELECT details FROM audit_entry WHERE subject_id = $1 AND action = 'collection.images-deleted'`, [employee.id]);
    expect(entries.map((e: { details: unknown }) => e.details)).toEqual([{ submissionId: submission.id, count: 2, when: 'disposal' }]);
  });
});
