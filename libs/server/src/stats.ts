/**
 * Per-connection state and the stats snapshot the four-letter words print (srvr, stat, cons, wchs,
 * wchc, wchp, dump, mntr). The snapshot is plain data; the app formats it.
 */
import { Id } from '@coord/protocol';
import type { RequestPipeline } from './pipeline';
import type { Session, SessionTracker } from './sessions';

export class LatencyStats {
  minMs = Number.MAX_SAFE_INTEGER;
  maxMs = 0;
  totalMs = 0;
  count = 0;
  lastMs = 0;

  record(ms: number): void {
    this.lastMs = ms;
    if (ms < this.minMs) this.minMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
    this.totalMs += ms;
    this.count++;
  }

  reset(): void {
    this.minMs = Number.MAX_SAFE_INTEGER;
    this.maxMs = 0;
    this.totalMs = 0;
    this.count = 0;
    this.lastMs = 0;
  }

  summary(): { minMs: number; maxMs: number; totalMs: number; count: number } {
    return { minMs: this.count === 0 ? 0 : this.minMs, maxMs: this.maxMs, totalMs: this.totalMs, count: this.count };
  }
}

export class ConnectionState {
  session: Session | null = null;
  /** True when the ConnectRequest had no readOnly byte: the response then omits it too. */
  oldClient = false;
  readonly ids: Id[];
  received = 0;
  sent = 0;
  established = 0;
  lastOp = -1;
  lastCxid = -1;
  lastZxid = -1;
  lastResponse = 0;
  readonly latency = new LatencyStats();

  constructor(
    readonly id: number,
    readonly remoteAddress: string,
    readonly remotePort: number,
    /** The address without an IPv4-mapped prefix: the implicit ip id. */
    readonly address: string,
    readonly openedAt: number,
  ) {
    this.ids = [{ scheme: 'ip', id: address }];
  }

  addId(id: Id): void {
    if (!this.ids.some((held) => held.scheme === id.scheme && held.id === id.id)) this.ids.push(id);
  }

  replied(opcode: number, xid: number, zxid: number, now: number, latencyMs: number): void {
    this.lastOp = opcode;
    this.lastCxid = xid;
    this.lastZxid = zxid;
    this.lastResponse = now;
    this.latency.record(latencyMs);
  }

  resetCounters(): void {
    this.received = 0;
    this.sent = 0;
    this.lastOp = -1;
    this.lastCxid = -1;
    this.lastZxid = -1;
    this.lastResponse = 0;
    this.latency.reset();
  }

  describe(): string {
    return `${this.remoteAddress}:${this.remotePort}`;
  }
}

export interface PipelineConnectionStats {
  connId: number;
  remoteAddress: string;
  remotePort: number;
  /** Requests received on this connection and not answered yet. */
  queued: number;
  received: number;
  sent: number;
  sessionId?: bigint;
  /** Opcode of the last answered request (-1 before any). */
  lastOpcode: number;
  established?: number;
  timeout?: number;
  lastCxid: number;
  lastZxid: number;
  lastResponse: number;
  lastLatency: number;
  minLatency: number;
  avgLatency: number;
  maxLatency: number;
}

export interface PipelineStats {
  version: string;
  serverId: number;
  now: number;
  startedAt: number;
  latency: { minMs: number; maxMs: number; totalMs: number; count: number };
  packetsReceived: number;
  packetsSent: number;
  connections: PipelineConnectionStats[];
  /** Requests received and not answered yet (globalOutstandingLimit counts these). */
  outstanding: number;
  zxid: number;
  /** ZooKeeper's count, with the root counted twice. */
  nodeCount: number;
  approximateDataSize: number;
  /** Data-table watches (what wchs/wchc/wchp show), keyed by the watching connection's session. */
  watches: { bySession: Map<bigint, string[]>; byPath: Map<string, bigint[]>; count: number };
  /** All watches of both tables (mntr's zk_watch_count counts both). */
  watchCountTotal: number;
  sessionBuckets: { expiresAt: number; members: bigint[] }[];
  ephemerals: Map<bigint, string[]>;
  ephemeralsCount: number;
  globalSessions: number;
  authFailedCount: number;
  /** Requests refused by a limit: enforced quota, per-session ephemerals, watches, requests in flight. */
  limitsRefused: { quota: number; ephemerals: number; watches: number; outstanding: number };
  tickTimeMs: number;
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
}

export function snapshotStats(
  core: RequestPipeline,
  conns: Iterable<ConnectionState>,
  sessions: SessionTracker,
  queuedFor: (connId: number) => number,
  outstanding: number,
): PipelineStats {
  const connections: PipelineConnectionStats[] = [];
  const sessionOf = new Map<number, bigint>();
  for (const c of conns) {
    const l = c.latency.summary();
    if (c.session) sessionOf.set(c.id, c.session.sessionId);
    connections.push({
      connId: c.id,
      remoteAddress: c.remoteAddress,
      remotePort: c.remotePort,
      queued: queuedFor(c.id),
      received: c.received,
      sent: c.sent,
      sessionId: c.session?.sessionId,
      lastOpcode: c.lastOp,
      established: c.session ? c.established : undefined,
      timeout: c.session?.timeoutMs,
      lastCxid: c.lastCxid,
      lastZxid: c.lastZxid,
      lastResponse: c.lastResponse,
      lastLatency: c.latency.lastMs,
      minLatency: l.minMs,
      avgLatency: l.count === 0 ? 0 : Math.floor(l.totalMs / l.count),
      maxLatency: l.maxMs,
    });
  }
  const tree = core.tree;
  const bySession = new Map<bigint, string[]>();
  for (const [connId, paths] of tree.dataWatches.byWatcherSnapshot()) {
    const sid = sessionOf.get(connId);
    if (sid !== undefined) bySession.set(sid, paths);
  }
  const byPath = new Map<string, bigint[]>();
  let count = 0;
  for (const [path, watchers] of tree.dataWatches.byPathSnapshot()) {
    const sids = watchers.map((w) => sessionOf.get(w)).filter((s): s is bigint => s !== undefined);
    count += watchers.length;
    if (sids.length > 0) byPath.set(path, sids);
  }
  return {
    version: core.config.version,
    serverId: core.config.serverId,
    now: core.clock(),
    startedAt: core.startedAt,
    latency: core.counters.latency.summary(),
    packetsReceived: core.counters.packetsReceived,
    packetsSent: core.counters.packetsSent,
    connections,
    outstanding,
    zxid: core.lastProcessedZxid,
    nodeCount: tree.nodeCount,
    approximateDataSize: tree.approximateDataSize,
    watches: { bySession, byPath, count },
    watchCountTotal: tree.dataWatches.size + tree.childWatches.size,
    sessionBuckets: sessions.bucketSnapshot().map((b) => ({ expiresAt: b.expiresAt, members: b.sessionIds })),
    ephemerals: tree.sessionsWithEphemerals(),
    ephemeralsCount: tree.ephemeralCount,
    globalSessions: sessions.size,
    authFailedCount: core.counters.authFailed,
    limitsRefused: { ...core.counters.limitsRefused },
    tickTimeMs: core.config.tickTimeMs,
    minSessionTimeoutMs: core.minSessionTimeoutMs,
    maxSessionTimeoutMs: core.maxSessionTimeoutMs,
  };
}
