import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { tempDir } from './ports';
import { stopProcess } from './process';
import type { RunningServer } from './apache-zookeeper';

/** The repository root (libs/testing/src -> ../../..). */
export const workspaceRoot = resolve(__dirname, '..', '..', '..');
const listeningLine = /Coordinode listening on ([^\s:]+|\[[^\]]+\]):(\d+)/;
const startDeadlineMs = 30_000;

export interface SpawnedNode extends RunningServer {
  child: ChildProcess;
  /** Everything the node wrote to stderr so far (its log). */
  log(): string;
  /** kill -9: no clean shutdown, for crash tests. */
  crash(): Promise<void>;
}

/**
 * Starts our coordination node as a real process (`apps/coord-node/scripts/start.js`), on a free
 * loopback port unless `args` say otherwise, and resolves once it prints its listening line.
 */
export async function spawnCoordinode(
  opts: {
    args?: string[];
    dataDir?: string;
    env?: NodeJS.ProcessEnv;
    config?: Record<string, string>;
    /** The checkout whose node to start (default: this one); a before/after benchmark passes an older one. */
    workspace?: string;
  } = {},
): Promise<SpawnedNode> {
  const root = opts.workspace ?? workspaceRoot;
  const dir = opts.dataDir ? undefined : await tempDir('coordinode-data-');
  const dataDir = opts.dataDir ?? dir!.path;
  const args = ['--host=127.0.0.1', '--port=0', `--data-dir=${dataDir}`];
  if (opts.config) {
    // zoo.cfg keys, written next to the data so the node reads them exactly as ZooKeeper would.
    const cfgPath = join(dataDir, 'zoo.cfg');
    await writeFile(cfgPath, Object.entries(opts.config).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
    args.push(`--config=${cfgPath}`);
  }
  args.push(...(opts.args ?? []));
  // The same start path as `nx run coord-node:serve`: transpiled once to dist/, then plain node, so the
  // process holds no compiler (what a user runs, and what the memory benchmark must measure).
  const child = spawn(process.execPath, [join(root, 'apps/coord-node/scripts/start.js'), ...args], {
    cwd: root,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const address = await new Promise<{ host: string; port: number }>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      // Never leave a half-started node behind: the caller gets no handle to stop it.
      child.kill('SIGKILL');
      reject(new Error(`coordinode did not start within ${startDeadlineMs} ms:\n${stderr}`));
    }, startDeadlineMs);
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
      const m = listeningLine.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`coordinode exited before listening (code ${code}, signal ${signal}):\n${stderr}`));
    });
  }).catch(async (err: unknown) => {
    await dir?.remove();
    throw err;
  });
  const cleanup = async () => {
    if (dir) await dir.remove();
  };
  return {
    name: 'coordinode',
    host: address.host,
    port: address.port,
    connectString: `${address.host}:${address.port}`,
    pid: child.pid,
    dataDir,
    child,
    log: () => stderr,
    stop: async () => {
      await stopProcess(child);
      await cleanup();
    },
    crash: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
