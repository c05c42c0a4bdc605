/**
 * The whole CLI: argv, one-shot and piped drivers, `-o json`, exit codes; in-process against Apache
 * ZooKeeper, and once as a real process through main.ts (what `nx run zk-cli:serve` runs).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort, workspaceRoot } from '@coord/testing';
import { parseArgv } from '../lib/argv';
import { runMain, startApache, type TestServer } from './harness';

function run(server: string, argv: string[], stdin = '') {
  return runMain(parseArgv(['-server', server, ...argv], {}), stdin);
}

describe('zk-cli end to end against apache', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startApache();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('one-shot: runs one command, prints like zkCli, exits 0', async () => {
    expect((await run(server.connectString, ['create', '/one', 'hello'])).exitCode).toBe(0);
    const { out, exitCode } = await run(server.connectString, ['get', '-s', '/one']);
    expect(exitCode).toBe(0);
    const lines = out.stdout.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      `Connecting to ${server.connectString}`,
      '',
      'WATCHER::',
      '',
      'WatchedEvent state:SyncConnected type:None path:null',
    ]);
    expect(lines[5]).toBe('hello');
    expect(lines[6]).toMatch(/^cZxid = 0x[0-9a-f]+$/);
    expect(lines[16]).toBe('numChildren = 0');
    expect(out.stderr).toBe('');
  });

  it('exit codes: 1 for a ZooKeeper error, 3 for usage, 2 when no server answers', async () => {
    const missing = await run(server.connectString, ['get', '/missing']);
    expect(missing.exitCode).toBe(1);
    expect(missing.out.stderr).toBe('Node does not exist: /missing\n');
    expect((await run(server.connectString, ['get'])).exitCode).toBe(3);
    expect((await run(server.connectString, ['nosuchcommand'])).exitCode).toBe(3);
    const deadPort = await freePort('127.0.0.1');
    const dead = await run(`127.0.0.1:${deadPort}`, ['-timeout', '1500', 'ls', '/']);
    expect(dead.exitCode).toBe(2);
    expect(dead.out.stderr).toMatch(new RegExp(`^Unable to connect to 127\\.0\\.0\\.1:${deadPort}: `));
    const deadPiped = await run(`127.0.0.1:${deadPort}`, ['-timeout', '1000'], 'history\nls /\nls /\n');
    expect(deadPiped.exitCode).toBe(2);
    // history runs before the session exists (as in zkCli); ls waits for it and stops the script.
    expect(deadPiped.out.stdout).toBe(
      `Connecting to 127.0.0.1:${deadPort}\nWelcome to ZooKeeper!\nJLine support is disabled\n0 - history\nNot connected\n`,
    );
  });

  it('-o json: stdout is one JSON document per command and nothing else', async () => {
    await run(server.connectString, ['create', '/js', 'payload']);
    const ok = await run(server.connectString, ['-o', 'json', 'get', '/js']);
    expect(ok.exitCode).toBe(0);
    const doc = JSON.parse(ok.out.stdout);
    expect(doc).toMatchObject({ command: 'get', ok: true, path: '/js', data: 'payload', dataBase64: Buffer.from('payload').toString('base64') });
    expect(doc.stat).toMatchObject({ version: 0, dataLength: 7, ephemeralOwner: '0x0' });
    const ls = JSON.parse((await run(server.connectString, ['-o', 'json', 'ls', '/'])).out.stdout);
    expect(ls.children).toEqual(expect.arrayContaining(['js', 'zookeeper']));
    const bad = await run(server.connectString, ['-o', 'json', 'create', '/js']);
    expect(bad.exitCode).toBe(1);
    expect(JSON.parse(bad.out.stdout)).toEqual({ command: 'create', ok: false, code: 'NODEEXISTS', message: 'Node already exists: /js' });
    const created = await run(server.connectString, ['-o', 'json', 'create', '-s', '/js/seq-', 'x']);
    expect(JSON.parse(created.out.stdout)).toEqual({ command: 'create', ok: true, path: '/js/seq-0000000000' });
  });

  it('-o json in a piped session: one line per command, events as JSON', async () => {
    const { out, exitCode } = await run(server.connectString, ['-o', 'json'], 'create /pj ""\nget -w /pj\nset /pj "v"\nstat /pj\n');
    expect(exitCode).toBe(0);
    const docs = out.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(docs.map((d) => d.command ?? 'event')).toEqual(['create', 'get', 'event', 'set', 'stat']);
    expect(docs[2].event).toMatchObject({ type: 'NodeDataChanged', state: 'SyncConnected', path: '/pj' });
    expect(docs[4].stat.version).toBe(1);
  });

  it('piped stdin: no prompt, zkCli banner, exit code of the last command', async () => {
    const { out, exitCode } = await run(server.connectString, [], 'create /p "d"\nget /p\n\nget /nope\n');
    expect(out.stdout).toBe(
      `Connecting to ${server.connectString}\nWelcome to ZooKeeper!\nJLine support is disabled\n\nWATCHER::\n\nWatchedEvent state:SyncConnected type:None path:null\nd\n`,
    );
    expect(out.stderr).toBe('Created /p\nNode does not exist: /nope\n');
    expect(exitCode).toBe(1);
  });

  it('main.ts as a process: one-shot and piped, as nx serve runs it', async () => {
    const main = join(workspaceRoot, 'apps/zk-cli/src/main.ts');
    const exec = (args: string[], input: string) =>
      new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve, reject) => {
        const child = spawn(process.execPath, ['-r', '@swc-node/register', main, ...args], {
          cwd: workspaceRoot,
          env: { ...process.env, SWC_NODE_PROJECT: join(workspaceRoot, 'tsconfig.base.json'), ZKCLI_SERVER: server.connectString },
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => (stdout += c));
        child.stderr.on('data', (c: Buffer) => (stderr += c));
        child.on('error', reject);
        child.on('close', (code) => resolve({ stdout, stderr, code }));
        child.stdin.end(input);
      });
    const piped = await exec([], 'create /proc "from-process"\nget /proc\nquit\n');
    expect(piped.code).toBe(0);
    expect(piped.stdout).toContain('\nfrom-process\n\nWATCHER::\n\nWatchedEvent state:Closed type:None path:null\n');
    expect(piped.stderr).toBe('Created /proc\n');
    const oneShot = await exec(['-o', 'json', 'getAllChildrenNumber', '/proc'], '');
    expect(oneShot.code).toBe(0);
    expect(JSON.parse(oneShot.stdout)).toEqual({ command: 'getAllChildrenNumber', ok: true, path: '/proc', count: 0 });
    const usage = await exec(['-server'], '');
    expect(usage.code).toBe(3);
    expect(usage.stderr.split('\n')[0]).toBe("Error: option '--server <host:port,...>' argument missing");
  }, 60_000);
});
