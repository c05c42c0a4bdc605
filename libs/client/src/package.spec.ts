/**
 * The published form of the client and the recipes, used as a stranger would: `npm pack` both
 * libraries, install the two tarballs into an empty directory outside the repository (offline: the
 * packages must need nothing else), then from plain Node require them (CommonJS) and import them
 * (ES module) and talk to a live Coordinode node; and type-check a TypeScript consumer against the
 * shipped declarations, which must also reject a wrong call.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCoordinode, workspaceRoot, type SpawnedNode } from '@coord/testing';

jest.setTimeout(180_000);

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

const consumer = (mod: 'cjs' | 'esm') => `
${mod === 'cjs' ? "const { createClient, NoNodeError, isZkError } = require('@coord/client');\nconst { Mutex } = require('@coord/recipes');" : "import { createClient, NoNodeError, isZkError } from '@coord/client';\nimport { Mutex } from '@coord/recipes';"}
async function main() {
  const zk = createClient(process.argv[2], { sessionTimeoutMs: 10000 });
  await zk.connect({ timeoutMs: 10000 });
  const { path } = await zk.create('/pkg-${mod}', 'from the ${mod} package');
  const { data } = await zk.getData(path);
  let missing = '';
  try { await zk.getData('/pkg-${mod}-missing'); } catch (e) { missing = (e instanceof NoNodeError) + ' ' + isZkError(e, 'NONODE'); }
  const lock = await new Mutex(zk, '/locks/pkg-${mod}').acquire({ timeoutMs: 10000 });
  const token = lock.fencingToken;
  await lock.release();
  await zk.close();
  console.log(JSON.stringify({ path, data: Buffer.from(data).toString(), missing, token: typeof token }));
}
main().catch((e) => { console.error(e); process.exit(1); });
`;

const typedConsumer = `
import { createClient, type ZkClient, type Stat } from '@coord/client';
import { Mutex, type LockHandle } from '@coord/recipes';
export async function use(connect: string): Promise<number> {
  const zk: ZkClient = createClient(connect);
  const stat: Stat | null = await zk.exists('/x');
  const lock: LockHandle = await new Mutex(zk, '/locks/x').acquire();
  await lock.release();
  return stat?.version ?? -1;
}
`;

describe('the packed client and recipes', () => {
  let node: SpawnedNode;
  let dir: string;
  beforeAll(async () => {
    node = await spawnCoordinode();
    dir = mkdtempSync(join(tmpdir(), 'coord-packages-'));
  });
  afterAll(async () => {
    await node?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('pack, install into an empty directory, and work from CommonJS, ESM and TypeScript', () => {
    const tarballs = join(dir, 'tarballs');
    mkdirSync(tarballs);
    for (const lib of ['libs/client', 'libs/recipes']) {
      const packed = run('npm', ['pack', '--pack-destination', tarballs, '--json'], join(workspaceRoot, lib));
      expect({ lib, code: packed.code, stderr: packed.code === 0 ? '' : packed.stderr }).toEqual({ lib, code: 0, stderr: '' });
      const files: string[] = JSON.parse(packed.stdout)[0].files.map((f: { path: string }) => f.path);
      expect(files).toEqual(expect.arrayContaining(['package.json', 'dist/index.cjs', 'dist/index.mjs', `dist/types/${lib}/src/index.d.ts`]));
      // Only built output: no sources, no tests.
      expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    }
    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    const tgz = readdirSync(tarballs).map((f) => join(tarballs, f));
    expect(tgz.map((f) => f.replace(/.*\//, '')).sort()).toEqual(['coord-client-0.1.0.tgz', 'coord-recipes-0.1.0.tgz']);
    const installed = run('npm', ['install', '--offline', '--no-audit', '--no-fund', ...tgz], app);
    expect({ code: installed.code, stderr: installed.code === 0 ? '' : installed.stderr }).toEqual({ code: 0, stderr: '' });

    writeFileSync(join(app, 'use.cjs'), consumer('cjs'));
    writeFileSync(join(app, 'use.mjs'), consumer('esm'));
    for (const [file, mod] of [['use.cjs', 'cjs'], ['use.mjs', 'esm']] as const) {
      const r = run(process.execPath, [file, node.connectString], app);
      expect({ file, code: r.code, stderr: r.stderr }).toEqual({ file, code: 0, stderr: '' });
      expect(JSON.parse(r.stdout)).toEqual({ path: `/pkg-${mod}`, data: `from the ${mod} package`, missing: 'true true', token: 'number' });
    }

    // The declarations ship and are real: a correct consumer type-checks, a wrong call does not.
    const tsc = join(workspaceRoot, 'node_modules/typescript/bin/tsc');
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, types: ['node'], typeRoots: [join(workspaceRoot, 'node_modules/@types')] },
        files: ['use.ts'],
      }),
    );
    writeFileSync(join(app, 'use.ts'), typedConsumer);
    const good = run(process.execPath, [tsc, '-p', 'tsconfig.json'], app);
    expect({ code: good.code, out: good.stdout }).toEqual({ code: 0, out: '' });
    writeFileSync(join(app, 'use.ts'), `${typedConsumer}\nexport const wrong = createClient('h:1').create(42);\n`);
    const bad = run(process.execPath, [tsc, '-p', 'tsconfig.json'], app);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toMatch(/use\.ts\(\d+,\d+\): error TS2345: Argument of type 'number' is not assignable to parameter of type 'string'/);
  });
});
