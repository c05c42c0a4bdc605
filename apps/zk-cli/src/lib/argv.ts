/**
 * The process's own arguments and environment: zkCli's `-server`, `-timeout`, `-r`, plus `-o json|text`
 * and `-compat 3.8|3.9`. The first argument that is not an option starts a one-shot command.
 */
import type { EventStyle } from './format/event';
import type { OutputFormat } from './shell';

export const serverDefault = 'localhost:2181';
/** zkCli asks for a 30 s session. */
export const sessionTimeoutMsDefault = 30_000;

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
}

export class ArgvError extends Error {}

const valued = new Set(['-server', '-timeout', '-connect-timeout', '-o', '-compat', '-client-configuration']);
const positiveInt = /^\d+$/;

export const cliUsage = [
  'Usage: zk-cli [-server host:port[,host:port...][/chroot]] [-timeout ms] [-connect-timeout ms] [-r]',
  '              [-o text|json] [-compat 3.8|3.9] [cmd args...]',
  'Environment: ZKCLI_SERVER (default server), ZKCLI_HISTORY (history file), ZKCLI_COMPAT (3.8|3.9)',
  'Exit codes: 0 ok, 1 command error, 2 connection failure, 3 usage',
];

function positive(opt: string, value: string): number {
  if (!positiveInt.test(value) || Number(value) === 0) throw new ArgvError(`Error: ${opt} needs a positive number of milliseconds, got ${value}`);
  return Number(value);
}

export function parseArgv(argv: readonly string[], env: Record<string, string | undefined>): CliArgs {
  const values = new Map<string, string>();
  let readOnly = false;
  let help = false;
  let command: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const opt = argv[i];
    if (!opt.startsWith('-')) {
      command = argv.slice(i);
      break;
    }
    if (valued.has(opt)) {
      const value = argv[i + 1];
      if (value === undefined) throw new ArgvError(`Error: no argument found for option ${opt}`);
      values.set(opt, value);
      i++;
    } else if (opt === '-r') readOnly = true;
    else if (opt === '-waitforconnection') continue; // the shell always waits for its session
    else if (opt === '-h' || opt === '-help' || opt === '--help') help = true;
    else throw new ArgvError(`Error: unknown option ${opt}`);
  }
  const output = values.get('-o') ?? 'text';
  if (output !== 'text' && output !== 'json') throw new ArgvError(`Error: -o must be text or json, got ${output}`);
  const eventStyle = values.get('-compat') ?? env['ZKCLI_COMPAT'] ?? '3.8';
  if (eventStyle !== '3.8' && eventStyle !== '3.9') throw new ArgvError(`Error: -compat must be 3.8 or 3.9, got ${eventStyle}`);
  const sessionTimeoutMs = values.has('-timeout') ? positive('-timeout', values.get('-timeout')!) : sessionTimeoutMsDefault;
  const connectTimeoutMs = values.has('-connect-timeout') ? positive('-connect-timeout', values.get('-connect-timeout')!) : sessionTimeoutMs;
  return {
    server: values.get('-server') ?? env['ZKCLI_SERVER'] ?? serverDefault,
    sessionTimeoutMs,
    connectTimeoutMs,
    readOnly,
    output,
    eventStyle,
    command,
    help,
  };
}
