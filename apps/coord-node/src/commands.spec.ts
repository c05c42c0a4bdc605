/**
 * `coordinode` as a user runs it: the command on the PATH of npx (bin/coordinode.js, prebuilt
 * JavaScript), its help, its answers to wrong flags, a port already in use, the pid line, one
 * clean stop per signal, and no orphan when the process that launched it dies, directly or
 * through `nx run coord-node:serve`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as net from 'node:net';
import { join } from 'node:path';
import { freePort, spawnCoordinode, workspaceRoot } from '@coord/testing';

jest.setTimeout(90_000);

/**
 * `nx run coord-node:serve` turns the web console on at 8080 (the target sets COORD_ADMIN_PORT, which
 * wins over the caller's environment); the tests turn it off with zoo.cfg so they need no fixed port.
 */
let noConsoleCfg: string;
let cfgDir: string;
beforeAll(() => {
  cfgDir = mkdtempSync(join(tmpdir(), 'coordinode-commands-'));
  noConsoleCfg = join(cfgDir, 'zoo.cfg');
  writeFileSync(noConsoleCfg, 'admin.enableServer=false\n');
});
afterAll(() => rmSync(cfgDir, { recursive: true, force: true }));

const bin = join(workspaceRoot, 'node_modules/.bin/coordinode');

function coordinode(args: string[]) {
  const r = spawnSync(bin, args, { cwd: workspaceRoot, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function eventually(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function answersSrvr(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    let out = '';
    const s = net.connect(port, '127.0.0.1', () => s.write('srvr'));
    s.on('data', (d) => (out += d.toString()));
    s.on('close', () => resolve(out.includes('Mode: standalone')));
    s.on('error', () => resolve(false));
  });
}

/** Collects a child's output and resolves the first line matching `pattern`. */
function waitForLine(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} in:\n${text}`)), 30_000);
    child[stream]!.on('data', (c: Buffer) => {
      text += c.toString();
      const m = pattern.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
  });
}

it('npm ci linked the command; it runs prebuilt JavaScript (no compiler loaded)', () => {
  expect(existsSync(bin)).toBe(true);
  expect(existsSync(join(workspaceRoot, 'dist/apps/coord-node/src/main.js'))).toBe(true);
  const r = spawnSync(process.execPath, ['-e', `process.on('exit', () => console.error('swc loaded: ' + Object.keys(require.cache).some((k) => k.includes('@swc')))); process.argv.splice(1, 1, ${JSON.stringify(bin)}, '--help'); require(${JSON.stringify(bin)});`], {
    cwd: workspaceRoot,
    encoding: 'utf8',
  });
  expect(r.status).toBe(0);
  expect(r.stderr).toContain('swc loaded: false');
});

it('--help and -h describe every flag with its default, exit 0 and start nothing', () => {
  for (const flag of ['--help', '-h']) {
    const r = coordinode([flag]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const f of ['--port <port>', '--host <address>', '--data-dir <dir>', '--config <zoo.cfg>', '--tick-time <ms>', '--log-level <level>', '--server-id <id>', '--repair', '--verbose']) {
      expect(r.stdout).toContain(f);
    }
    expect(r.stdout).toMatch(/else 2181\)/);
    expect(r.stdout).not.toContain('listening');
  }
  const tool = coordinode(['purge', '--help']);
  expect(tool.code).toBe(0);
  expect(tool.stdout).toMatch(/--count <n>\s+snapshots to keep, 3 or more \(default: 3\)/);
});

it('a misspelled flag or command exits 2 with a suggestion, and starts no server', () => {
  const flag = coordinode(['--prot=22182']);
  expect(flag).toMatchObject({ code: 2, stdout: '' });
  expect(flag.stderr).toBe("error: unknown option '--prot'\n(Did you mean --port?)\n");
  const command = coordinode(['inspct-log', 'x']);
  expect(command.code).toBe(2);
  expect(command.stderr).toContain("unknown command 'inspct-log'\n(Did you mean inspect-log?)");
});

it('an invalid value names the flag and the accepted range', () => {
  const port = coordinode(['--port=70000']);
  expect(port.code).toBe(2);
  expect(port.stderr).toBe('coordinode: Invalid --port="70000" (flag): expected an integer 0..65535\n');
  const tick = coordinode(['--tick-time', '0']);
  expect(tick.code).toBe(2);
  expect(tick.stderr).toContain('--tick-time="0" (flag): expected an integer >= 1');
  const count = coordinode(['purge', '/tmp', '--count=1']);
  expect(count.code).toBe(2);
  expect(count.stderr).toContain("option '--count <n>' argument '1' is invalid. expected an integer from 3 to 1000000");
});

it('a port in use is one line naming the address and the flag; no stack trace', async () => {
  const first = await spawnCoordinode();
  try {
    const r = coordinode([`--port=${first.port}`, '--host=127.0.0.1']);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^coordinode: pid \d+ /),
      `coordinode: cannot listen on 127.0.0.1:${first.port}: address already in use (another process has it; choose another with --port)`,
    ]);
  } finally {
    await first.stop();
  }
});

it('prints its pid, stops once on repeated SIGTERM, and exits 0', async () => {
  const port = await freePort();
  const child = spawn(bin, [`--port=${port}`], { cwd: workspaceRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c));
  const pidLine = await waitForLine(child, 'stderr', /coordinode: pid (\d+) /);
  expect(Number(pidLine[1])).toBe(child.pid);
  await waitForLine(child, 'stdout', /Coordinode listening on 127\.0\.0\.1:(\d+)/);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  child.kill('SIGTERM');
  child.kill('SIGINT');
  expect(await exited).toBe(0);
  expect(stderr.match(/shutting down/g)).toEqual(['shutting down']);
});

it('exits when the process that launched it is killed (no orphan holding the port)', async () => {
  const port = await freePort();
  // A launcher like npx or a test runner: it starts the node and is then killed with SIGKILL.
  const launcher = spawn(
    process.execPath,
    ['-e', `const c = require('node:child_process').spawn(${JSON.stringify(bin)}, ['--port=${port}'], { stdio: ['ignore', 'inherit', 'inherit'] }); setInterval(() => {}, 1000);`],
    { cwd: workspaceRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const pid = Number((await waitForLine(launcher, 'stderr', /coordinode: pid (\d+) /))[1]);
  await waitForLine(launcher, 'stdout', /Coordinode listening/);
  expect(await answersSrvr(port)).toBe(true);
  launcher.kill('SIGKILL');
  await eventually(() => !alive(pid), 10_000, `node ${pid} to exit after its launcher`);
  expect(await answersSrvr(port)).toBe(false);
});

it('through nx run coord-node:serve: the arguments arrive as typed, and killing Nx stops the node', async () => {
  const port = await freePort();
  const nx = spawn('npx', ['nx', 'run', 'coord-node:serve', `--args=--port=${port} --host=127.0.0.1 --config=${noConsoleCfg}`], {
    cwd: workspaceRoot,
    env: { ...process.env, NX_DAEMON: 'false', NX_ISOLATE_PLUGINS: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  try {
    const pidLine = waitForLine(nx, 'stderr', /coordinode: pid (\d+) /);
    await waitForLine(nx, 'stdout', new RegExp(`Coordinode listening on 127\\.0\\.0\\.1:${port}`));
    const pid = Number((await pidLine)[1]);
    expect(await answersSrvr(port)).toBe(true);
    // The node's launcher is the Nx process itself (the run-commands shell is exec'd away).
    const nxPid = Number(spawnSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim());
    expect(spawnSync('ps', ['-o', 'args=', '-p', String(nxPid)], { encoding: 'utf8' }).stdout).toMatch(/nx run coord-node:serve/);
    process.kill(nxPid, 'SIGKILL');
    await eventually(() => !alive(pid), 10_000, `node ${pid} to exit after Nx was killed`);
    expect(await answersSrvr(port)).toBe(false);
  } finally {
    try {
      process.kill(-nx.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

it('Ctrl-C on a terminal running nx run coord-node:serve stops the node cleanly and Nx reports success', async () => {
  const port = await freePort();
  // util-linux `script` gives Nx a terminal, as when a person runs it; \x03 is Ctrl-C typed there.
  const tty = spawn('script', ['-qfec', `npx nx run coord-node:serve --args="--port=${port} --config=${noConsoleCfg}"`, '/dev/null'], {
    cwd: workspaceRoot,
    env: { ...process.env, NX_DAEMON: 'false', NX_ISOLATE_PLUGINS: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: '0' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  tty.stdout!.on('data', (c: Buffer) => (screen += c));
  try {
    const pid = Number((await waitForLine(tty, 'stdout', /coordinode: pid (\d+) /))[1]);
    await waitForLine(tty, 'stdout', /Coordinode listening/);
    tty.stdin!.write('\x03');
    await eventually(() => !alive(pid), 15_000, `node ${pid} to stop on Ctrl-C`);
    await eventually(() => /Successfully ran target serve|Running target serve .*failed/.test(screen), 15_000, 'Nx to report');
    expect(screen).toContain('Received SIGINT, shutting down');
    expect(screen).toContain('Successfully ran target serve for project coord-node');
    expect(screen).not.toMatch(/Running target serve .*failed/);
  } finally {
    tty.kill('SIGKILL');
  }
});
