import { INestApplication } from '@nestjs/common';
import { execFileSync } from 'node:child_process';
import request from 'supertest';
import { Role } from '../../src/common/auth/roles';
import { ClockService } from '../../src/config/clock.service';
import { totpStep } from '../../src/auth/totp.service';
import { totpCodeAtStep, uniqueUsername } from './staff';

/** An admin creates an account over HTTP: answers its id, username and one-time password. */
export async function createAccount(
  app: INestApplication,
  adminToken: string,
  roles: Role[],
  username = uniqueUsername('h'),
): Promise<{ id: string; username: string; initialPassword: string }> {
  const res = await request(app.getHttpServer())
    .post('/users')
    .set('Authorization', `Bearer ${adminToken}`)
    .send({ username, displayName: 'HTTP test', roles });
  if (res.status !== 201) throw new Error(`create account: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A TOTP code for the app's current time (ClockService), one step later with `offset` = 1. */
export function codeNow(app: INestApplication, secret: string, offset = 0): string {
  return totpCodeAtStep(secret, totpStep(app.get(ClockService).now()) + offset);
}

/** The same, made by Debian's oathtool (an independent RFC 6238 implementation). */
export function oathtoolCode(app: INestApplication, secret: string, offset = 0): string {
  const seconds = Math.floor(app.get(ClockService).now().getTime() / 1000) + offset * 30;
  return execFileSync('oathtool', ['--totp', '-b', '-N', `@${seconds}`, secret])
    .toString('utf8')
    .trim();
}

/**
 * The whole first login over HTTP: password, change of the initial password, enrolment,
 * activation. Answers the session and what a person would keep (password, secret, codes).
 */
export async function firstLogin(
  app: INestApplication,
  account: { username: string; initialPassword: string },
  options: { code?: (secret: string) => string } = {},
): Promise<{ token: string; password: string; secret: string; recoveryCodes: string[] }> {
  const http = () => request(app.getHttpServer());
  const login = await http().post('/auth/login').send({ username: account.username, password: account.initialPassword });
  if (login.status !== 200 || login.body.next !== 'change-password') throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`);
  const password = `pw ${Math.random().toString(36).slice(2)} long enough`;
  const changed = await http().post('/auth/password').send({ challenge: login.body.challenge, newPassword: password });
  if (changed.status !== 200 || changed.body.next !== 'enrol') throw new Error(`password: ${changed.status} ${JSON.stringify(changed.body)}`);
  const enrol = await http().post('/auth/totp/enrol').send({ challenge: changed.body.challenge });
  if (enrol.status !== 200) throw new Error(`enrol: ${enrol.status} ${JSON.stringify(enrol.body)}`);
  const secret = enrol.body.secret as string;
  const code = options.code ? options.code(secret) : codeNow(app, secret);
  const activated = await http().post('/auth/totp/activate').send({ challenge: changed.body.challenge, code });
  if (activated.status !== 200) throw new Error(`activate: ${activated.status} ${JSON.stringify(activated.body)}`);
  return { token: activated.body.token, password, secret, recoveryCodes: activated.body.recoveryCodes };
}
