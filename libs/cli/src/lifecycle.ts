/**
 * The life cycle every long-running program shares: say the pid at start, and stop exactly once,
 * cleanly, on SIGINT, SIGTERM or when the process that launched it goes away.
 */
import { watchLauncher } from './launcher';

export type StopReason = 'SIGINT' | 'SIGTERM' | 'launcher exited';

/** `coordinode: pid 4242 (stop with Ctrl-C or kill -TERM 4242)` on stderr, so stdout stays the program's. */
export function announcePid(name: string, write: (text: string) => void = (t) => process.stderr.write(t)): void {
  write(`${name}: pid ${process.pid} (stop with Ctrl-C or kill -TERM ${process.pid})\n`);
}

/**
 * Runs `stop` once, on the first of SIGINT, SIGTERM or the launcher's exit; later signals are
 * ignored while it runs. `stop` decides the exit code (it should end with process.exit).
 */
export function stopOnce(stop: (reason: StopReason) => void | Promise<void>): void {
  let stopping = false;
  const fire = (reason: StopReason) => {
    if (stopping) return;
    stopping = true;
    Promise.resolve()
      .then(() => stop(reason))
      .catch((err: unknown) => {
        process.stderr.write(`shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => fire('SIGINT'));
  process.on('SIGTERM', () => fire('SIGTERM'));
  watchLauncher(() => fire('launcher exited'));
}
