/**
 * `nx run coord-node:ensemble` (launcher.ts) starts three members on --base-port .. +2 and stops
 * them all on SIGINT (Ctrl-C), exiting 0.
 */
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { join } from 'node:path';
import { fourLetterWord } from '@coord/testing';
import { waitFor } from './ensemble-harness';
import { workspaceRoot } from './local-ensemble';

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

it('starts a three-member ensemble on --base-port and stops it on SIGINT', async () => {
  const base = await freeBase();
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(workspaceRoot, 'apps/coord-node/src/ensemble/launcher.ts'), `--base-port=${base}`], {
    cwd: workspaceRoot,
    env: { ...process.env, SWC_NODE_PROJECT: 'tsconfig.base.json' },
    stdio: ['ignore', 'pipe', 'pipe'],
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
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('ensemble: stopped');
    await expect(fourLetterWord('127.0.0.1', base, 'srvr', 1000)).rejects.toThrow();
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
