// The ZabReady batch: everything the driver must do, in this order (see docs/zab.md):
//   1. write `persist` (snapshot, then truncation, then entries, then epochs) and fsync when `mustSync`;
//   2. send `messages` (these may go before the fsync) and then `messagesAfterPersist` (only after it);
//   3. if `persist.snapshot` is set, restore the state machine from it; then apply `committed` in order;
//   4. answer `syncsDone`, hand `requests` to the leader's pipeline, honour `snapshotWanted`;
//   5. call `advance(ready)`.

import type { Message, ServerId, ServerState, Snapshot, ZabTxn } from './messages';
import type { Zxid } from './zxid';

export type ZabPhase = 'ELECTION' | 'DISCOVERY' | 'SYNCHRONIZATION' | 'BROADCAST';

/** Volatile state that the driver shows (`srvr` Mode) and uses to fail pending client calls on change. */
export interface SoftState {
  readonly state: ServerState;
  readonly leader: ServerId | null;
  readonly phase: ZabPhase;
  readonly epoch: number;
}

export interface Persist<P> {
  /** Replaces the whole log: write it, then drop every log file (entries continue after snapshot.zxid). */
  readonly snapshot?: Snapshot;
  /** Drop every logged txn with zxid > truncateAfter (uncommitted proposals of an older epoch). */
  readonly truncateAfter?: Zxid;
  /** Append to the txn log, in zxid order. */
  readonly entries: readonly ZabTxn<P>[];
  /** Write after the entries: ZOOKEEPER-4643 was currentEpoch reaching disk before the synced txns. */
  readonly acceptedEpoch?: number;
  readonly currentEpoch?: number;
}

export interface SyncDone {
  readonly syncId: number;
  /** Every txn up to this zxid has been handed out in `committed`. */
  readonly zxid: Zxid;
}

export interface ForwardedRequest<P> {
  readonly from: ServerId;
  readonly request: P;
}

export interface ZabReady<P = Uint8Array> {
  readonly softState?: SoftState;
  readonly persist: Persist<P>;
  readonly mustSync: boolean;
  readonly messages: readonly Message<P>[];
  readonly messagesAfterPersist: readonly Message<P>[];
  readonly committed: readonly ZabTxn<P>[];
  readonly syncsDone: readonly SyncDone[];
  /** Leader only: client requests (its own and forwarded by followers) to prep and `propose`. */
  readonly requests: readonly ForwardedRequest<P>[];
  /** The log has grown past `snapCount` since the last snapshot: take one and call `compact`. */
  readonly snapshotWanted: boolean;
}
