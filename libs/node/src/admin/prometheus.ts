/**
 * The Prometheus endpoint's registry (prom-client): ZooKeeper's metric names where they exist
 * (znode_count, watch_count, ephemerals_count, approximate_data_size, num_alive_connections,
 * outstanding_requests, packets_received/sent, avg/min/max_latency, fsynctime, snapshottime,
 * readlatency, updatelatency, election_time, quorum_size, learners, synced_followers...), a latency
 * histogram per operation (`request_latency_ms{op}`), and the process metrics. Every figure is read at
 * scrape time from the one stats source (ServerStats and NodeMetrics); nothing is counted twice.
 */
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { ServerStats } from '@coord/server';
import { latencyBucketsMs, type NodeMetrics, type Summary } from './node-metrics';

export interface MetricsSource {
  stats(): ServerStats;
  metrics: NodeMetrics;
  /** Voters needed for a quorum (1 standalone). */
  quorumSize(): number;
}

type Values = { value: number; labels?: Record<string, string | number>; metricName?: string }[];

/** A metric whose samples are computed at scrape time (prom-client calls `get`). */
function computed(registry: Registry, name: string, help: string, type: 'gauge' | 'counter' | 'summary' | 'histogram', values: () => Values): void {
  registry.registerMetric({
    name,
    help,
    type,
    get: async () => ({ name, help, type, values: values(), aggregator: 'sum' }),
    reset: () => undefined,
  } as never);
}

function summaryValues(name: string, s: Summary): Values {
  return [
    { metricName: `${name}_sum`, value: s.sum },
    { metricName: `${name}_count`, value: s.count },
  ];
}

export function createMetricsRegistry(source: MetricsSource, opts: { processMetrics: boolean }): Registry {
  const registry = new Registry();
  // One ServerStats per scrape, shared by every gauge of that scrape.
  let snapshot: { at: number; stats: ServerStats } | null = null;
  const stats = () => {
    const now = Date.now();
    if (!snapshot || now - snapshot.at > 100) snapshot = { at: now, stats: source.stats() };
    return snapshot.stats;
  };
  const gauge = (name: string, help: string, read: (s: ServerStats) => number) =>
    new Gauge({ name, help, registers: [registry], collect() { this.set(read(stats())); } });

  gauge('znode_count', 'Number of znodes (ZooKeeper counts the root twice)', (s) => s.nodeCount);
  gauge('watch_count', 'Number of watches (data and child)', (s) => s.watches.count + s.watches.childCount);
  gauge('ephemerals_count', 'Number of ephemeral znodes', (s) => [...s.ephemerals.values()].reduce((n, p) => n + p.length, 0));
  gauge('approximate_data_size', 'Sum of path and data lengths of all znodes (bytes)', (s) => s.approximateDataSize);
  gauge('num_alive_connections', 'Open client connections', (s) => s.connections.length);
  gauge('outstanding_requests', 'Requests received and not answered yet', (s) => s.outstanding);
  gauge('global_sessions', 'Sessions', (s) => s.globalSessions);
  gauge('packets_received', 'Packets received from clients', (s) => s.packetsReceived);
  gauge('packets_sent', 'Packets sent to clients', (s) => s.packetsSent);
  gauge('avg_latency', 'Average request latency (ms)', (s) => (s.latency.count === 0 ? 0 : s.latency.totalMs / s.latency.count));
  gauge('min_latency', 'Smallest request latency (ms)', (s) => s.latency.minMs);
  gauge('max_latency', 'Largest request latency (ms)', (s) => s.latency.maxMs);
  gauge('uptime', 'Time since the server started (ms)', (s) => s.uptimeMs);
  gauge('auth_failed_count', 'Failed authentications', (s) => s.authFailedCount);
  computed(registry, 'limits_refused_count', 'Requests refused by a limit (enforced quota, per-session ephemerals, watches, requests in flight)', 'counter', () =>
    Object.entries(stats().limitsRefused).map(([limit, value]) => ({ value, labels: { limit } })),
  );
  gauge('last_processed_zxid', 'Last applied zxid', (s) => Number(s.zxid));
  gauge('server_serving', '1 while serving clients (standalone, leader or follower)', (s) => (s.serving ? 1 : 0));
  gauge('server_is_leader', '1 on the leader', (s) => (s.mode === 'leader' ? 1 : 0));
  gauge('quorum_size', 'Voters needed for a quorum', () => source.quorumSize());
  gauge('learners', 'Learners connected to this leader', (s) => s.leader?.learners ?? 0);
  gauge('synced_followers', 'Followers in sync with this leader', (s) => s.leader?.syncedFollowers ?? 0);
  gauge('synced_observers', 'Observers in sync with this leader', (s) => s.leader?.syncedObservers ?? 0);
  gauge('pending_syncs', 'Syncs waiting on this leader', (s) => s.leader?.pendingSyncs ?? 0);

  const m = source.metrics;
  computed(registry, 'commit_count', 'Committed txns applied', 'counter', () => [{ value: m.commitCount }]);
  computed(registry, 'looking_count', 'Times this member started looking for a leader', 'counter', () => [{ value: m.lookingCount }]);
  computed(registry, 'proposal_count', 'Txns proposed by this leader', 'counter', () => [{ value: m.proposalCount }]);
  computed(registry, 'snap_count', 'Snapshots written', 'counter', () => [{ value: m.snapCount }]);
  const summaries: [string, string, Summary][] = [
    ['readlatency', 'Read request latency (ms)', m.readLatency],
    ['updatelatency', 'Write request latency (ms)', m.updateLatency],
    ['fsynctime', 'Time to fsync a batch of txns (ms)', m.fsyncTime],
    ['snapshottime', 'Time to write a snapshot (ms)', m.snapshotTime],
    ['election_time', 'Time to elect a leader (ms)', m.electionTime],
    ['unavailable_time', 'Time not serving between roles (ms)', m.unavailableTime],
    ['sync_processor_batch_size', 'Txns per log write', m.syncProcessorBatchSize],
    ['proposal_latency', 'Leader: proposal to commit (ms)', m.proposalLatency],
    ['follower_sync_time', 'Follower: leader found to serving (ms)', m.followerSyncTime],
  ];
  for (const [name, help, s] of summaries) computed(registry, name, help, 'summary', () => summaryValues(name, s));
  computed(registry, 'request_latency_ms', 'Request latency per operation (ms)', 'histogram', () => {
    const values: Values = [];
    for (const [op, h] of m.byOp) {
      let cumulative = 0;
      latencyBucketsMs.forEach((le, i) => {
        cumulative += h.counts[i];
        values.push({ metricName: 'request_latency_ms_bucket', labels: { op, le }, value: cumulative });
      });
      values.push({ metricName: 'request_latency_ms_bucket', labels: { op, le: '+Inf' }, value: h.count });
      values.push({ metricName: 'request_latency_ms_sum', labels: { op }, value: h.sum });
      values.push({ metricName: 'request_latency_ms_count', labels: { op }, value: h.count });
    }
    return values;
  });
  if (opts.processMetrics) collectDefaultMetrics({ register: registry });
  return registry;
}
