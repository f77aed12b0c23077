/**
 * Staff and subjects over plain HTTP (fetch) against a running vault: the same login flow a
 * person goes through (password, change of the initial password, TOTP enrolment and
 * activation), the admin's account creation, the clerk's training acknowledgement, step-up.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { authenticator } from 'otplib';
import { fakeMyNumber, uniqueCode, CARD_CHECK } from '../../support/subjects';
import { ROOT, sleep, VaultProcess } from './processes';

export { fakeMyNumber, uniqueCode, CARD_CHECK };

export type Role = 'admin' | 'clerk' | 'auditor';

export interface HttpAnswer<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
  ms: number;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as is (no JSON.stringify): malformed JSON, huge bodies. */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * One request. Network failures and timeouts answer status 0 (text = the error), never throw,
 * so load loops can count them.
 */
export async function call(base: string, method: string, path: string, options: CallOptions = {}): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | Buffer | undefined;
  if (options.rawBody !== undefined) {
    body = options.rawBody;
    headers['content-type'] ??= 'application/json';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const started = Date.now();
  try {
    const res = await fetch(base + path, { method, headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 20_000) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, text, headers: res.headers, ms: Date.now() - started };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
    const text = `${String((error as Error)?.message ?? error)}${cause ? ` (${cause.code ?? ''} ${cause.message ?? ''})` : ''}`;
    return { status: 0, body: null, text, headers: new Headers(), ms: Date.now() - started };
  }
}

function expectStatus(what: string, answer: HttpAnswer, ...ok: number[]): void {
  if (!ok.includes(answer.status)) throw new Error(`${what}: ${answer.status} ${answer.text.slice(0, 500)}`);
}

export const HANDLING_RULES_VERSION: string = JSON.parse(readFileSync(join(ROOT, 'config/handling-rules.json'), 'utf8')).version;

// ---------------------------------------------------------------- TOTP

const STEP = 30;
const stepNow = () => Math.floor(Date.now() / 1000 / STEP);
const codeAt = (secret: string, step: number) => authenticator.clone({ epoch: step * STEP * 1000, step: STEP, digits: 6 }).generate(secret);

export interface HttpStaff {
  base: string;
  id?: string;
  username: string;
  password: string;
  secret: string;
  token: string;
  roles: Role[];
  /** The last TOTP time step the server accepted (codes are single-use: the next must be newer). */
  lastStep: number;
}

/**
 * A code the server will accept now (a step newer than the last one used, within its ±1 step
 * window); waits for the clock when both the current and the next step are used up.
 */
export async function nextCode(who: Pick<HttpStaff, 'secret' | 'lastStep'>): Promise<{ code: string; step: number }> {
  for (;;) {
    const now = stepNow();
    const step = Math.max(now, who.lastStep + 1);
    if (step <= now + 1) {
      // Avoid a step about to leave the window (the previous step is accepted too, but not for long).
      if (step === now + 1 && (Date.now() / 1000) % STEP < 2) {
        await sleep(2000);
        continue;
      }
      return { code: codeAt(who.secret, step), step };
    }
    await sleep(1000);
  }
}

// ---------------------------------------------------------------- login flow

/** `npm run cli -- admin:create <username>`: the one-time password is the line after its header. */
export async function createAdminWithCli(
  vault: VaultProcess,
  username = `admin-${randomBytes(4).toString('hex')}`,
): Promise<{ username: string; initialPassword: string }> {
  const out = (await vault.cli(['admin:create', username])).trim().split('\n');
  // The line after the header (a service's log line may follow it on stdout, e.g. a witness write).
  const header = out.findIndex((line) => line.startsWith('One-time password'));
  const initialPassword = (header >= 0 ? out[header + 1] : out[out.length - 1])?.trim() ?? '';
  if (!initialPassword) throw new Error(`admin:create printed no password: ${out.join('\n')}`);
  return { username, initialPassword };
}

/** First login over HTTP: password, new password, enrol, activate. */
export async function firstLogin(base: string, account: { username: string; initialPassword: string; id?: string }, roles: Role[]): Promise<HttpStaff> {
  const login = await call(base, 'POST', '/auth/login', { body: { username: account.username, password: account.initialPassword } });
  expectStatus('login', login, 200);
  if (login.body.next !== 'change-password') throw new Error(`login: expected change-password, got ${login.text}`);
  const password = `faults ${randomBytes(12).toString('base64url')} pw`;
  const changed = await call(base, 'POST', '/auth/password', { body: { challenge: login.body.challenge, newPassword: password } });
  expectStatus('change password', changed, 200);
  const enrol = await call(base, 'POST', '/auth/totp/enrol', { body: { challenge: changed.body.challenge } });
  expectStatus('enrol', enrol, 200);
  const who = { secret: enrol.body.secret as string, lastStep: 0 };
  const { code, step } = await nextCode(who);
  const activated = await call(base, 'POST', '/auth/totp/activate', { body: { challenge: changed.body.challenge, code } });
  expectStatus('activate', activated, 200);
  return { base, id: account.id, username: account.username, password, secret: who.secret, token: activated.body.token, roles, lastStep: step };
}

/**
 * A full login of an enrolled person (password, then TOTP); updates `who.token`.
 * Answers the HTTP status of the failing step, or 200 with the new token.
 */
export async function login(who: HttpStaff, options: { waitForCode?: boolean } = {}): Promise<{ status: number; stage: string; token?: string }> {
  const first = await call(who.base, 'POST', '/auth/login', { body: { username: who.username, password: who.password } });
  if (first.status !== 200) return { status: first.status, stage: 'password' };
  if (first.body.next !== 'totp') throw new Error(`login: expected next=totp, got ${first.text}`);
  if (options.waitForCode === false && who.lastStep >= stepNow() + 1) return { status: 204, stage: 'no-fresh-code' };
  const { code, step } = await nextCode(who);
  who.lastStep = Math.max(who.lastStep, step);
  const second = await call(who.base, 'POST', '/auth/totp', { body: { challenge: first.body.challenge, code } });
  if (second.status !== 200) return { status: second.status, stage: 'totp' };
  who.token = second.body.token;
  return { status: 200, stage: 'done', token: second.body.token };
}

export async function acknowledgeTraining(who: HttpStaff): Promise<void> {
  expectStatus('training', await call(who.base, 'POST', '/me/training', { token: who.token, body: { version: HANDLING_RULES_VERSION } }), 204, 200, 201);
}

/** POST /auth/step-up with a fresh code (204). */
export async function stepUp(who: HttpStaff): Promise<void> {
  const { code, step } = await nextCode(who);
  who.lastStep = Math.max(who.lastStep, step);
  expectStatus('step-up', await call(who.base, 'POST', '/auth/step-up', { token: who.token, body: { code } }), 204);
}

/** An admin creates an account (POST /users), which then logs in for the first time; clerks acknowledge the handling rules. */
export async function createStaff(admin: HttpStaff, roles: Role[], prefix = 'f'): Promise<HttpStaff> {
  const username = `${prefix}-${randomBytes(5).toString('hex')}`;
  const created = await call(admin.base, 'POST', '/users', { token: admin.token, body: { username, displayName: `Faults ${roles.join('+')}`, roles } });
  expectStatus('create account', created, 201);
  const staff = await firstLogin(admin.base, { username, initialPassword: created.body.initialPassword, id: created.body.id }, roles);
  if (roles.includes('clerk')) await acknowledgeTraining(staff);
  return staff;
}

export interface Team {
  admin: HttpStaff;
  clerk: HttpStaff;
  auditor: HttpStaff;
}

/** The first admin (CLI), a clerk (trained, fresh step-up from the login) and an auditor. */
export async function setUpTeam(vault: VaultProcess): Promise<Team> {
  const account = await createAdminWithCli(vault);
  const admin = await firstLogin(vault.url, account, ['admin']);
  const clerk = await createStaff(admin, ['clerk'], 'clerk');
  const auditor = await createStaff(admin, ['auditor'], 'aud');
  return { admin, clerk, auditor };
}

// ---------------------------------------------------------------- subjects and numbers

export interface HttpSubject {
  id: string;
  code: string;
  number: string | null;
}

export interface SubjectOptions {
  number?: string | null;
  purposes?: string[];
  kind?: 'employee' | 'payee';
  /** Registered as already gone (YYYY-MM-DD): a due date in the past raises the alarm at once. */
  leftAt?: string;
}

export async function createSubject(clerk: HttpStaff, options: SubjectOptions = {}): Promise<HttpSubject> {
  const kind = options.kind ?? 'employee';
  const code = uniqueCode(kind === 'employee' ? 'E' : 'P');
  const created = await call(clerk.base, 'POST', '/subjects', {
    token: clerk.token,
    body: { kind, code, name: '障害 試験', nameKana: 'ショウガイ シケン', ...(options.leftAt ? { leftAt: options.leftAt } : {}) },
  });
  expectStatus('create subject', created, 201);
  const id = created.body.id as string;
  const purposes = options.purposes ?? ['withholding-slip'];
  if (purposes.length) {
    expectStatus(
      'purposes',
      await call(clerk.base, 'PUT', `/subjects/${id}/purposes`, { token: clerk.token, body: { purposes, notifiedAt: '2026-04-01T09:00:00+09:00' } }),
      200,
    );
  }
  const number = options.number === null ? null : (options.number ?? fakeMyNumber());
  if (number) {
    expectStatus('store number', await storeNumber(clerk, id, number), 201);
  }
  return { id, code, number };
}

export function storeNumber(clerk: HttpStaff, subjectId: string, number: string): Promise<HttpAnswer> {
  return call(clerk.base, 'PUT', `/subjects/${subjectId}/number`, { token: clerk.token, body: { number, identityCheck: CARD_CHECK } });
}

export function reveal(clerk: HttpStaff, subjectId: string, purpose = 'withholding-slip', timeoutMs = 10_000): Promise<HttpAnswer> {
  return call(clerk.base, 'POST', `/subjects/${subjectId}/number/reveal`, { token: clerk.token, body: { purpose }, timeoutMs });
}

/** Many subjects with numbers, `concurrency` at a time. */
export async function createSubjects(clerk: HttpStaff, count: number, concurrency = 16, options: SubjectOptions = {}): Promise<HttpSubject[]> {
  const out: HttpSubject[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        out.push(await createSubject(clerk, options));
      }
    }),
  );
  return out;
}
