// Import this FIRST in specs that fire many logins at once to count what the login policy lets
// through (not what admission control refuses): every caller may wait for a hashing thread.
process.env.PASSWORD_HASH_QUEUE = '100000';
process.env.PASSWORD_HASH_MAX_WAIT_MS = '600000';
export {};
