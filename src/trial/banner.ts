import { join, resolve } from 'node:path';
import { Env } from '@/config/env.schema';
import { EmbeddedPostgres } from './embedded-postgres';
import { hostAndPort, tcpAnswers } from './probe';

function every(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} day(s)`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} hour(s)`;
  if (ms % 60_000 === 0) return `${ms / 60_000} minute(s)`;
  return `${ms / 1000} s`;
}

/** The start-up message of trial mode: what it is, where the data and keys are, what to do next. */
export async function trialBanner(env: Env, server: EmbeddedPostgres, keystore: string): Promise<string[]> {
  const dataDir = resolve(env.DATA_DIR);
  const redis = hostAndPort(env.REDIS_URL, 6379);
  const redisUp = await tcpAnswers(redis.host, redis.port, 500);
  const passphrase = env.KEYSTORE_BASE64 || env.KEYSTORE_PASSPHRASE ? 'from KEYSTORE_PASSPHRASE' : `in ${join(dataDir, 'keystore.passphrase')}`;
  const rule = '='.repeat(78);
  return [
    rule,
    'TRIAL MODE: no database was configured and none answers at the default address,',
    `so the vault runs on an embedded PostgreSQL ${server.serverVersion} on 127.0.0.1:${server.port}. Not for production.`,
    `  data (PostgreSQL cluster): ${server.clusterDir}${server.origin === 'attached' ? ' (started by another process)' : ''}`,
    `  keys:                      ${keystore} (passphrase ${passphrase})`,
    `  PostgreSQL log:            ${server.logFile}`,
    redisUp
      ? `  queue:                     Redis answers at ${redis.host}:${redis.port}: Bull carries the disposal-alarm timing`
      : `  queue:                     off (no Redis at ${redis.host}:${redis.port}); due alarms are raised by the sweep every ${every(env.SWEEP_INTERVAL_MS)}`,
    `  Everything lives in ${dataDir}: back it up as a whole, or delete it to start over.`,
    '  Try it: `npm run demo` adds fictitious people and prints logins for a clerk, an auditor and an admin.',
    '  Production: set DATABASE_URL (and REDIS_URL, KEYSTORE_PASSPHRASE); see README "Production".',
    rule,
  ];
}
