import { stopOnce } from '@coord/cli';
import type { Logger } from './ops';

/**
 * Clean shutdown for a running node (standalone or ensemble member): on SIGINT, SIGTERM or when the
 * process that launched it exits (Nx, npx, a test runner), close it once however many signals
 * arrive, then exit 0, or 1 if closing failed.
 */
export function stopOnSignals(node: { close(): Promise<void> }, log: Logger): void {
  stopOnce(async (reason) => {
    log.info(reason === 'launcher exited' ? 'The process that started this node exited, shutting down' : `Received ${reason}, shutting down`);
    try {
      await node.close();
    } catch (err) {
      log.error('shutdown failed', err);
      process.exit(1);
    }
    process.exit(0);
  });
}
