// Import this FIRST in the spec that tests the per-address login rate limit itself.
process.env.LOGIN_RATE_LIMIT_PER_MINUTE = '3';
export {};
