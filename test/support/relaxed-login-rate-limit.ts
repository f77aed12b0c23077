import type { SettingsOverrides } from './app';

/** Settings for specs that log in over HTTP many times: the per-address login rate limit out of the way. */
export const RELAXED_LOGIN_RATE_LIMIT: SettingsOverrides = { LOGIN_RATE_LIMIT_PER_MINUTE: 100000 };
