/**
 * The node's operating figures beyond the pipeline's own counters: request latency by kind and by
 * operation, fsync, snapshot and election times, commits and elections. Counted once here; the
 * four-letter word `mntr`, the AdminServer's `monitor` and the Prometheus endpoint all read them.
 * Pure bookkeeping: the driver passes every measured duration in, nothing here reads a clock.
 */
import { isWrite, OpCode, operationOf } from '@coord/protocol';

/** ZooKeeper's AvgMinMaxCounter: mntr prints avg_, min_, max_, cnt_ and sum_ of each. */
export class Summary {
  count = 0;
  sum = 0;
  min = 0;
  max = 0;

  record(value: number): void {
    if (this.count === 0 || value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.count++;
    this.sum += value;
  }

  get avg(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  reset(): void {
    this.count = this.sum = this.min = this.max = 0;
  }

  /** mntr's five keys for a summary called `name`, in ZooKeeper's order. */
  monitorValues(name: string): [string, number][] {
    return [
      [`avg_${name}`, Math.round(this.avg * 10000) / 10000],
      [`min_${name}`, this.min],
      [`max_${name}`, this.max],
      [`cnt_${name}`, this.count],
      [`sum_${name}`, this.sum],
    ];
  }
}

/** Upper bounds (ms) of the per-operation latency histogram buckets; +Inf is implied. */
export const latencyBucketsMs: readonly number[] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

/** Counts per bucket (not cumulative), sum and count: a Prometheus histogram without the library on the hot path. */
export class LatencyHistogram {
  readonly counts = new Array<number>(latencyBucketsMs.length + 1).fill(0);
  sum = 0;
  count = 0;

  observe(ms: number): void {
    let i = 0;
    while (i < latencyBucketsMs.length && ms > latencyBucketsMs[i]) i++;
    this.counts[i]++;
    this.sum += ms;
    this.count++;
  }
}

/** The operation's name as ZooKeeper's OpCode calls it (`getData`, `create2`...), `op<N>` for an unknown code. */
export function opName(opcode: number): string {
  return operationOf(opcode)?.name ?? `op${opcode}`;
}

export class NodeMetrics {
  /** Reads and writes as ZooKeeper splits them (readlatency, updatelatency), ms. */
  readonly readLatency = new Summary();
  readonly updateLatency = new Summary();
  /** Time to make a batch of txns durable (the txn log's or the ZAB log's fsync), ms. */
  readonly fsyncTime = new Summary();
  /** Time to write a snapshot, ms. */
  readonly snapshotTime = new Summary();
  /** From starting to look for a leader until one is elected (the end of ZAB's election phase), ms. */
  readonly electionTime = new Summary();
  /** From leaving service (or starting) until serving again as leader or follower (after discovery and sync), ms. */
  readonly unavailableTime = new Summary();
  /** Txns per write to the log (ZooKeeper's sync_processor_batch_size). */
  readonly syncProcessorBatchSize = new Summary();
  /** Leader: from proposing a txn to applying it once a quorum logged it, ms (proposal_latency). */
  readonly proposalLatency = new Summary();
  /** Follower: from finding the leader to serving (discovery and sync), ms (follower_sync_time). */
  readonly followerSyncTime = new Summary();
  /** Leader: txns proposed (proposal_count). */
  proposalCount = 0;
  /** Per operation name: the latency histogram behind `request_latency_ms` on /metrics. */
  readonly byOp = new Map<string, LatencyHistogram>();
  /** Committed txns applied (ZooKeeper's commit_count). */
  commitCount = 0;
  /** Times this member started looking for a leader (looking_count). */
  lookingCount = 0;
  /** Snapshots written (snap_count). */
  snapCount = 0;
  /** Sessions expired by the tracker and connections that never sent a ConnectRequest. */
  sessionsExpired = 0;
  private readonly opByCode = new Map<number, LatencyHistogram>();

  /** One reply left the pipeline: `opcode` answered after `ms`. Pings and session ops are not requests. */
  recordReply(opcode: number, ms: number): void {
    if (opcode === OpCode.ping || opcode === OpCode.createSession || opcode === OpCode.closeSession) return;
    (isWrite(opcode) ? this.updateLatency : this.readLatency).record(ms);
    let h = this.opByCode.get(opcode);
    if (!h) {
      h = new LatencyHistogram();
      this.opByCode.set(opcode, h);
      this.byOp.set(opName(opcode), h);
    }
    h.observe(ms);
  }

  recordCommit(): void {
    this.commitCount++;
  }

  /** mntr's extra keys (without the zk_ prefix), the ones of ZooKeeper's metric set that we measure. */
  monitorValues(): [string, number][] {
    return [
      ['commit_count', this.commitCount],
      ['looking_count', this.lookingCount],
      ['snap_count', this.snapCount],
      ['stale_sessions_expired', this.sessionsExpired],
      ['proposal_count', this.proposalCount],
      ...this.readLatency.monitorValues('readlatency'),
      ...this.updateLatency.monitorValues('updatelatency'),
      ...this.fsyncTime.monitorValues('fsynctime'),
      ...this.snapshotTime.monitorValues('snapshottime'),
      ...this.electionTime.monitorValues('election_time'),
      ...this.unavailableTime.monitorValues('unavailable_time'),
      ...this.syncProcessorBatchSize.monitorValues('sync_processor_batch_size'),
      ...this.proposalLatency.monitorValues('proposal_latency'),
      ...this.followerSyncTime.monitorValues('follower_sync_time'),
    ];
  }
}
