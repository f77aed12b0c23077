// Import this FIRST in specs that log in over HTTP many times: the login rate limit is read when
// the application module loads, from this test file's own copy of process.env.
process.env.LOGIN_RATE_LIMIT_PER_MINUTE = '100000';
export {};
