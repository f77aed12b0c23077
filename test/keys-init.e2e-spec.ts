import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');

/** A process as `npm run start:dev` / `npm run cli` start it (ts-node), with the given settings. */
/** The run's database, logged into as the run's app role (trust authentication on the test server). */
function appRoleUrl(): string {
  const url = new URL(process.env.DATABASE_URL!);
  url.username = process.env.DATABASE_APP_ROLE!;
  return url.toString();
}

async function node(script: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const out = await run(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', script, ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'error', ...env },
      timeout: 120_000,
    });
    return { code: 0, ...out };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Issue #18: production never invents keys; `keys:init` is the explicit way to create them. */
jest.setTimeout(300_000); // separate ts-node processes on a shared, busy machine

describe('production never invents keys', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mnv-keys-init-'));
    env = {
      NODE_ENV: 'production',
      DATA_DIR: dir,
      KEYSTORE_PATH: join(dir, 'keys', 'keystore.p12'),
      KEYSTORE_PASSPHRASE: 'a long random secret for this test',
      PORT: '0',
      SWEEP_ON_START: 'false',
      // production logs in as the app role and migrates with the owner (issue #16): the keystore check comes after
      DATABASE_MIGRATION_URL: process.env.DATABASE_URL!,
      DATABASE_URL: appRoleUrl(),
    };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to start without a keystore, naming KEYSTORE_PATH and keys:init, and writes no keys', async () => {
    const out = await node('src/main.ts', [], env);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('mynumber-vault failed to start');
    expect(out.stderr).toContain('KEYSTORE_PATH');
    expect(out.stderr).toContain('keys:init');
    expect(existsSync(env.KEYSTORE_PATH!)).toBe(false);
  });

  it('keys:init creates the keystore once (openssl reads it) and never overwrites it', async () => {
    const first = await node('src/cli.ts', ['keys:init'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Created a new keystore at ${env.KEYSTORE_PATH}`);
    await run('openssl', ['pkcs12', '-info', '-noout', '-in', env.KEYSTORE_PATH!, '-passin', 'env:KEYSTORE_PASSPHRASE'], { env: { ...process.env, ...env } });
    const again = await node('src/cli.ts', ['keys:init'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('never overwrites');
  });
});
