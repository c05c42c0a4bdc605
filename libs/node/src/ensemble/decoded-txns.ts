/**
 * Txns by zxid that this member has decoded (or, leading, proposed) and not applied yet, so each ZAB
 * payload is decoded at most once: a follower decodes a PROPOSAL's payload when it logs it and applies
 * that same object at COMMIT; a leader never decodes its own proposals. Only a shortcut: whatever is
 * missing is decoded again (and a txn applied before it was logged, as in a sync, is not held). Cleared whenever the log can be cut or replaced (a truncation, a snapshot
 * from the leader, a change of role), since a zxid may then come back with a different txn.
 */
import { decodeTxnPayload, type EnsembleTxn } from '@coord/envelope';
import type { ZabTxn } from '@coord/zab';

/** More than this many unapplied txns held means something stopped applying: start over. */
const heldMax = 100_000;

export class DecodedTxns {
  /**
   * Held txns in zxid order (a leader proposes, a follower logs and both apply in zxid order), from
   * `head` on: lookups are a binary search and taking is a pop from the front, no hashing of zxids.
   */
  private zxids: number[] = [];
  private txns: EnsembleTxn[] = [];
  private head = 0;
  /** The highest zxid taken for applying: a txn at or below it is never held (nothing would take it). */
  private appliedThrough = 0;

  /** The leader's own proposal, as the pipeline prepared it. */
  remember(zxid: number, t: EnsembleTxn): void {
    if (this.size >= heldMax) this.clear();
    const n = this.zxids.length;
    // Only in order: anything else is left to be decoded when asked for.
    if (n > this.head && this.zxids[n - 1] >= zxid) return;
    this.zxids.push(zxid);
    this.txns.push(t);
  }

  /** The txn of `t`, decoded now unless held already; kept for `take`. Throws on a malformed payload. */
  of(t: ZabTxn<Uint8Array>): EnsembleTxn {
    const i = this.indexOf(t.zxid);
    if (i >= 0) return this.txns[i];
    const d = decodeTxnPayload(t.payload, t.zxid);
    if (t.zxid > this.appliedThrough) this.remember(t.zxid, d);
    return d;
  }

  /** The txn of `t` for applying it, no longer held (nor is anything before it). */
  take(t: ZabTxn<Uint8Array>): EnsembleTxn {
    if (t.zxid > this.appliedThrough) this.appliedThrough = t.zxid;
    while (this.head < this.zxids.length && this.zxids[this.head] < t.zxid) this.head++;
    let d: EnsembleTxn | undefined;
    if (this.head < this.zxids.length && this.zxids[this.head] === t.zxid) d = this.txns[this.head++];
    if (this.head === this.zxids.length) this.clear();
    else if (this.head >= 1024 && this.head * 2 >= this.zxids.length) {
      this.zxids = this.zxids.slice(this.head);
      this.txns = this.txns.slice(this.head);
      this.head = 0;
    }
    return d ?? decodeTxnPayload(t.payload, t.zxid);
  }

  clear(): void {
    this.zxids.length = 0;
    this.txns.length = 0;
    this.head = 0;
  }

  get size(): number {
    return this.zxids.length - this.head;
  }

  private indexOf(zxid: number): number {
    let lo = this.head;
    let hi = this.zxids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.zxids[mid] < zxid) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.zxids.length && this.zxids[lo] === zxid ? lo : -1;
  }
}
