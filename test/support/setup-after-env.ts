// Integration, e2e and browser specs start the real service against PostgreSQL and Redis. The
// limit catches a hung test; two workers share 2 cores, so a long walk through the console may
// take more than a minute without being stuck.
import { takeContractMismatches } from './openapi-contract';
import { isolateWorker } from './worker-isolation';

jest.setTimeout(120_000);
isolateWorker();

// Every answer an app from createTestApp gives is checked against its OpenAPI document (issue #20);
// a mismatch fails the test during which it was received.
function failOnContractMismatches(): void {
  const found = takeContractMismatches();
  if (found.length) throw new Error(`The answer does not match the OpenAPI document (/docs-json):\n${found.join('\n')}`);
}
afterEach(failOnContractMismatches);
afterAll(failOnContractMismatches);
