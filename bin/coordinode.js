#!/usr/bin/env node
// The coordination node and its offline tools: `coordinode --help`.
require('../tools/prebuilt/launch.js').launch('apps/coord-node/src/main');
