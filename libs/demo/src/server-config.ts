import { hostname } from 'node:os';
import { Command, connectOption, integerIn, Option, parseStrict, portNumber } from '@coord/cli';

export { connectStringDefault } from '@coord/cli';
export const serversPathDefault = '/servers';
/** Short enough that a kill -9'd server leaves the list within seconds in a demo. */
export const sessionTimeoutMsDefault = 6_000;

export interface DemoServerConfig {
  /** The server's name, like the seed's `hadoop102` (first positional argument; host name otherwise). */
  name: string;
  connectString: string;
  serversPath: string;
  host: string;
  /** 0 = a free port chosen by the OS. */
  port: number;
  sessionTimeoutMs: number;
}

/** The command line of `distribute-server` (commander): `[name] [--connect ...] [--port N] ...`. */
export function serverProgram(env: NodeJS.ProcessEnv): Command {
  return new Command('distribute-server')
    .description('Registers itself under /servers as an ephemeral sequential node and answers requests until stopped (the seed\'s DistributeServer).')
    .helpOption('-h, --help', 'show this help and exit')
    .showSuggestionAfterError(true)
    .argument('[name]', 'the name it registers, like hadoop102 (default: this host\'s name)')
    .addOption(connectOption(env))
    .addOption(new Option('--servers-path <path>', 'the parent node of the registrations').default(serversPathDefault))
    .addOption(new Option('--host <address>', 'address its TCP transport listens on').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'port of its TCP transport, 0 for any free port').argParser(portNumber).default(0))
    .addOption(new Option('--session-timeout <ms>', 'session timeout; a crashed server leaves the list after it').argParser(integerIn(1, 600_000, ' ms')).default(sessionTimeoutMsDefault));
}

/** Throws HelpRequested or UsageError (from @coord/cli) when the command line asks for help or is wrong. */
export function parseServerConfig(argv: string[], env: NodeJS.ProcessEnv): DemoServerConfig {
  const program = serverProgram(env);
  parseStrict(program, argv);
  const o = program.opts<{ connect: string; serversPath: string; host: string; port: number; sessionTimeout: number }>();
  const name = program.processedArgs[0] as string | undefined;
  return {
    name: name ?? hostname(),
    connectString: o.connect,
    serversPath: o.serversPath,
    host: o.host,
    port: o.port,
    sessionTimeoutMs: o.sessionTimeout,
  };
}
