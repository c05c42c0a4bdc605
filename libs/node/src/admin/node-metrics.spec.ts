import { OpCode } from '@coord/protocol';
import { latencyBucketsMs, NodeMetrics, opName, Summary } from './node-metrics';

describe('NodeMetrics', () => {
  it('summaries give ZooKeeper\'s avg/min/max/cnt/sum keys, zero before any value', () => {
    const s = new Summary();
    expect(s.monitorValues('fsynctime')).toEqual([['avg_fsynctime', 0], ['min_fsynctime', 0], ['max_fsynctime', 0], ['cnt_fsynctime', 0], ['sum_fsynctime', 0]]);
    for (const v of [4, 1, 7]) s.record(v);
    expect(s.monitorValues('x')).toEqual([['avg_x', 4], ['min_x', 1], ['max_x', 7], ['cnt_x', 3], ['sum_x', 12]]);
    s.record(0);
    expect(s.min).toBe(0);
  });

  it('splits replies into reads and updates, leaves out pings and session ops, and buckets each operation', () => {
    const m = new NodeMetrics();
    m.recordReply(OpCode.getData, 3);
    m.recordReply(OpCode.getData, 3000);
    m.recordReply(OpCode.setData, 12);
    m.recordReply(OpCode.ping, 1);
    m.recordReply(OpCode.createSession, 1);
    expect([m.readLatency.count, m.updateLatency.count]).toEqual([2, 1]);
    expect([...m.byOp.keys()].sort()).toEqual(['getData', 'setData']);
    const h = m.byOp.get('getData')!;
    expect(h.counts[latencyBucketsMs.indexOf(5)]).toBe(1); // 3 ms falls in le=5
    expect(h.counts[latencyBucketsMs.indexOf(5000)]).toBe(1); // 2500 < 3000 <= 5000
    expect(h.counts[latencyBucketsMs.length]).toBe(0); // nothing above 5000 ms (+Inf only)
    expect([h.count, h.sum]).toEqual([2, 3003]);
    expect(opName(OpCode.create2)).toBe('create2');
    expect(opName(999)).toBe('op999');
  });

  it('mntr keys carry the counters and summaries it keeps', () => {
    const m = new NodeMetrics();
    m.recordCommit();
    m.fsyncTime.record(2);
    const keys = new Map(m.monitorValues());
    expect(keys.get('commit_count')).toBe(1);
    expect(keys.get('cnt_fsynctime')).toBe(1);
    for (const k of ['avg_readlatency', 'max_updatelatency', 'sum_snapshottime', 'cnt_election_time', 'avg_proposal_latency', 'cnt_follower_sync_time', 'looking_count', 'proposal_count']) expect(keys.has(k)).toBe(true);
  });
});
