/**
 * `nx run coord-node:ensemble` (launcher.ts) starts three members on --base-port .. +2, prefixes their
 * lines with member id and role, prints pids and restart commands, reports a member that dies, restarts
 * it on "restart N", and on SIGINT (Ctrl-C) stops them all, removes its temp data dir and exits 0.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { fourLetterWord } from '@coord/testing';
import { memberPrefix, roleFromLogLine, shellCommand, workspaceRoot } from '@coord/node';
import { waitFor } from '@coord/node/testing';

describe('launcher output helpers', () => {
  it('takes the role from the member\'s own log lines', () => {
    expect(roleFromLogLine('2026-12-06T14:12:51.858Z [INFO] [coordinode] serving as leader of epoch 1 (leader 3)')).toBe('leader');
    expect(roleFromLogLine('... serving as follower of epoch 2 (leader 1)')).toBe('follower');
    expect(roleFromLogLine('... [INFO] [coordinode] stopped serving: leader 3 silent')).toBe('looking');
    expect(roleFromLogLine('Coordinode listening on 127.0.0.1:2181 (ensemble member 1)')).toBeUndefined();
    expect(memberPrefix(2, 'follower')).toBe('[member 2 follower]');
  });

  it('prints a restart command a shell runs as is', () => {
    expect(shellCommand(['/a/start.js', '--config=/tmp/x y/zoo.cfg'])).toBe("node /a/start.js '--config=/tmp/x y/zoo.cfg'");
  });
});

jest.setTimeout(60_000);

/** Port offsets the launcher uses for quorum and election ports (see launcher.ts). */
const offsets = [0, 700, 1700];
const membersCount = 3;
const baseAttemptsMax = 20;

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A base port whose nine derived ports are all free right now (ephemeral range avoided). */
async function freeBase(): Promise<number> {
  for (let attempt = 0; attempt < baseAttemptsMax; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 8000);
    const ports = offsets.flatMap((o) => Array.from({ length: membersCount }, (_, i) => base + o + i));
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no free base port');
}

it('starts a three-member ensemble on --base-port, reports and restarts a killed member, cleans up on SIGINT', async () => {
  const base = await freeBase();
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(workspaceRoot, 'apps/coord-node/src/ensemble/launcher.ts'), `--base-port=${base}`], {
    cwd: workspaceRoot,
    env: { ...process.env, SWC_NODE_PROJECT: 'tsconfig.base.json' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', () => undefined);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (out.includes('connect with')) {
          clearInterval(timer);
          resolve();
        }
      }, 50);
      void exited.then((code) => {
        clearInterval(timer);
        reject(new Error(`launcher exited ${code}: ${out}`));
      });
    });
    expect(out).toContain(`127.0.0.1:${base},127.0.0.1:${base + 1},127.0.0.1:${base + 2}`);
    const modes = await waitFor('one leader and two followers', 10_000, async () => {
      const m = await Promise.all([0, 1, 2].map(async (i) => /Mode: (\w+)/.exec(await fourLetterWord('127.0.0.1', base + i, 'srvr', 1000))?.[1]));
      return m.filter((x) => x === 'leader').length === 1 && m.filter((x) => x === 'follower').length === 2 ? m : undefined;
    });
    expect(modes).toHaveLength(3);

    // Every member line carries its id and role; the roles shown agree with srvr.
    const memberLines = out.split('\n').filter((l) => l.startsWith('[member '));
    expect(memberLines.length).toBeGreaterThan(6);
    for (const l of memberLines) expect(l).toMatch(/^\[member [1-3] (leader|follower|looking)\] /);
    const leaderId = modes.indexOf('leader') + 1;
    await waitFor('the leader line', 5_000, async () => out.includes(`[member ${leaderId} leader] `) || undefined);
    expect(out).not.toMatch(new RegExp(`\\[member (?!${leaderId})\\d leader\\]`));

    // Pids and the command to run each member by hand.
    const pids = [1, 2, 3].map((id) => Number(new RegExp(`ensemble: member ${id}: pid (\\d+)`).exec(out)![1]));
    for (const pid of pids) expect(() => process.kill(pid, 0)).not.toThrow();
    expect(out).toMatch(/ensemble: {3}run it by hand: node \S+start\.js --config=\S+member-1\/zoo\.cfg/);
    const dataDir = /data in (\S+), removed on exit/.exec(out)![1];
    expect(existsSync(dataDir)).toBe(true);

    // A member killed from outside is reported; "restart 2" brings it back with a new pid.
    process.kill(pids[1], 'SIGKILL');
    await waitFor('the exit report', 5_000, async () => out.includes(`ensemble: member 2 (pid ${pids[1]}) EXITED on its own (signal SIGKILL)`) || undefined);
    child.stdin.write('restart 2\n');
    const [, newPid] = await waitFor('the restart', 15_000, async () => /ensemble: member 2 restarted \(pid (\d+)\)/.exec(out) ?? undefined);
    expect(Number(newPid)).not.toBe(pids[1]);
    await waitFor('member 2 serving again', 10_000, async () => /Mode: (leader|follower)/.test(await fourLetterWord('127.0.0.1', base + 1, 'srvr', 1000).catch(() => '')) || undefined);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('ensemble: stopped');
    expect(out).toContain(`ensemble: removed the temp data dir ${dataDir}`);
    expect(existsSync(dataDir)).toBe(false);
    await expect(fourLetterWord('127.0.0.1', base, 'srvr', 1000)).rejects.toThrow();
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
