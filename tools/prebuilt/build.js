#!/usr/bin/env node
/**
 * Transpiles TypeScript sources to plain CommonJS under dist/, mirroring the repository layout:
 *   apps/zk-cli/src/main.ts  ->  dist/apps/zk-cli/src/main.js
 *   libs/client/src/index.ts ->  dist/libs/client/src/index.js
 * The `@coord/*` aliases of tsconfig.base.json become relative paths, so the output runs with plain
 * `node` (no compiler, no resolver hook in the process). Spec files, `__fixtures__` and test-only
 * folders are left out. A file is transpiled only when its output is older than its source, so
 * repeated runs cost a directory walk (~10 ms).
 *
 *   node tools/prebuilt/build.js                 every project under apps/ and libs/
 *   node tools/prebuilt/build.js apps/zk-cli ... only these projects (what `nx run <project>:build` does)
 *   node tools/prebuilt/build.js --check         exit 1 when some output is missing or stale, build nothing
 * Then it bundles the two commands (zkcli, coordinode) into dist/bin/ with esbuild (see below).
 *
 * Runs at `npm ci` (the root package's `prepare` script), from the Nx build targets and from the
 * command wrappers in bin/ when the sources changed since the last build.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const workspaceRoot = path.resolve(__dirname, '..', '..');
const distRoot = path.join(workspaceRoot, 'dist');
const skippedDirs = new Set(['__fixtures__', 'node_modules', 'fixtures', 'test']);

function aliasPaths() {
  const base = JSON.parse(fs.readFileSync(path.join(workspaceRoot, 'tsconfig.base.json'), 'utf8'));
  return base.compilerOptions.paths;
}

function allProjects() {
  const out = [];
  for (const group of ['apps', 'libs']) {
    const dir = path.join(workspaceRoot, group);
    for (const name of fs.readdirSync(dir)) {
      if (fs.existsSync(path.join(dir, name, 'src'))) out.push(path.join(group, name));
    }
  }
  return out;
}

function* sources(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skippedDirs.has(entry.name)) yield* sources(full);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts')) {
      yield full;
    }
  }
}

function outputOf(file) {
  return path.join(distRoot, path.relative(workspaceRoot, file)).replace(/\.ts$/, '.js');
}

/**
 * The source files of `projects` whose output is missing or older than the source, or older than
 * tsconfig.base.json (its aliases are compiled into every output: a file built before an alias existed
 * would keep an unresolved `require("@coord/...")`).
 */
function staleFiles(projects) {
  const stale = [];
  // The compiler's options (this file) are compiled into every output too.
  const aliasesTime = Math.max(fs.statSync(path.join(workspaceRoot, 'tsconfig.base.json')).mtimeMs, fs.statSync(__filename).mtimeMs);
  for (const project of projects) {
    for (const file of sources(path.join(workspaceRoot, project, 'src'))) {
      const out = outputOf(file);
      let outTime = -1;
      try {
        outTime = fs.statSync(out).mtimeMs;
      } catch {
        // missing output: stale
      }
      if (outTime < Math.max(fs.statSync(file).mtimeMs, aliasesTime)) stale.push(file);
    }
  }
  return stale;
}

/**
 * Imports compiled to a require on first use instead of at load (swc's `lazy`): what only the
 * AdminServer, the Prometheus endpoint, TLS, the console or the launcher's child processes need. A
 * node that serves plain clients never loads them (node:http, node:tls, prom-client, the client and
 * recipes libraries...): ~2.5 MiB less resident at start. Hot-path modules stay eager: a lazy binding
 * costs a call per use.
 */
const lazyImports = [
  'node:child_process',
  'node:crypto',
  'node:http',
  'node:https',
  'node:os',
  'node:perf_hooks',
  'node:tls',
  'node:v8',
  'node:zlib',
  'prom-client',
  '@opentelemetry/api',
  '@coord/client',
  '@coord/recipes',
];

function transpile(files) {
  const swc = require('@swc/core');
  const options = {
    swcrc: false,
    sourceMaps: true,
    module: { type: 'commonjs', lazy: lazyImports },
    jsc: {
      target: 'es2022',
      keepClassNames: true,
      baseUrl: workspaceRoot,
      paths: aliasPaths(),
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
  };
  const failures = [];
  for (const file of files) {
    const out = outputOf(file);
    let code;
    let map;
    try {
      ({ code, map } = swc.transformFileSync(file, { ...options, filename: file, sourceFileName: path.relative(path.dirname(out), file) }));
    } catch (err) {
      // One broken file must not keep the others stale: report it and go on.
      failures.push(`${path.relative(workspaceRoot, file)}: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    fs.mkdirSync(path.dirname(out), { recursive: true });
    // Write then rename, so a process starting in parallel never loads a half-written file.
    const tmp = `${out}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${code}\n//# sourceMappingURL=${path.basename(out)}.map\n`);
    if (map) fs.writeFileSync(`${out}.map`, map);
    fs.renameSync(tmp, out);
  }
  return failures;
}

/** Builds what is stale among `projects` (default: all); returns the files transpiled and the failures. */
function build(projects = allProjects()) {
  const stale = staleFiles(projects);
  const failures = stale.length > 0 ? transpile(stale) : [];
  return { count: stale.length - failures.length, failures };
}

/**
 * The commands on the PATH are bundled into one file each (dist/bin/<name>.js): one file to read
 * instead of ~100 is most of what separates a Node shell's start from a bare `node`. Next to each
 * bundle, <name>.inputs.json lists the sources it holds, so a launcher checks only those.
 */
const commands = { zkcli: 'apps/zk-cli/src/main', coordinode: 'apps/coord-node/src/main' };
const binDir = path.join(distRoot, 'bin');

function bundlePaths(name) {
  return { bundle: path.join(binDir, `${name}.js`), inputs: path.join(binDir, `${name}.inputs.json`) };
}

/** Sources of the bundle `name`, or undefined when the bundle or its list is missing. */
function bundleInputs(name) {
  try {
    return JSON.parse(fs.readFileSync(bundlePaths(name).inputs, 'utf8'));
  } catch {
    return undefined;
  }
}

/** True when the bundle is missing or one of its sources changed (or vanished) since it was written. */
function bundleStale(name) {
  const inputs = bundleInputs(name);
  if (!inputs) return true;
  let built;
  try {
    built = fs.statSync(bundlePaths(name).bundle).mtimeMs;
  } catch {
    return true;
  }
  for (const rel of inputs) {
    try {
      if (fs.statSync(path.join(workspaceRoot, rel)).mtimeMs > built) return true;
    } catch {
      return true;
    }
  }
  return false;
}

/**
 * The bundle's text with every non-ASCII character written as a \u escape. esbuild already escapes
 * them in strings and identifiers; what is left is in comments (≤, …, µ). V8 keeps a script's source
 * for lazy compilation, and one character above U+00FF makes it a two-byte string: 2.4 MB of heap for
 * a 1.2 MB bundle instead of 1.2 MB.
 */
function asciiOnly(text) {
  return text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function bundle(name) {
  const esbuild = require('esbuild');
  const { bundle: outfile, inputs } = bundlePaths(name);
  const tmp = `${outfile}.${process.pid}.tmp`;
  const result = esbuild.buildSync({
    entryPoints: [path.join(distRoot, `${commands[name]}.js`)],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    metafile: true,
    logLevel: 'error',
    write: false,
  });
  fs.writeFileSync(tmp, asciiOnly(result.outputFiles[0].text));
  // dist/apps/x/src/y.js came from apps/x/src/y.ts; packages from node_modules change only with npm ci.
  const sources = Object.keys(result.metafile.inputs)
    .map((input) => path.relative(distRoot, path.resolve(workspaceRoot, input)))
    .filter((rel) => !rel.startsWith('..') && !rel.includes('node_modules'))
    .map((rel) => rel.replace(/\.js$/, '.ts'));
  fs.writeFileSync(`${inputs}.${process.pid}.tmp`, JSON.stringify(sources));
  fs.renameSync(`${inputs}.${process.pid}.tmp`, inputs);
  fs.renameSync(tmp, outfile);
}

module.exports = { build, staleFiles, allProjects, bundleStale, bundlePaths, commands, distRoot, workspaceRoot };

if (require.main === module) {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const projects = args.filter((a) => !a.startsWith('--')).map((p) => p.replace(/\/+$/, ''));
  for (const p of projects) {
    if (!fs.existsSync(path.join(workspaceRoot, p, 'src'))) {
      process.stderr.write(`build: no project at ${p} (expected ${p}/src)\n`);
      process.exit(2);
    }
  }
  const list = projects.length > 0 ? projects : allProjects();
  if (check) {
    const stale = staleFiles(list);
    for (const f of stale) process.stdout.write(`stale: ${path.relative(workspaceRoot, f)}\n`);
    process.exit(stale.length === 0 ? 0 : 1);
  }
  const started = Date.now();
  const { count, failures } = build(list);
  for (const f of failures) process.stderr.write(`build: cannot transpile ${f}\n`);
  process.stderr.write(`build: ${count} file(s) transpiled into dist/ in ${Date.now() - started} ms\n`);
  if (failures.length > 0) process.exit(1);
  fs.mkdirSync(binDir, { recursive: true });
  for (const name of Object.keys(commands)) {
    if (projects.length > 0 && !projects.some((p) => commands[name].startsWith(`${p}/`))) continue;
    if (count > 0 || bundleStale(name)) bundle(name);
  }
}
