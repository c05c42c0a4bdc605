/**
 * The one stats snapshot of a node: the four-letter words print it, the AdminServer answers from it and
 * the Prometheus endpoint reads its gauges. The pipeline takes it (`RequestPipeline.stats`, see
 * stats.ts); the node's role driver adds what only it knows (its role, the full version text, its
 * metrics). Plain data: nothing here reads a clock or a socket. Times are milliseconds; ids follow the
 * protocol types (session ids are bigint, zxids number or bigint).
 */

export type ServerMode = 'standalone' | 'leader' | 'follower' | 'observer' | 'read-only';

/** Request latency over all requests since start or the last `srst` (ZooKeeper's ServerStats). */
export interface LatencySummary {
  /** Smallest latency in ms; 0 when no request has completed yet. */
  minMs: number;
  /** Largest latency in ms; 0 when none. */
  maxMs: number;
  /** Sum of all latencies in ms, and how many requests: avg is derived (rounded to 4 decimals). */
  totalMs: number;
  count: number;
}

/** One client connection, as `stat`, `cons` and `dump` show it. */
export interface ConnectionStats {
  /** Peer address as Node reports it (`127.0.0.1`, `::1`, `::ffff:127.0.0.1`); printed Java-style. */
  remoteAddress: string;
  remotePort: number;
  /**
   * Java NIO interest ops printed in hex: 1 (OP_READ) for a connection that is reading, 0 while
   * reads are throttled or the connection is closing (the 4lw connection itself shows 0), 5 when
   * it also waits to write (OP_READ|OP_WRITE).
   */
  interestOps: number;
  /** Requests received on this connection and not yet answered. */
  queued: number;
  /** Packets received from / sent to this client (requests incl. pings; replies incl. events). */
  received: number;
  sent: number;
  /** Session id once the handshake completed; undefined or 0n before (then only the brief form prints). */
  sessionId?: bigint;
  /** Four-letter name of the last operation answered (@coord/protocol's lastOpName); `NA` before any. */
  lastOp?: string;
  /** When the session was established on this connection, epoch ms. */
  established?: number;
  /** Negotiated session timeout, ms. */
  timeout?: number;
  /** xid of the last request answered; omitted from `cons` when negative (pings use -2). */
  lastCxid?: number;
  /** zxid of the last reply sent. */
  lastZxid?: number | bigint;
  /** Time of the last reply. Apache prints its monotonic clock in ms here; any ms clock is fine. */
  lastResponse?: number;
  /** Latency of the last request and min/avg/max over this connection, integer ms (avg truncated). */
  lastLatency?: number;
  minLatency?: number;
  avgLatency?: number;
  maxLatency?: number;
}

/** A group of sessions (or connections) that expire at the same tick, as ExpiryQueue buckets them. */
export interface ExpiryBucket<T> {
  /** Wall-clock expiry time of the bucket, epoch ms (printed with javaDateString). */
  expiresAt: number;
  members: T[];
}

/** The data-watch table (data, exist, persistent and recursive watches; not child watches). */
export interface WatchTables {
  /** Paths watched per session, in the server's iteration order. */
  bySession: Map<bigint, string[]>;
  /** Sessions watching each path. */
  byPath: Map<string, bigint[]>;
  /** Total number of (session, path) watch registrations in this table (what `wchs` totals). */
  count: number;
  /** Child-watch registrations, kept apart by ZooKeeper; mntr's zk_watch_count adds them. */
  childCount: number;
}

/** Extra figures a leader prints (`srvr` proposal sizes; `mntr` learner gauges). */
export interface LeaderStats {
  /** Sizes in bytes of the last, smallest and largest proposal; -1 before any. */
  proposalSizeLast: number;
  proposalSizeMin: number;
  proposalSizeMax: number;
  learners: number;
  syncedFollowers: number;
  syncedNonVotingFollowers: number;
  syncedObservers: number;
  pendingSyncs: number;
}

export interface ServerStats {
  /**
   * Full version text from formatZooKeeperVersion, e.g. `3.9.3-coordinode, built on 2026-11-25 02:37 UTC`
   * (the pipeline's snapshot carries the configured version; the node's driver completes it).
   */
  version: string;
  /** False while the server is not (yet) serving: most words then print the not-serving line. */
  serving: boolean;
  mode: ServerMode;
  latency: LatencySummary;
  /** Packets received from / sent to all clients since start or the last `srst`. */
  packetsReceived: number;
  packetsSent: number;
  /** Every open client connection, the 4lw connection that asks included (Apache counts it too). */
  connections: ConnectionStats[];
  /** Requests queued in the pipeline and not yet answered. */
  outstanding: number;
  /** Last processed zxid. */
  zxid: number | bigint;
  /**
   * DataTree node count. Apache counts the root twice (`""` and `/`), so a fresh server shows 5
   * (root twice, /zookeeper, /zookeeper/quota, /zookeeper/config): add 1 to the real znode count.
   */
  nodeCount: number;
  watches: WatchTables;
  /** Session expiry buckets in any order (printed sorted by time). */
  sessionBuckets: ExpiryBucket<bigint>[];
  /** Ephemeral paths per owning session. */
  ephemerals: Map<bigint, string[]>;
  /** How many ephemerals there are (what `ephemerals` lists, counted without building it). */
  ephemeralsCount: number;
  /** Connection idle-expiry buckets for `dump`; each member is a connection from `connections`. */
  connectionBuckets: ExpiryBucket<ConnectionStats>[];
  /** Sum of path lengths plus data lengths of all znodes (DataTree.approximateDataSize). */
  approximateDataSize: number;
  /** Milliseconds since the server started serving. */
  uptimeMs: number;
  /** Number of sessions (global, and local sessions which we never create). */
  globalSessions: number;
  localSessions: number;
  /** Bytes in the snapshot and txn-log directories; 0 when in memory. */
  dataDirSizeBytes: number;
  dataLogDirSizeBytes: number;
  /** Current trace mask (gtmk); traceMaskDefault unless stmk changed it. */
  traceMask: number;
  /** Response sizes in bytes (mntr); -1 before the first response, as Apache prints. */
  lastClientResponseSize: number;
  minClientResponseSize: number;
  maxClientResponseSize: number;
  /** Failed authentications (mntr zk_auth_failed_count). */
  authFailedCount: number;
  /** Requests refused by a limit: enforced quota, per-session ephemerals, watches, requests in flight. */
  limitsRefused: { quota: number; ephemerals: number; watches: number; outstanding: number };
  /** Digest log for `hash`: recent (zxid, digest) pairs; empty when digests are off. */
  digestLog: { zxid: number | bigint; digest: bigint | number }[];
  /** The port actually bound, for `conf` when the config asked for port 0; config.port otherwise. */
  clientPort?: number;
  /** Present only when mode is 'leader'. */
  leader?: LeaderStats;
  /**
   * Further mntr keys (without the zk_ prefix) from the node's metrics (latency summaries, fsync and
   * election times, quorum size...), printed after the fixed ones.
   */
  extraMonitorValues?: [string, number][];
}

/** ZooTrace's default mask (CLIENT_REQUEST, CLIENT_PING, ... = 306), what `gtmk` prints by default. */
export const traceMaskDefault = 306;

/** A ServerStats for an idle, freshly started standalone server; the server overrides what it knows. */
export function emptyServerStats(version: string): ServerStats {
  return {
    version,
    serving: true,
    mode: 'standalone',
    latency: { minMs: 0, maxMs: 0, totalMs: 0, count: 0 },
    packetsReceived: 0,
    packetsSent: 0,
    connections: [],
    outstanding: 0,
    zxid: 0,
    nodeCount: 5,
    watches: { bySession: new Map(), byPath: new Map(), count: 0, childCount: 0 },
    sessionBuckets: [],
    ephemerals: new Map(),
    ephemeralsCount: 0,
    connectionBuckets: [],
    approximateDataSize: 0,
    uptimeMs: 0,
    globalSessions: 0,
    localSessions: 0,
    dataDirSizeBytes: 0,
    dataLogDirSizeBytes: 0,
    traceMask: traceMaskDefault,
    lastClientResponseSize: -1,
    minClientResponseSize: -1,
    maxClientResponseSize: -1,
    authFailedCount: 0,
    limitsRefused: { quota: 0, ephemerals: 0, watches: 0, outstanding: 0 },
    digestLog: [],
  };
}
