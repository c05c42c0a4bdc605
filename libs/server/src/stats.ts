/**
 * Per-connection state and counters, and the stats snapshot taken from them (ServerStats, the one the
 * four-letter words, the AdminServer and the Prometheus endpoint read). The snapshot is plain data; the
 * node formats it.
 */
import { Id, lastOpName } from '@coord/protocol';
import type { RequestPipeline } from './pipeline';
import { emptyServerStats, type ConnectionStats, type ServerStats, type WatchTables } from './server-stats';
import type { TrackedSession, SessionTracker } from './sessions';

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
  session: TrackedSession | null = null;
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

/**
 * Defines `key` of `obj` as computed when first read, then kept (a write replaces it): what only some
 * commands print is not built for every stats snapshot.
 */
function lazily<T extends object, K extends keyof T>(obj: T, key: K, compute: () => T[K]): void {
  let value: T[K];
  let known = false;
  Object.defineProperty(obj, key, {
    enumerable: true,
    configurable: true,
    get: () => {
      if (!known) {
        value = compute();
        known = true;
      }
      return value;
    },
    set: (v: T[K]) => {
      value = v;
      known = true;
    },
  });
}

/**
 * The node's stats snapshot (see server-stats.ts) as the pipeline knows it. `askingConnId` is the
 * connection that sent a four-letter word: ZooKeeper lists it with interest ops 0 (it is closing) and
 * counts the word as one packet received.
 */
export function snapshotStats(
  core: RequestPipeline,
  conns: Iterable<ConnectionState>,
  sessions: SessionTracker,
  queuedFor: (connId: number) => number,
  outstanding: number,
  askingConnId = -1,
): ServerStats {
  const stats = emptyServerStats(core.config.version);
  const connections: ConnectionStats[] = [];
  const sessionOf = new Map<number, bigint>();
  for (const c of conns) {
    const l = c.latency.summary();
    if (c.session) sessionOf.set(c.id, c.session.sessionId);
    const asking = c.id === askingConnId;
    connections.push({
      remoteAddress: c.remoteAddress,
      remotePort: c.remotePort,
      interestOps: asking ? 0 : 1,
      queued: queuedFor(c.id),
      received: asking ? c.received + 1 : c.received,
      sent: c.sent,
      sessionId: c.session?.sessionId,
      lastOp: lastOpName(c.lastOp),
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
  // wchs/wchc/wchp show the data table; mntr's zk_watch_count adds the child watches. The lists are built
  // only when a command reads them: at a million watches that took ~130 ms (and as much again in
  // collections) on every mntr, stat or /metrics scrape.
  const watches = { count: tree.dataWatches.size, childCount: tree.childWatches.size } as WatchTables;
  lazily(watches, 'bySession', () => {
    const bySession = new Map<bigint, string[]>();
    for (const [connId, paths] of tree.dataWatches.byWatcherSnapshot()) {
      const sid = sessionOf.get(connId);
      if (sid !== undefined) bySession.set(sid, paths);
    }
    return bySession;
  });
  lazily(watches, 'byPath', () => {
    const byPath = new Map<string, bigint[]>();
    for (const [path, watchers] of tree.dataWatches.byPathSnapshot()) {
      const sids = watchers.map((w) => sessionOf.get(w)).filter((s): s is bigint => s !== undefined);
      if (sids.length > 0) byPath.set(path, sids);
    }
    return byPath;
  });
  stats.latency = core.counters.latency.summary();
  stats.packetsReceived = core.counters.packetsReceived;
  stats.packetsSent = core.counters.packetsSent;
  stats.connections = connections;
  stats.outstanding = outstanding;
  stats.zxid = core.lastProcessedZxid;
  stats.nodeCount = tree.nodeCount;
  stats.watches = watches;
  lazily(stats, 'sessionBuckets', () => sessions.bucketSnapshot().map((b) => ({ expiresAt: b.expiresAt, members: b.sessionIds })));
  lazily(stats, 'ephemerals', () => tree.sessionsWithEphemerals());
  stats.ephemeralsCount = tree.ephemeralCount;
  stats.approximateDataSize = tree.approximateDataSize;
  stats.uptimeMs = core.clock() - core.startedAt;
  stats.globalSessions = sessions.size;
  stats.authFailedCount = core.counters.authFailed;
  stats.limitsRefused = { ...core.counters.limitsRefused };
  return stats;
}
