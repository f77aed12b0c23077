import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { authenticator } from 'otplib';
import { Role } from '../../src/common/auth/roles';
import { RequestMeta } from '../../src/common/auth/staff';
import { ClockService } from '../../src/config/clock.service';
import { LoginService } from '../../src/auth/login.service';
import { TOTP_STEP_SECONDS, totpStep } from '../../src/auth/totp.service';
import { StaffCredentialsService } from '../../src/users/staff-credentials.service';
import { UsersService } from '../../src/users/users.service';

export interface SignedIn {
  token: string;
  userId: string;
  username: string;
  /** The TOTP secret, so a test can make a fresh code (step-up). */
  totpSecret: string;
  /** The password after the first-login change (for tests of login itself, and the benchmark). */
  password: string;
}

const META: RequestMeta = { requestId: 'test-support', clientAddress: '127.0.0.1' };

/** A unique, valid username (letters first, at most 32 characters). */
export function uniqueUsername(prefix = 't'): string {
  // letters only: audit specs check that no stored text holds a number-like digit run
  return `${prefix}-${Array.from(randomBytes(12), (b) => String.fromCharCode(97 + (b % 26))).join('')}`;
}

/** A TOTP code for a given time step (an independent generator: otplib's authenticator with a fixed epoch). */
export function totpCodeAtStep(secret: string, step: number): string {
  return authenticator.clone({ epoch: step * TOTP_STEP_SECONDS * 1000, step: TOTP_STEP_SECONDS, digits: 6 }).generate(secret);
}

/**
 * Creates a person with the given roles and signs them in through the real login flow
 * (LoginService, the same code the HTTP routes call: password, first-login password change,
 * TOTP enrolment and activation), without HTTP so the per-address login rate limit is never
 * touched. With `acknowledgeTraining` (default true) the current handling rules are acknowledged.
 * The session is fresh for reveals (the login's TOTP code counts as a step-up).
 */
export async function signIn(app: INestApplication, roles: Role[], options: { acknowledgeTraining?: boolean } = {}): Promise<SignedIn> {
  const users = app.get(UsersService);
  const login = app.get(LoginService);
  const clock = app.get(ClockService);
  const username = uniqueUsername(roles.length ? roles.map((r) => r[0]).join('') : 'n');
  const created = await users.create({ username, displayName: `Test ${roles.join('+') || 'staff'}`, roles }, null, META, 'test-support');
  const first = await login.login(username, created.initialPassword, META);
  if (first.next !== 'change-password') throw new Error(`signIn: expected change-password, got ${first.next}`);
  const password = randomBytes(18).toString('base64url');
  const second = await login.changeInitialPassword(first.challenge, password, META);
  const { secret } = await login.enrol(second.challenge, META);
  const session = await login.activate(second.challenge, totpCodeAtStep(secret, totpStep(clock.now())), META);
  if (options.acknowledgeTraining ?? true) {
    await users.acknowledgeTraining({ userId: created.id, username, roles }, app.get(UsersService).currentTrainingVersion, META);
  }
  return { token: session.token, userId: created.id, username, totpSecret: secret, password };
}

/**
 * A TOTP code the server will accept now for this person: a step after the last one used
 * (codes are single-use). When the next acceptable step is beyond the one-step window, the
 * app's ClockService is moved forward by whole steps (30 s each) instead of sleeping.
 */
export async function freshTotpCode(app: INestApplication, who: Pick<SignedIn, 'userId' | 'totpSecret'>): Promise<string> {
  const clock = app.get(ClockService);
  const user = await app.get(StaffCredentialsService).findById(who.userId);
  const current = totpStep(clock.now());
  const target = Math.max(current, (user?.lastTotpStep ?? 0) + 1);
  if (target > current + 1) clock.advance((target - current - 1) * TOTP_STEP_SECONDS * 1000);
  return totpCodeAtStep(who.totpSecret, target);
}

/** POST /auth/step-up with a fresh code (reveals need one within STEP_UP_MINUTES). */
export async function stepUp(app: INestApplication, who: SignedIn): Promise<void> {
  const res = await request(app.getHttpServer())
    .post('/auth/step-up')
    .set('Authorization', `Bearer ${who.token}`)
    .send({ code: await freshTotpCode(app, who) });
  if (res.status !== 204) throw new Error(`step-up: ${res.status} ${JSON.stringify(res.body)}`);
}
