// For a spec that needs a database of its own (for example to test a rule over ALL accounts,
// like "the last active admin", without disturbing specs running in parallel on the run's
// shared database): build the app with OWN_DATABASE and connect with ownerConnection(OWN_DATABASE_URL).
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { prepareDatabase } from '../../src/database/prepare-database';
import type { SettingsOverrides } from './app';

const base = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const runDb = base.pathname.slice(1);
base.pathname = `/${runDb.slice(0, 40)}_own_${randomBytes(3).toString('hex')}`;

/** This spec's database (beside the run's, dropped in afterAll). */
export const OWN_DATABASE_URL = base.toString();
/** Settings that point the app at it. */
export const OWN_DATABASE: SettingsOverrides = { DATABASE_URL: OWN_DATABASE_URL };

/** Creates and migrates this spec's database (call in beforeAll, before createTestApp). */
export async function prepareOwnDatabase(): Promise<void> {
  await prepareDatabase({ DATABASE_URL: OWN_DATABASE_URL, DATABASE_APP_ROLE: process.env.DATABASE_APP_ROLE ?? 'mynumber_app', DATABASE_POOL_SIZE: 2 });
}

/** Drops it (call in afterAll, after app.close()). */
export async function dropOwnDatabase(): Promise<void> {
  if (process.env.KEEP_TEST_DB === '1') return;
  const url = new URL(OWN_DATABASE_URL);
  const name = url.pathname.slice(1);
  if (!name.startsWith('mnv_test_')) return;
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
