#!/usr/bin/env node
// `npm test` after the type check: every jest project (unit, e2e, browser) in JEST_WORKERS workers
// (2 by default; each worker has its own copy of the run's database, see
// test/support/worker-isolation.ts). A spec file that fails there is run once more on its own, in
// band, and must pass then; the retried files are printed, so a spec that needs it is seen and
// fixed, not hidden. Any other failure (global set-up, no report) fails at once.
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, existsSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, relative } = require('node:path');

const jest = require.resolve('jest/bin/jest');
const workers = process.env.JEST_WORKERS ?? '2';
const report = join(mkdtempSync(join(tmpdir(), 'mnv-jest-')), 'report.json');
const args = process.argv.slice(2);

const first = spawnSync(process.execPath, [jest, `--maxWorkers=${workers}`, '--json', `--outputFile=${report}`, ...args], { stdio: 'inherit' });
if (first.status === 0) process.exit(0);
if (!existsSync(report)) {
  console.error('npm test: jest wrote no report (set-up failed?); not retrying');
  process.exit(first.status ?? 1);
}
const result = JSON.parse(readFileSync(report, 'utf8'));
const failed = result.testResults.filter((r) => r.status !== 'passed').map((r) => relative(process.cwd(), r.name));
if (failed.length === 0 || failed.length > 3) {
  console.error(`npm test: ${failed.length} spec file(s) failed; retrying is only for up to 3 files`);
  process.exit(first.status ?? 1);
}
console.error(`\nnpm test: RETRYING in band, one at a time: ${failed.join(', ')}\n`);
for (const file of failed) {
  const again = spawnSync(process.execPath, [jest, '--runInBand', '--runTestsByPath', file], { stdio: 'inherit' });
  if (again.status !== 0) process.exit(again.status ?? 1);
}
console.error(`npm test: passed after retrying ${failed.join(', ')}`);
