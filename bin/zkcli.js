#!/usr/bin/env node
// The zkCli.sh-compatible shell: `zkcli --help`.
require('../tools/prebuilt/launch.js').launch('apps/zk-cli/src/main');
