// Jest runs the e2e and browser specs in several workers (package.json `npm test`). Each worker gets
// a database, a data folder (keystore, witness files) and a Redis prefix of its own, so specs in one
// worker never see another's rows, keys or queues, exactly as two separate runs would not.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

const RUN_DB = 'MNV_RUN_DATABASE_URL';
const RUN_DIR = 'MNV_RUN_DATA_DIR';
const RUN_PREFIX = 'MNV_RUN_REDIS_PREFIX';

/** Names this worker's copies from the run's (global-setup) values; their creation waits for beforeAll. */
export function isolateWorker(): void {
  const runUrl = process.env[RUN_DB] ?? process.env.DATABASE_URL;
  if (!runUrl || !/\/mnv_test_/.test(runUrl)) return; // not under the test global set-up
  const worker = `w${process.env.JEST_WORKER_ID ?? '1'}`;
  process.env[RUN_DB] = runUrl;
  const url = new URL(runUrl);
  url.pathname = `${url.pathname}_${worker}`;
  process.env.DATABASE_URL = url.toString();

  const runDir = (process.env[RUN_DIR] ??= process.env.DATA_DIR);
  if (runDir) {
    process.env.DATA_DIR = join(runDir, worker);
    process.env.AUDIT_WITNESS_DIR = join(process.env.DATA_DIR, 'witness');
    mkdirSync(process.env.AUDIT_WITNESS_DIR, { recursive: true });
  }
  const runPrefix = (process.env[RUN_PREFIX] ??= process.env.REDIS_PREFIX);
  if (runPrefix) process.env.REDIS_PREFIX = `${runPrefix}-${worker}`;

  beforeAll(() => cloneRunDatabase(runUrl, url.pathname.slice(1)));
}

/**
 * Copies the run's migrated database for this worker (CREATE DATABASE … TEMPLATE, once per worker).
 * Nobody connects to the run's own database after global set-up, which a template copy needs; the
 * advisory lock keeps two workers from copying at the same moment.
 */
async function cloneRunDatabase(runUrl: string, name: string): Promise<void> {
  const template = new URL(runUrl).pathname.slice(1);
  // The copy is made by the cluster's administrator (as global set-up made the run's database), not by
  // whatever role the run's URL logs in as, and it keeps the run database's owner.
  const admin = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [template]);
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      const owner = await client.query<{ owner: string }>('SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1', [template]);
      const ownerName = owner.rows[0]?.owner;
      if (!ownerName) throw new Error(`worker isolation: the run's database ${template} is missing`);
      await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}" OWNER "${ownerName}"`);
    }
  } finally {
    await client.end();
  }
}
