import { Command, connectOption, Option, parseStrict, portNumber } from '@coord/cli';
import { serversPathDefault } from '@coord/demo';

export { serversPathDefault };
export const httpPortDefault = 3000;

export interface ClientConfig {
  connectString: string;
  serversPath: string;
  httpHost: string;
  /** 0 = a free port chosen by the OS. */
  httpPort: number;
}

/** The command line of `distribute-client` (commander). */
export function clientProgram(env: NodeJS.ProcessEnv): Command {
  return new Command('distribute-client')
    .description('Prints the online servers on every change and forwards HTTP requests to them (the seed\'s DistributeClient).')
    .helpOption('-h, --help', 'show this help and exit')
    .showSuggestionAfterError(true)
    .allowExcessArguments(false)
    .addOption(connectOption(env))
    .addOption(new Option('--servers-path <path>', 'the parent node the servers register under').default(serversPathDefault))
    .addOption(new Option('--http-host <address>', 'address of its HTTP server').default('127.0.0.1'))
    .addOption(new Option('--http-port <port>', 'port of its HTTP server, 0 for any free port').argParser(portNumber).default(httpPortDefault));
}

/** Throws HelpRequested or UsageError (from @coord/cli) when the command line asks for help or is wrong. */
export function parseClientConfig(argv: string[], env: NodeJS.ProcessEnv): ClientConfig {
  const program = clientProgram(env);
  parseStrict(program, argv);
  const o = program.opts<{ connect: string; serversPath: string; httpHost: string; httpPort: number }>();
  return { connectString: o.connect, serversPath: o.serversPath, httpHost: o.httpHost, httpPort: o.httpPort };
}
