/** Server settings (ZooKeeper's names and defaults) and the dependencies the core is given. */
import { frameBytesMaxDefault } from '@coord/protocol';
import type { SaslSettings } from './sasl';

export interface ServerConfig {
  /** ZooKeeper's tickTime: the session-expiry bucket size and the unit of the timeout bounds (ms). */
  tickTimeMs: number;
  /** Negotiation bounds; default 2 and 20 ticks. */
  minSessionTimeoutMs?: number;
  maxSessionTimeoutMs?: number;
  /** Top byte of session ids; standalone ZooKeeper uses 1. */
  serverId: number;
  /** `super:<base64 sha1>`: a digest auth matching it also grants Id(super, ""). */
  superDigest?: string;
  /** zookeeper.extendedTypesEnabled: allows TTL nodes. */
  extendedTypesEnabled: boolean;
  /** jute.maxbuffer: the largest string/buffer inside a record (bytes). */
  frameBytesMax: number;
  /** '3.9' puts the txn zxid in notification headers; '3.8' puts -1. */
  notificationZxid: '3.8' | '3.9';
  /** ContainerManager period and rate limit, and the never-used-container age limit (0 = off). */
  containerCheckIntervalMs: number;
  containerMaxPerMinute: number;
  containerMaxNeverUsedIntervalMs: number;
  /** A connection that sends no ConnectRequest within this time is closed (zookeeper.nio.sessionlessCnxnTimeout). */
  sessionlessConnectionTimeoutMs: number;
  /**
   * exists checks READ on an existing node (3.9, 3.8.6). Apache 3.8.0 did not check; set false to
   * answer exactly like it.
   */
  existsChecksRead: boolean;
  /** Version text for stats, e.g. `3.9.5-coordinode`. */
  version: string;
  /** SASL DIGEST-MD5 (authProvider.N=...SASLAuthenticationProvider and a JAAS Server section); absent: not offered. */
  sasl?: SaslSettings;
  /**
   * zookeeper.enforce.auth.schemes (or sessionRequireClientSASLAuth / requireClientAuthScheme=sasl): a
   * connection must hold an id of one of these schemes before any request but auth and sasl; empty: off.
   */
  requiredAuthSchemes: string[];
  /** zookeeper.X509AuthenticationProvider.superUser: the certificate subject that also holds Id("super", ""). */
  x509SuperUser?: string;
  /** enforceQuota: hard quota limits under /zookeeper/quota refuse writes with QUOTAEXCEEDED. */
  enforceQuota: boolean;
  /** Per-session limits (0 = unlimited): watches held by a connection, ephemerals owned, requests not yet answered. */
  sessionWatchesMax: number;
  sessionEphemeralsMax: number;
  sessionOutstandingMax: number;
}

/** The tick when none is configured: zoo_sample.cfg's 2000 ms, what a node without zoo.cfg runs with. */
export const tickTimeMsDefault = 2000;
export const containerCheckIntervalMsDefault = 60000;
export const containerMaxPerMinuteDefault = 10000;
export const sessionlessConnectionTimeoutMsDefault = 10000;
export const serverVersionDefault = '3.9.5-coordinode';

export function serverConfig(partial: Partial<ServerConfig> = {}): ServerConfig {
  return {
    tickTimeMs: tickTimeMsDefault,
    serverId: 1,
    extendedTypesEnabled: false,
    frameBytesMax: frameBytesMaxDefault,
    notificationZxid: '3.9',
    containerCheckIntervalMs: containerCheckIntervalMsDefault,
    containerMaxPerMinute: containerMaxPerMinuteDefault,
    containerMaxNeverUsedIntervalMs: 0,
    sessionlessConnectionTimeoutMs: sessionlessConnectionTimeoutMsDefault,
    existsChecksRead: true,
    version: serverVersionDefault,
    requiredAuthSchemes: [],
    enforceQuota: false,
    sessionWatchesMax: 0,
    sessionEphemeralsMax: 0,
    sessionOutstandingMax: 0,
    ...partial,
  };
}

export interface CoreLogger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string | (() => string)): void;
}

export interface ServerDeps {
  /** Wall clock in ms; the core reads time only through this. */
  now(): number;
  /** Source of random bytes (seedable in tests). */
  randomBytes(size: number): Buffer;
  logger?: CoreLogger;
}

export const silentLogger: CoreLogger = { info() {}, warn() {}, debug() {} };
