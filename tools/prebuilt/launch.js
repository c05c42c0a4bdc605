/**
 * Runs a program from the prebuilt JavaScript in dist/ (see build.js): the one-file bundle of a
 * command (dist/bin/zkcli.js, dist/bin/coordinode.js) when there is one, else the transpiled entry.
 * When a source is newer than that output (someone edited the code since `npm ci`), the build runs
 * first in a child process, so the compiler never occupies the program's own process.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { allProjects, bundlePaths, bundleStale, commands, staleFiles, distRoot } = require('./build');

function rebuild(fallback) {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'build.js')], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status === 0) return;
  process.stderr.write(`${r.stderr}`);
  if (!fs.existsSync(fallback)) process.exit(1);
  process.stderr.write('warning: the build failed; running the previous build\n');
}

/**
 * Loads `file` as the main module (what `node file` does), so a program's `require.main === module`
 * holds; the arguments after it stay as they are.
 */
function runAsMain(file) {
  process.argv[1] = file;
  require('node:module').runMain(file);
}

/** `entry` is the source path without extension, e.g. `apps/zk-cli/src/main`. */
function launch(entry) {
  const command = Object.keys(commands).find((name) => commands[name] === entry);
  if (command) {
    const { bundle } = bundlePaths(command);
    // Only the bundle's own sources are checked: a few dozen stats.
    if (bundleStale(command)) rebuild(bundle);
    if (fs.existsSync(bundle)) {
      runAsMain(bundle);
      return;
    }
  }
  const main = path.join(distRoot, `${entry}.js`);
  if (staleFiles(allProjects()).length > 0) rebuild(main);
  runAsMain(main);
}

module.exports = { launch };
