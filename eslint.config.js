// ESLint, for boundaries only (no style rules): which project may import which (Nx tags, see the
// depConstraints below and docs/architecture.md), and what a pure core may not touch (sockets, files,
// processes, timers, the clock, randomness). `nx run <project>:lint` runs it per project;
// tools/ci/lint-rules.spec.ts proves each rule still fires.
'use strict';
const { readdirSync, readFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');
const nx = require('@nx/eslint-plugin');
const tsParser = require('@typescript-eslint/parser');

/** Every project's root and tags, from its project.json (the same tags Nx's rule reads). */
function projects() {
  const out = [];
  for (const group of ['apps', 'libs', 'tools']) {
    for (const name of readdirSync(join(__dirname, group))) {
      const file = join(__dirname, group, name, 'project.json');
      if (existsSync(file)) out.push({ root: `${group}/${name}`, tags: JSON.parse(readFileSync(file, 'utf8')).tags ?? [] });
    }
  }
  return out;
}

const coreRoots = projects()
  .filter((p) => p.tags.includes('type:core'))
  .map((p) => p.root);

/**
 * Who may depend on whom. A project matches every constraint whose tags it carries.
 * type: a core depends only on cores; adapters (I/O, sockets, files) on cores and adapters; apps and
 * tools on libs; nothing but tests and tools on the test libraries (type:testing); nothing on an app.
 * scope: shared libs stand alone, the workshop (lab) is its own world, a client lib never reaches into
 * the server, and only the demos use the Nest integration and the demo lib.
 */
const depConstraints = [
  { sourceTag: 'type:core', onlyDependOnLibsWithTags: ['type:core'] },
  { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:core', 'type:adapter'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:core', 'type:adapter', 'type:testing'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:core', 'type:adapter'] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:core', 'type:adapter', 'type:testing', 'type:tool'] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:lab', onlyDependOnLibsWithTags: ['scope:lab', 'scope:shared'] },
  { sourceTag: 'scope:server', notDependOnLibsWithTags: ['scope:demo', 'scope:nest', 'scope:lab'] },
  { sourceTag: 'scope:client', notDependOnLibsWithTags: ['scope:demo', 'scope:nest', 'scope:lab'] },
  { allSourceTags: ['scope:client', 'type:adapter'], notDependOnLibsWithTags: ['scope:server'] },
  { sourceTag: 'scope:nest', notDependOnLibsWithTags: ['scope:server', 'scope:demo', 'scope:lab'] },
  { sourceTag: 'scope:demo', notDependOnLibsWithTags: ['scope:lab'] },
];

/**
 * Tests and test helpers (spec files, `testing/` and `test/` folders) may also use the test libraries
 * (type:testing) and start a server node (scope:server) whatever their scope; never an app's sources.
 */
const testDepConstraints = depConstraints.map((c) => ({
  ...c,
  ...(c.onlyDependOnLibsWithTags && c.sourceTag?.startsWith('type:') ? { onlyDependOnLibsWithTags: [...new Set([...c.onlyDependOnLibsWithTags, 'type:testing'])] } : {}),
  ...(c.notDependOnLibsWithTags ? { notDependOnLibsWithTags: c.notDependOnLibsWithTags.filter((t) => t !== 'scope:server') } : {}),
}));

// Node has no code splitting, so a lib may be imported both statically and with `await import()`: the
// rule's lazy-loading check (which, when it fires, also skips the tag checks) is off for our libs.
const boundaries = (constraints) => ({
  '@nx/enforce-module-boundaries': [
    'error',
    { enforceBuildableLibDependency: false, allowCircularSelfDependency: false, checkDynamicDependenciesExceptions: ['@coord/**'], depConstraints: constraints },
  ],
});

/** Node modules that do I/O: a core gets their effects passed in (see docs/architecture.md). */
const ioModules = ['net', 'fs', 'fs/promises', 'child_process', 'dgram', 'tls', 'http', 'https', 'http2', 'timers', 'timers/promises', 'perf_hooks', 'worker_threads', 'cluster'];
const coreImports = {
  'no-restricted-imports': [
    'error',
    {
      paths: ioModules.flatMap((m) => [m, `node:${m}`]).map((name) => ({ name, message: 'A pure core does no I/O: take the effect as a parameter or move the code to an adapter.' })),
    },
  ],
};
const injected = 'Time and randomness are injected into a core: take a clock / timer / seeded rand parameter.';
const coreClock = {
  'no-restricted-globals': ['error', ...['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate', 'performance'].map((name) => ({ name, message: injected }))],
  'no-restricted-properties': [
    'error',
    { object: 'Date', property: 'now', message: injected },
    { object: 'Math', property: 'random', message: injected },
    { object: 'performance', property: 'now', message: injected },
    { object: 'globalThis', property: 'setTimeout', message: injected },
    { object: 'globalThis', property: 'setInterval', message: injected },
    { object: 'globalThis', property: 'setImmediate', message: injected },
  ],
  'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: injected }],
};

const specFiles = ['**/*.spec.ts', '**/testing/**/*.ts', '**/test/**/*.ts'];

module.exports = [
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/__fixtures__/**', '**/fixtures/**', 'bin/**', 'tools/golden/**', 'tools/conformance/go/**', 'tools/conformance/kazoo/**', '**/*.js', '**/*.cjs', '**/*.mjs'],
  },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tsParser, ecmaVersion: 2022, sourceType: 'module' },
    plugins: { '@nx': nx },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: boundaries(depConstraints),
  },
  { files: specFiles, rules: boundaries(testDepConstraints) },
  {
    files: coreRoots.map((root) => `${root}/**/*.ts`),
    ignores: specFiles,
    rules: { ...coreImports, ...coreClock },
  },
];

module.exports.coreRoots = coreRoots;
module.exports.depConstraints = depConstraints;
