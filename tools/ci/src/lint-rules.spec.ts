/**
 * The lint rules in eslint.config.js still fire: each case lints a few lines of breaching code as if it
 * were a file in a real project (ESLint's Node API, nothing written to disk) and expects the rule that
 * must catch it. Nx's module-boundary rule skips itself, with only a warning, when it finds no project
 * graph; so a lint that quietly stopped checking would fail here, not pass.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const workspaceRoot = join(__dirname, '..', '..', '..');

/** The rule ids and messages ESLint reports for `code` as the file `file` (relative to the workspace). */
async function lint(file: string, code: string): Promise<Array<{ rule: string | null; message: string }>> {
  // The config array itself (jest cannot run ESLint's dynamic import of eslint.config.js).
  const eslint = new ESLint({ cwd: workspaceRoot, overrideConfigFile: true, overrideConfig: require(join(workspaceRoot, 'eslint.config.js')) });
  const [result] = await eslint.lintText(code, { filePath: join(workspaceRoot, file) });
  return result.messages.map((m) => ({ rule: m.ruleId, message: m.message }));
}

async function rulesFired(file: string, code: string): Promise<string[]> {
  return (await lint(file, code)).map((m) => m.rule ?? `(no rule) ${m.message}`);
}

function projectTags(): Array<{ root: string; tags: string[] }> {
  const out = [];
  for (const group of ['apps', 'libs', 'tools']) {
    for (const name of readdirSync(join(workspaceRoot, group))) {
      const file = join(workspaceRoot, group, name, 'project.json');
      if (existsSync(file)) out.push({ root: `${group}/${name}`, tags: (JSON.parse(readFileSync(file, 'utf8')).tags ?? []) as string[] });
    }
  }
  return out;
}

beforeAll(() => {
  // The project graph the boundary rule reads (`nx run-many -t lint` computes it the same way).
  const nx = spawnSync('npx', ['nx', 'show', 'projects'], { cwd: workspaceRoot, env: { ...process.env, NX_DAEMON: 'false' }, encoding: 'utf8' });
  expect(nx.status).toBe(0);
}, 120_000);

describe('module boundaries (@nx/enforce-module-boundaries)', () => {
  it('a lib importing an app by a relative path', async () => {
    const messages = await lint('libs/cli/src/probe.ts', "import { runCommandLine } from '../../../apps/coord-node/src/command-line';\nexport const x = runCommandLine;\n");
    expect(messages).toContainEqual({ rule: '@nx/enforce-module-boundaries', message: expect.stringMatching(/relative or absolute path/) });
  });

  it('a relative import into another lib', async () => {
    expect(await rulesFired('libs/recipes/src/probe.ts', "import { ClientPool } from '../../client/src/testing/helpers';\nexport const x = ClientPool;\n")).toContain('@nx/enforce-module-boundaries');
  });

  it('a core importing an adapter', async () => {
    const messages = await lint('libs/zab/src/probe.ts', "import { portNumber } from '@coord/cli';\nexport const x = portNumber;\n");
    expect(messages).toContainEqual({ rule: '@nx/enforce-module-boundaries', message: expect.stringMatching(/type:core.*can only depend on.*type:core/) });
  });

  it('a core importing an adapter with await import()', async () => {
    const messages = await lint('libs/zab/src/probe.ts', "export const load = () => import('@coord/cli');\n");
    expect(messages).toContainEqual({ rule: '@nx/enforce-module-boundaries', message: expect.stringMatching(/type:core.*can only depend on.*type:core/) });
  });

  it('a client lib importing the server', async () => {
    const messages = await lint('libs/client/src/probe.ts', "import { RequestPipeline } from '@coord/server';\nexport const x = RequestPipeline;\n");
    expect(messages).toContainEqual({ rule: '@nx/enforce-module-boundaries', message: expect.stringMatching(/scope:server/) });
  });

  it('production code of an adapter importing the test libraries, while its spec may', async () => {
    expect(await rulesFired('libs/nest/src/probe.ts', "import { freePort } from '@coord/testing';\nexport const x = freePort;\n")).toContain('@nx/enforce-module-boundaries');
    expect(await rulesFired('libs/nest/src/probe.spec.ts', "import { freePort } from '@coord/testing';\nexport const x = freePort;\n")).toEqual([]);
  });

  it('an app importing what a lib allows passes', async () => {
    expect(await rulesFired('apps/lock-demo/src/probe.ts', "import { startEmbeddedNode } from '@coord/demo';\nexport const x = startEmbeddedNode;\n")).toEqual([]);
  });
});

describe('pure cores (type:core): no I/O, no clock, no randomness', () => {
  it.each([
    ["import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", 'no-restricted-imports'],
    ["import * as net from 'net';\nexport const x = net;\n", 'no-restricted-imports'],
    ["import { spawn } from 'node:child_process';\nexport const x = spawn;\n", 'no-restricted-imports'],
    ['export const x = Date.now();\n', 'no-restricted-properties'],
    ['export const x = Math.random();\n', 'no-restricted-properties'],
    ['export const x = performance.now();\n', 'no-restricted-globals'],
    ['export const x = new Date();\n', 'no-restricted-syntax'],
    ['setTimeout(() => undefined, 1);\n', 'no-restricted-globals'],
    ['setInterval(() => undefined, 1);\n', 'no-restricted-globals'],
    ['setImmediate(() => undefined);\n', 'no-restricted-globals'],
  ])('%j in libs/zab is caught by %s', async (code, rule) => {
    expect(await rulesFired('libs/zab/src/probe.ts', code)).toContain(rule);
  });

  it('a date from a given time is fine in a core', async () => {
    expect(await rulesFired('libs/data-tree/src/probe.ts', 'export const at = (ms: number) => new Date(ms).toISOString();\n')).toEqual([]);
  });

  it('spec files of a core may use the clock and the disk', async () => {
    expect(await rulesFired('libs/zab/src/probe.spec.ts', "import { readFileSync } from 'node:fs';\nexport const x = [Date.now(), Math.random(), readFileSync];\n")).toEqual([]);
  });

  it('an adapter may do I/O', async () => {
    expect(await rulesFired('libs/storage/src/probe.ts', "import { readFileSync } from 'node:fs';\nexport const x = [Date.now(), readFileSync];\n")).toEqual([]);
  });
});

describe('tags', () => {
  it('every project has one scope:* and one type:* tag', () => {
    const untagged = projectTags().filter((p) => p.tags.filter((t) => t.startsWith('scope:')).length !== 1 || p.tags.filter((t) => t.startsWith('type:')).length !== 1);
    expect(untagged).toEqual([]);
  });

  it('the pure cores are the projects the core rules cover', () => {
    const config = require(join(workspaceRoot, 'eslint.config.js')) as { coreRoots: string[] };
    const cores = projectTags().filter((p) => p.tags.includes('type:core')).map((p) => p.root);
    expect(config.coreRoots.sort()).toEqual(cores.sort());
    expect(cores).toEqual(expect.arrayContaining(['libs/protocol', 'libs/data-tree', 'libs/server', 'libs/zab']));
  });
});
