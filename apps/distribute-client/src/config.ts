import { connectStringDefault, numberFlag, parseFlags, serversPathDefault } from '../../distribute-server/src/config';

export const httpPortDefault = 3000;

export interface ClientConfig {
  connectString: string;
  serversPath: string;
  httpHost: string;
  /** 0 = a free port chosen by the OS. */
  httpPort: number;
}

export function parseClientConfig(argv: string[], env: NodeJS.ProcessEnv): ClientConfig {
  const { flags } = parseFlags(argv, ['connect', 'servers-path', 'http-port', 'http-host']);
  return {
    connectString: flags.get('connect') ?? env['COORD_CONNECT'] ?? connectStringDefault,
    serversPath: flags.get('servers-path') ?? serversPathDefault,
    httpHost: flags.get('http-host') ?? '127.0.0.1',
    httpPort: numberFlag(flags, 'http-port', httpPortDefault),
  };
}
