/**
 * zk-cli: a zkCli.sh-compatible shell for ZooKeeper and Coordinode.
 *   npx nx run zk-cli:serve --args="-server 127.0.0.1:2181"
 * Composition root only: read argv and env, wire the real client, run, exit with the shell's code.
 */
import { ArgvError, cliUsage, parseArgv } from './lib/argv';
import { coordClientFactory } from './lib/client-adapter';
import { ExitCode } from './lib/commands/command';
import { historyFilePath } from './lib/history-file';
import { runCli } from './lib/repl';

// `zk-cli ls / | head -1`: a reader that goes away is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(ExitCode.ok);
    throw err;
  });
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgv(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof ArgvError)) throw err;
    process.stderr.write(err.message + '\n');
    cliUsage.forEach((l) => process.stderr.write(l + '\n'));
    return ExitCode.usage;
  }
  return runCli({
    args,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: Boolean(process.stdin.isTTY && process.stdout.isTTY) && args.output === 'text',
    clientFactory: coordClientFactory,
    historyFile: historyFilePath(process.env),
    timeZone: process.env['TZ'] || undefined,
  });
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(ExitCode.commandError);
  },
);
