import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SessionCache } from '../src/auth/session-cache';
import { ClockService } from '../src/config/clock.service';
import { createTestApp, ownerConnection } from './support/app';
import { freshTotpCode, signIn, SignedIn } from './support/staff';
import { createSubject } from './support/subjects';

/**
 * Issue #21: verified sessions are cached per instance (SESSION_CACHE_MS), and a change made on
 * one instance is effective on the NEXT request on another. Two instances of the service share
 * this run's PostgreSQL and Redis, as two processes behind a load balancer would.
 */
describe('the verified-session cache across two instances', () => {
  let a: INestApplication;
  let b: INestApplication;
  let owner: DataSource;
  let admin: SignedIn;
  const bearer = (who: SignedIn) => ({ Authorization: `Bearer ${who.token}` });
  /** Three requests: the first learns the token's person, the second caches, the third is served from the cache. */
  const warm = async (app: INestApplication, who: SignedIn) => {
    for (let i = 0; i < 3; i++) await request(app.getHttpServer()).get('/me').set(bearer(who)).expect(200);
  };

  beforeAll(async () => {
    a = await createTestApp();
    b = await createTestApp();
    owner = await ownerConnection();
    admin = await signIn(a, ['admin']);
  });

  afterAll(async () => {
    await owner?.destroy();
    await a?.close();
    await b?.close();
  });

  it('serves a warm session from the cache (a session row removed behind the service’s back still answers, for at most SESSION_CACHE_MS)', async () => {
    const clerk = await signIn(a, ['clerk']);
    expect(b.get(SessionCache).enabled).toBe(true);
    await warm(b, clerk);
    // Out of band (no generation raised): only the cache can still know this session.
    await owner.query(`DELETE FROM auth_session WHERE user_id = $1`, [clerk.userId]);
    await request(b.getHttpServer()).get('/me').set(bearer(clerk)).expect(200);
    // Past the cache's lifetime the database is asked again.
    b.get(ClockService).advance(6_000);
    await request(b.getHttpServer()).get('/me').set(bearer(clerk)).expect(401);
  });

  it('a clerk deactivated on instance A is refused by instance B on the very next request', async () => {
    const clerk = await signIn(a, ['clerk']);
    await warm(b, clerk);
    await request(a.getHttpServer()).post(`/users/${clerk.userId}/deactivate`).set(bearer(admin)).send({ reason: 'left the company' }).expect(204);
    const next = await request(b.getHttpServer()).get('/me').set(bearer(clerk));
    expect(next.status).toBe(401);
  });

  it('a logout on A ends the session on B at once', async () => {
    const clerk = await signIn(a, ['clerk']);
    await warm(b, clerk);
    await request(a.getHttpServer()).post('/auth/logout').set(bearer(clerk)).expect(204);
    await request(b.getHttpServer()).get('/me').set(bearer(clerk)).expect(401);
  });

  it('a role change on A is seen by B on the next request (the clerk route refuses the new auditor)', async () => {
    const clerk = await signIn(a, ['clerk']);
    const person = await createSubject(a, clerk.token);
    await warm(b, clerk);
    await request(b.getHttpServer()).get(`/subjects/${person.id}/number`).set(bearer(clerk)).expect(200);
    await request(a.getHttpServer())
      .patch(`/users/${clerk.userId}`)
      .set(bearer(admin))
      .send({ roles: ['auditor'] })
      .expect(200);
    const me = await request(b.getHttpServer()).get('/me').set(bearer(clerk)).expect(200);
    expect(me.body.roles).toEqual(['auditor']);
    await request(b.getHttpServer()).get(`/subjects/${person.id}/number`).set(bearer(clerk)).expect(403);
  });

  it('a step-up on A lets the next reveal on B through (no stale step-up time from the cache)', async () => {
    const clerk = await signIn(a, ['clerk']);
    const person = await createSubject(a, clerk.token);
    // Both instances' clocks move past the step-up window (each instance has its own ClockService).
    for (const app of [a, b]) app.get(ClockService).advance(6 * 60_000);
    await warm(b, clerk);
    const refused = await request(b.getHttpServer()).post(`/subjects/${person.id}/number/reveal`).set(bearer(clerk)).send({ purpose: 'withholding-slip' });
    expect(refused.status).toBe(403);
    const code = await freshTotpCode(a, clerk);
    await request(a.getHttpServer()).post('/auth/step-up').set(bearer(clerk)).send({ code }).expect(204);
    const revealed = await request(b.getHttpServer()).post(`/subjects/${person.id}/number/reveal`).set(bearer(clerk)).send({ purpose: 'withholding-slip' });
    expect(revealed.status).toBe(200);
    expect(revealed.body).toEqual({ number: person.number });
  });
});
