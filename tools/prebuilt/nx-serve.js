#!/usr/bin/env node
/**
 * What the Nx `serve` targets run: `node tools/prebuilt/nx-serve.js apps/zk-cli/src/main`. Runs the
 * program from the prebuilt JavaScript with the arguments exactly as the user gave them to Nx
 * (see nx-args.js: commas, spaces and quotes intact); what Nx appended is used only when those
 * words cannot be read.
 */
'use strict';
const path = require('node:path');
const { launch } = require('./launch');
const { nxInvocationArgs } = require('./nx-args');

const [entry, ...appended] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('usage: node tools/prebuilt/nx-serve.js <source entry without .ts, e.g. apps/zk-cli/src/main> [args...]\n');
  process.exit(2);
}
let args;
try {
  args = nxInvocationArgs() ?? appended;
} catch (err) {
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
}
process.argv = [process.argv[0], path.join(__dirname, '..', '..', 'dist', `${entry}.js`), ...args];
launch(entry);
