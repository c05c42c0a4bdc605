// The peer's view of its txn log: a snapshot base plus the txns after it, all in zxid order. It mirrors
// what the driver has written (or is about to write, see ZabReady.persist); the core never reads a disk.

import type { Snapshot, ZabTxn } from './messages';
import type { Zxid } from './zxid';

export class ZabLog<P> {
  private snapshotBase: Snapshot;
  private entries: ZabTxn<P>[];

  constructor(snapshot: Snapshot, entries: readonly ZabTxn<P>[]) {
    this.snapshotBase = snapshot;
    this.entries = [];
    for (const txn of entries) this.append(txn);
  }

  get snapshot(): Snapshot {
    return this.snapshotBase;
  }

  get lastZxid(): Zxid {
    return this.entries.length > 0 ? this.entries[this.entries.length - 1].zxid : this.snapshotBase.zxid;
  }

  get length(): number {
    return this.entries.length;
  }

  append(txn: ZabTxn<P>): void {
    if (txn.zxid <= this.lastZxid) throw new Error(`log append out of order: ${txn.zxid} after ${this.lastZxid}`);
    this.entries.push(txn);
  }

  /** True when `zxid` is the snapshot base or a logged txn. */
  has(zxid: Zxid): boolean {
    return zxid === this.snapshotBase.zxid || this.indexOf(zxid) >= 0;
  }

  /** The txns with zxid in (after, through], in order. */
  slice(after: Zxid, through: Zxid = Infinity): ZabTxn<P>[] {
    const out: ZabTxn<P>[] = [];
    for (let i = this.firstIndexAfter(after); i < this.entries.length && this.entries[i].zxid <= through; i++) {
      out.push(this.entries[i]);
    }
    return out;
  }

  /** The largest known zxid strictly below `zxid` (the snapshot base when no txn qualifies). */
  floorBelow(zxid: Zxid): Zxid {
    const i = this.firstIndexAfter(zxid - 1) - 1;
    return i >= 0 ? this.entries[i].zxid : this.snapshotBase.zxid;
  }

  truncateAfter(zxid: Zxid): void {
    this.entries.length = this.firstIndexAfter(zxid);
  }

  /** Install a snapshot received from the leader: the old log is superseded entirely. */
  reset(snapshot: Snapshot): void {
    this.snapshotBase = snapshot;
    this.entries = [];
  }

  /** Forget txns covered by a snapshot the driver took of its own applied state. */
  compact(snapshot: Snapshot): void {
    this.entries = this.entries.slice(this.firstIndexAfter(snapshot.zxid));
    this.snapshotBase = snapshot;
  }

  private indexOf(zxid: Zxid): number {
    const i = this.firstIndexAfter(zxid - 1);
    return i < this.entries.length && this.entries[i].zxid === zxid ? i : -1;
  }

  /** Binary search: the index of the first txn with zxid > `zxid`. */
  private firstIndexAfter(zxid: Zxid): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid].zxid <= zxid) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
