/**
 * Issue #16, finding 3: the application's database role is a boundary. The service logs in as
 * its own role (DATABASE_APP_ROLE), which owns nothing: `RESET ROLE` or `SET ROLE <owner>` from
 * any SQL path gives back nothing, the audit tables cannot be altered, dropped, truncated or have
 * their triggers disabled, and an audit entry's `seq` is never the app's to choose. Migrations run
 * as the owner (DATABASE_MIGRATION_URL, or `migrate` run with the owner).
 *
 * The first part uses the test app on the run's shared database (every statement that could
 * change something runs in a transaction that is rolled back). The second starts the real service
 * as child processes on a database and app role of its own.
 */
import { INestApplication } from '@nestjs/common';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ensureAppRole, prepareDatabase } from '../src/database/prepare-database';
import { createTestApp, ownerConnection } from './support/app';
import { signIn } from './support/staff';

const APP_ROLE = process.env.DATABASE_APP_ROLE ?? 'mynumber_app';
const AUDIT_TABLES = ['audit_entry', 'audit_checkpoint', 'audit_review', 'audit_tree_node', 'audit_tree_head', 'audit_witness_receipt'];
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('database roles: the app role is a boundary (issue #16, finding 3)', () => {
  let app: INestApplication;
  let appDs: DataSource;
  let owner: DataSource;
  let schemaOwner: string;

  beforeAll(async () => {
    app = await createTestApp();
    appDs = app.get(DataSource);
    owner = await ownerConnection();
    [{ owner: schemaOwner }] = await owner.query(`SELECT tableowner AS owner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'audit_entry'`);
  });

  afterAll(async () => {
    await owner?.destroy();
    await app?.close();
  });

  /** Runs statements on one of the APP's own pooled connections, in a transaction that is always rolled back. */
  async function onAppConnection<T>(work: (query: (sql: string, params?: unknown[]) => Promise<any>) => Promise<T>): Promise<T> {
    const qr = appDs.createQueryRunner();
    await qr.startTransaction();
    try {
      return await work((sql, params) => qr.query(sql, params));
    } finally {
      await qr.rollbackTransaction().catch(() => undefined);
      await qr.release();
    }
  }

  it('logs in as the application role, which is no superuser and owns no table', async () => {
    const [me] = await appDs.query(
      `SELECT session_user::text AS "session", current_user::text AS "current", r.rolsuper AS super, r.rolcreaterole AS createrole, r.rolcreatedb AS createdb,
              r.rolbypassrls AS bypassrls,
              (SELECT count(*)::int FROM pg_class c WHERE c.relowner = r.oid) AS owned,
              pg_has_role(session_user, $1, 'MEMBER') AS "memberOfOwner"
         FROM pg_roles r WHERE r.rolname = session_user`,
      [schemaOwner],
    );
    expect(me).toEqual({
      session: APP_ROLE,
      current: APP_ROLE,
      super: false,
      createrole: false,
      createdb: false,
      bypassrls: false,
      owned: 0,
      memberOfOwner: false,
    });
    expect(schemaOwner).not.toBe(APP_ROLE);
  });

  /**
   * What an attacker with SQL on the app's connection tries first: back to the login role, then
   * to the schema owner or postgres. Failed attempts are swallowed (inside a subtransaction), so
   * what follows runs with whatever this gained.
   */
  const escalate = async (q: (sql: string) => Promise<unknown>) => {
    await q('RESET ROLE');
    for (const role of new Set([schemaOwner, 'postgres'])) {
      await q(`DO $$ BEGIN EXECUTE format('SET ROLE %I', '${role}'); EXCEPTION WHEN OTHERS THEN NULL; END $$`);
    }
  };

  it('RESET ROLE gives back nothing: still the app role', async () => {
    const who = await onAppConnection(async (q) => {
      await escalate(q);
      return (await q(`SELECT current_user::text AS "user", (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS super`))[0];
    });
    expect(who).toEqual({ user: APP_ROLE, super: false });
  });

  it('SET ROLE to the schema owner (or postgres) is refused', async () => {
    for (const role of new Set([schemaOwner, 'postgres'])) {
      await expect(onAppConnection((q) => q(`SET ROLE "${role}"`))).rejects.toThrow(/permission denied/);
    }
  });

  it('SET session_replication_role = replica (which skips the append-only triggers) is refused', async () => {
    await expect(
      onAppConnection(async (q) => {
        await escalate(q);
        await q('SET LOCAL session_replication_role = replica');
      }),
    ).rejects.toThrow(/permission denied/);
  });

  describe.each(AUDIT_TABLES)('%s', (table) => {
    it.each([
      ['disable its triggers', `ALTER TABLE ${table} DISABLE TRIGGER ALL`],
      ['disable its user triggers', `ALTER TABLE ${table} DISABLE TRIGGER USER`],
      ['alter it', `ALTER TABLE ${table} ADD COLUMN tampered int`],
      ['take it over', `ALTER TABLE ${table} OWNER TO CURRENT_USER`],
      ['drop it', `DROP TABLE ${table}`],
      ['truncate it', `TRUNCATE ${table}`],
    ])('the app role may not %s, not even after RESET ROLE / SET ROLE', async (_what, sql) => {
      await expect(onAppConnection((q) => q(sql))).rejects.toThrow(/must be owner|permission denied|append-only/);
      await expect(
        onAppConnection(async (q) => {
          await escalate(q);
          await q(sql);
        }),
      ).rejects.toThrow(/must be owner|permission denied|append-only/);
    });
  });

  it('an audit entry with a chosen seq is refused, and no gap entry can be made for a number never handed out', async () => {
    await expect(
      onAppConnection((q) => q(`INSERT INTO audit_entry (seq, at, action, outcome) VALUES (999999999, now(), 'auth.login', 'success')`)),
    ).rejects.toThrow(/permission denied/);
    await expect(
      onAppConnection((q) => q(`INSERT INTO audit_entry (seq, at, action, outcome) SELECT max(seq) + 1000, now(), 'auth.login', 'success' FROM audit_entry`)),
    ).rejects.toThrow(/permission denied/);
    // the sealer's way to record a rolled-back number: only numbers the sequence has already handed out
    await expect(onAppConnection((q) => q(`SELECT audit_fill_gap(999999999, 999999999, now())`))).rejects.toThrow(/never handed out/);
    // nor move the sequence itself
    await expect(onAppConnection((q) => q(`SELECT setval('audit_entry_seq_seq', 999999999)`))).rejects.toThrow(/permission denied/);
  });

  it('audited requests keep working and are sealed', async () => {
    const admin = await signIn(app, ['admin']);
    const requestId = `roles-${randomUUID()}`;
    await request(app.getHttpServer()).post('/auth/logout').set('authorization', `Bearer ${admin.token}`).set('x-request-id', requestId).expect(204);
    const deadline = Date.now() + 30_000;
    let rows: Array<{ action: string; sealed: boolean }> = [];
    while (Date.now() < deadline) {
      rows = await owner.query(`SELECT action, hash IS NOT NULL AS sealed FROM audit_entry WHERE request_id = $1`, [requestId]);
      if (rows.length && rows.every((r) => r.sealed)) break;
      await sleep(200);
    }
    expect(rows).toEqual([{ action: 'auth.logout', sealed: true }]);
  });
});

// ------------------------------------------------------------------ the real service, as configured in production

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..');
const TS_NODE = ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'];

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

describe('the service with DATABASE_URL = its own login role and migrations as the owner (child processes)', () => {
  const tag = randomBytes(4).toString('hex');
  const database = `mnv_test_roles_${tag}`;
  const role = `mnv_roles_app_${tag}`;
  const password = randomBytes(18).toString('base64url');
  const server = new URL(process.env.DATABASE_MIGRATION_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const url = (user: string, pw: string | null, db: string) => {
    const u = new URL(server.toString());
    u.username = user;
    u.password = pw ?? '';
    u.pathname = `/${db}`;
    return u.toString();
  };
  const ownerUrl = url(decodeURIComponent(server.username) || 'postgres', server.password ? decodeURIComponent(server.password) : null, database);
  const appUrl = url(role, password, database);
  const dataDir = mkdtempSync(join(tmpdir(), 'mnv-roles-'));
  const passphrase = randomBytes(18).toString('base64');
  const children: ChildProcess[] = [];

  const admin = async <T>(work: (c: Client) => Promise<T>, db = 'postgres'): Promise<T> => {
    const c = new Client({
      connectionString: url(decodeURIComponent(server.username) || 'postgres', server.password ? decodeURIComponent(server.password) : null, db),
    });
    await c.connect();
    try {
      return await work(c);
    } finally {
      await c.end();
    }
  };

  function baseEnv(port: number): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      PORT: String(port),
      DATA_DIR: dataDir,
      KEYSTORE_PASSPHRASE: passphrase,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_PREFIX: `mnv-roles-${tag}`,
      LOG_LEVEL: 'warn',
      DATABASE_APP_ROLE: role,
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
    };
  }

  /** Starts src/main.ts; answers once /health answers, or with the exit code and output if it stops first. */
  async function start(env: NodeJS.ProcessEnv, port: number): Promise<{ child: ChildProcess; exitCode: number | null; output: () => string }> {
    const child = spawn(process.execPath, [...TS_NODE, 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) return { child, exitCode: child.exitCode, output: () => out };
      const ok = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.status,
        () => 0,
      );
      if (ok === 200) return { child, exitCode: null, output: () => out };
      await sleep(300);
    }
    throw new Error(`the service did not answer within 120 s:\n${out}`);
  }

  async function stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([gone, sleep(20_000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  beforeAll(async () => {
    // production never creates keys: make the keystore once, as an operator would
    await run(process.execPath, [...TS_NODE, 'src/cli.ts', 'keys:init'], { cwd: ROOT, env: { ...baseEnv(0), LOG_LEVEL: 'error' }, timeout: 120_000 });
  }, 150_000);

  afterAll(async () => {
    for (const child of children) await stop(child);
    await admin(async (c) => {
      await c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await c.query(`DROP ROLE IF EXISTS "${role}"`);
    });
  });

  it('production refuses to log in as the owner (DATABASE_URL = owner, no DATABASE_MIGRATION_URL)', async () => {
    const port = await freePort();
    const started = await start({ ...baseEnv(port), DATABASE_URL: ownerUrl }, port);
    expect(started.exitCode).toBe(1);
    expect(started.output()).toMatch(/DATABASE_MIGRATION_URL/);
  }, 150_000);

  it('migrates with DATABASE_MIGRATION_URL, creates the login role with the password from DATABASE_URL, and serves as that role', async () => {
    const port = await freePort();
    const started = await start({ ...baseEnv(port), DATABASE_URL: appUrl, DATABASE_MIGRATION_URL: ownerUrl }, port);
    expect({ exitCode: started.exitCode, output: started.exitCode === null ? '' : started.output() }).toEqual({ exitCode: null, output: '' });
    try {
      const [r] = await admin((c) =>
        c.query(`SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = $1`, [role]).then((x) => x.rows),
      );
      expect(r).toEqual({ rolcanlogin: true, rolsuper: false, rolcreaterole: false, rolcreatedb: false });
      // the service's own connections are the app role's, and the password it was given works
      const users = await admin(
        (c) =>
          c.query(`SELECT DISTINCT usename::text AS u FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [database]).then((x) => x.rows),
        database,
      );
      expect(users).toEqual([{ u: role }]);
      const asApp = new Client({ connectionString: appUrl });
      await asApp.connect();
      try {
        expect((await asApp.query('SELECT current_user::text AS u')).rows).toEqual([{ u: role }]);
        await expect(asApp.query('RESET ROLE; TRUNCATE audit_entry')).rejects.toThrow(/permission denied|must be owner|append-only/);
      } finally {
        await asApp.end();
      }
    } finally {
      await stop(started.child);
    }
  }, 150_000);

  it('starts in production with only the app URL once the owner has migrated, and `migrate` runs with the owner', async () => {
    // `migrate` as the owner: DATABASE_URL = the owner, as an operator would run it by hand
    const { stdout } = await run(process.execPath, [...TS_NODE, 'src/cli.ts', 'migrate'], {
      cwd: ROOT,
      env: { ...baseEnv(0), DATABASE_URL: ownerUrl },
      timeout: 120_000,
    });
    expect(stdout).toMatch(/No pending migrations/);
    const port = await freePort();
    const started = await start({ ...baseEnv(port), DATABASE_URL: appUrl }, port);
    expect({ exitCode: started.exitCode, output: started.exitCode === null ? '' : started.output() }).toEqual({ exitCode: null, output: '' });
    await stop(started.child);
  }, 250_000);
});

describe('set-up under concurrency: roles are cluster-wide, several runs and instances prepare at once', () => {
  const tag = randomBytes(4).toString('hex');
  const role = `mnv_roles_race_${tag}`;
  const ownerBase = new URL(process.env.DATABASE_MIGRATION_URL ?? process.env.DATABASE_URL!);
  const database = `mnv_test_roles_race_${tag}`;
  const owners: DataSource[] = [];

  afterAll(async () => {
    for (const ds of owners) await ds.destroy().catch(() => undefined);
    const url = new URL(ownerBase.toString());
    url.pathname = '/postgres';
    const c = new Client({ connectionString: url.toString() });
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await c.query(`DROP ROLE IF EXISTS "${role}"`);
    } finally {
      await c.end();
    }
  });

  it('six connections creating, then re-passwording, one app role at the same moment all succeed', async () => {
    for (let i = 0; i < 6; i++) owners.push(await new DataSource({ type: 'postgres', url: ownerBase.toString(), extra: { max: 1 } }).initialize());
    await Promise.all(owners.map((ds) => ensureAppRole(ds, role, 'first-password')));
    await Promise.all(owners.map((ds) => ensureAppRole(ds, role, 'second-password')));
    const rows = await owners[0]!.query(`SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = $1`, [role]);
    expect(rows).toEqual([{ rolcanlogin: true, rolsuper: false, rolcreaterole: false, rolcreatedb: false }]);
  });

  it('two instances preparing one new database at once: both start, each migration ran once', async () => {
    const url = new URL(ownerBase.toString());
    url.pathname = `/${database}`;
    const env = { DATABASE_URL: url.toString(), DATABASE_APP_ROLE: role, DATABASE_POOL_SIZE: 2, NODE_ENV: 'test' as const };
    const [a, b] = await Promise.all([prepareDatabase(env), prepareDatabase(env)]);
    expect(a.length + b.length).toBeGreaterThan(0);
    expect(Math.min(a.length, b.length)).toBe(0); // the second waited for the first's lock, then found nothing to do
    const c = new Client({ connectionString: url.toString() });
    await c.connect();
    try {
      const { rows } = await c.query(`SELECT name, count(*)::int AS n FROM typeorm_migrations GROUP BY name HAVING count(*) > 1`);
      expect(rows).toEqual([]);
    } finally {
      await c.end();
    }
  }, 240_000);
});
