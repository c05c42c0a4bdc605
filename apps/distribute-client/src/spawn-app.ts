/**
 * Runs one of the demo apps as a real process (node + swc-node, like `nx serve` does) and follows its
 * output. Used by the e2e tests and by the scripted walkthrough.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

export const workspaceRoot = resolve(__dirname, '..', '..', '..');

export interface AppProcess {
  name: string;
  child: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in the output from `from` on (a character offset). */
  waitFor(pattern: RegExp, timeoutMs: number, from?: number): Promise<RegExpExecArray>;
  /** SIGTERM (or another signal), then waits for the exit; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function spawnApp(
  name: string,
  app: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; onLine?: (line: string) => void } = {},
): AppProcess {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(workspaceRoot, 'apps', app, 'src', 'main.ts'), ...args], {
    cwd: workspaceRoot,
    env: { ...process.env, SWC_NODE_PROJECT: join(workspaceRoot, 'tsconfig.base.json'), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  let partial = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    const s = chunk.toString('utf8');
    text += s;
    if (opts.onLine) {
      partial += s;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) opts.onLine(l);
    }
    for (const w of waiters) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    name,
    child,
    output: () => text,
    waitFor(pattern, timeoutMs, from = 0) {
      return new Promise((resolvePromise, reject) => {
        const check = () => {
          const re = new RegExp(pattern.source, pattern.flags.replace('g', ''));
          const m = re.exec(text.slice(from));
          if (m) {
            done();
            resolvePromise(m);
          }
        };
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${name}: no ${pattern} within ${timeoutMs} ms; output so far:\n${text}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
