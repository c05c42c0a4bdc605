/**
 * Which process launched us, and whether it is still there. A program started by a tool (Nx, npx,
 * npm, a test runner, a demo launcher) must not outlive it: killing `nx run ...:serve` has to stop the
 * server too, or it keeps its port and its registration. `sh -c` wrappers between us and the tool
 * are looked through. A program started from an interactive shell, or already adopted by init, is
 * left alone: the terminal's SIGHUP/SIGINT reach it, and `nohup ... &` keeps working.
 * Linux reads /proc; elsewhere only a change of our parent pid counts.
 */
import { readFileSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Kernel start time (clock ticks since boot): a reused pid has another. */
  start: string;
  comm: string;
  argv: string[];
}

export type ReadProcess = (pid: number) => ProcessInfo | undefined;

export function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
    return { pid, ppid: Number(fields[1]), start: fields[19], comm: stat.slice(stat.indexOf('(') + 1, close), argv };
  } catch {
    return undefined;
  }
}

const shells = new Set(['sh', 'dash', 'bash', 'zsh', 'ksh', 'fish', 'ash']);

function isShell(p: ProcessInfo): boolean {
  return shells.has(p.comm);
}

function isShellWrapper(p: ProcessInfo): boolean {
  return isShell(p) && p.argv.includes('-c');
}

/**
 * The processes to watch: the launching tool and the `sh -c` wrappers in between, nearest first.
 * Empty when started from an interactive shell, by init, or when /proc is not readable.
 */
export function launcherChain(ppid: number, read: ReadProcess = readProcess): ProcessInfo[] {
  const chain: ProcessInfo[] = [];
  let pid = ppid;
  for (let depth = 0; depth < 8 && pid > 1; depth++) {
    const p = read(pid);
    if (!p) return [];
    chain.push(p);
    if (!isShellWrapper(p)) return isShell(p) ? [] : chain;
    pid = p.ppid;
  }
  return [];
}

/** True when one of `chain` has exited (its pid is gone or now belongs to a newer process). */
export function launcherGone(chain: readonly ProcessInfo[], read: ReadProcess = readProcess): boolean {
  return chain.some((p) => read(p.pid)?.start !== p.start);
}

/** Polling period for the launcher check. */
export const launcherCheckMsDefault = 500;

/**
 * Calls `onGone` once when the launcher exits (or our parent changes). The timer is unref'd: it
 * never keeps the process alive. Returns a function that stops watching.
 */
export function watchLauncher(onGone: () => void, intervalMs: number = launcherCheckMsDefault): () => void {
  const ppid = process.ppid;
  if (ppid <= 1) return () => {};
  const chain = launcherChain(ppid);
  const timer = setInterval(() => {
    if (process.ppid !== ppid || (chain.length > 0 && launcherGone(chain))) {
      clearInterval(timer);
      onGone();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
