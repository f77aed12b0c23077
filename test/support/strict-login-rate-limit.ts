import type { SettingsOverrides } from './app';

/** Settings of the spec that tests the per-address login rate limit itself. */
export const STRICT_LOGIN_RATE_LIMIT: SettingsOverrides = { LOGIN_RATE_LIMIT_PER_MINUTE: 3 };
