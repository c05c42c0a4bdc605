import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';

const workspaceRoot = join(__dirname, '../../..');
const listening = /^Coordinode listening on (\S+):(\d+)$/m;
const startDeadlineMs = 20000;
/** The transpiled node must stay light: well under what running through the TS compiler costs (~150 MiB). */
const idleRssKiBMax = 100 * 1024;

function ask(port: number, word: string): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    const s = net.connect(port, '127.0.0.1', () => s.write(word));
    s.on('data', (d) => (out += d.toString()));
    s.on('close', () => resolve(out));
    s.on('error', () => resolve(out));
  });
}

it('scripts/start.js builds, prints the listening line once, answers srvr, stays light, and stops on SIGTERM', async () => {
  const child = spawn(process.execPath, [join(workspaceRoot, 'apps/coord-node/scripts/start.js'), '--port=0', '--host=127.0.0.1'], {
    cwd: workspaceRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, COORD_LOG_LEVEL: 'warn' },
  });
  try {
    let stdout = '';
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no listening line')), startDeadlineMs);
      child.stdout!.on('data', (c: Buffer) => {
        stdout += c.toString();
        const m = listening.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[2]));
        }
      });
    });
    expect(port).toBeGreaterThan(0);
    expect(await ask(port, 'srvr')).toMatch(/Mode: standalone/);
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    expect(Number(/VmRSS:\s+(\d+)/.exec(status)![1])).toBeLessThan(idleRssKiBMax);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout.match(/Coordinode listening/g)).toHaveLength(1);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
