// Integration and e2e specs start the real service against PostgreSQL and Redis.
import { takeContractMismatches } from './openapi-contract';
import { isolateWorker } from './worker-isolation';

jest.setTimeout(60000);
isolateWorker();

// Every answer an app from createTestApp gives is checked against its OpenAPI document (issue #20);
// a mismatch fails the test during which it was received.
function failOnContractMismatches(): void {
  const found = takeContractMismatches();
  if (found.length) throw new Error(`The answer does not match the OpenAPI document (/docs-json):\n${found.join('\n')}`);
}
afterEach(failOnContractMismatches);
afterAll(failOnContractMismatches);
