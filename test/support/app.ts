import { INestApplication } from '@nestjs/common';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { COLLECTION_RATE_KEY } from '../../src/collection/collection-rate-limit.service';
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
  const settings = testSettings(...overrides);
  await clearCollectionRateLimits(settings);
  const app = await createApp(settings);
  await app.init();
  await checkAnswersAgainstContract(app);
  return app;
}

/**
 * The collection rate-limit counters are shared in Redis by every app of a worker (as by every
 * instance in production, issue #15), and last a window (10 minutes): one spec's thousand attempts
 * from 127.0.0.1 must not count against the next spec's. Each new app starts from none; two apps
 * of one spec created before their requests still share theirs.
 */
export async function clearCollectionRateLimits(settings: Env): Promise<void> {
  const redis = new Redis(settings.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const pattern = `${settings.REDIS_PREFIX}:${COLLECTION_RATE_KEY}:*`;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // no Redis at this app's address (a spec without Redis): nothing shared to clear
  } finally {
    redis.disconnect();
  }
}

/**
 * An owner connection (bypasses the app role's limits) for assertions and sabotage in tests: the
 * run's database unless another URL is given (a spec's own database, OWN_DATABASE_URL).
 */
export async function ownerConnection(url = process.env.DATABASE_MIGRATION_URL ?? process.env.DATABASE_URL): Promise<DataSource> {
  const ds = new DataSource({ type: 'postgres', url, extra: { max: 2 } });
  return ds.initialize();
}
