#!/usr/bin/env node
/**
 * Builds a library for `npm pack`: one bundled file per module format plus type declarations,
 * inside the library's own folder (ignored by git):
 *   libs/client/dist/index.cjs       CommonJS, @coord/protocol bundled in (it is not published)
 *   libs/client/dist/index.mjs       ES module, the same code
 *   libs/client/dist/types/...       .d.ts of the library and of the private libs it exposes
 * Packages named in the library's package.json (dependencies, peerDependencies) stay imports.
 *   node tools/prebuilt/pack-lib.js libs/client
 * The library's package.json runs this as its `prepack` script, so `npm pack` in its folder builds first.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const workspaceRoot = path.resolve(__dirname, '..', '..');

function fail(message) {
  process.stderr.write(`pack-lib: ${message}\n`);
  process.exit(1);
}

const project = (process.argv[2] || '').replace(/\/+$/, '');
const libDir = path.join(workspaceRoot, project);
if (!project || !fs.existsSync(path.join(libDir, 'package.json'))) fail(`usage: node tools/prebuilt/pack-lib.js libs/<name> (a folder with its package.json)`);
const manifest = JSON.parse(fs.readFileSync(path.join(libDir, 'package.json'), 'utf8'));
const external = [...Object.keys(manifest.dependencies || {}), ...Object.keys(manifest.peerDependencies || {})];
const outDir = path.join(libDir, 'dist');
fs.rmSync(outDir, { recursive: true, force: true });

// 1. Code: esbuild resolves the @coord/* aliases through tsconfig.base.json and bundles them in.
const esbuild = require('esbuild');
for (const [format, file] of [['cjs', 'index.cjs'], ['esm', 'index.mjs']]) {
  esbuild.buildSync({
    entryPoints: [path.join(libDir, 'src', 'index.ts')],
    outfile: path.join(outDir, file),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format,
    external,
    sourcemap: true,
    tsconfig: path.join(libDir, 'tsconfig.json'),
    logLevel: 'warning',
  });
}

// 2. Types: tsc emits declarations for the library and every private lib it reaches.
const typesDir = path.join(outDir, 'types');
const tsconfig = path.join(outDir, 'tsconfig.types.json');
fs.writeFileSync(
  tsconfig,
  JSON.stringify({
    extends: path.join(workspaceRoot, 'tsconfig.base.json'),
    compilerOptions: { noEmit: false, declaration: true, emitDeclarationOnly: true, sourceMap: false, outDir: typesDir, rootDir: workspaceRoot, types: ['node'] },
    files: [path.join(libDir, 'src', 'index.ts')],
  }),
);
const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', tsconfig], { stdio: 'inherit' });
fs.rmSync(tsconfig);
if (tsc.status !== 0) fail('tsc could not emit the declarations');

// Published packages keep their name; a private lib's import becomes a relative path to its emitted types.
const aliases = JSON.parse(fs.readFileSync(path.join(workspaceRoot, 'tsconfig.base.json'), 'utf8')).compilerOptions.paths;
function* declarationFiles(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* declarationFiles(full);
    else if (entry.name.endsWith('.d.ts')) yield full;
  }
}
for (const file of declarationFiles(typesDir)) {
  const text = fs.readFileSync(file, 'utf8');
  const rewritten = text.replace(/(from |import\()(['"])(@coord\/[a-z-]+)\2/g, (whole, lead, quote, name) => {
    if (external.includes(name) || !aliases[name]) return whole;
    const target = path.join(typesDir, aliases[name][0].replace(/^\.\//, '').replace(/\.ts$/, ''));
    let rel = path.relative(path.dirname(file), target);
    if (!rel.startsWith('.')) rel = `./${rel}`;
    return `${lead}${quote}${rel}${quote}`;
  });
  if (rewritten !== text) fs.writeFileSync(file, rewritten);
}
const entryTypes = path.join(typesDir, project, 'src', 'index.d.ts');
if (!fs.existsSync(entryTypes)) fail(`expected ${path.relative(workspaceRoot, entryTypes)}`);
process.stderr.write(`pack-lib: ${project}/dist built (index.cjs, index.mjs, types)\n`);
