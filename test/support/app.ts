import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';

/**
 * The real application (real PostgreSQL, Redis and crypto) in this run's database,
 * set up by global-setup. Call `await app.close()` in afterAll.
 */
export async function createTestApp(): Promise<INestApplication> {
  const app = await createApp();
  await app.init();
  return app;
}

/** An owner connection (bypasses the app role's limits) for assertions and sabotage in tests. */
export async function ownerConnection(): Promise<DataSource> {
  const ds = new DataSource({ type: 'postgres', url: process.env.DATABASE_MIGRATION_URL ?? process.env.DATABASE_URL, extra: { max: 2 } });
  return ds.initialize();
}
