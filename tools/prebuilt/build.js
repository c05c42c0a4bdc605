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

/** The source files of `projects` whose output is missing or older than the source. */
function staleFiles(projects) {
  const stale = [];
  for (const project of projects) {
    for (const file of sources(path.join(workspaceRoot, project, 'src'))) {
      const out = outputOf(file);
      let outTime = -1;
      try {
        outTime = fs.statSync(out).mtimeMs;
      } catch {
        // missing output: stale
      }
      if (outTime < fs.statSync(file).mtimeMs) stale.push(file);
    }
  }
  return stale;
}

function transpile(files) {
  const swc = require('@swc/core');
  const options = {
    swcrc: false,
    sourceMaps: true,
    module: { type: 'commonjs' },
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

module.exports = { build, staleFiles, allProjects, distRoot, workspaceRoot };

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
}
