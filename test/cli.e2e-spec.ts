import { INestApplication } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { createTestApp } from './support/app';
import { RELAXED_LOGIN_RATE_LIMIT } from './support/relaxed-login-rate-limit';
import { uniqueUsername } from './support/staff';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');

/** The real command line (ts-node, as `npm run cli` runs it) against this run's database and keystore. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'src/cli.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'error' },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('npm run cli -- admin:create', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createTestApp(RELAXED_LOGIN_RATE_LIMIT);
  });
  afterAll(async () => app?.close());

  it('creates an admin and prints the one-time password alone on the last line; it logs in (change-password first)', async () => {
    const username = uniqueUsername('boot');
    const out = await cli('admin:create', username);
    expect(out.code).toBe(0);
    const lines = out.stdout.trimEnd().split('\n');
    const password = lines[lines.length - 1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(out.stderr).not.toContain(password);
    const login = await request(app.getHttpServer()).post('/auth/login').send({ username, password }).expect(200);
    expect(login.body.next).toBe('change-password');

    const again = await cli('admin:create', username);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already taken/);
    const bad = await cli('admin:create', '1234');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/username must be/);
  });

  it('lists the commands with --help and refuses unknown ones', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/admin:create <username>/);
    const unknown = await cli('no-such-command');
    expect(unknown.code).toBe(1);
  });
});
