import { INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { PUBLIC_KEY, ROLES_KEY } from '../src/common/auth/auth.decorators';
import { Role, ROLES } from '../src/common/auth/roles';
import { ClockService } from '../src/config/clock.service';
import { createTestApp } from './support/app';
import { RELAXED_LOGIN_RATE_LIMIT } from './support/relaxed-login-rate-limit';
import { signIn, SignedIn } from './support/staff';

type Access = { kind: 'public' } | { kind: 'roles'; roles: Role[] } | { kind: 'undeclared' };
interface Route {
  method: string;
  path: string;
  access: Access;
  operationId: string;
}

const join = (...parts: string[]) =>
  (
    '/' +
    parts
      .map((p) => p.replace(/^\/+|\/+$/g, ''))
      .filter(Boolean)
      .join('/')
  ).replace(/\/+/g, '/');

/** Every route the application registers, with the access rule its @Auth()/@Public() declares. */
function discoverRoutes(app: INestApplication): Route[] {
  const reflector = new Reflector();
  const routes: Route[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const cls = wrapper.metatype as (new (...args: unknown[]) => object) | null;
      if (!cls) continue;
      const prefixes = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, cls) ?? '');
      for (const name of Object.getOwnPropertyNames(cls.prototype)) {
        const handler = (cls.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const targets = [handler, cls];
        const isPublic = reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets);
        const roles = reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
        const access: Access = isPublic ? { kind: 'public' } : roles === undefined ? { kind: 'undeclared' } : { kind: 'roles', roles };
        for (const prefix of prefixes) {
          for (const path of ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, handler) ?? '')) {
            routes.push({ method: RequestMethod[method].toLowerCase(), path: join(prefix, path), access, operationId: `${cls.name}_${name}` });
          }
        }
      }
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

const concrete = (path: string) => path.replace(/:[A-Za-z_]+/g, () => randomUUID());
const GUARD_403 = /^This action needs the role|^This route declares no access rule/;

describe('every route declares who may call it, and the guard enforces it', () => {
  let app: INestApplication;
  let routes: Route[];
  const signedIn = new Map<string, SignedIn>();
  const call = (route: Route, token?: string) => {
    const req = (request(app.getHttpServer()) as unknown as Record<string, (p: string) => request.Test>)[route.method]!(concrete(route.path));
    if (token !== undefined) req.set('Authorization', `Bearer ${token}`);
    return ['post', 'put', 'patch'].includes(route.method) ? req.send({}) : req;
  };

  beforeAll(async () => {
    app = await createTestApp(RELAXED_LOGIN_RATE_LIMIT);
    routes = discoverRoutes(app);
    for (const role of ROLES) signedIn.set(role, await signIn(app, [role]));
    signedIn.set('no role', await signIn(app, []));
  });

  afterEach(() => app.get(ClockService).reset());
  afterAll(async () => app?.close());

  it('finds the routes, including every operation of the OpenAPI document', async () => {
    expect(routes.length).toBeGreaterThan(20);
    const doc = (await request(app.getHttpServer()).get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, { operationId: string }>> };
    const known = new Set(routes.map((r) => `${r.method} ${r.path}`));
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) expect(known).toContain(`${method} ${path.replace(/\{([^}]+)\}/g, ':$1')}`);
    }
    for (const path of ['/auth/login', '/users', '/me', '/subjects/:id/number/reveal']) expect(routes.map((r) => r.path)).toContain(path);
  });

  it('no route is left without @Auth() or @Public()', () => {
    expect(routes.filter((r) => r.access.kind === 'undeclared').map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  it('only login, health, metrics, the collection link (its token is the credential) and the like are public', () => {
    const open = routes.filter((r) => r.access.kind === 'public').map((r) => r.path);
    for (const path of open)
      expect(path).toMatch(
        /^\/(auth\/(login|password|totp|totp\/enrol|totp\/activate|recovery)|health.*|metrics|collect\/(link|submission)|custody\/(status|unseal))$/,
      );
  });

  it('without a session every non-public route answers 401', async () => {
    for (const route of routes.filter((r) => r.access.kind !== 'public')) {
      const res = await call(route);
      expect({ route: `${route.method} ${route.path}`, status: res.status }).toEqual({ route: `${route.method} ${route.path}`, status: 401 });
      expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', message: expect.any(String) });
    }
  });

  it('with an invalid or a malformed token every non-public route answers 401', async () => {
    for (const token of [randomBytes(32).toString('base64url'), 'not a token', signedIn.get('clerk')!.token.slice(0, -1)]) {
      for (const route of routes.filter((r) => r.access.kind !== 'public')) {
        const res = await call(route, token);
        expect({ route: `${route.method} ${route.path}`, status: res.status }).toEqual({ route: `${route.method} ${route.path}`, status: 401 });
      }
    }
  });

  it('with an expired session every non-public route answers 401', async () => {
    const idle = await signIn(app, ['clerk', 'auditor', 'admin']);
    app.get(ClockService).advance(31 * 60_000); // SESSION_IDLE_MINUTES = 30
    for (const route of routes.filter((r) => r.access.kind !== 'public')) {
      const res = await call(route, idle.token);
      expect({ route: `${route.method} ${route.path}`, status: res.status }).toEqual({ route: `${route.method} ${route.path}`, status: 401 });
    }
  });

  it.each([...ROLES, 'no role'])('signed in as %s: 403 exactly where the route does not admit the role', async (who) => {
    const caller = signedIn.get(who)!;
    const held: Role[] = who === 'no role' ? [] : [who as Role];
    const problems: string[] = [];
    for (const route of routes.filter((r) => r.access.kind === 'roles')) {
      const declared = (route.access as { roles: Role[] }).roles;
      const admitted = declared.length === 0 || declared.some((r) => held.includes(r));
      // logout would end the shared session: it gets a session of its own
      const token = route.path === '/auth/logout' ? (await signIn(app, held)).token : caller.token;
      const res = await call(route, token);
      const guardRefused = res.status === 403 && GUARD_403.test(String(res.body.message));
      if (res.status === 401) problems.push(`${route.method} ${route.path}: 401 for a valid session`);
      else if (admitted && guardRefused) problems.push(`${route.method} ${route.path}: refused although it admits ${who}`);
      else if (!admitted && !guardRefused) problems.push(`${route.method} ${route.path}: answered ${res.status} although it needs ${declared.join(' or ')}`);
    }
    expect(problems).toEqual([]);
  });

  it('an auditor gets 403 on every number and subject route', async () => {
    const auditor = signedIn.get('auditor')!;
    for (const route of routes.filter((r) => /^\/(subjects|reveals)/.test(r.path))) {
      const res = await call(route, auditor.token);
      expect({ route: `${route.method} ${route.path}`, status: res.status }).toEqual({ route: `${route.method} ${route.path}`, status: 403 });
    }
  });
});
