/**
 * main.ts hands over here when zoo.cfg has server.N lines: start the member, print the same line
 * scripts wait for, and stop on SIGINT/SIGTERM.
 */
import type { Logger, NodeConfig } from '../ops';
import { startEnsembleNode } from './ensemble-node';
import { stopOnSignals } from '../shutdown';

export async function runEnsembleMember(config: NodeConfig, log: Logger): Promise<void> {
  const node = await startEnsembleNode(config, log);
  // Handlers first: a script may signal the moment it sees the listening line.
  stopOnSignals(node, log);
  process.stdout.write(`Coordinode listening on ${node.host}:${node.port} (ensemble member ${config.serverId})\n`);
}
