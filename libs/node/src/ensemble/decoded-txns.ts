/**
 * The leader's own proposals by zxid, as the pipeline prepared them, until they are applied: a leader
 * never decodes its own payloads. A follower decodes a PROPOSAL's payload once, when it applies it (its
 * log record is copied from the payload's bytes, see zab-store.ts). Only a shortcut: whatever is not held
 * is decoded. Cleared whenever the log can be cut or replaced (a truncation, a snapshot from the leader,
 * a change of role), since a zxid may then come back with a different txn.
 */
import { decodeTxnPayload, type EnsembleTxn } from '@coord/envelope';
import type { ZabTxn } from '@coord/zab';

/** More than this many unapplied txns held means something stopped applying: start over. */
const heldMax = 100_000;

export class DecodedTxns {
  /**
   * Held txns in zxid order (a leader proposes and applies in zxid order), from `head` on: taking is
   * a pop from the front, no hashing of zxids.
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
    // Only in order, and only what is still to be applied: anything else is decoded when taken.
    if (zxid <= this.appliedThrough || (n > this.head && this.zxids[n - 1] >= zxid)) return;
    this.zxids.push(zxid);
    this.txns.push(t);
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
}
