/** Maps the core's stats snapshot onto the four-letter-word formatter's ServerStats. */
import type { PipelineStats } from '@coord/server';
import { emptyServerStats, formatZooKeeperVersion, lastOpName, ServerStats } from './ops';

/** The "built on" date printed in the version line. */
const builtOnMs = Date.UTC(2026, 10, 25, 0, 0);

/**
 * `askingConnId` is the connection that sent the four-letter word: ZooKeeper lists it with interest
 * ops 0 (it is closing) and counts the word as one packet received.
 */
export function toServerStats(s: PipelineStats, askingConnId = -1): ServerStats {
  const stats = emptyServerStats(formatZooKeeperVersion(s.version, builtOnMs));
  stats.latency = s.latency;
  stats.packetsReceived = s.packetsReceived;
  stats.packetsSent = s.packetsSent;
  stats.connections = s.connections.map((c) => ({
    remoteAddress: c.remoteAddress,
    remotePort: c.remotePort,
    interestOps: c.connId === askingConnId ? 0 : 1,
    queued: c.queued,
    received: c.connId === askingConnId ? c.received + 1 : c.received,
    sent: c.sent,
    sessionId: c.sessionId,
    lastOp: lastOpName(c.lastOpcode),
    established: c.established,
    timeout: c.timeout,
    lastCxid: c.lastCxid,
    lastZxid: c.lastZxid,
    lastResponse: c.lastResponse,
    lastLatency: c.lastLatency,
    minLatency: c.minLatency,
    avgLatency: c.avgLatency,
    maxLatency: c.maxLatency,
  }));
  stats.outstanding = s.outstanding;
  stats.zxid = s.zxid;
  stats.nodeCount = s.nodeCount;
  stats.watches = { ...s.watches, childCount: s.watchCountTotal - s.watches.count };
  stats.sessionBuckets = s.sessionBuckets;
  stats.ephemerals = s.ephemerals;
  stats.approximateDataSize = s.approximateDataSize;
  stats.uptimeMs = s.now - s.startedAt;
  stats.globalSessions = s.globalSessions;
  stats.authFailedCount = s.authFailedCount;
  stats.limitsRefused = s.limitsRefused;
  return stats;
}
