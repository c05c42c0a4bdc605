/**
 * The znode tree: znodes live in a NodeStore (numbered slots, records in byte chunks, a (parent, name)
 * table instead of a map of full paths), with indexes of ephemerals per session and of containers /
 * TTL nodes, and the two watch tables. `applyTxn` is the only way the tree changes; it is
 * deterministic because every txn carries its zxid and time.
 */
import { ACL, EventType, Id, Perms, WatcherType } from '@coord/protocol';
import { checkAcl, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from './acl';
import type { ArenaOptions } from './arena';
import { javaChildSetCapacityInitial, javaHashSetOrder } from './java-order';
import type { NodeFields } from './node-record';
import { NodeStore, rootSlot } from './node-store';
import { SnapshotCursor } from './snapshot-cursor';
import { nameOf, parentOf } from './path';
import { isUnderQuotaRoot, quotaLimitNode, QuotaTracker, quotaTarget } from './quota';
import type { NodeRecord } from './snapshot';
import { ApplyResult, AppliedOp, Notification, Txn, TxnOp, WatchEvent } from './txn';
import { WatchMode, WatchTable, watchModesAll } from './watch-manager';
import { AclCache, ephemeralKind, statOf, ttlOf, ZNode } from './znode';

// Recovery's readers of logged txns (their own files; exported with the tree they fill).
export { TailReplayer, type TailReplayOptions } from './tail-replay';
export { readTxnHead, skimmed, skimTxn, txnHead, type TxnHead } from './txn-skim';

/** No auth ids: an ACL that grants READ with these grants it to every connection. */
const noIds: readonly Id[] = [];

/** Paths that exist on every server and cannot be deleted. */
export const builtInPaths = ['/', '/zookeeper', '/zookeeper/quota', '/zookeeper/config'] as const;

export interface DataTreeOptions {
  /**
   * Who may see an event: ZooKeeper drops (but still consumes) a notification when the watching
   * connection lacks READ on the node. The server supplies the connection's auth ids.
   */
  idsOf?: (watcher: number) => readonly Id[] | undefined;
  /** Chunk size and compaction floor of the record arena (tests shrink them; defaults suit servers). */
  arena?: ArenaOptions;
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
  private readonly acls = new AclCache();
  private readonly store: NodeStore;
  /** Slots of each session's ephemerals, in creation order. */
  private readonly ephemeralsBySession = new Map<bigint, Set<number>>();
  private readonly containers = new Set<number>();
  private readonly ttls = new Set<number>();
  readonly dataWatches = new WatchTable();
  readonly childWatches = new WatchTable();
  private readonly quotas = new QuotaTracker({
    getNode: (path) => this.getNode(path),
    childNames: (path) => this.childNamesOf(this.store.find(path)),
    writeDataInPlace: (path, data) => this.writeDataInPlace(path, data),
  });
  lastProcessedZxid = 0;
  /** Sum of path lengths and data lengths, like ZooKeeper's approximateDataSize. */
  approximateDataSize = 0;

  constructor(private readonly options: DataTreeOptions = {}) {
    const empty = Buffer.alloc(0);
    this.store = new NodeStore(freshFields(0, 0, 0n, this.acls.acquire(OPEN_ACL_UNSAFE)), empty, options.arena);
    this.approximateDataSize += 1;
    for (const path of builtInPaths) {
      if (path === '/') continue;
      const acl = path === '/zookeeper/config' ? READ_ACL_UNSAFE : OPEN_ACL_UNSAFE;
      this.store.insert(this.mustFind(parentOf(path)), nameOf(path), freshFields(0, 0, 0n, this.acls.acquire(acl)), empty, noParentChange);
      this.approximateDataSize += path.length;
    }
  }

  /** A view of the node at `path` as it is now (its data is read when asked). */
  getNode(path: string): ZNode | undefined {
    const slot = this.store.find(path);
    return slot < 0 ? undefined : this.view(slot);
  }

  /** ZooKeeper's DataTree counts the root under two keys ('' and '/'), so a fresh server says 5. */
  get nodeCount(): number {
    return this.store.count + 1;
  }

  /** Number of znodes actually stored. */
  get size(): number {
    return this.store.count;
  }

  /** Bytes the node records take (live, garbage awaiting compaction, reserved in chunks). */
  recordMemory(): { liveBytes: number; garbageBytes: number; reservedBytes: number } {
    return this.store.memory();
  }

  aclOf(node: ZNode): ACL[] {
    return node.acl.acl;
  }

  /**
   * Every (path, node) pair in slot order; a snapshot walks this live iterator (a node deleted before
   * the walk reaches it is skipped; one created meanwhile may or may not be visited).
   */
  *entries(): IterableIterator<[string, ZNode]> {
    let parent = -1;
    let parentPath = '';
    let removalsSeen = -1;
    for (const slot of this.store.slots()) {
      if (slot === rootSlot) {
        yield ['/', this.view(slot)];
        continue;
      }
      const p = this.store.parentOf(slot);
      // The walk is live: a removal meanwhile may have given the cached parent's slot to another node.
      if (p !== parent || this.store.removals !== removalsSeen) {
        parent = p;
        removalsSeen = this.store.removals;
        parentPath = p === rootSlot ? '' : this.store.pathOf(p);
      }
      yield [parentPath + '/' + this.store.nameOf(slot), this.view(slot)];
    }
  }

  /**
   * entries() for a snapshot writer: the same live walk in slot order, through one cursor refilled
   * for every node with the data as a range of the store's bytes, so walking a million znodes
   * allocates no view, stat, record, iterator result or data copy per znode (the writer copies the
   * bytes straight into its output). A field read after `next()` moved on sees the next node.
   */
  snapshotCursor(): SnapshotCursor {
    return new SnapshotCursor(this.store, (id) => this.acls.get(id).acl);
  }

  /**
   * Puts one node back exactly as a snapshot recorded it (internal cversion and ephemeralOwner
   * included) and indexes it; the parent must already be there. A node already at `path` (a
   * built-in) is replaced but keeps its children.
   */
  restoreNode(path: string, r: NodeRecord): void {
    const fields = recordFields(r, this.acls.acquire(r.acl));
    let slot = this.store.find(path);
    if (slot >= 0) {
      // Built-ins are persistent, so only the ACL reference and the size need undoing.
      const old = this.store.read(slot);
      this.unindex(slot, old.ephemeralOwner);
      this.acls.release(old.aclId);
      this.approximateDataSize -= path.length + Math.max(old.dataLength, 0);
      fields.numChildren = old.numChildren;
      fields.firstChild = old.firstChild;
      fields.childCapacity = old.childCapacity;
      this.store.writeData(slot, fields, r.data);
    } else {
      const parent = this.store.find(parentOf(path));
      if (parent < 0) throw new Error(`data tree invariant broken: no parent for ${path}`);
      slot = this.store.insert(parent, nameOf(path), fields, r.data, noParentChange);
    }
    this.approximateDataSize += path.length + dataLength(r.data);
    if (isUnderQuotaRoot(path) && nameOf(path) === quotaLimitNode) this.quotas.add(quotaTarget(parentOf(path)));
    this.index(slot, r.ephemeralOwner);
  }

  // ---- the snapshot loader's fast path (snapshot-load.ts) ----

  /** Makes room for `n` more znodes (a snapshot load knows its count up front). */
  reserve(n: number): void {
    this.store.reserve(this.store.count + n);
  }

  /** The slot of the absolute path held as UTF-8 in `b[at, end)`, or -1. */
  slotOfBytes(b: Uint8Array, at: number, end: number): number {
    return this.store.findBytes(b, at, end);
  }

  /** A reference to an ACL list for the loader to hand out with `restoreChild` (release it when done). */
  acquireAcl(acl: ACL[]): number {
    return this.acls.acquire(acl);
  }

  releaseAcl(aclId: number): void {
    this.acls.release(aclId);
  }

  /** Between these, restoreChild appends children without rewriting their parent each time. */
  beginBulkLoad(): void {
    this.store.beginBulk();
  }

  endBulkLoad(): void {
    this.store.endBulk();
  }

  /**
   * restoreNode for a new child of `parent` given as bytes (name `b[nameAt..]`, data `data[dataAt..]`,
   * `dataLength` -1 for null) whose path is `pathLength` characters and not under /zookeeper, inside
   * beginBulkLoad .. endBulkLoad: no string, Buffer or record object per znode. `f.aclId` gains a
   * reference. The caller guarantees the path is new (NodeStore.appendChild says why it can).
   */
  restoreChild(parent: number, b: Uint8Array, nameAt: number, nameLength: number, f: NodeFields, data: Uint8Array, dataAt: number, dataLength: number, pathLength: number): number {
    const slot = this.store.appendChild(parent, b, nameAt, nameLength, f, data, dataAt, dataLength);
    this.acls.retain(f.aclId);
    this.approximateDataSize += pathLength + Math.max(dataLength, 0);
    this.index(slot, f.ephemeralOwner);
    return slot;
  }

  /**
   * The parent stamp of `creates` children created under `parent`, the last at `zxid` (the tail
   * replay's creates append with restoreChild and stamp their parent once per run of siblings).
   */
  stampCreates(parent: number, creates: number, zxid: number): void {
    const p = this.store.read(parent);
    p.cversion += creates;
    p.pzxid = zxid;
    this.store.writeFields(parent, p);
  }

  /** The child of `parent` named by the UTF-8 bytes `b[at, end)`, or -1. */
  childSlotOfBytes(parent: number, b: Uint8Array, at: number, end: number): number {
    return this.store.findChildBytes(parent, b, at, end);
  }

  /**
   * A create's change to the tree as applyTxn makes it, on the terms of replaySetData, with the name,
   * data and fields as restoreChild takes them (`f.aclId` gains a reference), the parent stamped.
   */
  replayCreate(parent: number, b: Uint8Array, nameAt: number, nameLength: number, f: NodeFields, data: Uint8Array, dataAt: number, dataLength: number, pathLength: number): number {
    const zxid = f.czxid;
    const slot = this.store.insertBytes(parent, b, nameAt, nameLength, f, data, dataAt, dataLength, (p) => {
      p.cversion++;
      p.pzxid = zxid;
    });
    this.acls.retain(f.aclId);
    this.approximateDataSize += pathLength + Math.max(dataLength, 0);
    this.index(slot, f.ephemeralOwner);
    return slot;
  }

  /**
   * A setData's change to the tree as applyTxn makes it, without its watch events or result (the tail
   * replay's: no watch is set, no quota exists, the path is outside /zookeeper).
   */
  replaySetData(slot: number, zxid: number, time: number, version: number, data: Uint8Array | null): void {
    const f = this.store.read(slot);
    this.approximateDataSize += (data === null ? 0 : data.length) - Math.max(f.dataLength, 0);
    f.version = version;
    f.mzxid = zxid;
    f.mtime = time;
    this.store.writeData(slot, f, data);
  }

  /** A delete's change to the tree as applyTxn makes it, on the terms of replaySetData; `pathLength` in UTF-16 units. */
  replayDelete(slot: number, zxid: number, pathLength: number): void {
    const f = this.store.read(slot);
    this.unindex(slot, f.ephemeralOwner);
    this.store.remove(slot, (p) => {
      if (zxid > p.pzxid) p.pzxid = zxid;
    });
    this.approximateDataSize -= pathLength + Math.max(f.dataLength, 0);
    this.acls.release(f.aclId);
  }

  /** Whether any quota exists (then every create and delete also updates a stats node). */
  get hasQuotas(): boolean {
    return this.quotas.size > 0;
  }

  /** Whether any watch is set (a tree being recovered has none, so its replay fires nothing). */
  get hasWatches(): boolean {
    return this.dataWatches.size > 0 || this.childWatches.size > 0;
  }

  /** Drops a restored childless node without events or a parent stamp (the loader's fuzzy replay deleted it). */
  removeRestored(path: string): void {
    const slot = this.mustFind(path);
    const f = this.store.read(slot);
    if (f.numChildren > 0) throw new Error(`snapshot image and log disagree: ${path} is deleted by the log but still has children`);
    this.unindex(slot, f.ephemeralOwner);
    this.store.remove(slot, noParentChange);
    this.approximateDataSize -= path.length + Math.max(f.dataLength, 0);
    if (isUnderQuotaRoot(parentOf(path)) && nameOf(path) === quotaLimitNode) this.quotas.delete(quotaTarget(parentOf(path)));
    this.acls.release(f.aclId);
  }

  /**
   * Puts a session's ephemerals in the given order (creation order, from a snapshot's session list
   * and the replayed log); ephemerals the list lacks keep their order after the listed ones.
   */
  orderEphemerals(sessionId: bigint, paths: readonly string[]): void {
    const set = this.ephemeralsBySession.get(sessionId);
    if (!set) return;
    const ordered = new Set<number>();
    for (const path of paths) {
      const slot = this.store.find(path);
      if (set.has(slot)) ordered.add(slot);
    }
    for (const slot of set) ordered.add(slot);
    this.ephemeralsBySession.set(sessionId, ordered);
  }

  /** Number of all descendants of `path` (getAllChildrenNumber). */
  allChildrenNumber(path: string): number {
    if (path === '/') return this.store.count - 1;
    const slot = this.store.find(path);
    if (slot < 0) return 0;
    let total = 0;
    const stack: number[] = [slot];
    while (stack.length > 0) {
      const children = this.store.childSlots(stack.pop() as number);
      total += children.length;
      for (const c of children) stack.push(c);
    }
    return total;
  }

  /** Paths of a session's ephemerals whose path starts with `prefix` (plain string prefix). */
  ephemerals(sessionId: bigint, prefix = '/'): string[] {
    const set = this.ephemeralsBySession.get(sessionId);
    if (!set) return [];
    const paths = [...set].map((slot) => this.store.pathOf(slot));
    if (prefix === '' || prefix === '/') return paths;
    return paths.filter((p) => p.startsWith(prefix));
  }

  sessionsWithEphemerals(): Map<bigint, string[]> {
    const out = new Map<bigint, string[]>();
    for (const [sid, set] of this.ephemeralsBySession) out.set(sid, [...set].map((slot) => this.store.pathOf(slot)));
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
   * Sorted by path, so a restarted server (whose indexes are rebuilt in snapshot order) answers the same.
   */
  cleanupCandidates(now: number, neverUsedMs = 0): string[] {
    const out: string[] = [];
    for (const slot of this.containers) {
      const f = this.store.read(slot);
      if (f.numChildren > 0) continue;
      if (f.cversion > 0 || (neverUsedMs > 0 && now - f.mtime > neverUsedMs)) out.push(this.store.pathOf(slot));
    }
    for (const slot of this.ttls) {
      const f = this.store.read(slot);
      if (f.numChildren > 0) continue;
      if (now - f.mtime > ttlOf(f.ephemeralOwner)) out.push(this.store.pathOf(slot));
    }
    return out.sort();
  }

  // ---- applying txns ----

  applyTxn(txn: Txn): ApplyResult {
    const events: Notification[] = [];
    const result = this.applyOp(txn, txn.op, events);
    if (txn.zxid > this.lastProcessedZxid) this.lastProcessedZxid = txn.zxid;
    return { result, events };
  }

  private applyOp(txn: Txn, op: TxnOp, events: Notification[]): AppliedOp {
    switch (op.type) {
      case 'create':
        return this.applyCreate(txn, op.path, op.data, op.acl, op.ephemeralOwner, events);
      case 'delete':
        this.applyDelete(txn.zxid, op.path, events);
        return { type: 'delete' };
      case 'setData': {
        const slot = this.mustFind(op.path);
        const f = this.store.read(slot);
        const bytesDiff = dataLength(op.data) - Math.max(f.dataLength, 0);
        this.approximateDataSize += bytesDiff;
        f.version = op.version;
        f.mzxid = txn.zxid;
        f.mtime = txn.time;
        this.store.writeData(slot, f, op.data);
        this.quotas.update(op.path, bytesDiff, 0);
        this.fire(this.dataWatches, op.path, EventType.NodeDataChanged, txn.zxid, this.acls.get(f.aclId).acl, events);
        // The stat of the fields just written (writeData set the new data length), no view and no decode.
        return { type: 'setData', stat: statOf(f) };
      }
      case 'setACL': {
        const slot = this.mustFind(op.path);
        const f = this.store.read(slot);
        const next = this.acls.acquire(op.acl);
        this.acls.release(f.aclId);
        f.aclId = next;
        f.aversion = op.aversion;
        this.store.writeFields(slot, f);
        return { type: 'setACL', stat: statOf(f) };
      }
      case 'check':
        return { type: 'check' };
      case 'error':
        return { type: 'error', err: op.err };
      case 'createSession':
        return { type: 'createSession' };
      case 'closeSession': {
        const set = this.ephemeralsBySession.get(txn.sessionId);
        if (set) for (const slot of [...set]) if (this.store.has(slot)) this.applyDelete(txn.zxid, this.store.pathOf(slot), events);
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
    events: Notification[],
  ): AppliedOp {
    const parentPath = parentOf(path);
    const parentSlot = this.mustFind(parentPath);
    const zxid = txn.zxid;
    const aclId = this.acls.acquire(acl);
    const fields = freshFields(zxid, txn.time, owner, aclId);
    let parentAclId = 0;
    const slot = this.store.insert(parentSlot, nameOf(path), fields, data, (p) => {
      p.cversion++;
      p.pzxid = zxid;
      parentAclId = p.aclId;
    });
    this.approximateDataSize += path.length + dataLength(data);
    if (isUnderQuotaRoot(parentPath)) this.quotas.onQuotaNodeCreated(parentPath, nameOf(path));
    this.quotas.update(path, dataLength(data), 1);
    this.index(slot, owner);
    const shared = this.acls.get(aclId);
    this.fire(this.dataWatches, path, EventType.NodeCreated, zxid, shared.acl, events);
    this.fire(this.childWatches, parentPath, EventType.NodeChildrenChanged, zxid, this.acls.get(parentAclId).acl, events);
    return { type: 'create', path, stat: statOf(fields) };
  }

  private applyDelete(zxid: number, path: string, events: Notification[]): void {
    const slot = this.mustFind(path);
    const f = this.store.read(slot);
    const parentPath = parentOf(path);
    let parentAclId = 0;
    this.unindex(slot, f.ephemeralOwner);
    this.store.remove(slot, (p) => {
      if (zxid > p.pzxid) p.pzxid = zxid;
      parentAclId = p.aclId;
    });
    this.approximateDataSize -= path.length + Math.max(f.dataLength, 0);
    if (isUnderQuotaRoot(parentPath) && nameOf(path) === quotaLimitNode) this.quotas.delete(quotaTarget(parentPath));
    this.quotas.update(path, -Math.max(f.dataLength, 0), -1);
    const acl = this.acls.get(f.aclId).acl;
    this.acls.release(f.aclId);
    const notified = this.fire(this.dataWatches, path, EventType.NodeDeleted, zxid, acl, events);
    this.fire(this.childWatches, path, EventType.NodeDeleted, zxid, acl, events, notified);
    this.fire(this.childWatches, parentPath, EventType.NodeChildrenChanged, zxid, this.acls.get(parentAclId).acl, events);
  }

  private index(slot: number, owner: bigint): void {
    const kind = ephemeralKind(owner);
    if (kind === 'ephemeral') {
      let set = this.ephemeralsBySession.get(owner);
      if (!set) this.ephemeralsBySession.set(owner, (set = new Set()));
      set.add(slot);
    } else if (kind === 'container') {
      this.containers.add(slot);
    } else if (kind === 'ttl') {
      this.ttls.add(slot);
    }
  }

  private unindex(slot: number, owner: bigint): void {
    const kind = ephemeralKind(owner);
    if (kind === 'ephemeral') {
      const set = this.ephemeralsBySession.get(owner);
      if (set) {
        set.delete(slot);
        if (set.size === 0) this.ephemeralsBySession.delete(owner);
      }
    } else if (kind === 'container') {
      this.containers.delete(slot);
    } else if (kind === 'ttl') {
      this.ttls.delete(slot);
    }
  }

  /**
   * Triggers `table` for an event on `path` and queues one notification for the watchers that may read
   * the node (the others' one-shot watches are consumed all the same). `suppress`: watchers told
   * already (a NodeDeleted from the data table is not repeated by the child table). Returns every
   * watcher triggered.
   */
  private fire(
    table: WatchTable,
    path: string,
    type: number,
    zxid: number,
    acl: readonly ACL[],
    events: Notification[],
    suppress?: readonly number[] | null,
  ): number[] | null {
    const triggered = table.trigger(path);
    if (!triggered) return null;
    const idsOf = this.options.idsOf;
    // An ACL that lets anyone read (world:anyone, or none) needs no per-connection check.
    const checked = idsOf !== undefined && !checkAcl(acl, Perms.READ, noIds);
    let watchers = triggered;
    if (checked || (suppress && suppress.length > 0)) {
      const told = suppress && suppress.length > 0 ? new Set(suppress) : null;
      watchers = triggered.filter((watcher) => {
        if (told && told.has(watcher)) return false;
        if (!checked) return true;
        const ids = idsOf(watcher);
        return !ids || checkAcl(acl, Perms.READ, ids);
      });
    }
    if (watchers.length > 0) events.push({ type, path, zxid, watchers });
    return triggered;
  }

  /** Child names in the order ZooKeeper returns them (its HashSet's iteration order). */
  childrenOf(node: ZNode): string[] {
    if (!this.store.has(node.slot)) return [];
    const f = this.store.read(node.slot);
    if (f.numChildren === 0) return [];
    return javaHashSetOrder(this.childNamesOf(node.slot), f.childCapacity || javaChildSetCapacityInitial);
  }

  /** Child names in insertion order. */
  private childNamesOf(slot: number): string[] {
    if (slot < 0) return [];
    return this.store.childSlots(slot).map((c) => this.store.nameOf(c));
  }

  /** The quota stats node's data changes in place: no version, mzxid or watch. */
  private writeDataInPlace(path: string, data: Buffer): void {
    const slot = this.mustFind(path);
    const f = this.store.read(slot);
    this.approximateDataSize += data.length - Math.max(f.dataLength, 0);
    this.store.writeData(slot, f, data);
  }

  private view(slot: number): ZNode {
    const f = this.store.read(slot);
    return new ZNode(this.store, slot, f, this.acls.get(f.aclId));
  }

  private mustFind(path: string): number {
    const slot = this.store.find(path);
    // Txns are validated in prep against this same tree, so a missing node here is a broken invariant.
    if (slot < 0) throw new Error(`data tree invariant broken: ${path} does not exist`);
    return slot;
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
      const slot = this.store.find(path);
      if (slot < 0) push(EventType.NodeDeleted, path);
      else if (this.store.read(slot).mzxid > rel) push(EventType.NodeDataChanged, path);
      else this.watchData(path, watcher);
    }
    for (const path of lists.existWatches) {
      if (this.store.find(path) >= 0) push(EventType.NodeCreated, path);
      else this.watchData(path, watcher);
    }
    for (const path of lists.childWatches) {
      const slot = this.store.find(path);
      if (slot < 0) push(EventType.NodeDeleted, path);
      else if (this.store.read(slot).pzxid > rel) push(EventType.NodeChildrenChanged, path);
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

const noParentChange = (): void => undefined;

/** A new node's fields: every zxid at its create, both times at the create's time. */
function freshFields(zxid: number, time: number, owner: bigint, aclId: number): NodeFields {
  return {
    czxid: zxid, mzxid: zxid, pzxid: zxid, ctime: time, mtime: time, version: 0, cversion: 0, aversion: 0,
    aclId, ephemeralOwner: owner, numChildren: 0, childCapacity: 0, firstChild: -1, dataLength: -1,
  };
}

function recordFields(r: NodeRecord, aclId: number): NodeFields {
  return {
    czxid: r.czxid, mzxid: r.mzxid, pzxid: r.pzxid, ctime: r.ctime, mtime: r.mtime, version: r.version, cversion: r.cversion,
    aversion: r.aversion, aclId, ephemeralOwner: r.ephemeralOwner, numChildren: 0, childCapacity: 0, firstChild: -1, dataLength: -1,
  };
}
