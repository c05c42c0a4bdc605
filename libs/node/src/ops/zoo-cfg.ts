/**
 * zoo.cfg keys -> typed settings. Only syntax and per-key validity are checked here; defaults,
 * derived values (session timeouts from tickTime) and cross-key checks live in config.ts.
 * Like ZooKeeper, a key may carry the `zookeeper.` system-property prefix. Unknown keys are warnings.
 */
import { ConfigError } from './config-error';
import { parseJavaProperties } from './java-properties';
import { isSecurityKey, type SecurityEntry } from '../security/security-config';

/** A `server.N=host:quorumPort:electionPort[:role][;[clientHost:]clientPort]` line. */
export interface QuorumMember {
  id: number;
  host: string;
  quorumPort: number;
  electionPort: number;
  role: 'participant' | 'observer';
  clientHost?: string;
  clientPort?: number;
}

export interface ZooCfgSettings {
  clientPort?: number;
  clientPortAddress?: string;
  dataDir?: string;
  dataLogDir?: string;
  tickTime?: number;
  maxClientCnxns?: number;
  minSessionTimeout?: number;
  maxSessionTimeout?: number;
  fourLetterWhitelist?: string[];
  extendedTypesEnabled?: boolean;
  juteMaxBuffer?: number;
  autopurgeSnapRetainCount?: number;
  autopurgePurgeInterval?: number;
  snapCount?: number;
  snapshotBytesPerSecond?: number;
  forceSync?: boolean;
  globalOutstandingLimit?: number;
  initLimit?: number;
  syncLimit?: number;
  superDigest?: string;
  /** AdminServer (HTTP) keys: admin.enableServer, admin.serverAddress, admin.serverPort, admin.commandURL. */
  adminEnableServer?: boolean;
  adminServerAddress?: string;
  adminServerPort?: number;
  adminCommandUrl?: string;
  /** admin.consoleWriteEnabled (Coordinode's own): the web console may write and expire sessions, with digest credentials. */
  adminConsoleWriteEnabled?: boolean;
  /** metricsProvider.className names ZooKeeper's PrometheusMetricsProvider: serve /metrics. */
  metricsPrometheus?: boolean;
  metricsHttpHost?: string;
  metricsHttpPort?: number;
  metricsExportProcessInfo?: boolean;
  members: QuorumMember[];
  /** SASL, TLS, quota and per-session limit keys, read by security/security-config.ts. */
  security: SecurityEntry[];
}

/** The metricsProvider.className that turns the Prometheus endpoint on (as in ZooKeeper 3.6+). */
export const prometheusMetricsProviderClass = 'org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider';

export const portMax = 65535;
/** ZooKeeper raises autopurge.snapRetainCount below 3 to 3 (PurgeTxnLog keeps at least 3 snapshots). */
export const snapRetainCountMin = 3;

/** Every four-letter word ZooKeeper 3.8 knows (FourLetterCommands). */
export const knownFourLetterWords = [
  'conf', 'cons', 'crst', 'dirs', 'dump', 'envi', 'gtmk', 'ruok', 'stmk', 'srst',
  'srvr', 'stat', 'wchc', 'wchp', 'wchs', 'mntr', 'isro', 'hash',
] as const;

/** Keys ZooKeeper knows that Coordinode does not act on: accepted with a specific warning. */
const unsupportedKeys = new Set([
  'standaloneEnabled', 'reconfigEnabled', 'dynamicConfigFile',
  'electionAlg', 'peerType', 'quorumListenOnAllIPs', 'localSessionsEnabled', 'localSessionsUpgradingEnabled',
  'clientPortListenBacklog', 'maxCnxns', 'connectToLearnerMasterLimit', 'syncEnabled', 'electionPortBindRetry',
  'observerMasterPort', 'multiAddress.enabled', 'digest.enabled', 'readonlymode.enabled', 'admin.idleTimeout',
  'admin.portUnification', 'admin.forceHttps', 'admin.needClientAuth', 'admin.enableRestAPI', 'admin.rateLimiterIntervalInMS',
]);

type Where = string;

export function parseInteger(key: string, value: string, where: Where, min: number, max = Number.MAX_SAFE_INTEGER, allowHex = false): number {
  const text = value.trim();
  const decimal = /^[+-]?\d+$/.test(text);
  const hex = allowHex && /^0[xX][0-9a-fA-F]+$/.test(text);
  const n = decimal ? Number(text) : hex ? parseInt(text.slice(2), 16) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `${min}..${max}`;
    throw new ConfigError(key, value, `expected an integer ${range}${allowHex ? ' (decimal or 0x hex)' : ''}`, where);
  }
  return n;
}

export function parseBoolean(key: string, value: string, where: Where, truthy = ['true', 'yes'], falsy = ['false', 'no']): boolean {
  const t = value.trim().toLowerCase();
  if (truthy.includes(t)) return true;
  if (falsy.includes(t)) return false;
  throw new ConfigError(key, value, `expected one of ${[...truthy, ...falsy].join(', ')}`, where);
}

export function parsePort(key: string, value: string, where: Where): number {
  return parseInteger(key, value, where, 0, portMax);
}

/** `4lw.commands.whitelist`: comma-separated words, `*` for all. Unknown words are warned about. */
export function parseWhitelist(key: string, value: string, warnings: string[]): string[] {
  const words = value.split(',').map((w) => w.trim()).filter((w) => w !== '');
  if (words.includes('*')) return ['*'];
  const known = new Set<string>(knownFourLetterWords);
  for (const w of words) if (!known.has(w)) warnings.push(`${key}: ignoring unknown four-letter word ${JSON.stringify(w)}`);
  return words.filter((w) => known.has(w));
}

/** Splits `host:port[:...]` where host may be a bracketed IPv6 literal. */
function splitHostParts(text: string): string[] {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return [text];
    const rest = text.slice(close + 1);
    return [text.slice(1, close), ...(rest.startsWith(':') ? rest.slice(1).split(':') : rest ? [rest] : [])];
  }
  return text.split(':');
}

/** A port inside a server.N value; the error names the whole value so the line is easy to find. */
function memberPort(key: string, value: string, part: string, where: Where): number {
  const n = Number(part);
  if (!/^\d+$/.test(part) || n > portMax) throw new ConfigError(key, value, `${JSON.stringify(part)} is not a port (0..${portMax})`, where);
  return n;
}

export function parseServerLine(key: string, value: string, where: Where): QuorumMember {
  const idText = key.slice('server.'.length);
  if (!/^\d+$/.test(idText)) throw new ConfigError(key, value, `server id ${JSON.stringify(idText)} is not a non-negative integer`, where);
  const id = Number(idText);
  const [serverPart, clientPart] = value.split(';').map((p) => p.trim());
  const parts = splitHostParts(serverPart);
  if (parts.length < 3 || parts.length > 4 || parts[0] === '') {
    throw new ConfigError(key, value, 'expected host:quorumPort:electionPort[:participant|observer][;[clientHost:]clientPort]', where);
  }
  const role = (parts[3] ?? 'participant').toLowerCase();
  if (role !== 'participant' && role !== 'observer') throw new ConfigError(key, value, `unknown role ${JSON.stringify(parts[3])}`, where);
  const member: QuorumMember = {
    id,
    host: parts[0],
    quorumPort: memberPort(key, value, parts[1], where),
    electionPort: memberPort(key, value, parts[2], where),
    role,
  };
  if (clientPart) {
    const client = splitHostParts(clientPart);
    if (client.length === 1) member.clientPort = memberPort(key, value, client[0], where);
    else if (client.length === 2 && client[0] !== '') {
      member.clientHost = client[0];
      member.clientPort = memberPort(key, value, client[1], where);
    } else throw new ConfigError(key, value, 'expected ;[clientHost:]clientPort after the ports', where);
  }
  return member;
}

const knownKeys = new Set([
  'clientPort', 'clientPortAddress', 'dataDir', 'dataLogDir', 'tickTime', 'maxClientCnxns', 'minSessionTimeout',
  'maxSessionTimeout', '4lw.commands.whitelist', 'extendedTypesEnabled', 'jute.maxbuffer', 'autopurge.snapRetainCount',
  'autopurge.purgeInterval', 'snapCount', 'snapshot.bytesPerSecond', 'forceSync', 'globalOutstandingLimit', 'initLimit', 'syncLimit',
  'DigestAuthenticationProvider.superDigest', 'admin.enableServer', 'admin.serverAddress', 'admin.serverPort', 'admin.commandURL',
  'admin.consoleWriteEnabled', 'metricsProvider.className', 'metricsProvider.httpHost', 'metricsProvider.httpPort',
  'metricsProvider.exportJvmInfo',
]);

/** `zookeeper.k` is how ZooKeeper exposes an unknown zoo.cfg key k; accept both spellings. */
function canonicalKey(key: string): string {
  if (key.startsWith('zookeeper.')) {
    const bare = key.slice('zookeeper.'.length);
    if (knownKeys.has(bare) || unsupportedKeys.has(bare)) return bare;
  }
  return key;
}

function hostValue(key: string, value: string, where: Where): string {
  if (value === '' || /[\s/]/.test(value)) throw new ConfigError(key, value, 'expected a host name or address', where);
  return value;
}

function applyKey(s: ZooCfgSettings, key: string, value: string, where: Where, warnings: string[]): void {
  switch (key) {
    case 'clientPort': s.clientPort = parsePort(key, value, where); break;
    case 'clientPortAddress':
      if (value === '') throw new ConfigError(key, value, 'expected a host name or address', where);
      s.clientPortAddress = value;
      break;
    case 'dataDir': s.dataDir = value; break;
    case 'dataLogDir': s.dataLogDir = value; break;
    case 'tickTime': s.tickTime = parseInteger(key, value, where, 1); break;
    case 'maxClientCnxns': s.maxClientCnxns = parseInteger(key, value, where, 0); break;
    // -1 means "derive from tickTime", as in ZooKeeper.
    case 'minSessionTimeout': s.minSessionTimeout = parseInteger(key, value, where, -1); break;
    case 'maxSessionTimeout': s.maxSessionTimeout = parseInteger(key, value, where, -1); break;
    case '4lw.commands.whitelist': s.fourLetterWhitelist = parseWhitelist(key, value, warnings); break;
    case 'extendedTypesEnabled': s.extendedTypesEnabled = parseBoolean(key, value, where, ['true'], ['false']); break;
    case 'jute.maxbuffer': s.juteMaxBuffer = parseInteger(key, value, where, 1, 0x7fffffff, true); break;
    case 'autopurge.snapRetainCount': {
      const n = parseInteger(key, value, where, 0);
      if (n < snapRetainCountMin) warnings.push(`${key}=${n} raised to the minimum ${snapRetainCountMin}`);
      s.autopurgeSnapRetainCount = Math.max(n, snapRetainCountMin);
      break;
    }
    case 'autopurge.purgeInterval': s.autopurgePurgeInterval = parseInteger(key, value, where, 0); break;
    case 'snapCount': s.snapCount = parseInteger(key, value, where, 2); break;
    case 'snapshot.bytesPerSecond': s.snapshotBytesPerSecond = parseInteger(key, value, where, 0); break;
    case 'forceSync': s.forceSync = parseBoolean(key, value, where); break;
    case 'globalOutstandingLimit': s.globalOutstandingLimit = parseInteger(key, value, where, 1); break;
    case 'initLimit': s.initLimit = parseInteger(key, value, where, 1); break;
    case 'syncLimit': s.syncLimit = parseInteger(key, value, where, 1); break;
    case 'DigestAuthenticationProvider.superDigest':
      if (!/^[^:]+:.+$/.test(value)) throw new ConfigError(key, value, 'expected user:base64(sha1(user:password))', where);
      s.superDigest = value;
      break;
    case 'admin.enableServer': s.adminEnableServer = parseBoolean(key, value, where); break;
    case 'admin.serverAddress': s.adminServerAddress = hostValue(key, value, where); break;
    case 'admin.serverPort': s.adminServerPort = parsePort(key, value, where); break;
    case 'admin.commandURL':
      if (!/^\/[A-Za-z0-9._~\/-]*[A-Za-z0-9._~-]$/.test(value)) throw new ConfigError(key, value, 'expected a URL path such as /commands', where);
      s.adminCommandUrl = value;
      break;
    case 'admin.consoleWriteEnabled': s.adminConsoleWriteEnabled = parseBoolean(key, value, where); break;
    case 'metricsProvider.className':
      if (value !== prometheusMetricsProviderClass && value !== 'org.apache.zookeeper.metrics.impl.DefaultMetricsProvider') {
        throw new ConfigError(key, value, `expected ${prometheusMetricsProviderClass} (or ZooKeeper's DefaultMetricsProvider: no endpoint)`, where);
      }
      s.metricsPrometheus = value === prometheusMetricsProviderClass;
      break;
    case 'metricsProvider.httpHost': s.metricsHttpHost = hostValue(key, value, where); break;
    case 'metricsProvider.httpPort': s.metricsHttpPort = parsePort(key, value, where); break;
    case 'metricsProvider.exportJvmInfo': s.metricsExportProcessInfo = parseBoolean(key, value, where); break;
    default:
      throw new Error(`unhandled known key ${key}`);
  }
}

/** Parses zoo.cfg text. `source` names the file in messages. */
export function parseZooCfg(text: string, source = 'zoo.cfg'): { settings: ZooCfgSettings; warnings: string[] } {
  const settings: ZooCfgSettings = { members: [], security: [] };
  const warnings: string[] = [];
  for (const entry of parseJavaProperties(text)) {
    const key = canonicalKey(entry.key);
    const value = entry.value.trim();
    const where = `${source}:${entry.line}`;
    const bare = key.startsWith('zookeeper.') ? key.slice('zookeeper.'.length) : key;
    if (isSecurityKey(bare)) settings.security.push({ key: bare, value, where });
    else if (knownKeys.has(key)) applyKey(settings, key, value, where, warnings);
    else if (key.startsWith('server.')) {
      const member = parseServerLine(key, value, where);
      if (settings.members.some((m) => m.id === member.id)) throw new ConfigError(key, value, `server id ${member.id} appears twice`, where);
      settings.members.push(member);
    } else if (unsupportedKeys.has(key)) warnings.push(`${where}: ${key} is not supported by Coordinode and is ignored`);
    else warnings.push(`${where}: unknown key ${key} is ignored`);
  }
  return { settings, warnings };
}
