import { join } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { DatabaseSettings, databaseUrls } from './database-urls';
import { GuardedClient, logConnectionError } from './pg-errors';

/** Entities are found by file name so each module owns its own without a central list. */
const ENTITIES = join(__dirname, '..', '**', '*.entity.{ts,js}');
const MIGRATIONS = join(__dirname, '..', '..', 'migrations', '*.{ts,js}');

/**
 * Options for the owner connection (runs migrations) or the application connection, which LOGS
 * IN as the application role (issue #16: no SET ROLE that a RESET ROLE could undo). Which URL is
 * which: src/database/database-urls.ts.
 */
export function dataSourceOptions(env: DatabaseSettings, as: 'owner' | 'app'): DataSourceOptions {
  const urls = databaseUrls(env);
  if (as === 'owner' && !urls.owner) throw new Error('No owner URL: set DATABASE_MIGRATION_URL to run migrations');
  return dataSourceOptionsFor(as === 'owner' ? urls.owner! : urls.app, as, env.DATABASE_POOL_SIZE);
}

/** The same for a URL already chosen. */
export function dataSourceOptionsFor(url: string, as: 'owner' | 'app', poolSize: number): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: [ENTITIES],
    migrations: [MIGRATIONS],
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    // issue #16: a pool error and a client's error are logged, never an unhandled 'error' event
    poolErrorHandler: logConnectionError,
    extra: {
      Client: GuardedClient,
      max: as === 'app' ? poolSize : 1, // owner: one connection, so session settings hold for every migration
      connectionTimeoutMillis: 5000,
    },
  };
}
