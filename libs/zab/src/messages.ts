// The messages peers exchange. Names follow ZooKeeper's Leader.java packet constants and
// FastLeaderElection's Notification. Every message says who sent it and to whom; the driver only moves
// them. Payloads (`P`) and snapshot data are opaque to the core.

import type { Zxid } from './zxid';

export type ServerId = number;
export type ServerState = 'LOOKING' | 'FOLLOWING' | 'LEADING';

/** One transaction in the log: its zxid and the driver's opaque payload. */
export interface ZabTxn<P = Uint8Array> {
  readonly zxid: Zxid;
  readonly payload: P;
}

/** A snapshot of the driver's applied state at `zxid` (every txn up to and including it). */
export interface Snapshot {
  readonly zxid: Zxid;
  readonly data: unknown;
}

/** What a peer votes for in FastLeaderElection; votes are ordered by (peerEpoch, zxid, leader). */
export interface Vote {
  readonly leader: ServerId;
  readonly zxid: Zxid;
  readonly peerEpoch: number;
}

/** Election traffic is connectionless: any notification may be lost, repeated or reordered. */
export interface Notification {
  readonly type: 'NOTIFICATION';
  readonly vote: Vote;
  readonly electionEpoch: number;
  readonly state: ServerState;
}

/**
 * Quorum traffic runs over one connection per learner. ZooKeeper relies on TCP for FIFO delivery; the
 * core checks it instead: a connection is named by `conn` (chosen by the learner) and messages are
 * numbered by `seq`. A duplicate is ignored and a gap breaks the connection, exactly as a TCP reset would.
 */
export type QuorumBody<P> =
  | { readonly type: 'FOLLOWERINFO'; readonly acceptedEpoch: number; readonly lastZxid: Zxid }
  | { readonly type: 'LEADERINFO'; readonly epoch: number }
  | { readonly type: 'ACKEPOCH'; readonly currentEpoch: number; readonly lastZxid: Zxid }
  | { readonly type: 'DIFF'; readonly entries: readonly ZabTxn<P>[]; readonly committedZxid: Zxid }
  | { readonly type: 'TRUNC'; readonly truncZxid: Zxid; readonly entries: readonly ZabTxn<P>[]; readonly committedZxid: Zxid }
  | { readonly type: 'SNAP'; readonly snapshot: Snapshot; readonly entries: readonly ZabTxn<P>[]; readonly committedZxid: Zxid }
  | { readonly type: 'NEWLEADER'; readonly epoch: number; readonly zxid: Zxid }
  | { readonly type: 'ACK'; readonly zxid: Zxid }
  | { readonly type: 'UPTODATE'; readonly committedZxid: Zxid }
  | { readonly type: 'PROPOSAL'; readonly txn: ZabTxn<P> }
  | { readonly type: 'COMMIT'; readonly zxid: Zxid }
  | { readonly type: 'PING'; readonly round: number }
  | { readonly type: 'REQUEST'; readonly request: P }
  | { readonly type: 'SYNC'; readonly syncId: number; readonly zxid: Zxid };

export type QuorumMessage<P> = QuorumBody<P> & { readonly conn: number; readonly seq: number };

export type Message<P = Uint8Array> = { readonly from: ServerId; readonly to: ServerId } & (Notification | QuorumMessage<P>);

export type MessageType = Message['type'];
