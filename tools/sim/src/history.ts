// The state checker: every apply on every member must extend one global sequence of txns. We record,
// for each applied zxid, the zxid applied right before it and the payload bytes; two members
// disagreeing on either a link or a payload is a fork, reported at the moment it happens (with the
// member, time and zxids involved).

import { formatZxid, type ServerId, type ZabTxn, type Zxid } from '@coord/zab';
import { SimFailure } from './failure';

export class HistoryChecker {
  /** zxid -> the zxid every member applies next. */
  private readonly next = new Map<Zxid, Zxid>([]);
  private readonly payloads = new Map<Zxid, Uint8Array>();
  applies = 0;

  onApply(member: ServerId, now: number, previous: Zxid, txn: ZabTxn<Uint8Array>): void {
    this.applies++;
    const where = `member ${member} at t=${now}`;
    if (txn.zxid <= previous) {
      throw new SimFailure('correctness', `${where}: applied ${formatZxid(txn.zxid)} after ${formatZxid(previous)} (out of zxid order)`);
    }
    const known = this.next.get(previous);
    if (known === undefined) this.next.set(previous, txn.zxid);
    else if (known !== txn.zxid) {
      throw new SimFailure('correctness', `${where}: after ${formatZxid(previous)} applied ${formatZxid(txn.zxid)}, another member applied ${formatZxid(known)} (prefix agreement broken)`);
    }
    const payload = this.payloads.get(txn.zxid);
    if (payload === undefined) this.payloads.set(txn.zxid, txn.payload);
    else if (Buffer.compare(payload, txn.payload) !== 0) {
      throw new SimFailure('correctness', `${where}: zxid ${formatZxid(txn.zxid)} carries other bytes here than elsewhere (two txns at one zxid)`);
    }
  }

  /** A member restored a snapshot: it must sit on the agreed sequence. */
  onRestore(member: ServerId, zxid: Zxid): void {
    if (zxid !== 0 && !this.payloads.has(zxid)) {
      throw new SimFailure('correctness', `member ${member} restored a snapshot at ${formatZxid(zxid)}, which no member ever applied`);
    }
  }

  payloadAt(zxid: Zxid): Uint8Array | undefined {
    return this.payloads.get(zxid);
  }

  /** The agreed sequence from the start, following the links. */
  sequence(): ZabTxn<Uint8Array>[] {
    const out: ZabTxn<Uint8Array>[] = [];
    for (let z = this.next.get(0); z !== undefined; z = this.next.get(z)) out.push({ zxid: z, payload: this.payloads.get(z) as Uint8Array });
    return out;
  }
}
