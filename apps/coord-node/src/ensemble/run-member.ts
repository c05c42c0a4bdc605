/**
 * main.ts hands over here when zoo.cfg has server.N lines: start the member, print the same line
 * scripts wait for, and stop on SIGINT/SIGTERM.
 */
import type { Logger, NodeConfig } from '../ops';
import { startEnsembleNode } from './ensemble-node';

export async function runEnsembleMember(config: NodeConfig, log: Logger): Promise<void> {
  const node = await startEnsembleNode(config, log);
  process.stdout.write(`Coordinode listening on ${node.host}:${node.port} (ensemble member ${config.serverId})\n`);
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
