// Import this right after ./own-database in a spec whose app must not share its Bull queue with the
// other apps of the run (their workers would take its jobs and look for the people in another
// database). The app module reads REDIS_PREFIX when it loads.
import { randomBytes } from 'node:crypto';

process.env.REDIS_PREFIX = `${process.env.REDIS_PREFIX ?? 'mnv-test'}-own-${randomBytes(3).toString('hex')}`;
