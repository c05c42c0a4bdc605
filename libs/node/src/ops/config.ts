/**
 * The node's configuration: defaults, then zoo.cfg (`--config`), then the environment
 * (COORD_LOG_LEVEL), then flags. Pure: the file reader is injected, so tests pass text directly.
 * Unknown zoo.cfg keys are warnings; unknown flags and unusable values throw ConfigError naming the
 * key (or flag), the value and the accepted range.
 */
import { frameBytesMaxDefault } from '@coord/protocol';
import { tickTimeMsDefault } from '@coord/server';
import { snapCountDefault } from '@coord/zab';
import { snapshotBytesPerSecondDefault } from '@coord/storage';
import { parseFlags, type FlagValues } from './argv';
import { ConfigError } from './config-error';
import { LogLevel, logLevelDefault, parseLogLevel } from './logger';
import { securityConfig, type SecuritySettings } from '../security/security-config';
import { knownFourLetterWords, parseInteger, parsePort, parseZooCfg, QuorumMember, ZooCfgSettings } from './zoo-cfg';

export { ConfigError } from './config-error';
export type { QuorumMember } from './zoo-cfg';

export interface NodeConfig {
  /** Address to listen on (clientPortAddress / --host). */
  host: string;
  /** Client port (clientPort / --port); 0 asks the OS for a free port. */
  port: number;
  /** Snapshot directory; undefined means in memory (nothing survives a restart). */
  dataDir?: string;
  /** Txn-log directory; defaults to dataDir. */
  dataLogDir?: string;
  /** The basic time unit in ms (heartbeats, session timeout bounds). */
  tickTime: number;
  /** Session timeout bounds in ms; default 2 and 20 ticks. */
  minSessionTimeout: number;
  maxSessionTimeout: number;
  /** Connections allowed per client IP; 0 = unlimited. */
  maxClientCnxns: number;
  /** Enabled four-letter words; ['*'] means all. `srvr` is always enabled (isFourLetterWordEnabled). */
  fourLetterWhitelist: string[];
  /** Enables TTL nodes (createTTL, create modes 5 and 6). */
  extendedTypesEnabled: boolean;
  /** Largest frame (and string/buffer field) accepted, bytes. */
  juteMaxBuffer: number;
  /** Snapshots kept by autopurge, and how often it runs in hours (0 = never). */
  autopurgeSnapRetainCount: number;
  autopurgePurgeInterval: number;
  /** Txns between snapshots. */
  snapCount: number;
  /** A snapshot writes at most this many bytes per second (snapshot.bytesPerSecond; 0 = unpaced). */
  snapshotBytesPerSecond: number;
  /** fsync the txn log before acknowledging (forceSync=no turns it off). */
  forceSync: boolean;
  /** Requests in flight across all connections before reads are throttled. */
  globalOutstandingLimit: number;
  /** This server's id: from --server-id or <dataDir>/myid in an ensemble, 0 when standalone. */
  serverId: number;
  /** `server.N` lines, sorted by id; empty for a standalone node. */
  members: QuorumMember[];
  /** Ticks a follower may take to connect/sync to the leader, and to stay in sync (ensemble only). */
  initLimit?: number;
  syncLimit?: number;
  /** `user:base64(sha1(user:password))` of the digest super user. */
  superDigest?: string;
  logLevel: LogLevel;
  /** SASL, TLS (secureClientPort, sslQuorum), x509, enforced quotas and per-session limits. */
  security: SecuritySettings;
  /** The AdminServer (HTTP: /commands and the web console); off unless admin.enableServer=true. */
  admin: AdminSettings;
  /** The Prometheus endpoint (/metrics); off unless metricsProvider.className names ZooKeeper's Prometheus provider. */
  metrics: MetricsSettings;
  /** The zoo.cfg path that was read, if any. */
  configPath?: string;
}

export interface AdminSettings {
  enabled: boolean;
  /** admin.serverAddress: loopback unless configured (ZooKeeper binds 0.0.0.0; we never do by default). */
  address: string;
  /** admin.serverPort; 0 asks the OS for a free port (the node logs the one it got). */
  port: number;
  /** admin.commandURL: where the commands live (`/commands`). */
  commandUrl: string;
  /** admin.consoleWriteEnabled: the console may write and expire sessions, with digest credentials of the super user. */
  consoleWriteEnabled: boolean;
}

export interface MetricsSettings {
  enabled: boolean;
  host: string;
  port: number;
  /** metricsProvider.exportJvmInfo: the process metrics (CPU, memory, event loop, GC). */
  exportProcessInfo: boolean;
}

export const adminServerAddressDefault = '127.0.0.1';
export const adminServerPortDefault = 8080;
export const adminCommandUrlDefault = '/commands';
export const metricsHttpPortDefault = 7000;

export const hostDefault = '127.0.0.1';
export const portDefault = 2181;
/** Session timeout bounds in ticks when min/maxSessionTimeout are not given. */
export const sessionTimeoutTicksMin = 2;
export const sessionTimeoutTicksMax = 20;
export const maxClientCnxnsDefault = 60;
/** ZooKeeper enables only srvr unless told otherwise. */
export const fourLetterWhitelistDefault: readonly string[] = ['srvr'];
/**
 * Words a developer running `nx run coord-node:serve` expects to work: every read-only word. It
 * leaves out crst, srst and stmk, which change server state.
 */
export const devFourLetterWhitelist: readonly string[] = knownFourLetterWords.filter((w) => !['crst', 'srst', 'stmk'].includes(w));
export const autopurgeSnapRetainCountDefault = 3;
export const globalOutstandingLimitDefault = 1000;

export type ReadFile = (path: string) => string;

function readConfigFile(path: string, readFile: ReadFile | undefined): string {
  if (!readFile) throw new ConfigError('--config', path, 'no file reader was provided to loadNodeConfig');
  try {
    return readFile(path);
  } catch (err) {
    throw new ConfigError('--config', path, `cannot read the file (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** In an ensemble ZooKeeper reads the server id from <dataDir>/myid; standalone uses 0. */
function resolveServerId(flag: string | undefined, cfg: ZooCfgSettings, readFile: ReadFile | undefined, warnings: string[]): number {
  if (flag !== undefined) return parseInteger('--server-id', flag, 'flag', 0);
  if (cfg.members.length === 0) return 0;
  const myidPath = cfg.dataDir ? `${cfg.dataDir.replace(/\/+$/, '')}/myid` : undefined;
  if (myidPath && readFile) {
    let text: string | undefined;
    try {
      text = readFile(myidPath);
    } catch {
      text = undefined;
    }
    if (text !== undefined) return parseInteger('myid', text, myidPath, 0);
  }
  warnings.push(`server.N lines present but no server id (${myidPath ?? 'no dataDir for myid'} missing and no --server-id); using 0`);
  return 0;
}

function resolveLogLevel(flag: string | undefined, env: NodeJS.ProcessEnv): LogLevel {
  const [key, text] = flag !== undefined ? ['--log-level', flag] : ['COORD_LOG_LEVEL', env.COORD_LOG_LEVEL];
  if (text === undefined || text.trim() === '') return logLevelDefault;
  const level = parseLogLevel(text);
  if (!level) throw new ConfigError(key, text, 'expected error, warn, info or debug');
  return level;
}

/** ZooKeeper's rule: -1 or absent derives the bound from tickTime; min must not exceed max. */
function sessionTimeouts(cfg: ZooCfgSettings, tickTime: number): { min: number; max: number } {
  const min = cfg.minSessionTimeout === undefined || cfg.minSessionTimeout === -1 ? tickTime * sessionTimeoutTicksMin : cfg.minSessionTimeout;
  const max = cfg.maxSessionTimeout === undefined || cfg.maxSessionTimeout === -1 ? tickTime * sessionTimeoutTicksMax : cfg.maxSessionTimeout;
  if (min > max) {
    throw new ConfigError('minSessionTimeout', String(min), `must not be larger than maxSessionTimeout (${max})`);
  }
  return { min, max };
}

/**
 * Builds the configuration from argv (process.argv.slice(2)), the environment and, when `--config`
 * is given, the zoo.cfg that readFile returns. Returns warnings for the caller to log.
 */
export function loadNodeConfig(argv: string[], env: NodeJS.ProcessEnv, readFile?: ReadFile): { config: NodeConfig; warnings: string[] } {
  return configFromFlags(parseFlags(argv).values, env, readFile);
}

/** The same from flags already parsed (the `coordinode` command line parses them with its subcommands). */
export function configFromFlags(f: FlagValues, env: NodeJS.ProcessEnv, readFile?: ReadFile): { config: NodeConfig; warnings: string[] } {
  const warnings: string[] = [];
  let cfg: ZooCfgSettings = { members: [], security: [] };
  if (f.config !== undefined) {
    const parsed = parseZooCfg(readConfigFile(f.config, readFile), f.config);
    cfg = parsed.settings;
    warnings.push(...parsed.warnings);
  }
  const tickTime = f['tick-time'] !== undefined ? parseInteger('--tick-time', f['tick-time'], 'flag', 1) : (cfg.tickTime ?? tickTimeMsDefault);
  const timeouts = sessionTimeouts(cfg, tickTime);
  const dataDir = f['data-dir'] ?? cfg.dataDir;
  const adminPortText = env.COORD_ADMIN_PORT?.trim();
  const adminPortFromEnv = adminPortText ? parsePort('COORD_ADMIN_PORT', adminPortText, 'environment') : undefined;
  const config: NodeConfig = {
    host: f.host ?? cfg.clientPortAddress ?? hostDefault,
    port: f.port !== undefined ? parsePort('--port', f.port, 'flag') : (cfg.clientPort ?? portDefault),
    dataDir,
    dataLogDir: cfg.dataLogDir ?? dataDir,
    tickTime,
    minSessionTimeout: timeouts.min,
    maxSessionTimeout: timeouts.max,
    maxClientCnxns: cfg.maxClientCnxns ?? maxClientCnxnsDefault,
    fourLetterWhitelist: cfg.fourLetterWhitelist ?? [...fourLetterWhitelistDefault],
    extendedTypesEnabled: cfg.extendedTypesEnabled ?? false,
    juteMaxBuffer: cfg.juteMaxBuffer ?? frameBytesMaxDefault,
    autopurgeSnapRetainCount: cfg.autopurgeSnapRetainCount ?? autopurgeSnapRetainCountDefault,
    autopurgePurgeInterval: cfg.autopurgePurgeInterval ?? 0,
    snapCount: cfg.snapCount ?? snapCountDefault,
    snapshotBytesPerSecond: cfg.snapshotBytesPerSecond ?? snapshotBytesPerSecondDefault,
    forceSync: cfg.forceSync ?? true,
    globalOutstandingLimit: cfg.globalOutstandingLimit ?? globalOutstandingLimitDefault,
    serverId: resolveServerId(f['server-id'], { ...cfg, dataDir }, readFile, warnings),
    members: [...cfg.members].sort((a, b) => a.id - b.id),
    initLimit: cfg.initLimit,
    syncLimit: cfg.syncLimit,
    superDigest: cfg.superDigest,
    logLevel: resolveLogLevel(f['log-level'], env),
    security: securityConfig(cfg.security, env, f['jaas-config'], readFile, warnings),
    admin: {
      // COORD_ADMIN_PORT (set by `nx run coord-node:serve`) turns the console on unless zoo.cfg turns it off.
      enabled: cfg.adminEnableServer ?? adminPortFromEnv !== undefined,
      address: cfg.adminServerAddress ?? adminServerAddressDefault,
      port: adminPortFromEnv ?? cfg.adminServerPort ?? adminServerPortDefault,
      commandUrl: cfg.adminCommandUrl ?? adminCommandUrlDefault,
      consoleWriteEnabled: cfg.adminConsoleWriteEnabled ?? false,
    },
    metrics: {
      enabled: cfg.metricsPrometheus ?? false,
      host: cfg.metricsHttpHost ?? adminServerAddressDefault,
      port: cfg.metricsHttpPort ?? metricsHttpPortDefault,
      exportProcessInfo: cfg.metricsExportProcessInfo ?? true,
    },
    configPath: f.config,
  };
  if (config.members.length > 0 && !config.members.some((m) => m.id === config.serverId)) {
    warnings.push(`server id ${config.serverId} is not among the server.N lines`);
  }
  return { config, warnings };
}
