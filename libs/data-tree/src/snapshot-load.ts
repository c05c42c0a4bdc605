/**
 * Loads a snapshot's nodes straight into a DataTree, one node at a time as the decoder reads them,
 * so a restart allocates no object per znode: a node's name and data are copied from the file's
 * bytes into the store's records, its fields come in one reused object.
 *
 * A fuzzy snapshot (snapshot.ts) must have the txns logged during its walk replayed over it. The
 * replay runs after the last node, over a TreeImage backed by the loaded tree: it reads stamps from
 * the tree and copies a node into the image only when a txn changes it, so a walk that overlapped
 * 450,000 creates copies their parent, not the 450,000 nodes (each already carries its create).
 * The image's records then overwrite their nodes and the nodes it deleted are removed. A path the
 * walk met twice (deleted and created again meanwhile) is created in the walk's range, so only
 * those paths are looked up before they are appended; the second record replaces the first.
 */
import type { ACL } from '@coord/protocol';
import type { DataTree } from './data-tree';
import { decodeRecordInto, NodeFields, PreencodedFields, RecordLayout } from './node-record';
import { rootSlot } from './node-store';
import { parentOf } from './path';
import { ImageBacking, NodeRecord, putRecords, recordOf, TreeImage } from './snapshot';
import type { Txn, TxnOp } from './txn';

/**
 * The stat fields of one snapshot node as a decoder reads them (one object, reused for every node):
 * a NodeRecord's fields without the data and ACL, which the loader takes as byte ranges.
 */
export type LoadedFields = Omit<NodeRecord, 'data' | 'acl'>;

/** A session's ephemerals as the snapshot lists them (at its start zxid, in creation order). */
export interface SessionEphemerals {
  sessionId: bigint;
  ephemerals: readonly string[];
}

const slash = 0x2f;
const zookeeperPath = Buffer.from('/zookeeper', 'latin1');

export class SnapshotLoader {
  /** Tree ACL ids of the snapshot's ACL lists, by their number in the file. */
  private readonly aclIds: number[] = [];
  private readonly acls: ACL[][] = [];
  /** Paths the walk's txns create: the only ones the walk can meet twice. */
  private readonly created: Set<string>;
  /** The nodes the fuzzy replay changes, as records (see the file comment). */
  private readonly image: TreeImage;
  /** Records that came before their parent (slot order is not creation order). */
  private readonly pending = new Map<string, NodeRecord>();
  /** What a node item hands the store (the shape of `encoded` with no record: the store's reads of it stay monomorphic). */
  private readonly fields: PreencodedFields = {
    czxid: 0, mzxid: 0, pzxid: 0, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, aclId: 0,
    ephemeralOwner: 0n, numChildren: 0, childCapacity: 0, firstChild: -1, dataLength: -1,
    record: null, recordAt: 0, recordLength: 0, recordTimeBase: 0,
  };
  /** What a record item hands the store: its encoded record, copied as it is (see record()). */
  private readonly encoded: PreencodedFields = {
    czxid: 0, mzxid: 0, pzxid: 0, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, aclId: 0,
    ephemeralOwner: 0n, numChildren: 0, childCapacity: 0, firstChild: -1, dataLength: -1,
    record: null, recordAt: 0, recordLength: 0, recordTimeBase: 0,
  };
  /** A record item decoded for the general path (slow). */
  private readonly itemFields: RecordLayout = {
    czxid: 0, mzxid: 0, pzxid: 0, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, aclId: 0, ephemeralOwner: 0n,
    numChildren: 0, childCapacity: 0, firstChild: -1, dataLength: -1, nameOffset: 0, nameLength: 0, dataOffset: 0, pad: 0,
  };
  /**
   * The parent found last, by a copy of its path bytes (the decoder may reuse its buffer): siblings
   * come in runs, so most nodes skip the path walk.
   */
  private cacheKey = Buffer.allocUnsafe(256);
  private cacheLength = -1;
  private cacheSlot = -1;
  loaded = 0;

  constructor(
    private readonly tree: DataTree,
    /** The log txns in (startZxid, endZxid] of the snapshot, in order (read twice: before and after the nodes). */
    private readonly fuzzyTxns: TxnSource,
    sessions: readonly SessionEphemerals[],
  ) {
    this.created = createdPaths(fuzzyTxns);
    this.image = new TreeImage(this.backing());
    for (const s of sessions) this.image.addEphemerals(s.sessionId, s.ephemerals);
    tree.beginBulkLoad();
  }

  /** Defines the next ACL list number (0, 1, 2 … in file order). */
  acl(acl: ACL[]): void {
    this.acls.push(acl);
    this.aclIds.push(this.tree.acquireAcl(acl));
  }

  /**
   * One node: its path is the UTF-8 bytes `b[pathAt, pathAt + pathLength)`, its data
   * `data[dataAt, dataAt + dataLength)` (`dataLength` -1 for null). Nothing is kept of `b`, `data` or `f`.
   */
  node(b: Buffer, pathAt: number, pathLength: number, f: LoadedFields, aclNumber: number, data: Buffer, dataAt: number, dataLength: number): void {
    this.loaded++;
    const end = pathAt + pathLength;
    let last = -1;
    let ascii = true;
    for (let i = pathAt; i < end; i++) {
      const c = b[i];
      if (c === slash) last = i;
      else if (c >= 0x80) ascii = false;
    }
    const plain = ascii && last >= pathAt && pathLength > 1 && !startsWith(b, pathAt, end, zookeeperPath);
    const parent = plain ? this.parentSlot(b, pathAt, last) : -1;
    // A path created in the walk's range may be here already (met before its delete): the general path replaces it.
    const again = parent >= 0 && this.created.size > 0 && this.created.has(b.toString('latin1', pathAt, end)) && this.tree.slotOfBytes(b, pathAt, end) >= 0;
    if (parent < 0 || again) {
      this.slow(b.toString('utf8', pathAt, end), f, aclNumber, data, dataAt, dataLength);
      return;
    }
    const t = this.fields;
    t.czxid = f.czxid;
    t.mzxid = f.mzxid;
    t.pzxid = f.pzxid;
    t.ctime = f.ctime;
    t.mtime = f.mtime;
    t.version = f.version;
    t.cversion = f.cversion;
    t.aversion = f.aversion;
    t.ephemeralOwner = f.ephemeralOwner;
    t.aclId = this.aclIds[aclNumber];
    t.numChildren = 0;
    t.childCapacity = 0;
    this.tree.restoreChild(parent, b, last + 1, end - last - 1, t, data, dataAt, dataLength, pathLength);
  }

  /**
   * One node given as a record item (storage's snapshot-format.ts): the parent's path is the UTF-8
   * bytes `b[parentAt, parentAt + parentLength)`, the node itself the store's record of it as a
   * childless node at `b[recordAt, recordAt + recordLength)` (times relative to `timeBase`, ACL id
   * the file's number, its data last), so the store copies it as it is. `ephemeralOwner` and
   * `dataLength` repeat what the record holds. Nothing is kept of `b`.
   */
  record(b: Buffer, parentAt: number, parentLength: number, aclNumber: number, ephemeralOwner: bigint, dataLength: number, recordAt: number, recordLength: number, timeBase: number): void {
    this.loaded++;
    const nameLength = b[recordAt];
    const nameAt = recordAt + 1;
    const parentEnd = parentAt + parentLength;
    let ascii = nameLength < 0x80 && nameLength > 0;
    for (let i = nameAt, end = nameAt + nameLength; ascii && i < end; i++) if (b[i] >= 0x80 || b[i] === slash) ascii = false;
    for (let i = parentAt; ascii && i < parentEnd; i++) if (b[i] >= 0x80) ascii = false;
    const aclId = this.aclIds[aclNumber];
    // The record holds the file's ACL number: the store can copy it when that is also the tree's id.
    const plain = ascii && aclId === aclNumber && parentLength >= 1 && b[parentAt] === slash && !startsWith(b, parentAt, parentEnd, zookeeperPath);
    const parent = !plain ? -1 : parentLength === 1 ? rootSlot : this.parentSlot(b, parentAt, parentEnd);
    const pathLength = (parentLength === 1 ? 0 : parentLength) + 1 + nameLength;
    // As in node(): a path the walk's txns create may be here already; the general path replaces it.
    const again = parent >= 0 && this.created.size > 0 && this.createdAndLoaded(itemPath(b, parentAt, parentLength, nameAt, nameLength, 'latin1'));
    if (parent < 0 || again) {
      const f = decodeRecordItem(b, recordAt, timeBase, this.itemFields);
      const path = itemPath(b, parentAt, parentLength, f.nameOffset, f.nameLength, 'utf8');
      this.slow(path, f, aclNumber, b, recordAt + recordLength - Math.max(dataLength, 0), dataLength);
      return;
    }
    const e = this.encoded;
    e.aclId = aclId;
    e.ephemeralOwner = ephemeralOwner;
    e.record = b;
    e.recordAt = recordAt;
    e.recordLength = recordLength;
    e.recordTimeBase = timeBase;
    this.tree.restoreChild(parent, b, nameAt, nameLength, e, b, recordAt + recordLength - Math.max(dataLength, 0), dataLength, pathLength);
    e.record = null;
  }

  /** After the last node: replays the walk's txns (see the file comment) and writes their effects back. */
  finish(): void {
    this.tree.endBulkLoad();
    this.attachPending();
    eachTxn(this.fuzzyTxns, (t) => this.image.replay(t));
    const gone = [...this.image.deleted].sort((a, b) => depth(b) - depth(a));
    for (const p of gone) {
      if (this.pending.delete(p)) continue;
      if (this.tree.getNode(p) !== undefined) this.tree.removeRestored(p);
    }
    const records = new Map(this.image.nodes);
    for (const [p, r] of this.pending) if (!records.has(p)) records.set(p, r);
    putRecords(this.tree, records);
    // The walk's order is the store's slot order, not creation order; the image knows the latter.
    for (const [sid, paths] of this.image.ephemeralLists()) this.tree.orderEphemerals(sid, paths);
    for (const id of this.aclIds) this.tree.releaseAcl(id);
    this.aclIds.length = 0;
  }

  /** Leaves the tree's bulk mode after a failed load (the tree is not usable then). */
  abandon(): void {
    this.tree.endBulkLoad();
  }

  /** Built-ins, /zookeeper, non-ASCII paths, nodes met again or before their parent: as a record. */
  private slow(path: string, f: LoadedFields, aclNumber: number, data: Buffer, dataAt: number, dataLength: number): void {
    const record: NodeRecord = {
      data: dataLength < 0 ? null : Buffer.from(data.subarray(dataAt, dataAt + dataLength)),
      acl: this.acls[aclNumber],
      czxid: f.czxid, mzxid: f.mzxid, ctime: f.ctime, mtime: f.mtime, version: f.version, cversion: f.cversion,
      aversion: f.aversion, ephemeralOwner: f.ephemeralOwner, pzxid: f.pzxid,
    };
    if (path === '/' || this.tree.getNode(parentOf(path)) !== undefined) {
      this.pending.delete(path);
      this.tree.restoreNode(path, record);
    } else {
      this.pending.set(path, record);
    }
  }

  private createdAndLoaded(path: string): boolean {
    return this.created.has(path) && this.tree.getNode(path) !== undefined;
  }

  /** Puts in the records whose parent arrived after them; the rest have none (the replay deletes them). */
  private attachPending(): void {
    for (let progress = true; progress && this.pending.size > 0; ) {
      progress = false;
      for (const [p, r] of this.pending) {
        if (this.tree.getNode(parentOf(p)) === undefined) continue;
        this.tree.restoreNode(p, r);
        this.pending.delete(p);
        progress = true;
      }
    }
  }

  /** The image's view of what was loaded: the tree, then the records still waiting for a parent. */
  private backing(): ImageBacking {
    return {
      stampOf: (path) => {
        const n = this.tree.getNode(path) ?? this.pending.get(path);
        return n === undefined ? undefined : Math.max(n.czxid, n.mzxid, n.pzxid);
      },
      recordOf: (path) => {
        const waiting = this.pending.get(path);
        if (waiting !== undefined) {
          this.pending.delete(path);
          return waiting;
        }
        const node = this.tree.getNode(path);
        return node === undefined ? undefined : recordOf(node);
      },
    };
  }

  private parentSlot(b: Uint8Array, pathAt: number, last: number): number {
    if (last === pathAt) return rootSlot;
    const n = last - pathAt;
    const key = this.cacheKey;
    if (n === this.cacheLength) {
      let same = true;
      for (let i = 0; i < n; i++) {
        if (b[pathAt + i] !== key[i]) {
          same = false;
          break;
        }
      }
      if (same) return this.cacheSlot;
    }
    const slot = this.tree.slotOfBytes(b, pathAt, last);
    if (slot >= 0) {
      if (key.length < n) this.cacheKey = Buffer.allocUnsafe(n * 2);
      for (let i = 0; i < n; i++) this.cacheKey[i] = b[pathAt + i];
      this.cacheLength = n;
      this.cacheSlot = slot;
    }
    return slot;
  }
}

/**
 * Txns in order, as an array or as a stream that can be read more than once (recovery re-decodes a
 * large fuzzy range from the log files rather than hold every txn of it).
 */
export type TxnSource = readonly Txn[] | ((fn: (txn: Txn) => void) => void);

export function eachTxn(source: TxnSource, fn: (txn: Txn) => void): void {
  if (typeof source === 'function') source(fn);
  else for (const t of source) fn(t);
}

/** Every path the txns create (a multi's creates included). */
export function createdPaths(txns: TxnSource): Set<string> {
  const out = new Set<string>();
  const visit = (op: TxnOp): void => {
    if (op.type === 'create') out.add(op.path);
    else if (op.type === 'multi') for (const sub of op.ops) visit(sub);
  };
  eachTxn(txns, (t) => visit(t.op));
  return out;
}

export type { RecordLayout } from './node-record';

/**
 * The fields of a snapshot record item's record at `b[at]` (times relative to `timeBase`) into `out`;
 * `out.aclId` is the file's ACL number, `out.nameOffset` / `out.dataOffset` positions in `b`.
 */
export function decodeRecordItem(b: Buffer, at: number, timeBase: number, out: RecordLayout): RecordLayout {
  return decodeRecordInto(b, at, timeBase, out);
}

/** A record item's path: its parent's path (`'/'` for the root's children) and its name, decoded. */
function itemPath(b: Buffer, parentAt: number, parentLength: number, nameAt: number, nameLength: number, encoding: 'utf8' | 'latin1'): string {
  const name = b.toString(encoding, nameAt, nameAt + nameLength);
  return parentLength === 1 ? '/' + name : b.toString(encoding, parentAt, parentAt + parentLength) + '/' + name;
}

function startsWith(b: Uint8Array, at: number, end: number, prefix: Uint8Array): boolean {
  if (end - at < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (b[at + i] !== prefix[i]) return false;
  // "/zookeeper" itself or below it, not "/zookeeperish".
  return end - at === prefix.length || b[at + prefix.length] === slash;
}

function depth(path: string): number {
  let n = 0;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === slash) n++;
  return n;
}
