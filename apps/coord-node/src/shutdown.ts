import type { Logger } from './ops';

/**
 * Clean shutdown on SIGINT/SIGTERM for a running node (standalone or ensemble member): close it once,
 * however many signals arrive, then exit 0, or 1 if closing failed.
 */
export function stopOnSignals(node: { close(): Promise<void> }, log: Logger): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`Received ${signal}, shutting down`);
    node.close().then(
      () => process.exit(0),
      (err) => {
        log.error('shutdown failed', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
