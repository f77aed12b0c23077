import type { SettingsOverrides } from './app';

/** Settings of the login-storm spec: one hashing thread and four places in the queue, so 30 parallel logins certainly meet the limit. */
export const SMALL_HASH_QUEUE: SettingsOverrides = { PASSWORD_HASH_CONCURRENCY: 1, PASSWORD_HASH_QUEUE: 4 };
