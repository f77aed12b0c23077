import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { Env, validateEnv } from '../../src/config/env.schema';
import { checkAnswersAgainstContract } from './openapi-contract';

/** A spec's own settings, as the environment would give them (strings) or as plain numbers and booleans. */
export type SettingsOverrides = Partial<Record<keyof Env, string | number | boolean | undefined>>;

/**
 * The settings object an app of this spec is built from: the run's settings (global-setup's
 * database, key folder and Redis prefix, in the environment jest hands every worker) with the
 * spec's own on top, validated exactly as the service validates its environment. Nothing is
 * written to process.env, so two apps of one spec may differ.
 */
export function testSettings(...overrides: SettingsOverrides[]): Env {
  const raw: Record<string, string | undefined> = { ...process.env };
  for (const o of overrides) for (const [k, v] of Object.entries(o)) raw[k] = v === undefined ? undefined : String(v);
  return validateEnv(raw);
}

/**
 * The real application (real PostgreSQL, Redis and crypto) in this run's database,
 * set up by global-setup, with the spec's settings on top. Call `await app.close()` in afterAll.
 * Every answer it gives is checked against its OpenAPI document (test/support/openapi-contract.ts).
 */
export async function createTestApp(...overrides: SettingsOverrides[]): Promise<INestApplication> {
  const app = await createApp(testSettings(...overrides));
  await app.init();
  await checkAnswersAgainstContract(app);
  return app;
}

/**
 * An owner connection (bypasses the app role's limits) for assertions and sabotage in tests: the
 * run's database unless another URL is given (a spec's own database, OWN_DATABASE_URL).
 */
export async function ownerConnection(url = process.env.DATABASE_MIGRATION_URL ?? process.env.DATABASE_URL): Promise<DataSource> {
  const ds = new DataSource({ type: 'postgres', url, extra: { max: 2 } });
  return ds.initialize();
}
