/**
 * Transactions: the only input that changes the tree. Every txn carries its zxid and wall time, so
 * applying the same txns in the same order gives the same tree on every run and every peer.
 */
import { ACL, Stat } from '@coord/protocol';

export type TxnOp =
  /** `ephemeralOwner` is the internal value: a session id, or the container / TTL marker. */
  | { type: 'create'; path: string; data: Buffer | null; acl: ACL[]; ephemeralOwner: bigint }
  | { type: 'delete'; path: string }
  /** `version` is the node's version after the change. */
  | { type: 'setData'; path: string; data: Buffer | null; version: number }
  /** `aversion` is the node's aversion after the change. */
  | { type: 'setACL'; path: string; acl: ACL[]; aversion: number }
  /** A successful check inside multi: changes nothing. */
  | { type: 'check'; path: string }
  /** A failed write: consumes its zxid and changes nothing. */
  | { type: 'error'; err: number }
  /**
   * `secret`: the key session passwords derive from, random, carried by the first createSession a data
   * directory or ensemble orders and replicated with it, so every member checks every session's password.
   */
  | { type: 'createSession'; timeOut: number; secret?: Buffer }
  /** Deletes the session's ephemerals (from the tree's own per-session index, in creation order). */
  | { type: 'closeSession' }
  | { type: 'multi'; ops: TxnOp[] };

export interface Txn {
  zxid: number;
  /** Wall-clock ms of the txn, used for ctime/mtime. */
  time: number;
  /** The session that issued the txn (the closing or expiring session for closeSession). */
  sessionId: bigint;
  /** The client's xid, kept for logs and debugging. */
  cxid: number;
  op: TxnOp;
}

/** What applying one op produced. */
export type AppliedOp =
  | { type: 'create'; path: string; stat: Stat }
  | { type: 'delete' }
  | { type: 'setData'; stat: Stat }
  | { type: 'setACL'; stat: Stat }
  | { type: 'check' }
  | { type: 'error'; err: number }
  | { type: 'createSession' }
  | { type: 'closeSession' }
  | { type: 'multi'; results: AppliedOp[] };

/** One notification for one connection (`watcher`, the connection id): SetWatches catch-up events. */
export interface WatchEvent {
  watcher: number;
  type: number;
  path: string;
  /** The triggering txn's zxid, or -1 for SetWatches catch-up events. */
  zxid: number;
}

/**
 * One event of an applied txn and the connections to tell (each at most once): the watchers share one
 * notification, so a set that fires 100,000 watches over 10,000 connections yields one of these, not
 * 10,000 per-connection events.
 */
export interface Notification {
  type: number;
  path: string;
  zxid: number;
  /** Connection ids. */
  watchers: number[];
}

export interface ApplyResult {
  result: AppliedOp;
  /** In the order the connections must see them. */
  events: Notification[];
}
