/**
 * Composition root: reads the command line (command-line.ts), env and zoo.cfg, starts the node,
 * prints the one line scripts wait for, and stops once on SIGINT, SIGTERM or when its launcher exits.
 * Errors are one line naming what the user gave (flag, address, directory); --verbose adds stacks.
 */
import { readFileSync } from 'node:fs';
import { announcePid, listenErrorLine } from '@coord/cli';
import { ConfigError, configFromFlags, createLogger, openDurable, runEnsembleMember, startNode, stopOnSignals, StorageError, type NodeConfig } from '@coord/node';
import { runCommandLine } from './command-line';

const name = 'coordinode';
let verbose = process.argv.includes('--verbose');

function fail(message: string, code: number, err?: unknown): never {
  process.stderr.write(`${name}: ${message}\n`);
  if (verbose && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(code);
}

/** The listen failure in one line, naming the address asked for and the flag (or zoo.cfg key) that changes it. */
function failToListen(err: unknown, config: NodeConfig): never {
  // The node listens on more than its client port: the AdminServer, and an ensemble member's peer ports.
  const failedPort = (err as { port?: unknown } | undefined)?.port;
  const otherPortFlag =
    config.admin.enabled && failedPort === config.admin.port
      ? `COORD_ADMIN_PORT or admin.serverPort${config.configPath ? ` in ${config.configPath}` : ''} (the web console; admin.enableServer=false turns it off)`
      : `the server.N lines of ${config.configPath}`;
  const line = listenErrorLine(err, {
    host: config.host,
    port: config.port,
    portFlag: config.configPath ? `--port or clientPort in ${config.configPath}` : '--port',
    hostFlag: config.configPath ? `--host or clientPortAddress in ${config.configPath}` : '--host',
    otherPortFlag,
  });
  if (line) fail(line, 1, err);
  throw err;
}

async function main(): Promise<void> {
  const invocation = runCommandLine(process.argv.slice(2));
  if (invocation.kind === 'done') process.exit(invocation.exitCode);
  verbose = invocation.verbose;
  let loaded;
  try {
    loaded = configFromFlags(invocation.flags, process.env, (p) => readFileSync(p, 'utf8'));
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message, 2, e);
    throw e;
  }
  const { config, warnings } = loaded;
  // A listen failure is reported once, in one line, by failToListen; the node's own log of it (with
  // its stack) is kept for --verbose.
  const listenFailure = /listen (EADDRINUSE|EACCES|EADDRNOTAVAIL)|getaddrinfo ENOTFOUND/;
  const log = createLogger(name, { level: config.logLevel, sink: (line) => (verbose || !listenFailure.test(line) ? process.stderr.write(line) : undefined) });
  for (const w of warnings) log.warn(w);
  announcePid(name);
  // server.N lines: run as an ensemble member (ZAB replication) instead of a standalone node.
  if (config.members.length > 0) {
    await runEnsembleMember(config, log).catch((e: unknown) => failToListen(e, config));
    return;
  }
  let node;
  try {
    const durable = config.dataDir ? openDurable(config, log, { repair: invocation.repair }) : undefined;
    node = await startNode({ ...config, logger: log, ...(durable && { txnLog: durable.txnLog, restore: durable.restore }) });
  } catch (e) {
    // The data directory cannot be trusted as it is: say where, and how to override (--repair).
    if (e instanceof StorageError) fail(`cannot start: ${e.message}`, 3, e);
    failToListen(e, config);
  }
  // Handlers first: a script that reads the listening line may signal at once.
  stopOnSignals(node, log);
  process.stdout.write(`Coordinode listening on ${node.host}:${node.port}\n`);
  log.info(`tickTime=${config.tickTime} sessionTimeout=[${config.minSessionTimeout},${config.maxSessionTimeout}] dataDir=${config.dataDir ?? '(in memory)'}`);
}

main().catch((err: unknown) => fail(`failed to start: ${err instanceof Error ? err.message : String(err)}`, 1, err));
