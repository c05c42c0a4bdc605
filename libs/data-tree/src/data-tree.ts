/**
 * The znode tree: a flat map from full path to node (one hash lookup per read), built-in nodes,
 * indexes of ephemerals per session and of containers / TTL nodes, and the two watch tables.
 * `applyTxn` is the only way the tree changes; it is deterministic because every txn carries its
 * zxid and time.
 */
import { ACL, EventType, Id, Perms, WatcherType } from '@coord/protocol';
import { checkAcl, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from './acl';
import { javaCapacityFor, javaChildSetCapacityInitial, javaHashSetOrder } from './java-order';
import { nameOf, parentOf } from './path';
import { isUnderQuotaRoot, quotaLimitNode, QuotaTracker, quotaTarget } from './quota';
import { ApplyResult, OpResult, Txn, TxnOp, WatchEvent } from './txn';
import { WatchMode, WatchTable, watchModesAll } from './watch-manager';
import { AclCache, ephemeralKind, ttlOf, ZNode } from './znode';

/** Paths that exist on every server and cannot be deleted. */
export const builtInPaths = ['/', '/zookeeper', '/zookeeper/quota', '/zookeeper/config'] as const;

export interface DataTreeOptions {
  /**
   * Who may see an event: ZooKeeper drops (but still consumes) a notification when the watching
   * connection lacks READ on the node. The server supplies the connection's auth ids.
   */
  idsOf?: (watcher: number) => readonly Id[] | undefined;
}

export interface SetWatchesLists {
  relativeZxid: number;
  dataWatches: string[];
  existWatches: string[];
  childWatches: string[];
  persistentWatches?: string[];
  persistentRecursiveWatches?: string[];
}

export class DataTree {
  private readonly nodes = new Map<string, ZNode>();
  private readonly acls = new AclCache();
  private readonly ephemeralsBySession = new Map<bigint, Set<string>>();
  private readonly containers = new Set<string>();
  private readonly ttls = new Set<string>();
  readonly dataWatches = new WatchTable();
  readonly childWatches = new WatchTable();
  private readonly quotas = new QuotaTracker(
    (path) => this.nodes.get(path),
    (bytesDelta) => (this.approximateDataSize += bytesDelta),
  );
  lastProcessedZxid = 0;
  /** Sum of path lengths and data lengths, like ZooKeeper's approximateDataSize. */
  approximateDataSize = 0;

  constructor(private readonly options: DataTreeOptions = {}) {
    const empty = Buffer.alloc(0);
    for (const path of builtInPaths) {
      const acl = path === '/zookeeper/config' ? READ_ACL_UNSAFE : OPEN_ACL_UNSAFE;
      const node = new ZNode(empty, this.acls.acquire(acl), 0, 0, 0, 0, 0, 0, 0, 0n, 0);
      this.nodes.set(path, node);
      this.approximateDataSize += path.length;
      if (path !== '/') this.addChildName(parentOf(path), nameOf(path));
    }
  }

  getNode(path: string): ZNode | undefined {
    return this.nodes.get(path);
  }

  /** ZooKeeper's DataTree counts the root under two keys ('' and '/'), so a fresh server says 5. */
  get nodeCount(): number {
    return this.nodes.size + 1;
  }

  /** Number of znodes actually stored. */
  get size(): number {
    return this.nodes.size;
  }

  aclOf(node: ZNode): ACL[] {
    return node.acl.acl;
  }

  /** Every (path, node) pair, in insertion order; a snapshot walks this live iterator. */
  entries(): IterableIterator<[string, ZNode]> {
    return this.nodes.entries();
  }

  /**
   * Puts one node back exactly as a snapshot recorded it (internal cversion and ephemeralOwner
   * included) and indexes it; the parent must already be there. A node already at `path` (a
   * built-in) is replaced but keeps its children.
   */
  restoreNode(path: string, node: ZNode, acl: ACL[]): void {
    const old = this.nodes.get(path);
    if (old) {
      // Built-ins are persistent, so only the ACL reference and the size need undoing.
      node.children = old.children;
      this.acls.release(old.acl);
      this.approximateDataSize -= path.length + old.dataLength;
    }
    node.acl = this.acls.acquire(acl);
    this.nodes.set(path, node);
    this.approximateDataSize += path.length + node.dataLength;
    if (!old && path !== '/') this.addChildName(parentOf(path), nameOf(path));
    if (isUnderQuotaRoot(path) && nameOf(path) === quotaLimitNode) this.quotas.add(quotaTarget(parentOf(path)));
    const kind = ephemeralKind(node.ephemeralOwner);
    if (kind === 'ephemeral') {
      let set = this.ephemeralsBySession.get(node.ephemeralOwner);
      if (!set) this.ephemeralsBySession.set(node.ephemeralOwner, (set = new Set()));
      set.add(path);
    } else if (kind === 'container') {
      this.containers.add(path);
    } else if (kind === 'ttl') {
      this.ttls.add(path);
    }
  }

  /** Number of all descendants of `path` (getAllChildrenNumber). */
  allChildrenNumber(path: string): number {
    if (path === '/') return this.nodes.size - 1;
    const node = this.nodes.get(path);
    if (!node || node.children === null) return 0;
    let total = 0;
    const stack: string[] = [path];
    while (stack.length > 0) {
      const p = stack.pop() as string;
      const n = this.nodes.get(p);
      if (!n || n.children === null) continue;
      for (const name of n.children) {
        total++;
        stack.push(p === '/' ? '/' + name : p + '/' + name);
      }
    }
    return total;
  }

  /** Paths of a session's ephemerals whose path starts with `prefix` (plain string prefix). */
  ephemerals(sessionId: bigint, prefix = '/'): string[] {
    const set = this.ephemeralsBySession.get(sessionId);
    if (!set) return [];
    if (prefix === '' || prefix === '/') return [...set];
    return [...set].filter((p) => p.startsWith(prefix));
  }

  sessionsWithEphemerals(): Map<bigint, string[]> {
    const out = new Map<bigint, string[]>();
    for (const [sid, set] of this.ephemeralsBySession) out.set(sid, [...set]);
    return out;
  }

  /** How many ephemerals `sessionId` owns (the per-session ephemeral limit counts these). */
  ephemeralCountOf(sessionId: bigint): number {
    return this.ephemeralsBySession.get(sessionId)?.size ?? 0;
  }

  /** The longest quota path at or above `path` (DataTree.getMaxPrefixWithQuota), null when none. */
  quotaPrefixOf(path: string): string | null {
    return this.quotas.maxPrefix(path);
  }

  /** Watches `watcher` holds in both tables (the per-session watch limit counts these). */
  watchCountOf(watcher: number): number {
    return this.dataWatches.countOf(watcher) + this.childWatches.countOf(watcher);
  }

  get ephemeralCount(): number {
    let n = 0;
    for (const set of this.ephemeralsBySession.values()) n += set.size;
    return n;
  }

  /**
   * ContainerManager.getCandidates: empty containers that once had a child (or, with
   * `neverUsedMs > 0`, that never had one for that long), and empty TTL nodes older than their TTL.
   */
  cleanupCandidates(now: number, neverUsedMs = 0): string[] {
    const out: string[] = [];
    for (const path of this.containers) {
      const node = this.nodes.get(path);
      if (!node || node.numChildren > 0) continue;
      if (node.cversion > 0 || (neverUsedMs > 0 && now - node.mtime > neverUsedMs)) out.push(path);
    }
    for (const path of this.ttls) {
      const node = this.nodes.get(path);
      if (!node || node.numChildren > 0) continue;
      if (now - node.mtime > ttlOf(node.ephemeralOwner)) out.push(path);
    }
    return out;
  }

  // ---- applying txns ----

  applyTxn(txn: Txn): ApplyResult {
    const events: WatchEvent[] = [];
    const result = this.applyOp(txn, txn.op, events);
    if (txn.zxid > this.lastProcessedZxid) this.lastProcessedZxid = txn.zxid;
    return { result, events };
  }

  private applyOp(txn: Txn, op: TxnOp, events: WatchEvent[]): OpResult {
    switch (op.type) {
      case 'create':
        return this.applyCreate(txn, op.path, op.data, op.acl, op.ephemeralOwner, events);
      case 'delete':
        this.applyDelete(txn.zxid, op.path, events);
        return { type: 'delete' };
      case 'setData': {
        const node = this.mustGet(op.path);
        const bytesDiff = dataLength(op.data) - node.dataLength;
        this.approximateDataSize += bytesDiff;
        node.data = op.data;
        this.quotas.update(op.path, bytesDiff, 0);
        node.version = op.version;
        node.mzxid = txn.zxid;
        node.mtime = txn.time;
        this.fire(this.dataWatches, op.path, EventType.NodeDataChanged, txn.zxid, node.acl.acl, events);
        return { type: 'setData', stat: node.stat() };
      }
      case 'setACL': {
        const node = this.mustGet(op.path);
        const next = this.acls.acquire(op.acl);
        this.acls.release(node.acl);
        node.acl = next;
        node.aversion = op.aversion;
        return { type: 'setACL', stat: node.stat() };
      }
      case 'check':
        return { type: 'check' };
      case 'error':
        return { type: 'error', err: op.err };
      case 'createSession':
        return { type: 'createSession' };
      case 'closeSession': {
        const set = this.ephemeralsBySession.get(txn.sessionId);
        if (set) for (const path of [...set]) if (this.nodes.has(path)) this.applyDelete(txn.zxid, path, events);
        this.ephemeralsBySession.delete(txn.sessionId);
        return { type: 'closeSession' };
      }
      case 'multi':
        return { type: 'multi', results: op.ops.map((sub) => this.applyOp(txn, sub, events)) };
    }
  }

  private applyCreate(
    txn: Txn,
    path: string,
    data: Buffer | null,
    acl: ACL[],
    owner: bigint,
    events: WatchEvent[],
  ): OpResult {
    const parentPath = parentOf(path);
    const parent = this.mustGet(parentPath);
    const zxid = txn.zxid;
    const node = new ZNode(data, this.acls.acquire(acl), zxid, zxid, txn.time, txn.time, 0, 0, 0, owner, zxid);
    this.nodes.set(path, node);
    this.addChildName(parentPath, nameOf(path));
    parent.cversion++;
    parent.pzxid = zxid;
    this.approximateDataSize += path.length + node.dataLength;
    if (isUnderQuotaRoot(parentPath)) this.quotas.onQuotaNodeCreated(parentPath, nameOf(path));
    this.quotas.update(path, node.dataLength, 1);
    const kind = ephemeralKind(owner);
    if (kind === 'ephemeral') {
      let set = this.ephemeralsBySession.get(owner);
      if (!set) this.ephemeralsBySession.set(owner, (set = new Set()));
      set.add(path);
    } else if (kind === 'container') {
      this.containers.add(path);
    } else if (kind === 'ttl') {
      this.ttls.add(path);
    }
    this.fire(this.dataWatches, path, EventType.NodeCreated, zxid, node.acl.acl, events);
    this.fire(this.childWatches, parentPath, EventType.NodeChildrenChanged, zxid, parent.acl.acl, events);
    return { type: 'create', path, stat: node.stat() };
  }

  private applyDelete(zxid: number, path: string, events: WatchEvent[]): void {
    const node = this.mustGet(path);
    const parentPath = parentOf(path);
    const parent = this.mustGet(parentPath);
    this.nodes.delete(path);
    const siblings = parent.children;
    if (siblings) {
      siblings.delete(nameOf(path));
      if (siblings.size === 0) parent.children = null;
    }
    if (zxid > parent.pzxid) parent.pzxid = zxid;
    this.approximateDataSize -= path.length + node.dataLength;
    if (isUnderQuotaRoot(parentPath) && nameOf(path) === quotaLimitNode) this.quotas.delete(quotaTarget(parentPath));
    this.quotas.update(path, -node.dataLength, -1);
    const kind = ephemeralKind(node.ephemeralOwner);
    if (kind === 'ephemeral') {
      const set = this.ephemeralsBySession.get(node.ephemeralOwner);
      if (set) {
        set.delete(path);
        if (set.size === 0) this.ephemeralsBySession.delete(node.ephemeralOwner);
      }
    } else if (kind === 'container') {
      this.containers.delete(path);
    } else if (kind === 'ttl') {
      this.ttls.delete(path);
    }
    const acl = node.acl.acl;
    this.acls.release(node.acl);
    const notified = this.fire(this.dataWatches, path, EventType.NodeDeleted, zxid, acl, events);
    this.fire(this.childWatches, path, EventType.NodeDeleted, zxid, acl, events, notified);
    this.fire(this.childWatches, parentPath, EventType.NodeChildrenChanged, zxid, parent.acl.acl, events);
  }

  private fire(
    table: WatchTable,
    path: string,
    type: number,
    zxid: number,
    acl: readonly ACL[],
    events: WatchEvent[],
    suppress?: Set<number> | null,
  ): Set<number> | null {
    const watchers = table.trigger(path);
    if (!watchers) return null;
    const idsOf = this.options.idsOf;
    for (const watcher of watchers) {
      if (suppress && suppress.has(watcher)) continue;
      if (idsOf) {
        const ids = idsOf(watcher);
        if (ids && !checkAcl(acl, Perms.READ, ids)) continue;
      }
      events.push({ watcher, type, path, zxid });
    }
    return watchers;
  }

  private addChildName(parentPath: string, name: string): void {
    const parent = this.mustGet(parentPath);
    const children = (parent.children ??= new Set());
    children.add(name);
    parent.childCapacity = javaCapacityFor(parent.childCapacity || javaChildSetCapacityInitial, children.size);
  }

  /** Child names in the order ZooKeeper returns them (its HashSet's iteration order). */
  childrenOf(node: ZNode): string[] {
    if (node.children === null) return [];
    return javaHashSetOrder(node.children, node.childCapacity || javaChildSetCapacityInitial);
  }

  private mustGet(path: string): ZNode {
    const node = this.nodes.get(path);
    // Txns are validated in prep against this same tree, so a missing node here is a broken invariant.
    if (!node) throw new Error(`data tree invariant broken: ${path} does not exist`);
    return node;
  }

  // ---- watches ----

  /** getData/exists watch (exists registers even when the node is missing). */
  watchData(path: string, watcher: number): void {
    this.dataWatches.add(path, watcher, WatchMode.STANDARD);
  }

  watchChildren(path: string, watcher: number): void {
    this.childWatches.add(path, watcher, WatchMode.STANDARD);
  }

  /** addWatch: PERSISTENT goes in both tables, PERSISTENT_RECURSIVE in the data table only. */
  addWatch(path: string, watcher: number, recursive: boolean): void {
    if (recursive) {
      this.dataWatches.add(path, watcher, WatchMode.PERSISTENT_RECURSIVE);
    } else {
      this.dataWatches.add(path, watcher, WatchMode.PERSISTENT);
      this.childWatches.add(path, watcher, WatchMode.PERSISTENT);
    }
  }

  /** DataTree.setWatches: re-registers watches after a reconnect and reports what was missed. */
  setWatches(lists: SetWatchesLists, watcher: number): WatchEvent[] {
    const events: WatchEvent[] = [];
    const rel = lists.relativeZxid;
    const push = (type: number, path: string) => events.push({ watcher, type, path, zxid: -1 });
    for (const path of lists.dataWatches) {
      const node = this.nodes.get(path);
      if (!node) push(EventType.NodeDeleted, path);
      else if (node.mzxid > rel) push(EventType.NodeDataChanged, path);
      else this.watchData(path, watcher);
    }
    for (const path of lists.existWatches) {
      if (this.nodes.has(path)) push(EventType.NodeCreated, path);
      else this.watchData(path, watcher);
    }
    for (const path of lists.childWatches) {
      const node = this.nodes.get(path);
      if (!node) push(EventType.NodeDeleted, path);
      else if (node.pzxid > rel) push(EventType.NodeChildrenChanged, path);
      else this.watchChildren(path, watcher);
    }
    for (const path of lists.persistentWatches ?? []) this.addWatch(path, watcher, false);
    for (const path of lists.persistentRecursiveWatches ?? []) this.addWatch(path, watcher, true);
    return events;
  }

  /** removeWatches (remove=true) and checkWatches (remove=false); true when a watch matched. */
  matchWatches(path: string, type: number, watcher: number, remove: boolean): boolean {
    const op = (table: WatchTable, modes: number) =>
      remove ? table.remove(path, watcher, modes) : table.has(path, watcher, modes);
    switch (type) {
      case WatcherType.Children:
        return op(this.childWatches, watchModesAll);
      case WatcherType.Data:
        return op(this.dataWatches, watchModesAll);
      case WatcherType.Any: {
        const a = op(this.childWatches, watchModesAll);
        const b = op(this.dataWatches, watchModesAll);
        return a || b;
      }
      case WatcherType.Persistent: {
        const a = op(this.childWatches, WatchMode.PERSISTENT);
        const b = op(this.dataWatches, WatchMode.PERSISTENT);
        return a || b;
      }
      case WatcherType.PersistentRecursive:
        return op(this.dataWatches, WatchMode.PERSISTENT_RECURSIVE);
      default:
        return false;
    }
  }

  /** Drops every watch of a connection. */
  removeWatcher(watcher: number): void {
    this.dataWatches.removeWatcher(watcher);
    this.childWatches.removeWatcher(watcher);
  }
}

function dataLength(data: Buffer | null): number {
  return data === null ? 0 : data.length;
}
