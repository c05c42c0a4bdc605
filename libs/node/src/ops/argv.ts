/**
 * The node's flags, defined once for commander (the `coordinode` command line, see
 * ../command-line.ts) and for loadNodeConfig. Values stay text here: config.ts checks them next to
 * the zoo.cfg keys they override, so a bad value names the flag and the accepted range either way.
 * Defaults are shown in --help but not applied here, because zoo.cfg sits between them and the flags.
 */
import { Command, Option, parseQuietly } from '@coord/cli';
import { tickTimeMsDefault } from '@coord/server';
import { hostDefault, portDefault } from './config';
import { ConfigError } from './config-error';
import { logLevelDefault } from './logger';

/** Flags that take a value, by canonical (kebab-case) name. */
export const valueFlags = ['port', 'host', 'data-dir', 'config', 'tick-time', 'log-level', 'server-id', 'jaas-config'] as const;
export type FlagName = (typeof valueFlags)[number];
export type FlagValues = Partial<Record<FlagName, string>>;

export interface ParsedFlags {
  values: FlagValues;
  warnings: string[];
}

/** Help for each flag; a function so the defaults are read from config.ts (which imports this file) at call time. */
function flagHelp(): Record<FlagName, { value: string; text: string }> {
  return {
    port: { value: 'port', text: `client port, 0 for any free port (default: clientPort of --config, else ${portDefault})` },
    host: { value: 'address', text: `address to listen on (default: clientPortAddress of --config, else ${hostDefault})` },
    'data-dir': { value: 'dir', text: 'keep snapshots and the transaction log here (default: dataDir of --config, else in memory)' },
    config: { value: 'zoo.cfg', text: "read ZooKeeper's zoo.cfg; server.N lines make this node an ensemble member (default: none)" },
    'tick-time': { value: 'ms', text: `basic time unit in ms, 1 or more (default: tickTime of --config, else ${tickTimeMsDefault})` },
    'log-level': { value: 'level', text: `error, warn, info or debug (default: $COORD_LOG_LEVEL, else ${logLevelDefault})` },
    'server-id': { value: 'id', text: "this member's id in server.N, 0 or more (default: <dataDir>/myid in an ensemble, else 0)" },
    'jaas-config': { value: 'file', text: 'JAAS file whose Server section lists the SASL DIGEST-MD5 users (default: -Djava.security.auth.login.config in $SERVER_JVMFLAGS, else no SASL)' },
  };
}

/** Adds the node's value flags to `command`. */
export function addNodeFlags(command: Command): Command {
  const help = flagHelp();
  for (const name of valueFlags) command.addOption(new Option(`--${name} <${help[name].value}>`, help[name].text));
  return command;
}

/** The flags commander parsed (camelCase keys) as FlagValues (kebab-case keys); absent flags stay absent. */
export function flagValues(opts: Record<string, unknown>): FlagValues {
  const values: FlagValues = {};
  for (const name of valueFlags) {
    const key = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const v = opts[key];
    if (typeof v === 'string') values[name] = v;
  }
  return values;
}

/**
 * Parses the node's value flags alone (no subcommands), as loadNodeConfig does for tests and
 * embedders. A usage error throws ConfigError naming the flag, with commander's text.
 */
export function parseFlags(argv: readonly string[]): ParsedFlags {
  const command = addNodeFlags(new Command('coordinode')).showSuggestionAfterError(true).allowExcessArguments(false);
  const problem = parseQuietly(command, argv);
  if (problem !== undefined) {
    const flag = /'(--?[^' =]+)/.exec(problem)?.[1] ?? argv.join(' ');
    throw new ConfigError(flag, argv.join(' '), problem);
  }
  const values = flagValues(command.opts());
  for (const name of valueFlags) {
    if (values[name] !== undefined && values[name]!.trim() === '') throw new ConfigError(`--${name}`, values[name]!, 'the flag needs a non-empty value');
  }
  return { values, warnings: [] };
}
