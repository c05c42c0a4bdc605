/**
 * Composition root: reads flags, env and zoo.cfg, starts the node, prints the one line scripts wait
 * for, and stops cleanly on SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { isToolCommand, runTool } from './durable-cli';
import { openDurable, StorageError } from './durable-node';
import { runEnsembleMember } from './ensemble/run-member';
import { startNode } from './node';
import { ConfigError, createLogger, loadNodeConfig } from './ops';
import { stopOnSignals } from './shutdown';

/** Nx passes `--args="--port=1 --data-dir=x"` through as one argument; split it back into flags. */
function expandArgs(argv: string[]): string[] {
  return argv.flatMap((a) => (a.startsWith('--args=') ? a.substring(7).split(/\s+/).filter(Boolean) : [a]));
}

async function main(): Promise<void> {
  const argv = expandArgs(process.argv.slice(2));
  // Offline tools (inspect-log, inspect-snapshot, purge) run and exit without starting a node.
  if (isToolCommand(argv)) process.exit(runTool(argv));
  // --repair: let recovery truncate a corrupt log / set aside a corrupt snapshot instead of refusing.
  const repair = argv.includes('--repair');
  let loaded;
  try {
    loaded = loadNodeConfig(argv.filter((a) => a !== '--repair'), process.env, (p) => readFileSync(p, 'utf8'));
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`coord-node: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const { config, warnings } = loaded;
  const log = createLogger('coord-node', { level: config.logLevel });
  for (const w of warnings) log.warn(w);
  // server.N lines: run as an ensemble member (ZAB replication) instead of a standalone node.
  if (config.members.length > 0) {
    await runEnsembleMember(config, log);
    return;
  }
  const durable = config.dataDir ? openDurable(config, log, { repair }) : undefined;
  let node;
  try {
    node = await startNode({ ...config, logger: log, ...(durable && { txnLog: durable.txnLog, restore: durable.restore, core: durable.core }) });
  } catch (e) {
    if (!(e instanceof StorageError)) throw e;
    // The data directory cannot be trusted as it is: say where, and how to override.
    log.error(`cannot start: ${e.message}`);
    process.stderr.write(`coord-node: cannot start: ${e.message}\n`);
    process.exit(3);
  }
  process.stdout.write(`Coordinode listening on ${node.host}:${node.port}\n`);
  log.info(`tickTime=${config.tickTime} sessionTimeout=[${config.minSessionTimeout},${config.maxSessionTimeout}] dataDir=${config.dataDir ?? '(in memory)'}`);
  stopOnSignals(node, log);
}

main().catch((err) => {
  process.stderr.write(`coord-node failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
