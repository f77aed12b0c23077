import { INestApplication } from '@nestjs/common';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { ClockService } from '../src/config/clock.service';
import { createTestApp, ownerConnection } from './support/app';
import { RELAXED_LOGIN_RATE_LIMIT } from './support/relaxed-login-rate-limit';
import { PATIENT_HASH_QUEUE } from './support/patient-hash-queue';
import { codeNow } from './support/login-flow';
import { freshTotpCode, signIn, SignedIn, uniqueUsername } from './support/staff';

interface Answer {
  status: number;
  body: any;
  headers: http.IncomingHttpHeaders;
}

/**
 * Issue #16, findings 1 and 2: attempts are reserved atomically before they are checked, so
 * requests fired truly in parallel (each on its own connection, from several local addresses)
 * check exactly as many passwords and codes as the policy allows; the answers do not tell a
 * real user from an unknown one; an outsider cannot keep the real person out.
 */
describe('login under parallel attack (issue #16, findings 1 and 2)', () => {
  let app: INestApplication;
  let owner: DataSource;
  let clock: ClockService;
  let port: number;

  /** One request on its own connection, from a given local address (127.0.0.0/8 is all loopback). */
  function send(method: string, path: string, body: unknown, options: { from?: string; token?: string } = {}): Promise<Answer> {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          localAddress: options.from ?? '127.0.0.1',
          agent: false,
          headers: {
            ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}),
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null, headers: res.headers });
          });
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  }

  const trail = (userId: string) =>
    owner.query(`SELECT action, outcome, details FROM audit_entry WHERE actor_id = $1 ORDER BY seq`, [userId]) as Promise<
      { action: string; outcome: string; details: Record<string, any> }[]
    >;
  const count = (entries: { action: string; details: Record<string, any> }[], action: string, stage: string, reason: string) =>
    entries.filter((e) => e.action === action && e.details?.stage === stage && e.details?.reason === reason).length;

  beforeAll(async () => {
    app = await createTestApp(RELAXED_LOGIN_RATE_LIMIT, PATIENT_HASH_QUEUE);
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
    owner = await ownerConnection();
    clock = app.get(ClockService);
  });

  afterEach(() => clock.reset());

  afterAll(async () => {
    await owner?.destroy();
    await app?.close();
  });

  /** A person who logged in once from 127.0.0.1 (their known address). */
  const person = (): Promise<SignedIn> => signIn(app, ['clerk']);

  it('60 parallel passwords (59 wrong, 1 right) from three addresses: exactly 5 wrong ones are checked; the real person still gets in', async () => {
    const who = await person();
    clock.set(new Date());
    const right = 17;
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        send(
          'POST',
          '/auth/login',
          { username: who.username, password: i === right ? who.password : `wrong password ${i}` },
          { from: `127.0.0.${2 + (i % 3)}` },
        ),
      ),
    );
    const entries = await trail(who.userId);
    const wrongChecked = count(entries, 'auth.login-failed', 'password', 'wrong-credential');
    const rightChecked = answers[right]!.status === 200 ? 1 : 0;
    expect(wrongChecked).toBe(5);
    expect(count(entries, 'auth.login-failed', 'password', 'backoff')).toBe(55 - rightChecked);
    // every refusal looks the same, checked or not
    for (const [i, a] of answers.entries()) {
      if (i === right && a.status === 200) continue;
      expect({ status: a.status, body: a.body }).toEqual({
        status: 401,
        body: { statusCode: 401, code: 'login.wrong-credentials', error: 'Unauthorized', message: 'Wrong username or password' },
      });
    }
    const [row] = await owner.query(`SELECT failed_attempts, known_failed_attempts, factor_failed_attempts FROM staff_user WHERE id = $1`, [who.userId]);
    expect(row).toEqual({ failed_attempts: 5, known_failed_attempts: 0, factor_failed_attempts: 0 });
    // the outsider's addresses stay in backoff, but the real person at their known address gets in
    expect((await send('POST', '/auth/login', { username: who.username, password: who.password }, { from: '127.0.0.2' })).status).toBe(401);
    const login = await send('POST', '/auth/login', { username: who.username, password: who.password }, { from: '127.0.0.1' });
    expect(login.status).toBe(200);
    const session = await send('POST', '/auth/totp', { challenge: login.body.challenge, code: await freshTotpCode(app, who) });
    expect(session.status).toBe(200);
  });

  it('the backoff is bounded: an outsider cannot stretch it beyond LOGIN_BACKOFF_MAX_MINUTES, and it decays', async () => {
    const who = await person();
    clock.set(new Date());
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      const a = await send('POST', '/auth/login', { username: who.username, password: 'wrong password' }, { from: '127.0.0.9' });
      expect(a.status).toBe(401);
      const [row] = await owner.query(`SELECT locked_until FROM staff_user WHERE id = $1`, [who.userId]);
      const wait = Math.round((new Date(row.locked_until).getTime() - clock.now().getTime()) / 1000);
      waits.push(wait);
      clock.advance(Math.max(wait, 0) * 1000);
    }
    expect(waits).toEqual([0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900, 900]);
  });

  it('unknown, deactivated, wrong and backed-off users answer identically, in about the same time', async () => {
    const who = await person();
    clock.set(new Date());
    for (let i = 0; i < 5; i++) await send('POST', '/auth/login', { username: who.username, password: 'wrong password' }, { from: '127.0.0.5' });
    const time = async (username: string, password: string) => {
      const t = performance.now();
      const a = await send('POST', '/auth/login', { username, password }, { from: '127.0.0.5' });
      return { ms: performance.now() - t, a };
    };
    const backedOff = await time(who.username, who.password); // the right password, not even checked
    const unknown = await time(uniqueUsername('nobody'), 'not the password');
    expect({ status: backedOff.a.status, body: backedOff.a.body }).toEqual({ status: unknown.a.status, body: unknown.a.body });
    expect(unknown.a.status).toBe(401);
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < 5; i++) {
      a.push((await time(who.username, 'wrong password')).ms);
      b.push((await time(uniqueUsername('nobody'), 'wrong password')).ms);
    }
    const ratio = median(a)! / median(b)!;
    process.stderr.write(`backoff 401 ${median(a)!.toFixed(1)} ms, unknown 401 ${median(b)!.toFixed(1)} ms\n`);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('40 parallel codes on one challenge: exactly 3 are checked; then even the right code is refused until the backoff ends', async () => {
    const who = await person();
    clock.set(new Date());
    const login = await send('POST', '/auth/login', { username: who.username, password: who.password });
    expect(login.status).toBe(200);
    const good = codeNow(app, who.totpSecret, 1);
    const wrong = (i: number) => String((Number(good) + 1 + i) % 1_000_000).padStart(6, '0');
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => send('POST', '/auth/totp', { challenge: login.body.challenge, code: wrong(i) })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(0);
    const entries = await trail(who.userId);
    expect(count(entries, 'auth.login-failed', 'totp', 'wrong-credential')).toBe(3);
    expect(entries.filter((e) => e.action === 'auth.lockout' && e.details.budget === 'factor')).toHaveLength(1);
    const sessionsBefore = (await owner.query(`SELECT count(*)::int AS n FROM auth_session WHERE user_id = $1`, [who.userId]))[0].n;
    // a new challenge with the right password: the second factor is in backoff at every step
    const again = await send('POST', '/auth/login', { username: who.username, password: who.password });
    expect(again.status).toBe(200);
    const refused = await send('POST', '/auth/totp', { challenge: again.body.challenge, code: good });
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('auth.second-factor-backoff');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await owner.query(`SELECT count(*)::int AS n FROM auth_session WHERE user_id = $1`, [who.userId]))[0].n).toBe(sessionsBefore);
    const [row] = await owner.query(`SELECT factor_failed_attempts FROM staff_user WHERE id = $1`, [who.userId]);
    expect(row.factor_failed_attempts).toBe(3);
    // after the wait, the right code logs in (and only then the budget is whole again)
    clock.advance(61_000);
    const ok = await send('POST', '/auth/totp', { challenge: again.body.challenge, code: await freshTotpCode(app, who) });
    expect(ok.status).toBe(200);
  });

  it('the right code sent twice in parallel (a double click) makes one session', async () => {
    const who = await person();
    const login = await send('POST', '/auth/login', { username: who.username, password: who.password });
    const step = await freshTotpCode(app, who);
    const answers = await Promise.all([0, 1].map(() => send('POST', '/auth/totp', { challenge: login.body.challenge, code: step })));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
  });

  it('200 parallel step-ups on one session: exactly 3 codes are checked', async () => {
    const who = await person();
    clock.set(new Date());
    const good = codeNow(app, who.totpSecret, 1);
    const wrong = (i: number) => String((Number(good) + 1 + i) % 1_000_000).padStart(6, '0');
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => send('POST', '/auth/step-up', { code: wrong(i) }, { token: who.token })));
    expect(answers.filter((a) => a.status === 204)).toHaveLength(0);
    const entries = await trail(who.userId);
    expect(count(entries, 'auth.step-up', 'step-up', 'wrong-credential')).toBe(3);
    expect(count(entries, 'auth.step-up', 'step-up', 'backoff')).toBe(197);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(197);
  });
});
