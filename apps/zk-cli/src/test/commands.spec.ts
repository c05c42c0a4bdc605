/**
 * `zkcli` as a user runs it: through npx (the command npm ci linked), piped into JSON.parse, with
 * every exit code, its help and its answers to wrong flags, a refused address, under a pseudo-terminal
 * (util-linux `script`) where it shows a prompt, and through `nx run zk-cli:serve` with a
 * comma-separated connect string and a quoted value holding a space and a comma.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { freePort, spawnCoordinode, workspaceRoot, type SpawnedNode } from '@coord/testing';

jest.setTimeout(120_000);

const bin = join(workspaceRoot, 'node_modules/.bin/zkcli');

function zkcli(args: string[], input = '') {
  const started = Date.now();
  const r = spawnSync(bin, args, { cwd: workspaceRoot, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

describe('zkcli, the command', () => {
  let node: SpawnedNode;
  beforeAll(async () => {
    node = await spawnCoordinode();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('npx zkcli ... -o json: stdout is the JSON and nothing else', () => {
    expect(zkcli(['-server', node.connectString, 'create', '/cmd', 'v']).code).toBe(0);
    const r = spawnSync('npx', ['zkcli', '-server', node.connectString, '-o', 'json', 'ls', '/'], { cwd: workspaceRoot, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ command: 'ls', ok: true, path: '/', children: expect.arrayContaining(['cmd', 'zookeeper']) });
  });

  it('exit codes: 0 ok, 1 command error, 3 usage', () => {
    expect(zkcli(['-server', node.connectString, 'get', '/cmd'])).toMatchObject({ code: 0 });
    expect(zkcli(['-server', node.connectString, 'get', '/nope'])).toMatchObject({ code: 1, stderr: 'Node does not exist: /nope\n' });
    expect(zkcli(['-server', node.connectString, 'get'])).toMatchObject({ code: 3 });
  });

  it('a refused address fails within the connect timeout with exit code 2', async () => {
    const dead = await freePort();
    const told = zkcli(['-server', `127.0.0.1:${dead}`, '-connect-timeout', '800', 'ls', '/']);
    expect(told.code).toBe(2);
    expect(told.stderr).toBe(`Unable to connect to 127.0.0.1:${dead}: could not connect within 800 ms\n`);
    // By default connecting gives up after 5 s, not after the 30 s session timeout.
    const byDefault = zkcli(['-server', `127.0.0.1:${dead}`, 'ls', '/']);
    expect(byDefault.code).toBe(2);
    expect(byDefault.stderr).toContain('could not connect within 5000 ms');
    expect(byDefault.ms).toBeLessThan(20_000);
  });

  it('--help and -h: every flag with its default, exit 0, no connection attempt', () => {
    for (const flag of ['--help', '-h']) {
      const r = zkcli(['-server', '127.0.0.1:1', flag]);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      for (const f of ['--server <host:port,...>', '--timeout <ms>', '--connect-timeout <ms>', '-r, --readonly', '-o, --output <format>', '--compat <version>']) {
        expect(r.stdout).toContain(f);
      }
      expect(r.stdout).toMatch(/session timeout in ms \(default: 30000\)/);
      expect(r.stdout).not.toContain('Connecting');
    }
  });

  it('a misspelled flag exits with the usage code and a suggestion; a bad value names the flag and range', () => {
    const typo = zkcli(['-servr', node.connectString, 'ls', '/']);
    expect(typo).toMatchObject({ code: 3, stdout: '' });
    expect(typo.stderr).toBe("Error: unknown option '--servr' (Did you mean --server?)\nRun zkcli --help for the options.\n");
    const bad = zkcli(['-timeout', '0', 'ls', '/']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain("option '--timeout <ms>' argument '0' is invalid. expected an integer from 1 to 2147483647 ms");
  });

  it('under a pseudo-terminal it prompts; piped it does not', async () => {
    expect(zkcli(['-server', node.connectString, 'create', '/tty', 'v']).code).toBe(0);
    // util-linux `script` runs the command on a pseudo-terminal and relays our pipe to it.
    const tty = spawn('script', ['-qfec', `${bin} -server ${node.connectString}`, '/dev/null'], {
      cwd: workspaceRoot,
      env: { ...process.env, ZKCLI_HISTORY: '/dev/null', TERM: 'dumb' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    tty.stdout.on('data', (c: Buffer) => (screen += c));
    const exited = new Promise<number | null>((resolve) => tty.on('close', (code) => resolve(code)));
    const waitFor = async (text: RegExp) => {
      const started = Date.now();
      while (!text.test(screen)) {
        if (Date.now() - started > 15_000) throw new Error(`no ${text} on the terminal:\n${screen}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const prompt = new RegExp(`\\[zk: ${node.connectString.replace(/\./g, '\\.')}\\(CONNECTED\\) 0\\]`);
    try {
      await waitFor(prompt);
      tty.stdin.write('ls /\r');
      await waitFor(/\[[^\]]*tty[^\]]*\]/);
      await waitFor(/\(CONNECTED\) 1\]/);
      tty.stdin.write('quit\r');
      expect(await exited).toBe(0);
    } finally {
      tty.kill('SIGKILL');
    }
    expect(screen).toContain('JLine support is enabled');
    const piped = zkcli(['-server', node.connectString], 'ls /\nquit\n');
    expect(piped.code).toBe(0);
    expect(piped.stdout).toMatch(/\[[^\]]*tty[^\]]*\]/);
    expect(piped.stdout).toContain('JLine support is disabled');
    expect(piped.stdout).not.toContain('[zk: ');
  });

  it('through nx run zk-cli:serve: a comma-separated connect string and a quoted value arrive intact', async () => {
    const dead = await freePort();
    const args = `-server 127.0.0.1:${dead},${node.connectString} create /via-nx 'a b,c'`;
    const nx = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('npx', ['nx', 'run', 'zk-cli:serve', `--args=${args}`], {
        cwd: workspaceRoot,
        env: { ...process.env, NX_DAEMON: 'false', NX_ISOLATE_PLUGINS: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c));
      child.stderr.on('data', (c: Buffer) => (out += c));
      child.on('close', (code) => resolve({ code, out }));
    });
    expect({ code: nx.code, commandNotFound: nx.out.includes('Command not found') }).toEqual({ code: 0, commandNotFound: false });
    const get = zkcli(['-server', node.connectString, '-o', 'json', 'get', '/via-nx']);
    expect(JSON.parse(get.stdout)).toMatchObject({ command: 'get', ok: true, data: 'a b,c' });
  });
});
