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
  private readonly byZxid = new Map<number, EnsembleTxn>();
  /** The highest zxid taken for applying: a txn at or below it is never held (nothing would take it). */
  private appliedThrough = 0;

  /** The leader's own proposal, as the pipeline prepared it. */
  remember(zxid: number, t: EnsembleTxn): void {
    if (this.byZxid.size >= heldMax) this.byZxid.clear();
    this.byZxid.set(zxid, t);
  }

  /** The txn of `t`, decoded now unless held already; kept for `take`. Throws on a malformed payload. */
  of(t: ZabTxn<Uint8Array>): EnsembleTxn {
    let d = this.byZxid.get(t.zxid);
    if (d === undefined) {
      d = decodeTxnPayload(t.payload, t.zxid);
      if (t.zxid > this.appliedThrough) this.remember(t.zxid, d);
    }
    return d;
  }

  /** The txn of `t` for applying it, no longer held. */
  take(t: ZabTxn<Uint8Array>): EnsembleTxn {
    if (t.zxid > this.appliedThrough) this.appliedThrough = t.zxid;
    const d = this.byZxid.get(t.zxid);
    if (d === undefined) return decodeTxnPayload(t.payload, t.zxid);
    this.byZxid.delete(t.zxid);
    return d;
  }

  clear(): void {
    this.byZxid.clear();
  }

  get size(): number {
    return this.byZxid.size;
  }
}
