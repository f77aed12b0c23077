import { randomBytes } from 'node:crypto';
import type { SettingsOverrides } from './app';

/**
 * Settings for a spec whose app must not share its Bull queue with the other apps of the run
 * (their workers would take its jobs and look for the people in another database).
 */
export function ownRedisPrefix(): SettingsOverrides {
  return { REDIS_PREFIX: `${process.env.REDIS_PREFIX ?? 'mnv-test'}-own-${randomBytes(3).toString('hex')}` };
}
