import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptionsFor } from './data-source-options';
import { DatabaseSettings, DatabaseUrls, databaseUrls, urlUser } from './database-urls';
import { logConnectionError } from './pg-errors';

/** Session advisory lock key of "migrations are running on this database" (two services starting at once). */
const MIGRATION_LOCK = 'mynumber-vault:migrate';
/** What concurrent role DDL (roles are cluster-wide; several test runs may create one at once) fails with. */
const RETRYABLE = new Set(['23505', '42710', '40001', '40P01', 'XX000']);

/** Creates the database named in the URL when it does not exist yet (first start). Two creators at once: one wins, both go on. */
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
    if (found.rowCount === 0) {
      await admin.query(`CREATE DATABASE "${name}"`).catch((error: { code?: string }) => {
        if (error.code !== '42P04' && error.code !== '23505') throw error; // created meanwhile by another process
      });
    }
  } finally {
    await admin.end();
  }
}

export interface PrepareOptions {
  /**
   * `migrate` command: only create the database, the application role and run migrations. The
   * owner is DATABASE_MIGRATION_URL, or DATABASE_URL when that is not set (an operator running
   * `migrate` by hand with the owner's URL); the application connection is not checked.
   */
  migrateOnly?: boolean;
}

/**
 * Makes the database ready for the service, and checks the boundary the service relies on:
 * with an owner URL, creates the database, the application's login role and runs pending
 * migrations as the owner; then (unless migrateOnly) logs in as the application role and
 * refuses to go on when that role is a superuser, owns (or can become the owner of) a table, or
 * migrations are pending. Answers the migrations it ran.
 */
export async function prepareDatabase(env: DatabaseSettings, options: PrepareOptions = {}): Promise<string[]> {
  const urls: DatabaseUrls =
    options.migrateOnly && !env.DATABASE_MIGRATION_URL
      ? { app: env.DATABASE_URL, owner: env.DATABASE_URL, appRole: env.DATABASE_APP_ROLE, appPassword: null }
      : databaseUrls(env);
  if (options.migrateOnly && urls.owner && urlUser(urls.owner) === urls.appRole) {
    throw new Error(
      `migrate runs as the schema owner, not as the application role ${urls.appRole}: set DATABASE_MIGRATION_URL (or DATABASE_URL) to the owner's URL`,
    );
  }
  let ran: string[] = [];
  if (urls.owner) {
    await ensureDatabase(urls.owner);
    ran = await migrateAsOwner(urls.owner, urls.appRole, urls.appPassword);
  }
  if (!options.migrateOnly) await checkAppRole(urls);
  return ran;
}

async function migrateAsOwner(ownerUrl: string, appRole: string, appPassword: string | null): Promise<string[]> {
  const owner = new DataSource(dataSourceOptionsFor(ownerUrl, 'owner', 1));
  await owner.initialize();
  try {
    await ensureAppRole(owner, appRole, appPassword);
    // One connection (the owner's pool holds one): the lock and the settings hold for every migration.
    await owner.query(`SELECT pg_advisory_lock(hashtext($1))`, [MIGRATION_LOCK]);
    try {
      // The app role's name is a setting; migrations read it from here.
      await owner.query(`SELECT set_config('mynumber.app_role', $1, false)`, [appRole]);
      const ran = await owner.runMigrations({ transaction: 'each' });
      return ran.map((m) => m.name);
    } finally {
      await owner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [MIGRATION_LOCK]);
    }
  } finally {
    await owner.destroy();
  }
}

/**
 * The application's login role: created when missing (LOGIN, nothing else: no superuser, no
 * CREATEROLE/CREATEDB, owns nothing), with the password from DATABASE_URL when one is given (in
 * production it is never invented). An existing role is left as it is, except that it is made
 * able to log in and given the known password when the owner may do so (a role an operator made
 * keeps the password the operator gave it). Its table grants come from the migrations.
 *
 * Roles are cluster-wide: two processes creating or altering one at once (parallel test runs,
 * two services starting) make one of them fail with a duplicate or "tuple concurrently updated";
 * that attempt is simply repeated.
 */
export async function ensureAppRole(owner: DataSource, role: string, password: string | null): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await owner.query(`SELECT set_config('mynumber.app_role', $1, false), set_config('mynumber.app_password', $2, false)`, [role, password ?? '']);
      const [found] = await owner.query(`SELECT rolsuper, rolcanlogin FROM pg_roles WHERE rolname = $1`, [role]);
      if (!found) {
        // The password goes through a session setting, never into the statement text (which a server may log).
        await owner.query(`
          DO $$
          DECLARE pw text := current_setting('mynumber.app_password');
          BEGIN
            EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT', current_setting('mynumber.app_role'))
              || CASE WHEN pw = '' THEN '' ELSE format(' PASSWORD %L', pw) END;
          END $$`);
      } else {
        if (found.rolsuper)
          throw new Error(`The application role ${role} is a superuser: it must be an ordinary login role (docs/security.md "Database roles")`);
        if (!found.rolcanlogin || password) {
          try {
            await owner.query(`
              DO $$
              DECLARE pw text := current_setting('mynumber.app_password');
              BEGIN
                EXECUTE format('ALTER ROLE %I LOGIN', current_setting('mynumber.app_role')) || CASE WHEN pw = '' THEN '' ELSE format(' PASSWORD %L', pw) END;
              END $$`);
          } catch (error) {
            // Not the owner's to change (an operator made it): fine as long as it can log in.
            if ((error as { code?: string }).code !== '42501' || !found.rolcanlogin) throw error;
          }
        }
      }
      return;
    } catch (error) {
      const code = (error as { code?: string; driverError?: { code?: string } }).code ?? (error as { driverError?: { code?: string } }).driverError?.code;
      if (attempt >= 5 || !code || !RETRYABLE.has(code)) throw error;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 200 * attempt));
    } finally {
      await owner.query(`SELECT set_config('mynumber.app_password', '', false)`);
    }
  }
}

/** Logs in as the application role and refuses a role that is no boundary, or a schema with pending migrations. */
async function checkAppRole(urls: DatabaseUrls): Promise<void> {
  // A plain client: one connection, no entity metadata to build (start-up time under load).
  const app = new Client({ connectionString: urls.app, connectionTimeoutMillis: 5000 });
  app.on('error', logConnectionError);
  await app.connect();
  try {
    const {
      rows: [me],
    } = await app.query(
      `SELECT session_user::text AS "user", r.rolsuper AS super,
              EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                       WHERE n.nspname = 'public' AND pg_has_role(session_user, c.relowner, 'MEMBER')) AS "ownsTables"
         FROM pg_roles r WHERE r.rolname = session_user`,
    );
    if (me.user !== urls.appRole) throw new Error(`DATABASE_URL logs in as ${me.user}, not as the application role ${urls.appRole}`);
    if (me.super || me.ownsTables) {
      throw new Error(
        `The application role ${urls.appRole} is ${me.super ? 'a superuser' : 'the owner (or a member of the owner) of the schema'}: ` +
          'it must own nothing and hold only the grants the migrations give it (docs/security.md "Database roles")',
      );
    }
  } finally {
    await app.end();
  }
  if (!urls.owner && (await pendingMigrations(urls.app))) {
    throw new Error(
      'The database has pending migrations, and the service logs in as the application role, which may not run them: ' +
        "run `npm run cli -- migrate` with the owner's URL, or set DATABASE_MIGRATION_URL",
    );
  }
}

/** Whether migrations are pending, read as the application role (which may only read the migrations table). */
async function pendingMigrations(appUrl: string): Promise<boolean> {
  const app = new DataSource(dataSourceOptionsFor(appUrl, 'app', 1));
  await app.initialize();
  try {
    return await app.showMigrations();
  } catch {
    return true; // no migration table yet, or one from before the app role could read it
  } finally {
    await app.destroy();
  }
}
