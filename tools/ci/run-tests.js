#!/usr/bin/env node
// Runs every project's tests through Nx (the README's test command) and ends with one plain line,
// `N passed, N failed`, summed from jest's own JSON results, so CI reads the runner's figures, not ours.
// Lint (module boundaries and the pure-core rules, eslint.config.js) and type checks run first; a failed
// lint counts as one failure, and so does a failed type check.
const { spawnSync } = require('node:child_process');
const { existsSync, readFileSync, rmSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const resultsFile = '.jest-results.json';
const env = { ...process.env, NX_DAEMON: 'false', NX_ISOLATE_PLUGINS: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: '0' };
const extra = process.argv.slice(2);

function projectDirs() {
  const dirs = [];
  for (const group of ['apps', 'libs', 'tools']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) {
      const dir = join(base, name);
      if (statSync(dir).isDirectory() && existsSync(join(dir, 'project.json'))) dirs.push(dir);
    }
  }
  return dirs;
}

function nx(args) {
  console.log(`$ nx ${args.join(' ')}`);
  return spawnSync('npx', ['nx', ...args], { cwd: root, env, stdio: 'inherit' }).status;
}

for (const dir of projectDirs()) rmSync(join(dir, resultsFile), { force: true });

let lintFailures = 0;
if (!extra.includes('--no-lint')) {
  const status = nx(['run-many', '-t', 'lint', '--output-style=static', '--parallel=2']);
  if (status !== 0) lintFailures = 1;
}
let typecheckFailures = 0;
if (!extra.includes('--no-typecheck')) {
  const status = nx(['run-many', '-t', 'typecheck', '--output-style=static', '--parallel=2']);
  if (status !== 0) typecheckFailures = 1;
}
const testStatus = nx(['run-many', '-t', 'test', '--skip-nx-cache', '--output-style=static', '--parallel=1', '--', '--json', `--outputFile=${resultsFile}`]);

let passed = 0;
let failed = lintFailures + typecheckFailures;
let projectsWithResults = 0;
for (const dir of projectDirs()) {
  const file = join(dir, resultsFile);
  if (!existsSync(file)) continue;
  projectsWithResults++;
  const results = JSON.parse(readFileSync(file, 'utf8'));
  passed += results.numPassedTests;
  failed += results.numFailedTests + results.numRuntimeErrorTestSuites;
}
// A project whose jest crashed before writing results still failed: count it once.
if (testStatus !== 0 && failed === 0) failed = 1;
if (projectsWithResults === 0) failed = Math.max(failed, 1);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && testStatus === 0 ? 0 : 1);
