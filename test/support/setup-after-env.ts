// Integration and e2e specs start the real service against PostgreSQL and Redis.
import { isolateWorker } from './worker-isolation';

jest.setTimeout(60000);
isolateWorker();
