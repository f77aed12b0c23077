// Global set-up runs outside jest's module mapper: resolve the '@/…' paths src/ uses (tsconfig.json).
import 'tsconfig-paths/register';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { prepareDatabase } from '../../src/database/prepare-database';

/**
 * One database and one key folder per test run, so runs never disturb each other.
 * Workers inherit these variables; global-teardown drops the database.
 */
export default async function globalSetup(): Promise<void> {
  const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const url = new URL(base);
  url.pathname = `/mnv_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  process.env.DATABASE_URL = url.toString();
  process.env.NODE_ENV = 'test';
  process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'silent';
  process.env.DATA_DIR = mkdtempSync(join(tmpdir(), 'mnv-test-'));
  process.env.KEYSTORE_PASSPHRASE = randomBytes(18).toString('base64');
  // Signed audit tree heads go to a witness directory, as in production (docs/audit.md).
  process.env.AUDIT_WITNESS_DIR = join(process.env.DATA_DIR, 'witness');
  process.env.AUDIT_WITNESS_INTERVAL_MS = process.env.AUDIT_WITNESS_INTERVAL_MS ?? '200';
  // Redis: each run uses its own key prefix (see REDIS_PREFIX) on the shared server.
  process.env.REDIS_PREFIX = `mnv-test-${randomBytes(4).toString('hex')}`;
  // The app logs in as a role of this run's own (roles are cluster-wide: parallel runs never share
  // one, so none of them races another's grants or password). DATABASE_URL stays the owner's
  // (a superuser here): outside production the service takes it as the owner and logs in as
  // DATABASE_APP_ROLE (src/database/database-urls.ts); specs use it for owner connections.
  // global-teardown drops the role with the database.
  process.env.DATABASE_APP_ROLE = `mnv_test_app_${randomBytes(5).toString('hex')}`;
  await prepareDatabase({
    DATABASE_URL: process.env.DATABASE_URL,
    DATABASE_APP_ROLE: process.env.DATABASE_APP_ROLE,
    DATABASE_POOL_SIZE: 2,
    NODE_ENV: 'test',
  });
}
