import { Client } from 'pg';

/** Drops this run's database and the workers' copies of it (set KEEP_TEST_DB=1 to keep them for a post-mortem). */
export default async function globalTeardown(): Promise<void> {
  const dbUrl = process.env.DATABASE_URL;
  if (!dbUrl || process.env.KEEP_TEST_DB === '1') return;
  const url = new URL(dbUrl);
  const name = url.pathname.slice(1);
  if (!name.startsWith('mnv_test_')) return;
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const copies = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${name}\\_w%`]);
    for (const { datname } of copies.rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    // this run's app role (global-setup); still granted in a database a spec did not drop: kept
    const role = process.env.DATABASE_APP_ROLE;
    if (role?.startsWith('mnv_test_app_')) await admin.query(`DROP ROLE IF EXISTS "${role}"`).catch(() => undefined);
  } finally {
    await admin.end();
  }
}
