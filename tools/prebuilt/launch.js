/**
 * Runs a program from the prebuilt JavaScript in dist/ (see build.js). When a source file is newer
 * than its output (someone edited the code since `npm ci`), the build runs first in a child process,
 * so the compiler never occupies the program's own process.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { allProjects, staleFiles, distRoot } = require('./build');

/** `entry` is the source path without extension, e.g. `apps/zk-cli/src/main`. */
function launch(entry) {
  const main = path.join(distRoot, `${entry}.js`);
  if (staleFiles(allProjects()).length > 0) {
    const r = spawnSync(process.execPath, [path.join(__dirname, 'build.js')], { stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) {
      process.stderr.write(`${r.stderr}`);
      if (!fs.existsSync(main)) process.exit(1);
      process.stderr.write('warning: the build failed; running the previous build\n');
    }
  }
  require(main);
}

module.exports = { launch };
