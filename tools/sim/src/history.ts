// The state checker: every apply on every peer must extend one global sequence of txns. We record,
// for each applied zxid, the zxid applied right before it; two peers disagreeing on either a link or a
// payload is a fork, reported at the moment it happens (with the peer, time and zxids involved).

import { formatZxid, type ServerId, type Txn, type Zxid } from '@coord/zab';
import { SimFailure } from './failure';
import { formatOp, opKey, type Op } from './state-machine';

export class HistoryChecker {
  /** zxid -> the zxid every peer applies next. */
  private readonly next = new Map<Zxid, Zxid>([]);
  private readonly payloads = new Map<Zxid, Op>();
  private readonly zxidByOp = new Map<string, Zxid>();
  applies = 0;

  onApply(peer: ServerId, now: number, previous: Zxid, txn: Txn<Op>): void {
    this.applies++;
    const where = `peer ${peer} at t=${now}`;
    if (txn.zxid <= previous) {
      throw new SimFailure('correctness', `${where}: applied ${formatZxid(txn.zxid)} after ${formatZxid(previous)} (out of zxid order)`);
    }
    const known = this.next.get(previous);
    if (known === undefined) this.next.set(previous, txn.zxid);
    else if (known !== txn.zxid) {
      throw new SimFailure('correctness', `${where}: after ${formatZxid(previous)} applied ${formatZxid(txn.zxid)}, another peer applied ${formatZxid(known)} (prefix agreement broken)`);
    }
    const payload = this.payloads.get(txn.zxid);
    if (payload === undefined) {
      this.payloads.set(txn.zxid, txn.payload);
      const key = opKey(txn.payload);
      const earlier = this.zxidByOp.get(key);
      if (earlier !== undefined && txn.payload.client >= 0) {
        throw new SimFailure('correctness', `${where}: client op ${key} committed twice, at ${formatZxid(earlier)} and ${formatZxid(txn.zxid)}`);
      }
      this.zxidByOp.set(key, txn.zxid);
    } else if (JSON.stringify(payload) !== JSON.stringify(txn.payload)) {
      throw new SimFailure('correctness', `${where}: zxid ${formatZxid(txn.zxid)} is "${formatOp(txn.payload)}" here but "${formatOp(payload)}" elsewhere`);
    }
  }

  /** A peer restored a snapshot: it must sit on the agreed sequence. */
  onRestore(peer: ServerId, zxid: Zxid): void {
    if (zxid !== 0 && !this.payloads.has(zxid)) {
      throw new SimFailure('correctness', `peer ${peer} restored a snapshot at ${formatZxid(zxid)}, which no peer ever applied`);
    }
  }

  payloadAt(zxid: Zxid): Op | undefined {
    return this.payloads.get(zxid);
  }

  zxidOf(key: string): Zxid | undefined {
    return this.zxidByOp.get(key);
  }

  /** The agreed sequence from the start, following the links. */
  sequence(): Txn<Op>[] {
    const out: Txn<Op>[] = [];
    for (let z = this.next.get(0); z !== undefined; z = this.next.get(z)) out.push({ zxid: z, payload: this.payloads.get(z) as Op });
    return out;
  }
}
