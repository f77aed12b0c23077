import { INestApplication } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestApp, ownerConnection } from './support/app';
import { signIn, SignedIn } from './support/staff';
import { createSubject } from './support/subjects';

const run = promisify(execFile);
// A separate ts-node process that opens and rewrites the keystore (600,000 PBKDF2 iterations).
jest.setTimeout(240_000);

/** `npm run cli -- keys:rotate` as a separate process while the service keeps running. */
describe('npm run cli -- keys:rotate', () => {
  let app: INestApplication;
  let owner: DataSource;
  let clerk: SignedIn;

  beforeAll(async () => {
    app = await createTestApp();
    owner = await ownerConnection();
    clerk = await signIn(app, ['clerk']);
  });
  afterAll(async () => {
    await owner?.destroy();
    await app?.close();
  });

  it('adds a key version, re-wraps every data key (numbers and TOTP secrets), and every number still decrypts', async () => {
    const people = await Promise.all([1, 2, 3, 4].map(() => createSubject(app, clerk.token)));
    const out = await run(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'src/cli.ts', 'keys:rotate', '--batch-size', '2'],
      { cwd: join(__dirname, '..'), env: { ...process.env, LOG_LEVEL: 'error' }, timeout: 120_000 },
    );
    const version = Number(/Added key-encryption key version (\d+)/.exec(out.stdout)![1]);
    expect(version).toBeGreaterThan(1);
    expect(await owner.query('SELECT DISTINCT key_version FROM subject_number')).toEqual([{ key_version: version }]);
    const totp = await owner.query('SELECT DISTINCT totp_key_version FROM staff_user WHERE totp_key_version IS NOT NULL');
    expect(totp).toEqual([{ totp_key_version: version }]);
    // The running service picks up the new keystore and reads the re-wrapped keys.
    for (const p of people) {
      const res = await request(app.getHttpServer())
        .post(`/subjects/${p.id}/number/reveal`)
        .set('Authorization', `Bearer ${clerk.token}`)
        .send({ purpose: 'withholding-slip' })
        .expect(200);
      expect(res.body.number).toBe(p.number);
    }
    // New numbers are wrapped under the new version too.
    const fresh = await createSubject(app, clerk.token);
    const row = await owner.query('SELECT key_version FROM subject_number WHERE subject_id = $1', [fresh.id]);
    expect(row[0].key_version).toBe(version);
    const audit = await owner.query(`SELECT details FROM audit_entry WHERE action = 'keys.rotated' ORDER BY seq DESC LIMIT 1`);
    expect(audit[0].details).toMatchObject({ version });
  });
});
