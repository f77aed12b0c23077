/**
 * Trial mode, end to end: the real service as a child process (ts-node, as `npm run cli` runs)
 * with NO database settings, nothing answering at the probed PostgreSQL address (a closed port
 * instead of 127.0.0.1:5432, so the machine's shared PostgreSQL is never touched) and no Redis
 * (a closed port). It must start on an embedded PostgreSQL in a fresh DATA_DIR, let `npm run demo`
 * seed it while it runs, store and reveal a number over HTTP, and reveal it again after a
 * restart from the same embedded data. With Redis absent, the in-process sweep raises a due alarm
 * within its interval.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { authenticator } from 'otplib';
import { Client } from 'pg';
import { fakeMyNumber } from './support/subjects';
import { checkOutsideAnswer } from './support/openapi-contract';

const ROOT = resolve(__dirname, '..');
const TS_NODE = ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'];
const SWEEP_INTERVAL_MS = 2000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A port nothing listens on (bound once by us, then released). */
function closedPort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((res) => {
    const t = setTimeout(() => res(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(t);
      res(true);
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('trial mode: embedded PostgreSQL, no Redis (child process)', () => {
  let dir: string;
  let dataDir: string;
  let port: number;
  let env: NodeJS.ProcessEnv;
  let vault: ChildProcess | undefined;
  let output = '';
  const base = () => `http://127.0.0.1:${port}`;

  async function http(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
    const res = await fetch(base() + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    // the child's answers are checked against the document it serves, as createTestApp's are (issue #20)
    const sent = body === undefined ? undefined : JSON.stringify(body);
    await checkOutsideAnswer(base(), {
      method,
      url: path,
      status: res.status,
      contentType: res.headers.get('content-type') ?? undefined,
      body: Buffer.from(text),
      request: { contentType: sent === undefined ? undefined : 'application/json', body: Buffer.from(sent ?? '') },
    });
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed };
  }

  async function startVault(): Promise<void> {
    output = '';
    const child = spawn(process.execPath, [...TS_NODE, 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    vault = child;
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    // Ready is the vault's own last start-up line, printed after the TRIAL MODE banner; the port
    // answers /health earlier (app.listen comes before the banner), so waiting for the port raced
    // the banner (a flaky "expected TRIAL MODE").
    const ready = new RegExp(`mynumber-vault listening on port ${port}\\b`);
    const until = Date.now() + 120_000;
    while (Date.now() < until) {
      if (child.exitCode !== null) throw new Error(`the vault exited (${child.exitCode}):\n${output.slice(-3000)}`);
      if (ready.test(output)) {
        const up = await fetch(`${base()}/health`, { signal: AbortSignal.timeout(5000) }).then(
          (r) => r.ok,
          () => false,
        );
        if (up) return;
      }
      await sleep(200);
    }
    throw new Error(`the vault did not say it was ready (listening) and answer /health:\n${output.slice(-3000)}`);
  }

  async function stopVault(): Promise<void> {
    const child = vault;
    vault = undefined;
    if (!child) return;
    child.kill('SIGTERM');
    if (!(await exited(child, 20_000))) {
      child.kill('SIGKILL');
      await exited(child, 5000);
    }
  }

  /** The embedded server's pid while it runs (postmaster.pid, line 1). */
  function postmasterPid(): number | null {
    const file = join(dataDir, 'pg', 'postmaster.pid');
    if (!existsSync(file)) return null;
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
  }

  /** Runs `npm run demo -- --json` (the same entry, ts-node) against this DATA_DIR. */
  function runDemo(): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((res) => {
      const child = spawn(process.execPath, [...TS_NODE, 'src/trial/demo.ts', '--json'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        res({ code: code ?? 1, stdout, stderr });
      });
    });
  }

  /** First login over HTTP: one-time password, new password, TOTP enrolment (otplib), activation. */
  async function firstLogin(username: string, oneTimePassword: string): Promise<{ token: string; secret: string }> {
    const login = await http('POST', '/auth/login', { username, password: oneTimePassword });
    expect(login).toMatchObject({ status: 200, body: { next: 'change-password' } });
    const changed = await http('POST', '/auth/password', {
      challenge: login.body.challenge,
      newPassword: `trial ${randomBytes(9).toString('base64url')} passphrase`,
    });
    expect(changed).toMatchObject({ status: 200, body: { next: 'enrol' } });
    const enrol = await http('POST', '/auth/totp/enrol', { challenge: changed.body.challenge });
    expect(enrol.status).toBe(200);
    const secret = enrol.body.secret as string;
    const activated = await http('POST', '/auth/totp/activate', { challenge: changed.body.challenge, code: authenticator.generate(secret) });
    expect(activated.status).toBe(200);
    return { token: activated.body.token as string, secret };
  }

  /** A superuser connection to the embedded server (its password and port are in DATA_DIR). */
  async function embeddedOwner(): Promise<Client> {
    const password = readFileSync(join(dataDir, 'pg.password'), 'utf8').trim();
    const { port: pgPort } = JSON.parse(readFileSync(join(dataDir, 'pg.owner'), 'utf8')) as { port: number };
    const client = new Client({ host: '127.0.0.1', port: pgPort, user: 'postgres', password, database: 'mynumber_vault' });
    await client.connect();
    return client;
  }

  let demo: { users: { username: string; roles: string[]; oneTimePassword: string }[]; leaver: { id: string; code: string } };
  let clerk: { token: string; secret: string };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mnv-trial-'));
    // Running as root, PostgreSQL runs as the postgres user, which must be able to enter the folder.
    chmodSync(dir, 0o711);
    dataDir = join(dir, 'data');
    // Three different ports: the system may hand a just-released port out again.
    const ports = new Set<number>();
    while (ports.size < 3) ports.add(await closedPort());
    const [noPostgres, noRedis] = [...ports].slice(1);
    port = [...ports][0]!;
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      PORT: String(port),
      DATA_DIR: dataDir,
      // No DATABASE_URL. The probe looks at a closed port instead of 127.0.0.1:5432.
      DATABASE_PROBE_URL: `postgres://postgres@127.0.0.1:${noPostgres}/mynumber_vault`,
      REDIS_URL: `redis://127.0.0.1:${noRedis}`,
      SWEEP_INTERVAL_MS: String(SWEEP_INTERVAL_MS),
      LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
    };
  });

  afterAll(async () => {
    await stopVault();
    // Whatever happened above, never leave an embedded PostgreSQL behind.
    const pid = dataDir ? postmasterPid() : null;
    if (pid) {
      process.kill(pid, 'SIGINT');
      for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('starts in trial mode on an embedded PostgreSQL with its data and keys in DATA_DIR, queue off', async () => {
    await startVault();
    expect(output).toMatch(/TRIAL MODE/);
    expect(output).toContain(join(dataDir, 'pg'));
    const health = await http('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: 'degraded', // Redis is down; the database is up
      mode: 'trial',
      dataDir,
      keystore: join(dataDir, 'keystore.p12'),
      database: { embedded: true, dir: join(dataDir, 'pg') },
      queue: 'off',
      details: { database: { status: 'up' }, redis: { status: 'down' } },
    });
    expect(existsSync(join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);
    expect(postmasterPid()).not.toBeNull();
  }, 150_000);

  it('npm run demo seeds the running trial vault (attaching to its PostgreSQL) and prints three logins', async () => {
    const result = await runDemo();
    expect({ code: result.code, stderr: result.code ? result.stderr : '' }).toEqual({ code: 0, stderr: '' });
    demo = JSON.parse(result.stdout.trim().split('\n').pop()!);
    expect(demo.users.map((u) => u.username).sort()).toEqual(['demo-admin', 'demo-auditor', 'demo-clerk']);
    expect(demo).toMatchObject({ alarmsOpen: 1, leaver: { code: 'DEMO-LEAVER' } });
    expect((demo as unknown as { employees: number }).employees).toBeGreaterThanOrEqual(20);
    // The demo attached: the vault's PostgreSQL is still the same, still up.
    expect((await http('GET', '/health')).body.details.database.status).toBe('up');
    // Running it again is refused (usernames are never reused), without harm.
    const again = await runDemo();
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already has the demo accounts/);
  }, 200_000);

  it('stores and reveals a number over HTTP, and reveals it again after a restart from the same data', async () => {
    const clerkLogin = demo.users.find((u) => u.username === 'demo-clerk')!;
    clerk = await firstLogin(clerkLogin.username, clerkLogin.oneTimePassword);
    const training = await http('GET', '/me/training', undefined, clerk.token);
    expect((await http('POST', '/me/training', { version: training.body.version }, clerk.token)).status).toBeLessThan(300);

    const created = await http('POST', '/subjects', { kind: 'employee', code: 'TRIAL-ONE', name: '試験 一郎', nameKana: 'シケン イチロウ' }, clerk.token);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await http('PUT', `/subjects/${id}/purposes`, { purposes: ['withholding-slip'], notifiedAt: new Date().toISOString() }, clerk.token)).status).toBe(
      200,
    );
    const number = fakeMyNumber();
    const identityCheck = { numberDocument: 'my-number-card', identityDocuments: ['my-number-card'], checkedAt: new Date().toISOString() };
    expect((await http('PUT', `/subjects/${id}/number`, { number, identityCheck }, clerk.token)).status).toBe(201);
    const revealed = await http('POST', `/subjects/${id}/number/reveal`, { purpose: 'withholding-slip' }, clerk.token);
    expect(revealed).toMatchObject({ status: 200, body: { number } });

    // Restart: SIGTERM stops the vault and its embedded PostgreSQL.
    const pgBefore = postmasterPid();
    await stopVault();
    for (let i = 0; i < 50 && pgBefore && isAlive(pgBefore); i++) await sleep(100);
    expect(pgBefore && isAlive(pgBefore)).toBeFalsy();
    expect(existsSync(join(dataDir, 'pg.owner'))).toBe(false);

    await startVault();
    expect((await http('GET', '/health')).body).toMatchObject({ mode: 'trial', queue: 'off' });
    // The same session, keys and ciphertext, from the same embedded data.
    const again = await http('POST', `/subjects/${id}/number/reveal`, { purpose: 'withholding-slip' }, clerk.token);
    expect(again).toMatchObject({ status: 200, body: { number } });
  }, 200_000);

  it('with no Redis, a due alarm is raised by the in-process sweep within its interval', async () => {
    const adminLogin = demo.users.find((u) => u.username === 'demo-admin')!;
    const admin = await firstLogin(adminLogin.username, adminLogin.oneTimePassword);
    // The demo's leaver: due long ago, raised at once when the filings were recorded.
    const open = await http('GET', '/retention/alarms', undefined, admin.token);
    expect(open.status).toBe(200);
    expect(open.body.items.map((a: { subject: { code: string } }) => a.subject.code)).toContain('DEMO-LEAVER');

    // A person who left today, with a filing kept two more years: not due yet, and the delayed
    // queue job cannot be scheduled (no Redis).
    const today = new Date().toISOString().slice(0, 10);
    const left = await http('POST', '/subjects', { kind: 'employee', code: 'TRIAL-LEFT', name: '試験 退職', leftAt: today }, clerk.token);
    expect(left.status).toBe(201);
    const filing = await http('POST', `/subjects/${left.body.id}/filings`, { documentType: 'health-pension', closedAt: today }, clerk.token);
    expect(filing.status).toBe(201);
    const before = await http('GET', '/retention/alarms', undefined, admin.token);
    expect(before.body.items.map((a: { subject: { code: string } }) => a.subject.code)).not.toContain('TRIAL-LEFT');

    // Two years pass (the child's clock cannot be moved from here, so the stored due date is):
    // nothing but the sweep can raise this alarm now.
    const db = await embeddedOwner();
    try {
      const moved = await db.query(`UPDATE retention_schedule SET due_on = current_date - 1 WHERE subject_id = $1`, [left.body.id]);
      expect(moved.rowCount).toBe(1);
    } finally {
      await db.end();
    }
    const movedAt = Date.now();
    let alarm: { subject: { code: string }; raisedBy: string } | undefined;
    while (!alarm && Date.now() - movedAt < SWEEP_INTERVAL_MS + 4000) {
      await sleep(250);
      const list = await http('GET', '/retention/alarms', undefined, admin.token);
      alarm = list.body.items.find((a: { subject: { code: string } }) => a.subject.code === 'TRIAL-LEFT');
    }
    expect(alarm).toBeDefined();
    expect(alarm!.raisedBy).toMatch(/sweep/);
    expect((await http('GET', '/health')).body.queue).toBe('off');
  }, 120_000);
});
