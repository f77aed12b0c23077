import { join } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { Env } from '@/config/env.schema';
import { GuardedClient, logConnectionError } from './pg-errors';

/** Entities are found by file name so each module owns its own without a central list. */
const ENTITIES = join(__dirname, '..', '**', '*.entity.{ts,js}');
const MIGRATIONS = join(__dirname, '..', '..', 'migrations', '*.{ts,js}');

/**
 * Options for the owner connection (runs migrations) or the application connection,
 * which acts as the restricted role the migrations grant (see migrations/1763900000000-AppRole.ts).
 */
export function dataSourceOptions(env: Pick<Env, 'DATABASE_URL' | 'DATABASE_APP_ROLE' | 'DATABASE_POOL_SIZE'>, as: 'owner' | 'app'): DataSourceOptions {
  return {
    type: 'postgres',
    url: env.DATABASE_URL,
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
      max: as === 'app' ? env.DATABASE_POOL_SIZE : 1, // owner: one connection, so session settings hold for every migration
      // The app never runs as the owner: its privileges are the role's grants.
      ...(as === 'app' ? { options: `-c role=${env.DATABASE_APP_ROLE}` } : {}),
      connectionTimeoutMillis: 5000,
    },
  };
}
