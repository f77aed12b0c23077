import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createTestApp } from './support/app';
import { STRICT_LOGIN_RATE_LIMIT } from './support/strict-login-rate-limit';
import { signIn, uniqueUsername } from './support/staff';

describe('login routes are rate-limited per address (LOGIN_RATE_LIMIT_PER_MINUTE = 3 here)', () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createTestApp(STRICT_LOGIN_RATE_LIMIT);
  });
  afterAll(async () => app?.close());

  it('answers 429 with Retry-After once the limit is reached, in the usual error shape', async () => {
    for (let i = 0; i < 3; i++) await http().post('/auth/login').send({ username: uniqueUsername(), password: 'whatever it is' }).expect(401);
    const res = await http().post('/auth/login').send({ username: uniqueUsername(), password: 'whatever it is' }).expect(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(res.body).toEqual({
      statusCode: 429,
      code: 'login.rate-limited',
      error: 'Too Many Requests',
      message: expect.stringMatching(/Too many login attempts/),
    });
  });

  it('the other login steps are limited too; signed-in routes are not', async () => {
    for (let i = 0; i < 3; i++)
      await http()
        .post('/auth/totp')
        .send({ challenge: 'x'.repeat(43), code: '123456' })
        .expect(401);
    await http()
      .post('/auth/totp')
      .send({ challenge: 'x'.repeat(43), code: '123456' })
      .expect(429);
    const someone = await signIn(app, []);
    for (let i = 0; i < 10; i++) await http().get('/me').set('Authorization', `Bearer ${someone.token}`).expect(200);
  });
});
