import type { SettingsOverrides } from './app';

/**
 * Settings of the bad-input spec: hundreds of wrong codes and passwords must not lock the accounts
 * it calls with, nor hit the login rate limit.
 */
export const BAD_INPUT_SETTINGS: SettingsOverrides = { LOGIN_RATE_LIMIT_PER_MINUTE: 1000000, LOCKOUT_THRESHOLD: 1000000, SECOND_FACTOR_THRESHOLD: 1000000 };
