#!/usr/bin/env node
// `npm start` runs this first (prestart): it builds only when a source changed since the last
// build, so a restart takes seconds instead of a full tsc run (issue #22). The build itself is
// incremental too (tsconfig.build.json: dist/.tsbuildinfo, deleted with dist/).
'use strict';
const { existsSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const INPUTS = ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];
const STAMP = join('dist', '.build-stamp');

/** The newest modification time (ms) under the given files and folders of `root`. */
function newestInput(root, inputs = INPUTS) {
  let newest = 0;
  const visit = (path) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const input of inputs) visit(join(root, input));
  return newest;
}

/** Why a build is needed ('no build yet', 'sources changed'), or null when dist/ is up to date. */
function staleReason(root, inputs = INPUTS) {
  const stamp = join(root, STAMP);
  if (!existsSync(join(root, 'dist', 'src', 'main.js')) || !existsSync(stamp)) return 'no build yet';
  return newestInput(root, inputs) > statSync(stamp).mtimeMs ? 'sources changed' : null;
}

function main(root = process.cwd()) {
  const reason = staleReason(root);
  if (!reason) {
    process.stdout.write('Build is up to date (no source changed since the last build): starting.\n');
    return 0;
  }
  process.stdout.write(`Building (${reason})…\n`);
  const started = Date.now();
  const result = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) return result.status ?? 1;
  writeFileSync(join(root, STAMP), `${new Date().toISOString()}\n`);
  process.stdout.write(`Built in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
  return 0;
}

module.exports = { newestInput, staleReason, STAMP };
if (require.main === module) process.exit(main());
