import type { SettingsOverrides } from './app';

/**
 * Settings for specs that fire many logins at once to count what the login policy lets through
 * (not what admission control refuses): every caller may wait for a hashing thread.
 */
export const PATIENT_HASH_QUEUE: SettingsOverrides = { PASSWORD_HASH_QUEUE: 100000, PASSWORD_HASH_MAX_WAIT_MS: 600000 };
