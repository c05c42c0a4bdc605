/**
 * zkcli: a zkCli.sh-compatible shell for ZooKeeper and Coordinode.
 *   npx zkcli -server 127.0.0.1:2181 [command args...]     (or npx nx run zk-cli:serve --args="...")
 * Composition root only: read argv and env, wire the real client, run, exit with the shell's code.
 */
import { watchLauncher } from '@coord/cli';
import { ArgvError, cliHelp, parseArgv } from './lib/argv';
import { coordClientFactory, coordClientFactoryWith } from './lib/client-adapter';
import { ClientConfigurationError, saslFromJvmFlags, tlsFromClientConfiguration } from './lib/client-configuration';
import { ExitCode } from './lib/commands/command';
import { historyFilePath } from './lib/history-file';
import { runCli } from './lib/repl';

// `zkcli ls / | head -1`: a reader that goes away is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(ExitCode.ok);
    throw err;
  });
}

let verbose = process.argv.includes('--verbose') || process.argv.includes('-verbose');

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgv(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof ArgvError)) throw err;
    process.stderr.write(`${err.message}\nRun zkcli --help for the options.\n`);
    return ExitCode.usage;
  }
  if (args.help) {
    process.stdout.write(cliHelp(process.env));
    return ExitCode.ok;
  }
  verbose = args.verbose;
  // TLS from -client-configuration, SASL from a JAAS Client section named in CLIENT_JVMFLAGS (as zkCli.sh).
  let clientFactory = coordClientFactory;
  try {
    const tls = args.clientConfiguration !== undefined ? tlsFromClientConfiguration(args.clientConfiguration) : undefined;
    const sasl = saslFromJvmFlags(process.env);
    if (tls || sasl) clientFactory = coordClientFactoryWith({ ...(tls && { tls }), ...(sasl && { sasl }) });
  } catch (err) {
    if (!(err instanceof ClientConfigurationError)) throw err;
    process.stderr.write(`zkcli: ${err.message}\n`);
    return ExitCode.usage;
  }
  // An interactive shell started by Nx or npx must not outlive it (nor keep its session open).
  watchLauncher(() => process.exit(ExitCode.connection));
  return runCli({
    args,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: Boolean(process.stdin.isTTY && process.stdout.isTTY) && args.output === 'text',
    clientFactory,
    historyFile: historyFilePath(process.env),
    timeZone: process.env['TZ'] || undefined,
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`zkcli: ${verbose && err instanceof Error ? err.stack : err instanceof Error ? err.message : String(err)}\n`);
    process.exit(ExitCode.commandError);
  },
);
