// What has happened since the last ZabReady: pending writes, messages and deliveries. `take` hands it all
// out and starts a fresh batch, so inputs that arrive while the driver is still persisting the previous
// batch simply accumulate in the next one (as with etcd raft's ZabReady/Advance).

import type { ForwardedRequest, SoftState, SyncDone } from './ready';
import type { Link } from './peer-context';
import type { Message, QuorumBody, Snapshot, ZabTxn } from './messages';
import type { Zxid } from './zxid';

interface MutablePersist<P> {
  snapshot?: Snapshot;
  truncateAfter?: Zxid;
  entries: ZabTxn<P>[];
  acceptedEpoch?: number;
  currentEpoch?: number;
}

export class Outbox<P> {
  persist: MutablePersist<P> = { entries: [] };
  /** Election notifications (connectionless). */
  messages: Message<P>[] = [];
  /** Connection messages, numbered when the batch is taken (PeerContext.stampLinks). */
  linkNow: { link: Link; body: QuorumBody<P> }[] = [];
  linkAfterPersist: { link: Link; body: QuorumBody<P> }[] = [];
  committed: ZabTxn<P>[] = [];
  syncsDone: SyncDone[] = [];
  requests: ForwardedRequest<P>[] = [];
  softState: SoftState | undefined = undefined;
  snapshotWanted = false;

  get mustSync(): boolean {
    const p = this.persist;
    return p.snapshot !== undefined || p.truncateAfter !== undefined || p.entries.length > 0 ||
      p.acceptedEpoch !== undefined || p.currentEpoch !== undefined;
  }

  isEmpty(): boolean {
    return !this.mustSync && this.messages.length === 0 && this.linkNow.length === 0 && this.linkAfterPersist.length === 0 &&
      this.committed.length === 0 && this.syncsDone.length === 0 && this.requests.length === 0 &&
      this.softState === undefined && !this.snapshotWanted;
  }

  appendEntry(txn: ZabTxn<P>): void {
    this.persist.entries.push(txn);
  }

  /**
   * Folds a truncation into the batch. Pending entries above the cut are dropped and the cut is kept at
   * its lowest point; since appends after a cut are always above it, "truncate to the lowest cut, then
   * append what survived" leaves the same log as the original sequence of operations.
   */
  truncateAfter(zxid: Zxid): void {
    this.persist.entries = this.persist.entries.filter((txn) => txn.zxid <= zxid);
    const previous = this.persist.truncateAfter;
    this.persist.truncateAfter = previous === undefined ? zxid : Math.min(previous, zxid);
  }

  installSnapshot(snapshot: Snapshot): void {
    this.persist = { snapshot, entries: [], acceptedEpoch: this.persist.acceptedEpoch, currentEpoch: this.persist.currentEpoch };
    // Drop commits handed out before a SNAP in this batch: the snapshot supersedes them.
    this.committed = [];
  }
}
