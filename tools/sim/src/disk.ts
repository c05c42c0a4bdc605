// A peer's disk. Writes land in a volatile buffer; fsync makes them durable. A crash keeps a random
// prefix of the unsynced writes (the page cache may have flushed some of them, in order) and loses
// the rest, which is exactly what makes "ACK only after fsync" matter.

import type { Persist, Snapshot, ZabTxn, Zxid } from '@coord/zab';
import type { Rng } from './rng';

type Write =
  | { readonly kind: 'snapshot'; readonly snapshot: Snapshot }
  | { readonly kind: 'truncate'; readonly after: Zxid }
  | { readonly kind: 'entry'; readonly txn: ZabTxn<Uint8Array> }
  | { readonly kind: 'acceptedEpoch'; readonly epoch: number }
  | { readonly kind: 'currentEpoch'; readonly epoch: number };

export interface DurableState {
  acceptedEpoch: number;
  currentEpoch: number;
  snapshot: Snapshot;
  log: ZabTxn<Uint8Array>[];
}

export class SimDisk {
  readonly durable: DurableState = { acceptedEpoch: 0, currentEpoch: 0, snapshot: { zxid: 0, data: undefined }, log: [] };
  private unsynced: Write[] = [];
  /** Writes queued and writes made durable since the start (marks for syncThrough). */
  private written = 0;
  private synced = 0;

  /** Queues a ZabReady's writes in the order the ZabReady contract prescribes; returns the mark that covers them. */
  write(persist: Persist<Uint8Array>): number {
    if (persist.snapshot !== undefined) this.unsynced.push({ kind: 'snapshot', snapshot: persist.snapshot });
    if (persist.truncateAfter !== undefined) this.unsynced.push({ kind: 'truncate', after: persist.truncateAfter });
    for (const txn of persist.entries) this.unsynced.push({ kind: 'entry', txn });
    if (persist.acceptedEpoch !== undefined) this.unsynced.push({ kind: 'acceptedEpoch', epoch: persist.acceptedEpoch });
    if (persist.currentEpoch !== undefined) this.unsynced.push({ kind: 'currentEpoch', epoch: persist.currentEpoch });
    this.written = this.synced + this.unsynced.length;
    return this.written;
  }

  /** An fsync that covers the writes up to `mark` (later ones may still be lost). */
  syncThrough(mark: number): void {
    const n = mark - this.synced;
    if (n <= 0) return;
    for (const w of this.unsynced.slice(0, n)) this.applyWrite(w);
    this.unsynced = this.unsynced.slice(n);
    this.synced = mark;
  }

  fsync(): void {
    this.syncThrough(this.written);
  }

  crash(rng: Rng): void {
    const kept = rng.intBelow(this.unsynced.length + 1);
    for (const w of this.unsynced.slice(0, kept)) this.applyWrite(w);
    this.unsynced = [];
    this.written = this.synced = 0;
  }

  /** The last zxid durable here (in the log, or the snapshot when the log is empty). */
  get durableZxid(): Zxid {
    const log = this.durable.log;
    return log.length > 0 ? log[log.length - 1].zxid : this.durable.snapshot.zxid;
  }

  /** A snapshot the member took of its own applied state, once its log covers it (written and synced at once). */
  saveSnapshot(snapshot: Snapshot): void {
    this.durable.snapshot = snapshot;
    this.durable.log = this.durable.log.filter((t) => t.zxid > snapshot.zxid);
  }

  private applyWrite(w: Write): void {
    const d = this.durable;
    switch (w.kind) {
      case 'snapshot':
        d.snapshot = w.snapshot;
        d.log = [];
        return;
      case 'truncate':
        d.log = d.log.filter((t) => t.zxid <= w.after);
        return;
      case 'entry':
        if (d.log.length > 0 && d.log[d.log.length - 1].zxid >= w.txn.zxid) throw new Error('disk: log append out of order');
        d.log.push(w.txn);
        return;
      case 'acceptedEpoch':
        d.acceptedEpoch = w.epoch;
        return;
      case 'currentEpoch':
        d.currentEpoch = w.epoch;
        return;
    }
  }
}
