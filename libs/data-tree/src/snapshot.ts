/**
 * The tree as a snapshot sees it, and the fuzzy replay that makes a snapshot usable.
 *
 * A snapshot is written while the server keeps applying txns (in chunks between requests), so node A
 * may be recorded before txn x and node B after it. Recovery therefore loads the image and replays
 * every txn from the snapshot's start zxid on, skipping per node what the image already reflects.
 * The rule: a node recorded after txn x carries a stamp >= x, because every txn that touches a node
 * stamps it (create: czxid, setData: mzxid, child create/delete: pzxid). The only unstamped change,
 * setACL, assigns absolute values, so applying it again before the later txns replay is harmless.
 * The cversion counter, the one non-absolute field, is bumped only when its parent does not reflect
 * the txn, so replaying txns already in the image is safe.
 */
import type { ACL } from '@coord/protocol';
import type { DataTree } from './data-tree';
import { parentOf } from './path';
import type { Txn, TxnOp } from './txn';
import { ephemeralKind, ZNode } from './znode';

/** One znode with its internal fields (cversion counts creates; ephemeralOwner keeps markers). */
export interface NodeRecord {
  data: Buffer | null;
  acl: ACL[];
  czxid: number;
  mzxid: number;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  pzxid: number;
}

/** A copy of a node's fields at this instant (data and ACL are never mutated in place, so shared). */
export function recordOf(node: ZNode): NodeRecord {
  return {
    data: node.data,
    acl: node.acl.acl,
    czxid: node.czxid,
    mzxid: node.mzxid,
    ctime: node.ctime,
    mtime: node.mtime,
    version: node.version,
    cversion: node.cversion,
    aversion: node.aversion,
    ephemeralOwner: node.ephemeralOwner,
    pzxid: node.pzxid,
  };
}

/**
 * Something a tree can be restored from: an image held as records (TreeImage), or a snapshot file
 * that is decoded straight into the tree (@coord/storage's SnapshotFileImage, via SnapshotLoader).
 */
export interface TreeSource {
  /** Loads this state into `tree` (a fresh one: built-ins are replaced in place). */
  restoreInto(tree: DataTree): void;
}

/** Where a TreeImage finds the nodes it does not hold itself. */
export interface ImageBacking {
  /** max(czxid, mzxid, pzxid) of the node at `path`, undefined when there is none. */
  stampOf(path: string): number | undefined;
  /** A copy of the node at `path` that the replay may change. */
  recordOf(path: string): NodeRecord | undefined;
}

/**
 * A loaded snapshot (path -> record) being brought up to date. Which ephemerals a closeSession
 * removes cannot be read off a fuzzy image (a node deleted before the walk reached it is simply
 * absent, yet its parent may still need the pzxid), so the image also keeps each session's
 * ephemeral paths as the log says they were: the snapshot's list at its start zxid, then every
 * replayed create and delete.
 */
export class TreeImage implements TreeSource {
  readonly nodes = new Map<string, NodeRecord>();
  /** With a backing: paths the replay deleted that the backing still holds. */
  readonly deleted = new Set<string>();
  private readonly bySession = new Map<bigint, Set<string>>();
  private readonly ownerOf = new Map<string, bigint>();

  /**
   * `backing`, when given, holds the nodes this image does not: the replay reads their stamps there
   * and copies a node into `nodes` only when a txn changes it (SnapshotLoader backs the image with
   * the tree it loaded, so replaying a walk's 450,000 txns copies the few nodes they change).
   */
  constructor(private readonly backing: ImageBacking | null = null) {}

  restoreInto(tree: DataTree): void {
    putRecords(tree, this.nodes);
    // The walk's order is the store's slot order, not creation order; the image knows the latter.
    for (const [sid, paths] of this.ephemeralLists()) tree.orderEphemerals(sid, paths);
  }

  set(path: string, record: NodeRecord): void {
    this.nodes.set(path, record);
    this.deleted.delete(path);
  }

  delete(path: string): void {
    this.nodes.delete(path);
    if (this.backing !== null && this.backing.stampOf(path) !== undefined) this.deleted.add(path);
  }

  /** max(czxid, mzxid, pzxid) of the node at `path` as the image sees it, undefined when absent. */
  private stampOf(path: string): number | undefined {
    const n = this.nodes.get(path);
    if (n !== undefined) return Math.max(n.czxid, n.mzxid, n.pzxid);
    if (this.backing === null || this.deleted.has(path)) return undefined;
    return this.backing.stampOf(path);
  }

  /** The record at `path` for the replay to change (copied in from the backing first). */
  private writable(path: string): NodeRecord | undefined {
    const n = this.nodes.get(path);
    if (n !== undefined || this.backing === null || this.deleted.has(path)) return n;
    const copy = this.backing.recordOf(path);
    if (copy !== undefined) this.nodes.set(path, copy);
    return copy;
  }

  /** Records a session's ephemerals as of the snapshot's start zxid. */
  addEphemerals(sessionId: bigint, paths: Iterable<string>): void {
    for (const path of paths) this.indexEphemeral(sessionId, path);
  }

  /** Each session's ephemeral paths in creation order, as the snapshot and the replayed log say. */
  ephemeralLists(): Map<bigint, string[]> {
    const out = new Map<bigint, string[]>();
    for (const [sid, set] of this.bySession) out.set(sid, [...set]);
    return out;
  }

  ephemeralsOf(sessionId: bigint): string[] {
    const set = this.bySession.get(sessionId);
    return set ? [...set] : [];
  }

  private indexEphemeral(sessionId: bigint, path: string): void {
    let set = this.bySession.get(sessionId);
    if (!set) this.bySession.set(sessionId, (set = new Set()));
    set.add(path);
    this.ownerOf.set(path, sessionId);
  }

  private unindexEphemeral(path: string): void {
    const sessionId = this.ownerOf.get(path);
    if (sessionId === undefined) return;
    this.ownerOf.delete(path);
    const set = this.bySession.get(sessionId);
    if (!set) return;
    set.delete(path);
    if (set.size === 0) this.bySession.delete(sessionId);
  }

  /** Replays one txn, skipping the effects the image already reflects (see the file comment). */
  replay(txn: Txn): void {
    const decided = new Map<string, boolean>();
    // Decided once per path per txn, from the node as it was before this txn (a multi touches a
    // node several times: a parent created earlier in the same multi must still get its cversion).
    const reflected = (path: string): boolean => {
      let r = decided.get(path);
      if (r === undefined) {
        const stamp = this.stampOf(path);
        r = stamp !== undefined && stamp >= txn.zxid;
        decided.set(path, r);
      }
      return r;
    };
    this.replayOp(txn, txn.op, reflected);
  }

  private replayOp(txn: Txn, op: TxnOp, reflected: (path: string) => boolean): void {
    const zxid = txn.zxid;
    switch (op.type) {
      case 'create': {
        if (!reflected(op.path)) {
          const { data, acl, ephemeralOwner } = op;
          const t = txn.time;
          this.set(op.path, { data, acl, czxid: zxid, mzxid: zxid, ctime: t, mtime: t, version: 0, cversion: 0, aversion: 0, ephemeralOwner, pzxid: zxid });
        }
        if (ephemeralKind(op.ephemeralOwner) === 'ephemeral') this.indexEphemeral(op.ephemeralOwner, op.path);
        const parentPath = parentOf(op.path);
        const parent = reflected(parentPath) ? undefined : this.writable(parentPath);
        if (parent) {
          parent.cversion++;
          parent.pzxid = zxid;
        }
        return;
      }
      case 'delete':
        this.replayDelete(zxid, op.path, reflected);
        return;
      case 'setData': {
        const node = reflected(op.path) ? undefined : this.writable(op.path);
        if (node) {
          node.data = op.data;
          node.version = op.version;
          node.mzxid = zxid;
          node.mtime = txn.time;
        }
        return;
      }
      case 'setACL': {
        const node = reflected(op.path) ? undefined : this.writable(op.path);
        if (node) {
          node.acl = op.acl;
          node.aversion = op.aversion;
        }
        return;
      }
      case 'closeSession':
        for (const path of this.ephemeralsOf(txn.sessionId)) this.replayDelete(zxid, path, reflected);
        return;
      case 'multi':
        for (const sub of op.ops) this.replayOp(txn, sub, reflected);
        return;
      default:
        return;
    }
  }

  private replayDelete(zxid: number, path: string, reflected: (path: string) => boolean): void {
    if (!reflected(path)) this.delete(path);
    this.unindexEphemeral(path);
    const parentPath = parentOf(path);
    const parent = reflected(parentPath) ? undefined : this.writable(parentPath);
    if (parent && zxid > parent.pzxid) parent.pzxid = zxid;
  }
}

/** Loads an up-to-date image (records or a snapshot file) into a tree. */
export function restoreTree(tree: DataTree, image: TreeSource): void {
  image.restoreInto(tree);
}

/**
 * Puts records into a tree (a node already there, like a built-in, is replaced in place). Parents go
 * in before their children whatever order the records come in.
 */
export function putRecords(tree: DataTree, records: Map<string, NodeRecord>): void {
  let pending: string[] = [];
  const put = (path: string) => tree.restoreNode(path, records.get(path) as NodeRecord);
  for (const path of records.keys()) {
    if (path === '/' || tree.getNode(parentOf(path))) put(path);
    else pending.push(path);
  }
  while (pending.length > 0) {
    const next: string[] = [];
    for (const path of pending) {
      if (tree.getNode(parentOf(path))) put(path);
      else next.push(path);
    }
    // A record whose parent is missing for good means the image and the log disagree.
    if (next.length === pending.length) throw new Error(`snapshot image has no parent for ${next[0]}`);
    pending = next;
  }
}
