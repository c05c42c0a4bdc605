#!/usr/bin/env node
/**
 * What the Nx `serve` targets run: `node tools/prebuilt/nx-serve.js apps/zk-cli/src/main --` (words
 * before `--` are fixed by the target, e.g. `inspect-log`; Nx appends the user's after it). Runs the
 * program from the prebuilt JavaScript with the arguments exactly as the user gave them to Nx
 * (see nx-args.js: commas, spaces and quotes intact); what Nx appended is used only when those
 * words cannot be read.
 */
'use strict';
const { launch } = require('./launch');
const { nxInvocationArgs } = require('./nx-args');

// node nx-serve.js <entry> [fixed words...] -- [what Nx appended]
const [entry, ...rest] = process.argv.slice(2);
const separator = rest.indexOf('--');
if (!entry || separator < 0) {
  process.stderr.write('usage: node tools/prebuilt/nx-serve.js <source entry without .ts, e.g. apps/zk-cli/src/main> [fixed args...] -- [args...]\n');
  process.exit(2);
}
const fixed = rest.slice(0, separator);
const appended = rest.slice(separator + 1);
let args;
try {
  args = [...fixed, ...(nxInvocationArgs() ?? appended)];
} catch (err) {
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
}
process.argv = [process.argv[0], process.argv[1], ...args];
launch(entry);
