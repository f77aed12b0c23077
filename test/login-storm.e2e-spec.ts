import { INestApplication } from '@nestjs/common';
import { AddressInfo } from 'node:net';
import { PasswordHasher } from '../src/users/password-hasher.service';
import { UsersService } from '../src/users/users.service';
import { DataSource } from 'typeorm';
import { createTestApp, ownerConnection } from './support/app';
import { RELAXED_LOGIN_RATE_LIMIT } from './support/relaxed-login-rate-limit';
import { SMALL_HASH_QUEUE } from './support/small-hash-queue';
import { signIn, SignedIn, uniqueUsername } from './support/staff';
import { createSubject } from './support/subjects';

/**
 * Issue #21: a morning login storm must not stall the other work. Password hashing is
 * admission-controlled: a login either gets its answer or the documented 503 (code auth.busy,
 * Retry-After), never another 5xx and never an unbounded wait, and reveals keep flowing.
 */
describe('a login storm (admission control for password hashing)', () => {
  let app: INestApplication;
  let owner: DataSource;
  let base: string;
  let clerk: SignedIn;
  let people: { id: string; number: string | null }[];
  /** 30 people, one login each (a lockout or per-account limit never comes into it). */
  const users: { username: string; password: string }[] = [];

  beforeAll(async () => {
    app = await createTestApp(RELAXED_LOGIN_RATE_LIMIT, SMALL_HASH_QUEUE);
    owner = await ownerConnection();
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    clerk = await signIn(app, ['clerk']);
    for (let i = 0; i < 30; i++) {
      const username = uniqueUsername('s');
      const created = await app
        .get(UsersService)
        .create({ username, displayName: 'Storm', roles: ['clerk'] }, null, { requestId: 'storm', clientAddress: '127.0.0.1' }, 'test-support');
      users.push({ username, password: created.initialPassword });
    }
    people = [];
    for (let i = 0; i < 4; i++) people.push(await createSubject(app, clerk.token));
  });

  afterAll(async () => {
    await owner?.destroy();
    await app?.close();
  });

  const login = (who: { username: string; password: string }) =>
    fetch(`${base}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: who.username, password: who.password }),
    }).then(async (res) => ({ status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, unknown> }));

  it('30 parallel logins with correct credentials: each succeeds or gets 503 auth.busy with Retry-After; reveals meanwhile all succeed', async () => {
    let stop = false;
    const reveals: { status: number; ok: boolean }[] = [];
    const revealLoops = Array.from({ length: 3 }, async (_, loop) => {
      for (let i = loop; !stop; i++) {
        const person = people[i % people.length];
        const res = await fetch(`${base}/subjects/${person!.id}/number/reveal`, {
          method: 'POST',
          headers: { authorization: `Bearer ${clerk.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ purpose: 'withholding-slip' }),
        });
        const body = (await res.json()) as { number?: string };
        reveals.push({ status: res.status, ok: body.number === person!.number });
      }
    });

    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => login(users[i]!)));
    const refusedFirst = answers.filter((a) => a.status === 503).length;
    for (const a of answers) {
      if (a.status === 200) {
        expect(a.body).toEqual({ next: 'change-password', challenge: expect.any(String) });
      } else {
        expect(a.status).toBe(503);
        expect(a.body).toMatchObject({ statusCode: 503, code: 'auth.busy', error: 'Service Unavailable' });
        expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
      }
    }
    // With one thread and four places in the queue, 30 at once cannot all have been admitted.
    expect(refusedFirst).toBeGreaterThan(0);

    // Every refused login, retried after Retry-After as the console does, gets in.
    const retried = await Promise.all(
      answers.map(async (a, i) => {
        let answer = a;
        for (let attempt = 0; answer.status === 503 && attempt < 20; attempt++) {
          await new Promise((r) => setTimeout(r, Number(answer.retryAfter) * 1000 * (0.5 + Math.random())));
          answer = await login(users[i]!);
          if (answer.status !== 200) expect(answer).toMatchObject({ status: 503, body: { code: 'auth.busy' } });
        }
        return answer.status;
      }),
    );
    expect(retried).toEqual(Array(30).fill(200));
    // A login refused as busy was never checked: it used up no attempt of the person's budget.
    const rows: { failed: number }[] = await owner.query(`SELECT failed_attempts + known_failed_attempts AS failed FROM staff_user WHERE username = ANY ($1)`, [
      users.map((u) => u.username),
    ]);
    expect(rows.map((r) => r.failed)).toEqual(Array(30).fill(0));

    stop = true;
    await Promise.all(revealLoops);
    expect(reveals.length).toBeGreaterThan(0);
    expect(reveals.filter((r) => r.status !== 200 || !r.ok)).toEqual([]);
    expect(app.get(PasswordHasher).stats()).toMatchObject({ concurrency: 1, running: 0, waiting: 0, refused: expect.any(Number) });
  });
});
