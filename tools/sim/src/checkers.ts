// Client-history checkers, run at the end over the agreed txn sequence (history.ts, model.ts) and what
// the clients recorded (clients.ts):
// - no acknowledged write lost: every answered write is the txn at the zxid its reply carried, with
//   the same outcome; a write answered without a txn (SESSIONEXPIRED from the front) never commits;
// - nothing phantom: every client txn in the sequence was sent by that session;
// - per-session FIFO: a session's txns commit in the order it sent them;
// - linearizable writes: a write answered before another was sent has the smaller zxid;
// - reads return the value the sequence holds at the zxid they carry, and a read right after a sync
//   carries a zxid at least that of every write answered before the sync was sent;
// - ephemerals: a read of the children sees exactly the ephemerals alive at its zxid: none of a
//   closed session, every one of a live session.

import { formatZxid, type Zxid } from '@coord/zab';
import { ErrorCode } from '@coord/protocol';
import { EventType } from '@coord/protocol';
import type { ReadRecord, WatchRecord, WriteRecord } from './clients';
import { SimFailure } from './failure';
import { requestKey, type SequenceModel, type SequencedTxn } from './model';

function fail(message: string): never {
  throw new SimFailure('correctness', message);
}

/** Errors the front answers itself, without a txn. */
const frontErrors: readonly number[] = [ErrorCode.SESSIONEXPIRED, ErrorCode.MARSHALLINGERROR];

function txnSucceeded(s: SequencedTxn): boolean {
  const op = s.txn.op;
  if (op.type === 'error') return false;
  return op.type !== 'multi' || !op.ops.some((o) => o.type === 'error');
}

function who(w: WriteRecord): string {
  return `client ${w.client}'s ${w.desc} (${requestKey(w.sessionId, w.xid)}, sent t=${w.invokeAt} to member ${w.member})`;
}

export function checkClientHistory(model: SequenceModel, writes: readonly WriteRecord[], reads: readonly ReadRecord[], watches: readonly WatchRecord[] = []): void {
  const keys = writes.map((w) => requestKey(w.sessionId, w.xid));
  const sent = new Map(writes.map((w, i) => [keys[i], w]));
  const txnOf = new Map(writes.map((w, i) => [w, model.byKey.get(keys[i])]));
  const committed = (w: WriteRecord): SequencedTxn | undefined => txnOf.get(w);

  // No acknowledged write lost; answers agree with the sequence.
  for (const w of writes) {
    if (w.outcome !== 'answered') continue;
    const s = committed(w);
    if (s === undefined) {
      if (w.err === 0 || !frontErrors.includes(w.err as number)) fail(`answered ${who(w)} (err ${w.err}, zxid ${formatZxid(w.zxid ?? 0)}) is missing from the agreed sequence`);
      continue;
    }
    if (s.zxid !== w.zxid) fail(`${who(w)} was answered with zxid ${formatZxid(w.zxid ?? 0)} but committed at ${formatZxid(s.zxid)}`);
    if (txnSucceeded(s) !== w.ok) fail(`${who(w)} was answered ${w.ok ? 'ok' : `err ${w.err}`} but the agreed txn ${txnSucceeded(s) ? 'succeeded' : 'failed'}`);
  }

  // Nothing phantom, and FIFO: a session's requests sent on one connection commit in the order sent,
  // and across connections the writes that took effect do (a write still on its way from a member the
  // session left is refused with SESSIONMOVED, so it cannot take effect after the client's later ones).
  const lastXid = new Map<number, { xid: number; zxid: Zxid }>();
  const lastEffective = new Map<bigint, { xid: number; zxid: Zxid }>();
  for (const s of model.txns) {
    if (s.txn.cxid <= 0) continue;
    const key = requestKey(s.txn.sessionId, s.txn.cxid);
    const w = sent.get(key);
    if (w === undefined) fail(`txn ${formatZxid(s.zxid)} (${s.txn.op.type}, request ${key}) was never sent by a client`);
    const last = lastXid.get(w.connId);
    if (last !== undefined && last.xid > s.txn.cxid) {
      fail(`session 0x${s.txn.sessionId.toString(16)}: xid ${s.txn.cxid} committed at ${formatZxid(s.zxid)}, after xid ${last.xid} at ${formatZxid(last.zxid)}, both sent on connection ${w.connId} (FIFO order broken)`);
    }
    lastXid.set(w.connId, { xid: s.txn.cxid, zxid: s.zxid });
    if (!txnSucceeded(s)) continue;
    const lastOfSession = lastEffective.get(s.txn.sessionId);
    if (lastOfSession !== undefined && lastOfSession.xid > s.txn.cxid) {
      fail(`session 0x${s.txn.sessionId.toString(16)}: xid ${s.txn.cxid} took effect at ${formatZxid(s.zxid)}, after xid ${lastOfSession.xid} at ${formatZxid(lastOfSession.zxid)} (per-session FIFO order broken)`);
    }
    lastEffective.set(s.txn.sessionId, { xid: s.txn.cxid, zxid: s.zxid });
  }

  // Linearizable writes: sweep answers in time order against invocations.
  const acked = writes.filter((w) => w.outcome === 'answered' && committed(w) !== undefined).sort((a, b) => (a.ackAt as number) - (b.ackAt as number));
  const invoked = writes.filter((w) => committed(w) !== undefined).sort((a, b) => a.invokeAt - b.invokeAt);
  let i = 0;
  let maxAcked: { zxid: Zxid; w: WriteRecord } | null = null;
  for (const w of invoked) {
    while (i < acked.length && (acked[i].ackAt as number) < w.invokeAt) {
      if (maxAcked === null || (acked[i].zxid as number) > maxAcked.zxid) maxAcked = { zxid: acked[i].zxid as number, w: acked[i] };
      i++;
    }
    const zxid = (committed(w) as SequencedTxn).zxid;
    if (maxAcked !== null && zxid <= maxAcked.zxid) {
      fail(`not linearizable: ${who(w)} committed at ${formatZxid(zxid)}, before ${who(maxAcked.w)} (${formatZxid(maxAcked.zxid)}) answered at t=${maxAcked.w.ackAt}`);
    }
  }

  checkReads(model, acked, reads);
  checkWatches(model, watches);
}

/**
 * A watch fires once, for the first change after the zxid it was armed at, with that change's zxid,
 * and before the client sees any reply at or past that change (ZooKeeper: a client sees the event
 * before it sees the new data). An unfired watch means no reply on its connection reached the change.
 */
function checkWatches(model: SequenceModel, watches: readonly WatchRecord[]): void {
  for (const w of watches) {
    const next = model.nextChange(w.kind, w.path, w.armedZxid);
    const what = `client ${w.client}'s ${w.kind} watch on ${w.path} (member ${w.member}, armed at ${formatZxid(w.armedZxid)})`;
    if (w.firedZxid === null) {
      if (next !== undefined && w.seenBefore >= next) fail(`${what} never fired, yet the client saw ${formatZxid(w.seenBefore)}, past the change at ${formatZxid(next)}`);
      continue;
    }
    if (next === undefined || w.firedZxid !== next) fail(`${what} fired at ${formatZxid(w.firedZxid)}, but the first change after it is ${next === undefined ? 'none' : formatZxid(next)}`);
    if (w.seenBefore >= next) fail(`${what} fired for ${formatZxid(next)} after the client saw a reply at ${formatZxid(w.seenBefore)}`);
    const expected: number[] = w.kind === 'children' ? [EventType.NodeChildrenChanged] : [EventType.NodeDataChanged, EventType.NodeDeleted];
    if (!expected.includes(w.eventType as number)) fail(`${what} fired with event type ${w.eventType}`);
  }
}

function checkReads(model: SequenceModel, acked: readonly WriteRecord[], reads: readonly ReadRecord[]): void {
  const ackTimes = acked.map((w) => w.ackAt as number);
  const prefixMax: Zxid[] = [];
  for (const w of acked) prefixMax.push(Math.max(prefixMax[prefixMax.length - 1] ?? 0, w.zxid as number));
  for (const r of reads) {
    if (r.err === ErrorCode.SESSIONEXPIRED) continue;
    const where = `client ${r.client}'s read of ${r.path} on member ${r.member} at ${formatZxid(r.zxid)} (sent t=${r.invokeAt})`;
    if (r.afterSync) {
      const k = upperBound(ackTimes, r.invokeAt - 1);
      const mustSee = k > 0 ? prefixMax[k - 1] : 0;
      if (r.zxid < mustSee) fail(`stale read after sync: ${where}, but ${formatZxid(mustSee)} was answered before the sync was sent`);
    }
    if (r.kind === 'data') {
      const expected = model.registerAt(r.path, r.zxid);
      const seen = r.err === ErrorCode.NONODE ? null : r.data;
      if (expected !== seen) fail(`${where} returned ${seen}, the agreed sequence holds ${expected}`);
      continue;
    }
    const seen = (r.children ?? []).filter((c) => c.startsWith('e-'));
    const expected = model.ephemeralsAt(r.zxid);
    const missing = expected.filter((e) => !seen.includes(e));
    const extra = seen.filter((e) => !expected.includes(e));
    if (missing.length > 0) fail(`${where}: ephemerals ${missing.join(',')} of live sessions are missing`);
    if (extra.length > 0) fail(`${where}: ephemerals ${extra.join(',')} are there though deleted or their session closed`);
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
