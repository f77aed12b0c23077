// Import this FIRST in specs that fire many password checks at once to test something else (the
// lockout): admission control for password hashing (issue #21) would answer some of them 503
// auth.busy on a busy test machine. Read when the application module loads.
process.env.PASSWORD_HASH_QUEUE = '1000';
process.env.PASSWORD_HASH_MAX_WAIT_MS = '600000';
export {};
