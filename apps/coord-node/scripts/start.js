#!/usr/bin/env node
/**
 * Starts coord-node from the prebuilt JavaScript in dist/ (tools/prebuilt/build.js; rebuilt in a child
 * process first when a source changed), so the compiler never occupies the node's memory.
 * The same program as `npx coordinode`; kept for the scripts and test helpers that start it by path.
 * Usage: node apps/coord-node/scripts/start.js [--port=N --host=H --data-dir=D --config=F ...]
 */
'use strict';
require('../../../tools/prebuilt/launch.js').launch('apps/coord-node/src/main');
