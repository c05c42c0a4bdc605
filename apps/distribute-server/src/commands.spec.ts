/**
 * The demo programs as built output: `dist/apps/<app>/src/main.js` (what `nx run <app>:build` and
 * `npm ci` write) runs with plain `node`, no resolver hook, and every program answers --help,
 * a misspelled flag and an out-of-range value the same way (commander, exit 2).
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { spawnCoordinode, workspaceRoot, type SpawnedNode } from '@coord/testing';

jest.setTimeout(60_000);

const main = (app: string) => join(workspaceRoot, 'dist/apps', app, 'src/main.js');

function run(app: string, args: string[]) {
  const r = spawnSync(process.execPath, [main(app), ...args], { cwd: workspaceRoot, encoding: 'utf8', timeout: 30_000, env: { ...process.env, COORD_CONNECT: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  // npm ci built dist/; bring it up to date with the sources under test.
  const build = spawnSync(process.execPath, [join(workspaceRoot, 'tools/prebuilt/build.js')], { cwd: workspaceRoot, encoding: 'utf8' });
  expect(build.status).toBe(0);
});

it.each([
  ['distribute-server', ['--connect', '--servers-path', '--host', '--port', '--session-timeout'], '--conect=h:1', '--connect', ['--port', '70000', 'from 0 to 65535']],
  ['distribute-client', ['--connect', '--servers-path', '--http-host', '--http-port'], '--http-prot=1', '--http-port', ['--http-port', '-1', 'from 0 to 65535']],
  ['lock-demo', ['--backend', '--lock', '--scenario', '--workers', '--rounds', '--hold-ms', '--connect', '--redis-url', '--port'], '--worker=3', '--workers', ['--workers', '201', 'from 1 to 200']],
  ['consensus-lab', ['--list', '--all', '--seed', '--out', '--quiet', '--count', '--generals', '--m', '--traitors', '--proposers', '--broken'], '--sed=3', '--seed', ['--seed', 'x', 'from 0 to 4294967295']],
])('%s: --help lists every flag, a typo gets a suggestion (exit 2), a bad value names the range', (app, flags, typo, meant, [flag, value, range]) => {
  for (const help of ['--help', '-h']) {
    const r = run(app, [help]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    for (const f of flags) expect(r.stdout).toContain(`${f} `);
    expect(r.stdout).toContain('(default: ');
  }
  const wrong = run(app, [typo]);
  expect(wrong.code).toBe(2);
  expect(wrong.stderr).toContain(`(Did you mean ${meant}?)`);
  const bad = run(app, [flag, value]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain(`argument '${value}' is invalid. expected an integer ${range}`);
});

describe('distribute-server from dist/ with plain node', () => {
  let node: SpawnedNode;
  beforeAll(async () => {
    node = await spawnCoordinode();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('registers, prints its pid, and goes offline once on SIGTERM', async () => {
    const child = spawn(process.execPath, [main('distribute-server'), 'hadoop-dist', `--connect=${node.connectString}`], { cwd: workspaceRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (out += c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const started = Date.now();
    while (!/hadoop-dist is online/.test(out)) {
      if (Date.now() - started > 30_000 || child.exitCode !== null) throw new Error(`not online:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(out).toContain(`distribute-server: pid ${child.pid} `);
    child.kill('SIGTERM');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out.match(/is going offline/g)).toEqual(['is going offline']);
  });
});

it('the Nx serve entry (tools/prebuilt/nx-serve.js) runs each program as its main module', () => {
  // lock-demo runs only when it is the main module (its tests import it); through Nx it must run.
  for (const [app, args, expected] of [
    ['lock-demo', ['--help'], /Usage: lock-demo \[options\]/],
    ['consensus-lab', ['--list'], /^paxos /m],
    ['zk-cli', ['--help'], /Usage: zkcli \[options\]/],
  ] as const) {
    const env = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith('NX_')) delete env[key];
    const r = spawnSync(process.execPath, [join(workspaceRoot, 'tools/prebuilt/nx-serve.js'), `apps/${app}/src/main`, '--', ...args], { cwd: workspaceRoot, encoding: 'utf8', env, timeout: 30_000 });
    expect({ app, code: r.status, stderr: r.stderr }).toEqual({ app, code: 0, stderr: '' });
    expect(r.stdout).toMatch(expected);
  }
});
