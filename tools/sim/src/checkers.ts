// Client-history checkers, run at the end over the agreed txn sequence (history.ts):
// - no acknowledged write is lost, and nothing commits that a client never sent;
// - writes are linearizable: the zxid order is a total order that respects real time (a write
//   acknowledged before another was invoked has the smaller zxid);
// - reads after sync see every write acknowledged before the sync began, and the value the agreed
//   sequence holds at the zxid they read;
// - an ephemeral disappears only with its session, and never outlives it.

import { formatZxid, type Txn, type Zxid } from '@coord/zab';
import type { OpRecord, ReadRecord } from './clients';
import { SimFailure } from './failure';
import { formatOp, opKey, StateMachine, type Op } from './state-machine';

interface Replay {
  /** Per register, (zxid, value) in zxid order. */
  readonly registerHistory: Map<string, { zxid: Zxid; value: string }[]>;
  readonly closedAt: Map<number, Zxid>;
  readonly zxidByOp: Map<string, Zxid>;
  readonly resultByZxid: Map<Zxid, boolean>;
}

function replay(sequence: readonly Txn<Op>[]): Replay {
  const sm = new StateMachine();
  const r: Replay = { registerHistory: new Map(), closedAt: new Map(), zxidByOp: new Map(), resultByZxid: new Map() };
  for (const { zxid, payload } of sequence) {
    const ok = sm.apply(zxid, payload);
    r.resultByZxid.set(zxid, ok);
    r.zxidByOp.set(opKey(payload), zxid);
    if (payload.t === 'put') {
      const list = r.registerHistory.get(payload.key) ?? [];
      list.push({ zxid, value: payload.value });
      r.registerHistory.set(payload.key, list);
    }
    if (payload.t === 'close' && ok) r.closedAt.set(payload.session, zxid);
  }
  return r;
}

function fail(message: string): never {
  throw new SimFailure('correctness', message);
}

export function checkClientHistory(sequence: readonly Txn<Op>[], ops: readonly OpRecord[], reads: readonly ReadRecord[]): void {
  const r = replay(sequence);
  const byKey = new Map(ops.map((o) => [opKey(o.payload), o]));

  // No acknowledged write lost; outcomes agree with the sequence; nothing commits that was not sent.
  for (const o of ops) {
    const zxid = r.zxidByOp.get(opKey(o.payload));
    if (o.outcome === 'ok') {
      if (zxid !== o.zxid) fail(`acknowledged ${formatOp(o.payload)} (client op ${opKey(o.payload)}, zxid ${formatZxid(o.zxid ?? 0)}) is missing from the agreed sequence`);
      const result = r.resultByZxid.get(zxid as Zxid);
      if (result !== o.result) fail(`${formatOp(o.payload)} answered ${o.result} but the agreed sequence gives ${result}`);
    }
    if (o.outcome === 'notSent' && zxid !== undefined) fail(`${formatOp(o.payload)} was refused by its peer yet committed at ${formatZxid(zxid)}`);
  }
  for (const { zxid, payload } of sequence) {
    if (payload.client >= 0 && !byKey.has(opKey(payload))) fail(`${formatOp(payload)} at ${formatZxid(zxid)} was never invoked`);
  }

  // Linearizable writes: sweep acknowledgements in time order against invocations.
  const acked = ops.filter((o) => o.outcome === 'ok').sort((a, b) => (a.ackAt as number) - (b.ackAt as number));
  const committed = ops.filter((o) => r.zxidByOp.has(opKey(o.payload))).sort((a, b) => a.invokeAt - b.invokeAt);
  let i = 0;
  let maxAcked: { zxid: Zxid; op: OpRecord } | null = null;
  for (const o of committed) {
    while (i < acked.length && (acked[i].ackAt as number) < o.invokeAt) {
      if (maxAcked === null || (acked[i].zxid as number) > maxAcked.zxid) maxAcked = { zxid: acked[i].zxid as number, op: acked[i] };
      i++;
    }
    const zxid = r.zxidByOp.get(opKey(o.payload)) as Zxid;
    if (maxAcked !== null && zxid <= maxAcked.zxid) {
      fail(`not linearizable: ${formatOp(o.payload)} invoked at t=${o.invokeAt} committed at ${formatZxid(zxid)}, before ${formatOp(maxAcked.op.payload)} (${formatZxid(maxAcked.zxid)}) acknowledged at t=${maxAcked.op.ackAt}`);
    }
  }

  checkReads(r, acked, ops, reads);
}

function checkReads(r: Replay, acked: readonly OpRecord[], ops: readonly OpRecord[], reads: readonly ReadRecord[]): void {
  const ackTimes = acked.map((o) => o.ackAt as number);
  const prefixMax: Zxid[] = [];
  for (const o of acked) prefixMax.push(Math.max(prefixMax[prefixMax.length - 1] ?? 0, o.zxid as number));
  const ephemeralCreates = ops.filter((o) => o.payload.t === 'eph' && o.outcome === 'ok' && o.result === true);
  for (const read of reads) {
    const k = upperBound(ackTimes, read.invokeAt - 1);
    const mustSee = k > 0 ? prefixMax[k - 1] : 0;
    if (read.zxid < mustSee) fail(`stale read after sync: client ${read.client} read at ${formatZxid(read.zxid)} on peer ${read.node}, but ${formatZxid(mustSee)} was acknowledged before t=${read.invokeAt}`);
    const history = r.registerHistory.get(read.key) ?? [];
    let expected: string | null = null;
    for (const h of history) if (h.zxid <= read.zxid) expected = h.value;
    if (expected !== read.value) fail(`read of ${read.key} at ${formatZxid(read.zxid)} on peer ${read.node} returned ${read.value}, the agreed sequence holds ${expected}`);
    if (read.session === null) continue;
    const closed = r.closedAt.get(read.session);
    const alive = closed === undefined || closed > read.zxid;
    for (const o of ephemeralCreates) {
      const p = o.payload;
      if (p.t !== 'eph' || p.session !== read.session || (o.zxid as number) > read.zxid) continue;
      if (alive && !read.ephemerals.includes(p.key)) fail(`ephemeral ${p.key} of live session ${p.session} vanished (read at ${formatZxid(read.zxid)} on peer ${read.node})`);
    }
    if (!alive && read.ephemerals.length > 0) fail(`ephemerals ${read.ephemerals.join(',')} outlived session ${read.session}, closed at ${formatZxid(closed as number)}`);
  }
}

/** The number of sorted values <= x. */
function upperBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
