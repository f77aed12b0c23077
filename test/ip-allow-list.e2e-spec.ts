import { INestApplication } from '@nestjs/common';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { createTestApp, ownerConnection } from './support/app';
import { dropOwnDatabase, OWN_DATABASE, OWN_DATABASE_URL, prepareOwnDatabase } from './support/own-database';
import { RELAXED_LOGIN_RATE_LIMIT } from './support/relaxed-login-rate-limit';
import { freshTotpCode, signIn, SignedIn } from './support/staff';

interface Answer {
  status: number;
  body: Record<string, any> | null;
}

/**
 * IP allow-list per role (issue #19): clerks only from the "office" (127.0.0.2), enforced by the
 * guard on every signed-in route, refused with 403 network.address-not-allowed and recorded; other
 * roles unaffected; an admin cannot lock themselves out. Requests really come from 127.0.0.1-3
 * (127.0.0.0/8 is all loopback). Own database: the list applies to every account of the vault.
 */
describe('IP allow-list per role', () => {
  let app: INestApplication;
  let owner: DataSource;
  let port: number;
  let admin: SignedIn;
  let clerk: SignedIn;
  let auditor: SignedIn;

  /** A request from a chosen loopback address; `who` null: no session (the login steps). */
  function send(method: string, path: string, who: SignedIn | null, from: string, body?: unknown): Promise<Answer> {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          localAddress: from,
          agent: false,
          headers: {
            ...(who ? { authorization: `Bearer ${who.token}` } : {}),
            ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null });
          });
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  }

  beforeAll(async () => {
    await prepareOwnDatabase();
    app = await createTestApp(RELAXED_LOGIN_RATE_LIMIT, OWN_DATABASE);
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
    owner = await ownerConnection(OWN_DATABASE_URL);
    admin = await signIn(app, ['admin']);
    clerk = await signIn(app, ['clerk']);
    auditor = await signIn(app, ['auditor']);
  });

  afterAll(async () => {
    await owner?.destroy();
    await app?.close();
    await dropOwnDatabase();
  });

  it('clerks only from the office network: refused elsewhere with a code and a trail entry; other roles unaffected', async () => {
    expect((await send('GET', '/subjects', clerk, '127.0.0.1')).status).toBe(200);

    const bad = await send('PUT', '/network/allow-list/clerk', admin, '127.0.0.1', { cidrs: ['office-lan'] });
    expect(bad).toMatchObject({ status: 400, body: { code: 'network.cidr-invalid' } });
    const set = await send('PUT', '/network/allow-list/clerk', admin, '127.0.0.1', { cidrs: ['127.0.0.2/32'] });
    expect(set.status).toBe(200);
    expect(set.body!.items).toEqual([{ role: 'clerk', cidrs: ['127.0.0.2/32'], setBy: admin.username, setAt: expect.any(String) }]);

    const refused = await send('GET', '/subjects', clerk, '127.0.0.1');
    expect(refused).toMatchObject({ status: 403, body: { code: 'network.address-not-allowed', statusCode: 403 } });
    expect((await send('GET', '/subjects', clerk, '127.0.0.3')).status).toBe(403);
    expect((await send('GET', '/subjects', clerk, '127.0.0.2')).status).toBe(200);
    // every route, not only some: the clerk's own account page too
    expect((await send('GET', '/me', clerk, '127.0.0.3')).status).toBe(403);
    // other roles have no list: from anywhere
    expect((await send('GET', '/network/allow-list', auditor, '127.0.0.3')).status).toBe(200);
    expect((await send('GET', '/users', admin, '127.0.0.3')).status).toBe(200);

    const trail: { client_address: string; outcome: string; details: { role: string } }[] = await owner.query(
      `SELECT client_address, outcome, details FROM audit_entry WHERE action = 'auth.address-refused' AND actor_id = $1 ORDER BY seq`,
      [clerk.userId],
    );
    expect(trail.map((e) => [e.client_address, e.outcome, e.details.role])).toEqual([
      ['127.0.0.1', 'refused', 'clerk'],
      ['127.0.0.3', 'refused', 'clerk'],
      ['127.0.0.3', 'refused', 'clerk'],
    ]);
    const changed: { details: { role: string; cidrs: string[] } }[] = await owner.query(
      `SELECT details FROM audit_entry WHERE action = 'network.allow-list-changed'`,
    );
    expect(changed.map((e) => e.details)).toEqual([{ role: 'clerk', cidrs: ['127.0.0.2/32'] }]);

    // removing the list lets clerks in from anywhere again
    expect((await send('PUT', '/network/allow-list/clerk', admin, '127.0.0.1', { cidrs: [] })).status).toBe(200);
    expect((await send('GET', '/subjects', clerk, '127.0.0.1')).status).toBe(200);
  });

  it('an admin cannot lock themselves out; from inside the new list it is accepted, and then binds them', async () => {
    const lockout = await send('PUT', '/network/allow-list/admin', admin, '127.0.0.1', { cidrs: ['127.0.0.3/32'] });
    expect(lockout).toMatchObject({ status: 409, body: { code: 'network.would-lock-out' } });
    expect((await send('PUT', '/network/allow-list/admin', admin, '127.0.0.3', { cidrs: ['127.0.0.3/32', '::1/128'] })).status).toBe(200);
    expect((await send('GET', '/users', admin, '127.0.0.1')).body).toMatchObject({ code: 'network.address-not-allowed' });
    expect((await send('PUT', '/network/allow-list/admin', admin, '127.0.0.3', { cidrs: [] })).status).toBe(200);
    expect((await send('GET', '/users', admin, '127.0.0.1')).status).toBe(200);
    // only admins change lists
    expect((await send('PUT', '/network/allow-list/clerk', auditor, '127.0.0.1', { cidrs: ['127.0.0.2/32'] })).status).toBe(403);
  });

  it("login itself: refused from outside the role's list only after a right password, audited, and never a session", async () => {
    const set = await send('PUT', '/network/allow-list/clerk', admin, '127.0.0.1', { cidrs: ['127.0.0.2/32'] });
    expect(set.status).toBe(200);
    const refusalsOf = async (userId: string) =>
      (
        await owner.query(
          `SELECT client_address, details FROM audit_entry WHERE action = 'auth.address-refused' AND actor_id = $1 AND details ? 'stage' ORDER BY seq`,
          [userId],
        )
      ).map((e: { client_address: string; details: { role: string; stage: string } }) => [e.client_address, e.details.stage, e.details.role]);
    const logins = async (userId: string) => Number((await owner.query(`SELECT count(*) AS n FROM auth_session WHERE user_id = $1`, [userId]))[0].n);
    const sessionsBefore = await logins(clerk.userId);

    // a wrong password, or a name nobody has, from outside: the one 401 for every wrong pair (no hint of the list or the role)
    const wrong = await send('POST', '/auth/login', null, '127.0.0.3', { username: clerk.username, password: 'not-the-password-123' });
    expect(wrong).toMatchObject({ status: 401, body: { code: 'login.wrong-credentials' } });
    const nobody = await send('POST', '/auth/login', null, '127.0.0.3', { username: 'nobody-here-xyz', password: 'not-the-password-123' });
    expect(nobody).toMatchObject({ status: 401, body: { code: 'login.wrong-credentials' } });
    expect(await refusalsOf(clerk.userId)).toEqual([]);

    // the right password from outside: 403, recorded, no challenge
    const outside = await send('POST', '/auth/login', null, '127.0.0.3', { username: clerk.username, password: clerk.password });
    expect(outside).toMatchObject({ status: 403, body: { code: 'network.address-not-allowed', statusCode: 403 } });
    expect(outside.body!.challenge).toBeUndefined();
    expect(await refusalsOf(clerk.userId)).toEqual([['127.0.0.3', 'login', 'clerk']]);

    // a challenge won from the office cannot be finished from outside: no session, the code is not used up
    const inside = await send('POST', '/auth/login', null, '127.0.0.2', { username: clerk.username, password: clerk.password });
    expect(inside.status).toBe(200);
    const code = await freshTotpCode(app, { userId: clerk.userId, totpSecret: clerk.totpSecret });
    const carried = await send('POST', '/auth/totp', null, '127.0.0.1', { challenge: inside.body!.challenge, code });
    expect(carried).toMatchObject({ status: 403, body: { code: 'network.address-not-allowed' } });
    expect(carried.body!.token).toBeUndefined();
    expect(await logins(clerk.userId)).toBe(sessionsBefore);
    expect(await refusalsOf(clerk.userId)).toEqual([
      ['127.0.0.3', 'login', 'clerk'],
      ['127.0.0.1', 'second-factor', 'clerk'],
    ]);
    // from the office: the session, and it works there
    const done = await send('POST', '/auth/totp', null, '127.0.0.2', { challenge: inside.body!.challenge, code });
    expect(done.status).toBe(200);
    expect(await logins(clerk.userId)).toBe(sessionsBefore + 1);
    const session = { ...clerk, token: done.body!.token as string };
    expect((await send('GET', '/subjects', session, '127.0.0.2')).status).toBe(200);
    expect((await send('GET', '/subjects', session, '127.0.0.3')).status).toBe(403);

    // roles without a list log in from anywhere
    const auditorLogin = await send('POST', '/auth/login', null, '127.0.0.3', { username: auditor.username, password: auditor.password });
    expect(auditorLogin.status).toBe(200);
    expect((await send('PUT', '/network/allow-list/clerk', admin, '127.0.0.1', { cidrs: [] })).status).toBe(200);
  });
});
