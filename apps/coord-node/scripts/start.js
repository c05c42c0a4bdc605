#!/usr/bin/env node
/**
 * Starts coord-node from transpiled JavaScript: builds dist/coord-node (in a child process, so the
 * compiler never occupies this process's memory), maps the @coord/* aliases onto it, then runs main.
 * Usage: node apps/coord-node/scripts/start.js [--port=N --host=H --data-dir=D --config=F ...]
 */
'use strict';
const { execFileSync } = require('node:child_process');
const Module = require('node:module');
const path = require('node:path');

const workspaceRoot = path.resolve(__dirname, '../../..');
const distRoot = path.join(workspaceRoot, 'dist', 'coord-node');

execFileSync(process.execPath, [path.join(__dirname, 'build-dist.js')], { stdio: 'inherit' });

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, isMain, options) {
  if (request.startsWith('@coord/')) {
    const name = request.substring('@coord/'.length);
    request = path.join(distRoot, 'libs', name, 'src', 'index.js');
  }
  return resolveFilename.call(this, request, parent, isMain, options);
};

require(path.join(distRoot, 'apps', 'coord-node', 'src', 'main.js'));
