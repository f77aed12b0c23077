/**
 * Private PostgreSQL, Redis and vault processes for the fault suite. Everything runs on
 * spare ports in fresh temporary folders, so stopping or killing a piece never touches the
 * machine's shared PostgreSQL (5432) or Redis (6379).
 */
import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { chownSync, createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';

export const ROOT = resolve(__dirname, '../../..');
/** FAULT_PG_BIN, or the newest Debian PostgreSQL installed under /usr/lib/postgresql. */
function findPgBin(): string {
  if (process.env.FAULT_PG_BIN) return process.env.FAULT_PG_BIN;
  const versions = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql')
        .filter((v) => existsSync(join('/usr/lib/postgresql', v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length) throw new Error('No PostgreSQL server binaries in /usr/lib/postgresql/*/bin; set FAULT_PG_BIN');
  return join('/usr/lib/postgresql', versions[0]!, 'bin');
}
const PG_BIN = findPgBin();
/** PostgreSQL refuses to run as root: as root the binaries run as the postgres system user. */
const AS_ROOT = process.getuid?.() === 0;
const pgCommand = (bin: string, args: string[]): [string, string[]] =>
  AS_ROOT ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args]] : [join(PG_BIN, bin), args];

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const taken = new Set<number>();
/** A port nobody listens on right now, from a range far from the shared services. */
export async function sparePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = randomInt(55432, 64000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((res) => {
      const srv = createServer();
      srv.once('error', () => res(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
  throw new Error('no spare port found');
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((res) => {
    const t = setTimeout(() => res(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(t);
      res(true);
    });
  });
}

// ---------------------------------------------------------------- PostgreSQL

export class PrivatePostgres {
  readonly dir: string;
  readonly dataDir: string;
  private constructor(readonly port: number) {
    this.dir = mkdtempSync(join(tmpdir(), 'mnv-faults-pg-'));
    this.dataDir = join(this.dir, 'data');
  }

  static async create(): Promise<PrivatePostgres> {
    const pg = new PrivatePostgres(await sparePort());
    if (AS_ROOT) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(pg.dir, uid, gid);
    }
    pg.asPostgres('initdb', ['-D', pg.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    await pg.start();
    return pg;
  }

  private asPostgres(bin: string, args: string[]): string {
    return execFileSync(...pgCommand(bin, args), {
      cwd: this.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    }).toString();
  }

  /** The same, without blocking the event loop (start and stop run while load loops are running). */
  private asPostgresAsync(bin: string, args: string[]): Promise<string> {
    return new Promise((res, rej) =>
      execFile(...pgCommand(bin, args), { cwd: this.dir, timeout: 90_000 }, (error, stdout, stderr) =>
        error ? rej(new Error(`${bin}: ${error.message} ${stderr}`)) : res(stdout),
      ),
    );
  }

  url(database = 'vault_faults'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
    await this.asPostgresAsync('pg_ctl', ['-D', this.dataDir, '-o', opts, '-l', join(this.dir, 'postgres.log'), '-w', '-t', '60', 'start']);
  }

  /** pg_ctl stop -m fast: terminates every session (clients see 57P01 / connection resets). */
  async stop(): Promise<void> {
    await this.asPostgresAsync('pg_ctl', ['-D', this.dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
  }

  kill9(): void {
    const pidFile = join(this.dataDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }

  running(): boolean {
    try {
      this.asPostgres('pg_ctl', ['-D', this.dataDir, 'status']);
      return true;
    } catch {
      return false;
    }
  }

  /** pg_dump -Fc of a database into a file (as the superuser): an owner's backup. */
  async dump(file: string, database = 'vault_faults'): Promise<void> {
    await this.asPostgresAsync('pg_dump', ['-h', this.dir, '-p', String(this.port), '-U', 'postgres', '-Fc', '-f', file, database]);
  }

  /** Drops the database and restores a pg_dump of it (no session may be connected). */
  async restore(file: string, database = 'vault_faults'): Promise<void> {
    await this.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`, [], 'postgres');
    await this.query(`CREATE DATABASE "${database}"`, [], 'postgres');
    await this.asPostgresAsync('pg_restore', ['-h', this.dir, '-p', String(this.port), '-U', 'postgres', '-d', database, file]);
  }

  /** Runs one query directly against the private server (as the superuser, outside the vault). */
  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = [], database = 'vault_faults'): Promise<T[]> {
    const client = new Client({ connectionString: this.url(database) });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  /** The one row a query answers (an aggregate): fails loudly when there is none. */
  async queryOne<T = Record<string, unknown>>(sql: string, params: unknown[] = [], database = 'vault_faults'): Promise<T> {
    const [row] = await this.query<T>(sql, params, database);
    if (row === undefined) throw new Error('the query answered no row');
    return row;
  }

  async destroy(): Promise<void> {
    try {
      if (this.running()) this.asPostgres('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop']);
    } catch {
      this.kill9();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- Redis

export class PrivateRedis {
  readonly dir: string;
  private child: ChildProcess | null = null;
  private constructor(readonly port: number) {
    this.dir = mkdtempSync(join(tmpdir(), 'mnv-faults-redis-'));
  }

  static async create(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await sparePort());
    await redis.start();
    return redis;
  }

  url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts an empty Redis (no RDB, no AOF: a restart loses everything, as after a flush). */
  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', this.dir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    for (let i = 0; i < 100; i++) {
      if (/Ready to accept connections/.test(out)) return;
      if (child.exitCode !== null) throw new Error(`redis-server exited: ${out}`);
      await sleep(50);
    }
    throw new Error(`redis-server did not start: ${out}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child) return;
    child.kill('SIGTERM');
    if (!(await waitExit(child, 10_000))) child.kill('SIGKILL');
    await waitExit(child, 5_000);
  }

  async kill9(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child) return;
    child.kill('SIGKILL');
    await waitExit(child, 5_000);
  }

  async destroy(): Promise<void> {
    await this.kill9();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- the vault

export interface VaultOptions {
  databaseUrl: string;
  redisUrl: string;
  /** Extra environment (e.g. LOCKOUT_THRESHOLD for the bad-input corpus). */
  env?: Record<string, string>;
}

/** Runs `node src/main.ts` (ts-node, transpile-only) or, with FAULT_VAULT_ENTRY=dist, the built `dist/src/main.js`. */
export class VaultProcess {
  readonly dataDir: string;
  readonly passphrase = randomBytes(24).toString('base64url');
  private child: ChildProcess | null = null;
  private log: WriteStream;
  private tail: string[] = [];
  port = 0;

  private constructor(private readonly options: VaultOptions) {
    this.dataDir = mkdtempSync(join(tmpdir(), 'mnv-faults-vault-'));
    this.log = createWriteStream(join(this.dataDir, 'vault.log'), { flags: 'a' });
  }

  static async create(options: VaultOptions): Promise<VaultProcess> {
    const vault = new VaultProcess(options);
    vault.port = await sparePort();
    await vault.start();
    return vault;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get logPath(): string {
    return join(this.dataDir, 'vault.log');
  }

  env(): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: this.options.databaseUrl,
      REDIS_URL: this.options.redisUrl,
      PORT: String(this.port),
      DATA_DIR: this.dataDir,
      KEYSTORE_PASSPHRASE: this.passphrase,
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.FAULT_LOG_LEVEL ?? 'warn',
      LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
      PUBLIC_BASE_URL: `http://127.0.0.1:${this.port}`,
      ...(this.options.env ?? {}),
    };
  }

  /** The node arguments that run a TypeScript entry point of the project (the vault or the CLI). */
  static nodeArgs(entry: 'main' | 'cli'): string[] {
    if (process.env.FAULT_VAULT_ENTRY === 'dist') return [join(ROOT, `dist/src/${entry}.js`)];
    return ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(ROOT, `src/${entry}.ts`)];
  }

  /** True while the vault process runs (it has not exited or been killed). */
  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(timeoutMs = 90_000): Promise<void> {
    if (this.child) throw new Error('vault already running');
    const child = spawn(process.execPath, VaultProcess.nodeArgs('main'), {
      cwd: ROOT,
      env: { ...this.env(), TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (d: Buffer) => {
      this.log.write(d);
      this.tail.push(d.toString());
      if (this.tail.length > 200) this.tail.splice(0, this.tail.length - 200);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        this.child = null;
        throw new Error(`vault exited during start (${child.exitCode ?? child.signalCode}):\n${this.recentLog()}`);
      }
      const health = await this.health(1000);
      if (health.status === 200 || health.status === 503) return;
      await sleep(200);
    }
    throw new Error(`vault did not answer /health within ${timeoutMs} ms:\n${this.recentLog()}`);
  }

  recentLog(): string {
    return this.tail.join('').slice(-4000);
  }

  async health(timeoutMs = 3000): Promise<{ status: number; body: { status?: string } | null }> {
    try {
      const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(timeoutMs) });
      return { status: res.status, body: (await res.json().catch(() => null)) as { status?: string } | null };
    } catch {
      return { status: 0, body: null };
    }
  }

  /** Polls /health until its status field is `expected` (ok, degraded, error). */
  async waitForHealth(expected: string, timeoutMs = 30_000): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      const h = await this.health(2000);
      if (h.body?.status === expected) return Date.now() - started;
      await sleep(250);
    }
    throw new Error(`/health did not report ${expected} within ${timeoutMs} ms (last: ${JSON.stringify(await this.health())})`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child) return;
    child.kill('SIGTERM');
    if (!(await waitExit(child, 15_000))) child.kill('SIGKILL');
    await waitExit(child, 5_000);
  }

  /** Sends SIGTERM and answers how the process ended (it is not waited for beyond `timeoutMs`). */
  async terminate(timeoutMs = 60_000): Promise<{ exited: boolean; code: number | null; signal: NodeJS.Signals | null }> {
    const child = this.child;
    if (!child) throw new Error('vault not running');
    child.kill('SIGTERM');
    const exited = await waitExit(child, timeoutMs);
    if (exited) this.child = null;
    return { exited, code: child.exitCode, signal: child.signalCode };
  }

  async kill9(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child) return;
    child.kill('SIGKILL');
    await waitExit(child, 5_000);
  }

  /**
   * `npm run cli -- <args>` against this vault's database and keys; answers stdout. Asynchronous:
   * a blocked event loop would keep fetch from noticing kept-alive sockets the vault has closed.
   */
  cli(args: string[]): Promise<string> {
    return new Promise((res, rej) =>
      execFile(
        process.execPath,
        [...VaultProcess.nodeArgs('cli'), ...args],
        { cwd: ROOT, env: { ...this.env(), TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') }, timeout: 120_000 },
        (error, stdout, stderr) => (error ? rej(new Error(`cli ${args[0]}: ${error.message} ${stderr.slice(-2000)}`)) : res(stdout)),
      ),
    );
  }

  async destroy(): Promise<void> {
    await this.kill9();
    await new Promise<void>((r) => this.log.end(() => r()));
    if (process.env.FAULT_KEEP_LOGS) return;
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- the whole stack

export interface Stack {
  pg: PrivatePostgres;
  redis: PrivateRedis;
  vault: VaultProcess;
  destroy(): Promise<void>;
}

/** Private PostgreSQL + Redis + the vault as a child process, waiting for /health. */
export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const pg = await PrivatePostgres.create();
    cleanups.push(() => pg.destroy());
    const redis = await PrivateRedis.create();
    cleanups.push(() => redis.destroy());
    const vault = await VaultProcess.create({ databaseUrl: pg.url(), redisUrl: redis.url(), env });
    cleanups.push(() => vault.destroy());
    await vault.waitForHealth('ok', 30_000);
    return {
      pg,
      redis,
      vault,
      destroy: async () => {
        for (const c of cleanups.reverse()) await c().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    throw error;
  }
}
