import { hostname } from 'node:os';

/** Where the seed's Java case connects; override with --connect or COORD_CONNECT. */
export const connectStringDefault = '127.0.0.1:2181';
export const serversPathDefault = '/servers';
/** Short enough that a kill -9'd server leaves the list within seconds in a demo. */
export const sessionTimeoutMsDefault = 6_000;

export interface ServerConfig {
  /** The server's name, like the seed's `hadoop102` (first positional argument; host name otherwise). */
  name: string;
  connectString: string;
  serversPath: string;
  host: string;
  /** 0 = a free port chosen by the OS. */
  port: number;
  sessionTimeoutMs: number;
}

/** Reads `--key=value` / `--key value` flags and positionals; unknown flags are an error. */
export function parseFlags(argv: string[], known: string[]): { flags: Map<string, string>; positionals: string[] } {
  const flags = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positionals.push(...arg.split(' ').filter(Boolean));
      continue;
    }
    const eq = arg.indexOf('=');
    const key = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    if (!known.includes(key)) throw new Error(`unknown option --${key} (known: ${known.map((k) => '--' + k).join(', ')})`);
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[i + 1] !== undefined && !argv[i + 1].startsWith('--') ? argv[++i] : 'true';
    flags.set(key, value);
  }
  return { flags, positionals };
}

export function numberFlag(flags: Map<string, string>, key: string, fallback: number): number {
  const raw = flags.get(key);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${key} must be a non-negative number, got "${raw}"`);
  return n;
}

export function parseServerConfig(argv: string[], env: NodeJS.ProcessEnv): ServerConfig {
  const { flags, positionals } = parseFlags(argv, ['connect', 'servers-path', 'host', 'port', 'session-timeout']);
  return {
    name: positionals[0] ?? hostname(),
    connectString: flags.get('connect') ?? env['COORD_CONNECT'] ?? connectStringDefault,
    serversPath: flags.get('servers-path') ?? serversPathDefault,
    host: flags.get('host') ?? '127.0.0.1',
    port: numberFlag(flags, 'port', 0),
    sessionTimeoutMs: numberFlag(flags, 'session-timeout', sessionTimeoutMsDefault),
  };
}
