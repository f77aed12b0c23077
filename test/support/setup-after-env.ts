// Integration, e2e and browser specs start the real service against PostgreSQL and Redis. The
// limit catches a hung test; two workers share 2 cores, so a long walk through the console may
// take more than a minute without being stuck.
import { isolateWorker } from './worker-isolation';

jest.setTimeout(120_000);
isolateWorker();
