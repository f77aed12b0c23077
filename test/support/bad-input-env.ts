// Import this FIRST in the bad-input spec: hundreds of wrong codes and passwords must not lock
// the accounts it calls with, nor hit the login rate limit (read when the app module loads).
process.env.LOGIN_RATE_LIMIT_PER_MINUTE = '1000000';
process.env.LOCKOUT_THRESHOLD = '1000000';
process.env.SECOND_FACTOR_THRESHOLD = '1000000';
export {};
