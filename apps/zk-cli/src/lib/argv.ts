/**
 * The process's own arguments and environment, read with commander: zkCli's `-server`, `-timeout`,
 * `-r`, `-waitforconnection`, `-client-configuration`, plus `-connect-timeout`, `-o json|text` and
 * `-compat 3.8|3.9`. zkCli spells its options with one dash; each is accepted with one or two
 * (`-server` = `--server`). The first argument that is not an option starts a one-shot command, and
 * everything after it (`ls -s /`) belongs to that command.
 */
import { Command, integerIn, Option, parseQuietly } from '@coord/cli';
import type { EventStyle } from './format/event';
import type { OutputFormat } from './shell';

export const serverDefault = 'localhost:2181';
/** zkCli asks for a 30 s session. */
export const sessionTimeoutMsDefault = 30_000;
/** A script must not wait 30 s for an address that refuses: connecting gives up after this long (or the session timeout, if shorter). */
export const connectTimeoutMsDefault = 5_000;
const timeoutMsMax = 2_147_483_647;

export interface CliArgs {
  server: string;
  sessionTimeoutMs: number;
  connectTimeoutMs: number;
  readOnly: boolean;
  output: OutputFormat;
  eventStyle: EventStyle;
  /** The one-shot command and its arguments; undefined for the interactive shell. */
  command?: string[];
  help: boolean;
  verbose: boolean;
  /** -client-configuration: the Java client's properties file (TLS keys). */
  clientConfiguration?: string;
}

export class ArgvError extends Error {}

/** zkCli's multi-letter options, spelled with one dash there. */
const longOptions = new Set(['server', 'timeout', 'connect-timeout', 'client-configuration', 'compat', 'waitforconnection', 'readonly', 'output', 'help', 'verbose']);
const valuedOptions = new Set(['--server', '--timeout', '--connect-timeout', '--client-configuration', '--compat', '--output', '-o']);

function program(env: Record<string, string | undefined>): Command {
  return new Command('zkcli')
    .description('A zkCli.sh-compatible shell for ZooKeeper and Coordinode: interactive, piped (commands on stdin) or one-shot (a command on the command line).')
    .usage('[options] [command [args...]]')
    .helpOption('-h, --help', 'show this help and exit')
    .showSuggestionAfterError(true)
    .addOption(new Option('--server <host:port,...>', 'servers to connect to, with an optional /chroot').default(env['ZKCLI_SERVER'] ?? serverDefault, env['ZKCLI_SERVER'] ? '$ZKCLI_SERVER' : `$ZKCLI_SERVER, else ${serverDefault}`))
    .addOption(new Option('--timeout <ms>', 'session timeout in ms').argParser(integerIn(1, timeoutMsMax, ' ms')).default(sessionTimeoutMsDefault))
    .addOption(
      new Option('--connect-timeout <ms>', 'give up connecting after this long; exit code 2')
        .argParser(integerIn(1, timeoutMsMax, ' ms'))
        .default(undefined, `${connectTimeoutMsDefault}, or the session timeout if shorter`),
    )
    .addOption(new Option('-r, --readonly', 'read-only mode: connect to a read-only server too').default(false))
    .addOption(new Option('-o, --output <format>', 'output format; json prints one JSON document per command').choices(['text', 'json']).default('text'))
    .addOption(new Option('--compat <version>', 'watch event text of zkCli 3.8 or 3.9').choices(['3.8', '3.9']).default(env['ZKCLI_COMPAT'] ?? '3.8', env['ZKCLI_COMPAT'] ? '$ZKCLI_COMPAT' : '$ZKCLI_COMPAT, else 3.8'))
    .addOption(new Option('--waitforconnection', "accepted for zkCli's sake: the shell always waits for its session"))
    .addOption(new Option('--client-configuration <file>', 'Java client properties: zookeeper.client.secure=true and zookeeper.ssl.keyStore/trustStore.* connect with TLS'))
    .addOption(new Option('--verbose', 'print stack traces with unexpected errors (default: one line)'))
    .argument('[command...]', 'a one-shot command, e.g. ls -s / (none: read commands from the terminal or stdin)')
    .addHelpText(
      'after',
      [
        '',
        'Options take one dash or two, as in zkCli.sh (-server or --server).',
        'Environment: ZKCLI_SERVER (default server), ZKCLI_HISTORY (history file), ZKCLI_COMPAT (3.8|3.9), TZ (time zone of dates),',
        '  CLIENT_JVMFLAGS="-Djava.security.auth.login.config=FILE" (SASL DIGEST-MD5 with the JAAS Client section, as zkCli.sh)',
        'Exit codes: 0 ok, 1 command error, 2 connection failure, 3 usage',
        'Type help in the shell for its commands.',
      ].join('\n'),
    );
}

/**
 * Splits argv at the command: the options before it, rewritten from zkCli's `-server` to commander's
 * `--server`, and the command with its own arguments (`ls -s /`), which are left untouched.
 */
function splitAtCommand(argv: readonly string[]): { options: string[]; command: string[] } {
  const options: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    if (!arg.startsWith('-') || arg === '-') return { options, command: argv.slice(i) };
    if (arg === '--') return { options, command: argv.slice(i + 1) };
    if (!arg.startsWith('--') && arg.length > 2) {
      const name = arg.slice(1).split('=')[0];
      // A known option, or a misspelled long one (`-servr`): commander then suggests `--server`.
      if (longOptions.has(name) || name.length > 2) arg = `-${arg}`;
    }
    options.push(arg);
    if (valuedOptions.has(arg) && i + 1 < argv.length) options.push(argv[++i]);
  }
  return { options, command: [] };
}

/** The usage text (`zkcli --help`). */
export function cliHelp(env: Record<string, string | undefined> = {}): string {
  return program(env).helpInformation();
}

export const cliUsage = cliHelp().trimEnd().split('\n');

export function parseArgv(argv: readonly string[], env: Record<string, string | undefined>): CliArgs {
  const cmd = program(env);
  const { options, command } = splitAtCommand(argv);
  if (options.some((a) => a === '-h' || a === '--help')) return { ...defaults(env), help: true };
  const problem = parseQuietly(cmd, options);
  if (problem !== undefined) throw new ArgvError(`Error: ${problem}`);
  const o = cmd.opts<{ server: string; timeout: number; connectTimeout?: number; readonly: boolean; output: OutputFormat; compat: EventStyle; verbose?: boolean; clientConfiguration?: string }>();
  if (o.compat !== '3.8' && o.compat !== '3.9') throw new ArgvError(`Error: ZKCLI_COMPAT must be 3.8 or 3.9, got ${o.compat}`);
  return {
    server: o.server,
    sessionTimeoutMs: o.timeout,
    connectTimeoutMs: o.connectTimeout ?? Math.min(connectTimeoutMsDefault, o.timeout),
    readOnly: o.readonly,
    output: o.output,
    eventStyle: o.compat,
    command: command.length > 0 ? command : undefined,
    help: false,
    verbose: Boolean(o.verbose),
    ...(o.clientConfiguration !== undefined && { clientConfiguration: o.clientConfiguration }),
  };
}

function defaults(env: Record<string, string | undefined>): CliArgs {
  return {
    server: env['ZKCLI_SERVER'] ?? serverDefault,
    sessionTimeoutMs: sessionTimeoutMsDefault,
    connectTimeoutMs: connectTimeoutMsDefault,
    readOnly: false,
    output: 'text',
    eventStyle: env['ZKCLI_COMPAT'] === '3.9' ? '3.9' : '3.8',
    help: false,
    verbose: false,
  };
}
