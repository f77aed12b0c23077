import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createTestApp, SettingsOverrides } from './support/app';
import { signIn } from './support/staff';
import { createSubject } from './support/subjects';

/** This spec's own settings, on top of the run's (the app is built from them). */
const SETTINGS: SettingsOverrides = {
  METRICS_TOKEN: 'metrics-token-for-the-e2e-spec',
};

describe('GET /metrics', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createTestApp(SETTINGS);
  });
  afterAll(async () => app?.close());

  it('counts reveals by purpose, refusals and logins, shows alarms and sealing lag, and holds no number', async () => {
    const clerk = await signIn(app, ['clerk']);
    const s = await createSubject(app, clerk.token);
    await request(app.getHttpServer())
      .post(`/subjects/${s.id}/number/reveal`)
      .set('Authorization', `Bearer ${clerk.token}`)
      .send({ purpose: 'withholding-slip' })
      .expect(200);
    await request(app.getHttpServer())
      .post(`/subjects/${s.id}/number/reveal`)
      .set('Authorization', `Bearer ${clerk.token}`)
      .send({ purpose: 'health-pension' })
      .expect(403);
    // the token is required always, also on the loopback address (issue #16: a same-host proxy looks like loopback)
    const without = await request(app.getHttpServer()).get('/metrics').expect(403);
    expect(without.body.code).toBe('metrics.token-wrong');
    await request(app.getHttpServer()).get('/metrics').set('Authorization', 'Bearer not-the-metrics-token-at-all').expect(403);
    const res = await request(app.getHttpServer()).get('/metrics').set('Authorization', `Bearer ${SETTINGS.METRICS_TOKEN}`).expect(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toMatch(/mnv_reveals_total\{purpose="withholding-slip",kind="single"\} [1-9]/);
    expect(res.text).toMatch(/mnv_reveal_refusals_total\{reason="purpose-not-notified"\} [1-9]/);
    expect(res.text).toMatch(/mnv_logins_total\{outcome="success"\} [1-9]/);
    expect(res.text).toMatch(/mnv_open_alarms \d+/);
    expect(res.text).toMatch(/mnv_audit_unsealed_entries \d+/);
    expect(res.text).not.toContain(s.number!);
  });
});
