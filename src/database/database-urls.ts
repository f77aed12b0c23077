import { createHmac } from 'node:crypto';
import { Env } from '@/config/env.schema';

/** The settings that say where the database is and who logs in (docs/security.md "Database roles"). */
export type DatabaseSettings = Pick<Env, 'DATABASE_URL' | 'DATABASE_APP_ROLE' | 'DATABASE_POOL_SIZE'> &
  Partial<Pick<Env, 'DATABASE_MIGRATION_URL' | 'NODE_ENV'>>;

export interface DatabaseUrls {
  /** What the running service logs in as: always the application role (DATABASE_APP_ROLE). */
  app: string;
  /** The schema owner's URL (runs migrations), or null when the service was given none. */
  owner: string | null;
  /** The application role's name. */
  appRole: string;
  /** The password prepareDatabase gives the application role, when one is known (never invented in production). */
  appPassword: string | null;
}

/** The user a PostgreSQL URL logs in as ('' when it names none). */
export function urlUser(url: string): string {
  return decodeURIComponent(new URL(url).username);
}

/** The URL with the password left out, for messages. */
export function withoutPassword(url: string): string {
  const u = new URL(url);
  u.password = '';
  return u.toString();
}

/**
 * Who connects with what. The running service always logs in as the application role, which
 * owns nothing; the owner's URL is used only to create the database, the role and run migrations.
 *
 * 1. DATABASE_MIGRATION_URL set: it is the owner; DATABASE_URL must log in as DATABASE_APP_ROLE
 *    (its password, if any, is the one the role gets when prepareDatabase creates it).
 * 2. DATABASE_URL logs in as DATABASE_APP_ROLE: the service has no owner URL and runs no
 *    migrations (run `migrate` with the owner first).
 * 3. DATABASE_URL logs in as someone else (the owner, a superuser): refused in production. In
 *    development, test and trial mode it is taken as the owner's URL, and the service logs in as
 *    DATABASE_APP_ROLE on the same server: without a password when the owner's URL has none
 *    (trust, peer), otherwise with one derived from the owner's password (trial mode's embedded
 *    server), which prepareDatabase sets.
 */
export function databaseUrls(env: DatabaseSettings): DatabaseUrls {
  const appRole = env.DATABASE_APP_ROLE;
  const production = (env.NODE_ENV ?? process.env.NODE_ENV) === 'production';
  const user = urlUser(env.DATABASE_URL);
  if (env.DATABASE_MIGRATION_URL) {
    if (user !== appRole) {
      throw new Error(
        `DATABASE_URL logs in as "${user || '(no user)'}", but the application role is DATABASE_APP_ROLE=${appRole}: ` +
          'with DATABASE_MIGRATION_URL set, DATABASE_URL must log in as the application role (docs/security.md "Database roles")',
      );
    }
    if (urlUser(env.DATABASE_MIGRATION_URL) === appRole) {
      throw new Error(`DATABASE_MIGRATION_URL logs in as the application role ${appRole}: it must be the schema owner's URL`);
    }
    const password = new URL(env.DATABASE_URL).password;
    return { app: env.DATABASE_URL, owner: env.DATABASE_MIGRATION_URL, appRole, appPassword: password ? decodeURIComponent(password) : null };
  }
  if (user === appRole) return { app: env.DATABASE_URL, owner: null, appRole, appPassword: null };
  if (production) {
    throw new Error(
      `DATABASE_URL logs in as "${user || '(no user)'}", not as the application role DATABASE_APP_ROLE=${appRole}. ` +
        'In production the service logs in as its own role, which owns nothing: set DATABASE_URL to that role ' +
        "and give the schema owner's URL as DATABASE_MIGRATION_URL (or run `npm run cli -- migrate` with the owner). " +
        'See docs/security.md "Database roles".',
    );
  }
  const ownerUrl = new URL(env.DATABASE_URL);
  const ownerPassword = decodeURIComponent(ownerUrl.password);
  const appPassword = ownerPassword ? createHmac('sha256', ownerPassword).update(`mynumber-vault app role ${appRole}`).digest('base64url') : null;
  const app = new URL(env.DATABASE_URL);
  app.username = appRole;
  app.password = appPassword ?? '';
  return { app: app.toString(), owner: env.DATABASE_URL, appRole, appPassword };
}
