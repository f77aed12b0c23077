import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Env } from '@/config/env.schema';
import { dataSourceOptions } from './data-source-options';
import { logConnectionError } from './pg-errors';

/** Creates the database named in DATABASE_URL when it does not exist yet (first start). */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(name)) throw new Error('DATABASE_URL: database name must be letters, digits, _ or -');
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  admin.on('error', logConnectionError);
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
}

/** Creates the database if needed and runs pending migrations as the owner. */
export async function prepareDatabase(env: Pick<Env, 'DATABASE_URL' | 'DATABASE_APP_ROLE' | 'DATABASE_POOL_SIZE'>): Promise<string[]> {
  await ensureDatabase(env.DATABASE_URL);
  const owner = new DataSource(dataSourceOptions(env, 'owner'));
  await owner.initialize();
  try {
    // The app role's name is a setting; migrations read it from here.
    await owner.query(`SELECT set_config('mynumber.app_role', $1, false)`, [env.DATABASE_APP_ROLE]);
    const ran = await owner.runMigrations({ transaction: 'each' });
    return ran.map((m) => m.name);
  } finally {
    await owner.destroy();
  }
}
