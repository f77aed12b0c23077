// Import this FIRST in the login-storm spec: one hashing thread and four places in the queue, read
// when the application module loads, so 30 parallel logins certainly meet the limit.
process.env.PASSWORD_HASH_CONCURRENCY = '1';
process.env.PASSWORD_HASH_QUEUE = '4';
export {};
