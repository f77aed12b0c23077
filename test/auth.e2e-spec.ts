import { INestApplication } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SessionService } from '../src/auth/session.service';
import { PasswordHasher } from '../src/users/password-hasher.service';
import { ClockService } from '../src/config/clock.service';
import { LegalDataService } from '../src/config/legal-data.service';
import { createTestApp, ownerConnection } from './support/app';
import { RELAXED_LOGIN_RATE_LIMIT } from './support/relaxed-login-rate-limit';
import { codeNow, createAccount, firstLogin, oathtoolCode } from './support/login-flow';
import { freshTotpCode, signIn, SignedIn, uniqueUsername } from './support/staff';

describe('staff access: login, second factor, sessions', () => {
  let app: INestApplication;
  let owner: DataSource;
  let admin: SignedIn;
  let clock: ClockService;
  const http = () => request(app.getHttpServer());
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const auditOf = (username: string) =>
    owner
      .query(`SELECT action, outcome, details FROM audit_entry WHERE actor_username = $1 ORDER BY seq`, [username])
      .then((rows: { action: string; outcome: string; details: Record<string, unknown> }[]) => rows);
  const passwordStep = (username: string, password: string) => http().post('/auth/login').send({ username, password });

  beforeAll(async () => {
    app = await createTestApp(RELAXED_LOGIN_RATE_LIMIT);
    owner = await ownerConnection();
    clock = app.get(ClockService);
    admin = await signIn(app, ['admin']);
  });

  afterEach(() => clock.reset());

  afterAll(async () => {
    await owner?.destroy();
    await app?.close();
  });

  it('first login over HTTP: change the initial password, enrol, activate, get ten recovery codes', async () => {
    const account = await createAccount(app, admin.token, ['clerk']);
    const login = await passwordStep(account.username, account.initialPassword).expect(200);
    expect(login.body).toEqual({ next: 'change-password', challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(login.headers['cache-control']).toBe('no-store');
    // the policy: length, and never the username
    const short = await http().post('/auth/password').send({ challenge: login.body.challenge, newPassword: 'too-short' }).expect(400);
    expect(short.body.message).toMatch(/at least 12/);
    const withName = await http()
      .post('/auth/password')
      .send({ challenge: login.body.challenge, newPassword: `my ${account.username} pass` })
      .expect(400);
    expect(withName.body.message).toMatch(/username/);
    const same = await http().post('/auth/password').send({ challenge: login.body.challenge, newPassword: account.initialPassword }).expect(400);
    expect(same.body.message).toMatch(/differ/);
    const changed = await http().post('/auth/password').send({ challenge: login.body.challenge, newPassword: 'a brand new passphrase' }).expect(200);
    expect(changed.body.next).toBe('enrol');
    // the old challenge is spent
    await http().post('/auth/totp/enrol').send({ challenge: login.body.challenge }).expect(401);
    const enrol = await http().post('/auth/totp/enrol').send({ challenge: changed.body.challenge }).expect(200);
    expect(enrol.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrol.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    const wrongCode = await http()
      .post('/auth/totp/activate')
      .send({ challenge: changed.body.challenge, code: '000000' === codeNow(app, enrol.body.secret) ? '000001' : '000000' })
      .expect(401);
    // a wrong code while enrolling is its own error, never "wrong username or password" (issue #22)
    expect(wrongCode.body.code).toBe('enrol.wrong-code');
    const activated = await http()
      .post('/auth/totp/activate')
      .send({ challenge: changed.body.challenge, code: codeNow(app, enrol.body.secret) })
      .expect(200);
    expect(activated.body.recoveryCodes).toHaveLength(10);
    expect(new Set(activated.body.recoveryCodes).size).toBe(10);
    const me = await http().get('/me').set(bearer(activated.body.token)).expect(200);
    expect(me.body).toMatchObject({ username: account.username, roles: ['clerk'], totpEnrolled: true, mustChangePassword: false });
    // the initial password no longer works; the new one leads to a TOTP step now
    await passwordStep(account.username, account.initialPassword).expect(401);
    expect((await passwordStep(account.username, 'a brand new passphrase').expect(200)).body.next).toBe('totp');
    // stored: only hashes and ciphertext
    const [row] = await owner.query(`SELECT password_hash, totp_ciphertext FROM staff_user WHERE id = $1`, [account.id]);
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(Buffer.from(row.totp_ciphertext).toString('latin1')).not.toContain(enrol.body.secret);
    const actions = (await auditOf(account.username)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['auth.password-changed', 'auth.totp-enrolled', 'auth.login']));
  });

  it('no session without a second factor: the challenge is not a token and no session exists until a code is given', async () => {
    const account = await createAccount(app, admin.token, ['clerk']);
    const first = await firstLogin(app, account);
    await http().post('/auth/logout').set(bearer(first.token)).expect(204);
    const login = await passwordStep(account.username, first.password).expect(200);
    expect(login.body.next).toBe('totp');
    await http().get('/me').set(bearer(login.body.challenge)).expect(401);
    const [{ n }] = await owner.query(`SELECT count(*)::int AS n FROM auth_session WHERE user_id = $1`, [account.id]);
    expect(n).toBe(0);
    // a challenge for one step cannot be used for another, and enrolling again is refused
    await http().post('/auth/totp/enrol').send({ challenge: login.body.challenge }).expect(401);
    await http()
      .post('/auth/totp/activate')
      .send({ challenge: login.body.challenge, code: codeNow(app, first.secret, 1) })
      .expect(401);
    // an invented challenge
    await http()
      .post('/auth/totp')
      .send({ challenge: 'x'.repeat(43), code: codeNow(app, first.secret, 1) })
      .expect(401);
    const ok = await http()
      .post('/auth/totp')
      .send({ challenge: login.body.challenge, code: codeNow(app, first.secret, 1) })
      .expect(200);
    await http().get('/me').set(bearer(ok.body.token)).expect(200);
    // the challenge is spent
    await http()
      .post('/auth/totp')
      .send({ challenge: login.body.challenge, code: codeNow(app, first.secret, 1) })
      .expect(401);
  });

  it('a login challenge expires (LOGIN_CHALLENGE_MINUTES)', async () => {
    const account = await createAccount(app, admin.token, ['clerk']);
    const first = await firstLogin(app, account);
    const login = await passwordStep(account.username, first.password).expect(200);
    clock.advance(5 * 60_000 + 1000);
    const res = await http()
      .post('/auth/totp')
      .send({ challenge: login.body.challenge, code: codeNow(app, first.secret) })
      .expect(401);
    expect(res.body.message).toMatch(/expired/);
  });

  it('refuses a replayed TOTP code, and any code of an earlier step', async () => {
    const account = await createAccount(app, admin.token, ['clerk']);
    const first = await firstLogin(app, account); // activation used the current step
    const again = await passwordStep(account.username, first.password).expect(200);
    const replay = await http()
      .post('/auth/totp')
      .send({ challenge: again.body.challenge, code: codeNow(app, first.secret) })
      .expect(401);
    expect(replay.body).toEqual({ statusCode: 401, code: 'login.wrong-code', error: 'Unauthorized', message: 'The code is wrong or was already used' });
    await http()
      .post('/auth/totp')
      .send({ challenge: again.body.challenge, code: codeNow(app, first.secret, -1) })
      .expect(401);
    const next = codeNow(app, first.secret, 1);
    await http().post('/auth/totp').send({ challenge: again.body.challenge, code: next }).expect(200);
    // the same code once more, in a new login, inside its window
    const third = await passwordStep(account.username, first.password).expect(200);
    await http().post('/auth/totp').send({ challenge: third.body.challenge, code: next }).expect(401);
    const failures = (await auditOf(account.username)).filter((e) => e.action === 'auth.login-failed');
    expect(failures.map((f) => f.details.reason)).toEqual(expect.arrayContaining(['code-already-used']));
  });

  it('each recovery code works once', async () => {
    const account = await createAccount(app, admin.token, ['auditor']);
    const first = await firstLogin(app, account);
    const [a, b] = first.recoveryCodes;
    const l1 = await passwordStep(account.username, first.password).expect(200);
    const ok = await http()
      .post('/auth/recovery')
      .send({ challenge: l1.body.challenge, recoveryCode: a!.toUpperCase().replace(/-/g, ' ') })
      .expect(200);
    await http().get('/me').set(bearer(ok.body.token)).expect(200);
    const l2 = await passwordStep(account.username, first.password).expect(200);
    await http().post('/auth/recovery').send({ challenge: l2.body.challenge, recoveryCode: a }).expect(401);
    await http().post('/auth/recovery').send({ challenge: l2.body.challenge, recoveryCode: 'aaaa-bbbb-cccc-dddd' }).expect(401);
    await http().post('/auth/recovery').send({ challenge: l2.body.challenge, recoveryCode: b }).expect(200);
    // another person's code is not mine
    const other = await createAccount(app, admin.token, ['auditor']);
    const otherFirst = await firstLogin(app, other);
    const l3 = await passwordStep(other.username, otherFirst.password).expect(200);
    await http().post('/auth/recovery').send({ challenge: l3.body.challenge, recoveryCode: first.recoveryCodes[2] }).expect(401);
    const used = (await auditOf(account.username)).filter((e) => e.action === 'auth.recovery-used');
    expect(used.map((u) => u.details.remaining)).toEqual([9, 8]);
  });

  it('backoff (issue #16): 5 wrong passwords, then even the right one answers the same 401 until the wait ends; 3 wrong codes back off the second factor at every step', async () => {
    const account = await createAccount(app, admin.token, ['clerk']);
    const first = await firstLogin(app, account);
    clock.set(new Date(Date.now()));
    for (let i = 0; i < 5; i++) await passwordStep(account.username, 'wrong password!').expect(401);
    const waiting = await passwordStep(account.username, first.password).expect(401);
    expect(waiting.body).toEqual({ statusCode: 401, code: 'login.wrong-credentials', error: 'Unauthorized', message: 'Wrong username or password' });
    clock.advance(30_000);
    const login = await passwordStep(account.username, first.password).expect(200);
    const wrongCode = '999999' === codeNow(app, first.secret) ? '999998' : '999999';
    for (let i = 0; i < 3; i++) await http().post('/auth/totp').send({ challenge: login.body.challenge, code: wrongCode }).expect(401);
    // the challenge is void, and a new one is refused at once while the second factor waits
    const again = await passwordStep(account.username, first.password).expect(200);
    const refused = await http()
      .post('/auth/totp')
      .send({ challenge: again.body.challenge, code: codeNow(app, first.secret, 1) })
      .expect(429);
    expect(refused.headers['retry-after']).toBe('60');
    expect(refused.body.code).toBe('auth.second-factor-backoff');
    const lockouts = (await auditOf(account.username)).filter((e) => e.action === 'auth.lockout');
    expect(lockouts.map((l) => l.details.budget)).toEqual(['known-password', 'factor']);
    clock.advance(60_000);
    const open = await passwordStep(account.username, first.password).expect(200);
    await http()
      .post('/auth/totp')
      .send({ challenge: open.body.challenge, code: codeNow(app, first.secret, 1) })
      .expect(200);
    // a complete login makes the known-address and second-factor budgets whole
    const [row] = await owner.query(`SELECT known_failed_attempts, factor_failed_attempts FROM staff_user WHERE id = $1`, [account.id]);
    expect(row).toEqual({ known_failed_attempts: 0, factor_failed_attempts: 0 });
  });

  it('unknown usernames answer exactly like wrong passwords, in about the same time', async () => {
    const account = await createAccount(app, admin.token, ['clerk']);
    await firstLogin(app, account);
    const strip = (res: request.Response) => {
      const headers = { ...res.headers };
      for (const h of ['date', 'x-request-id', 'content-length', 'x-ratelimit-remaining', 'x-ratelimit-reset']) delete headers[h];
      return { status: res.status, body: res.body, headers };
    };
    const wrong = await passwordStep(account.username, 'not the password');
    const unknown = await passwordStep(uniqueUsername('nobody'), 'not the password');
    const malformed = await passwordStep('12345', 'not the password');
    expect(strip(unknown)).toEqual(strip(wrong));
    expect(strip(malformed)).toEqual(strip(wrong));
    expect(wrong.body).toEqual({ statusCode: 401, code: 'login.wrong-credentials', error: 'Unauthorized', message: 'Wrong username or password' });
    // timing: both spend one argon2 verification (the unknown one against a dummy hash)
    const time = async (username: string) => {
      const t = performance.now();
      await passwordStep(username, 'not the password');
      return performance.now() - t;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const known: number[] = [];
    const unknownTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      known.push(await time(account.username)); // 3 more failures: 4 in all, below the lockout threshold
      unknownTimes.push(await time(uniqueUsername('nobody')));
    }
    // Wide bounds (medians of 3 with 0.6–1.6 failed at 1.64 while a lint ran beside the suite): what
    // this guards against is a skipped hash for unknown names (a small fraction of the time).
    const ratio = median(unknownTimes)! / median(known)!;
    process.stderr.write(`login 401 timing: known user ${median(known)!.toFixed(1)} ms, unknown ${median(unknownTimes)!.toFixed(1)} ms\n`);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
    // and the cause, counted rather than timed: an unknown name runs one full argon2 verification
    const hasher = app.get(PasswordHasher);
    const before = hasher.stats().completed;
    await passwordStep(uniqueUsername('nobody'), 'not the password');
    expect(hasher.stats().completed - before).toBe(1);
  });

  it('a code made by Debian oathtool (independent RFC 6238) activates and logs in', async () => {
    const account = await createAccount(app, admin.token, ['clerk']);
    const first = await firstLogin(app, account, { code: (secret) => oathtoolCode(app, secret) });
    await http().get('/me').set(bearer(first.token)).expect(200);
    const login = await passwordStep(account.username, first.password).expect(200);
    const code = oathtoolCode(app, first.secret, 1);
    expect(code).toMatch(/^\d{6}$/);
    await http().post('/auth/totp').send({ challenge: login.body.challenge, code }).expect(200);
  });

  it("a deactivated person's token is refused on the very next request, and they cannot log in again", async () => {
    const account = await createAccount(app, admin.token, ['clerk']);
    const first = await firstLogin(app, account);
    await http().get('/me').set(bearer(first.token)).expect(200);
    await http().post(`/users/${account.id}/deactivate`).set(bearer(admin.token)).send({ reason: 'Left the company' }).expect(204);
    const res = await http().get('/me').set(bearer(first.token)).expect(401);
    expect(res.body.message).toMatch(/invalid or has expired/);
    const again = await passwordStep(account.username, first.password).expect(401);
    expect(again.body.message).toBe('Wrong username or password');
    const [{ n }] = await owner.query(`SELECT count(*)::int AS n FROM auth_session WHERE user_id = $1`, [account.id]);
    expect(n).toBe(0);
  });

  it('the session lookup alone refuses a deactivated account (no reliance on deleting sessions)', async () => {
    const clerk = await signIn(app, ['clerk']);
    await owner.query(`UPDATE staff_user SET status = 'deactivated', deactivated_at = now() WHERE id = $1`, [clerk.userId]);
    await http().get('/me').set(bearer(clerk.token)).expect(401);
  });

  it('sessions end after SESSION_IDLE_MINUTES without activity; logout ends one at once', async () => {
    const idle = await signIn(app, []);
    clock.advance(29 * 60_000);
    await http().get('/me').set(bearer(idle.token)).expect(200); // activity keeps it alive
    clock.advance(29 * 60_000);
    await http().get('/me').set(bearer(idle.token)).expect(200);
    clock.advance(31 * 60_000);
    await http().get('/me').set(bearer(idle.token)).expect(401);
    clock.reset();

    const out = await signIn(app, ['clerk']);
    await http().post('/auth/logout').set(bearer(out.token)).expect(204);
    await http().get('/me').set(bearer(out.token)).expect(401);
  });

  it('sessions end after SESSION_MAX_HOURS even with constant activity', async () => {
    const busy = await signIn(app, []);
    for (let minutes = 0; minutes < 12 * 60 - 20; minutes += 20) {
      clock.advance(20 * 60_000);
      await http().get('/me').set(bearer(busy.token)).expect(200);
    }
    clock.advance(20 * 60_000);
    await http().get('/me').set(bearer(busy.token)).expect(401);
  });

  it('stores only the token hash, writes last_seen at most once a minute, and resolves in one fast query', async () => {
    const clerk = await signIn(app, ['clerk']);
    const [row] = await owner.query(`SELECT token_hash, last_seen_at FROM auth_session WHERE user_id = $1`, [clerk.userId]);
    expect(Buffer.from(row.token_hash).equals(createHash('sha256').update(clerk.token).digest())).toBe(true);
    const sessions = app.get(SessionService);
    for (let i = 0; i < 5; i++) expect((await sessions.resolve(clerk.token))?.userId).toBe(clerk.userId);
    const [same] = await owner.query(`SELECT last_seen_at FROM auth_session WHERE user_id = $1`, [clerk.userId]);
    expect(same.last_seen_at.getTime()).toBe(row.last_seen_at.getTime());
    clock.advance(61_000);
    await sessions.resolve(clerk.token);
    const [touched] = await owner.query(`SELECT last_seen_at FROM auth_session WHERE user_id = $1`, [clerk.userId]);
    expect(touched.last_seen_at.getTime()).toBeGreaterThan(row.last_seen_at.getTime());
    clock.reset();

    // the plan: a unique-index lookup on the token hash, then the user's primary key
    const [plan] = await owner.query(
      `EXPLAIN (FORMAT JSON) SELECT s.id FROM auth_session s JOIN staff_user u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND s.expires_at > now() AND s.last_seen_at > now() - interval '30 minutes' AND u.status = 'active'`,
      [createHash('sha256').update(clerk.token).digest()],
    );
    expect(JSON.stringify(plan)).toContain('auth_session_token_hash_key');

    // measure: resolve() on its own (the guard's cost on every request, reveals included)
    const n = 2000;
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await sessions.resolve(clerk.token);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const p50 = times[Math.floor(n * 0.5)]!;
    const p99 = times[Math.floor(n * 0.99)]!;
    process.stderr.write(`SessionService.resolve: p50 ${p50.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms over ${n} calls\n`);
    expect(p50).toBeLessThan(5);
  });

  it('step-up: a fresh code marks the session fresh; a used code is refused with 403', async () => {
    const clerk = await signIn(app, ['clerk']);
    const before = (await http().get('/me').set(bearer(clerk.token)).expect(200)).body.session.stepUpAt;
    clock.advance(10 * 60_000);
    const code = await freshTotpCode(app, clerk);
    await http().post('/auth/step-up').set(bearer(clerk.token)).send({ code }).expect(204);
    const after = (await http().get('/me').set(bearer(clerk.token)).expect(200)).body.session.stepUpAt;
    expect(new Date(after).getTime()).toBeGreaterThan(new Date(before).getTime());
    const replay = await http().post('/auth/step-up').set(bearer(clerk.token)).send({ code }).expect(403);
    expect(replay.body.message).toBe('The code is wrong or was already used');
    await http().post('/auth/step-up').set(bearer(clerk.token)).send({ code: 'abc' }).expect(400);
  });

  it('POST /me/password: needs the current password, applies the policy, ends the other sessions', async () => {
    const account = await createAccount(app, admin.token, ['clerk']);
    const first = await firstLogin(app, account);
    const l2 = await passwordStep(account.username, first.password).expect(200);
    const second = await http()
      .post('/auth/totp')
      .send({ challenge: l2.body.challenge, code: codeNow(app, first.secret, 1) })
      .expect(200);
    await http()
      .post('/me/password')
      .set(bearer(first.token))
      .send({ currentPassword: 'wrong wrong wrong', newPassword: 'another long passphrase' })
      .expect(403);
    await http().post('/me/password').set(bearer(first.token)).send({ currentPassword: first.password, newPassword: 'short' }).expect(400);
    await http().post('/me/password').set(bearer(first.token)).send({ currentPassword: first.password, newPassword: 'another long passphrase' }).expect(204);
    await http().get('/me').set(bearer(first.token)).expect(200);
    await http().get('/me').set(bearer(second.body.token)).expect(401);
    await passwordStep(account.username, first.password).expect(401);
    await passwordStep(account.username, 'another long passphrase').expect(200);
  });

  it('training: GET /me/training shows the rules; only the current version can be acknowledged', async () => {
    const clerk = await signIn(app, ['clerk'], { acknowledgeTraining: false });
    const rules = await http().get('/me/training').set(bearer(clerk.token)).expect(200);
    const version = app.get(LegalDataService).handlingRules.version;
    expect(rules.body).toMatchObject({ version, current: false, acknowledgedAt: null });
    expect(rules.body.text.length).toBeGreaterThan(0);
    await http().post('/me/training').set(bearer(clerk.token)).send({ version: 'old-version' }).expect(400);
    await http().post('/me/training').set(bearer(clerk.token)).send({ version }).expect(204);
    expect((await http().get('/me').set(bearer(clerk.token)).expect(200)).body).toMatchObject({ trainingVersion: version, trainingCurrent: true });
    expect((await http().get('/me/training').set(bearer(clerk.token)).expect(200)).body.current).toBe(true);
    const [entry] = await owner.query(`SELECT details FROM audit_entry WHERE actor_id = $1 AND action = 'user.training-acknowledged'`, [clerk.userId]);
    expect(entry.details).toEqual({ version });
  });

  it('never puts a password, secret, code or token in the audit trail', async () => {
    const account = await createAccount(app, admin.token, ['clerk']);
    const first = await firstLogin(app, account);
    const rows: { text: string }[] = await owner.query(`SELECT row_to_json(a)::text AS text FROM audit_entry a`);
    const all = rows.map((r) => r.text).join('\n');
    for (const secret of [account.initialPassword, first.password, first.secret, first.token, ...first.recoveryCodes]) {
      expect(all).not.toContain(secret);
    }
  });
});
