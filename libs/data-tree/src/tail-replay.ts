/**
 * Replays logged txns from their encoded bytes on a restart, to the same tree applyTxn builds.
 *
 * A restart's tail can be millions of txns, mostly creates, applied to a tree nobody watches yet. Going
 * through applyTxn, each would be decoded into objects (path string, data Buffer, op), looked up
 * from the root, stamp its parent's record, try both watch tables and build its result's Stat. Here
 * a create, delete or setData of a plain path (ASCII, outside /zookeeper) in a tree with no quota and
 * no watch is read in place (txn-skim.ts), its parent found by comparing the parent path with the
 * last one's bytes. A create is appended to the store with its name and data copied from the log's
 * bytes (DataTree.restoreChild, inside a bulk load, as a snapshot load does), and a run of creates
 * under one parent stamps it once at the end of the run (cversion + n, pzxid of the last); a setData
 * or delete changes the tree as applyTxn does, without events or result. Every other txn is decoded
 * and goes through applyTxn (or the caller's `applyDecoded`), after the pending stamp is written, so
 * it sees the tree exactly as applyTxn would have left it.
 */
import { ByteReader } from '@coord/bytes';
import { OPEN_ACL_UNSAFE } from './acl';
import type { DataTree } from './data-tree';
import type { NodeFields } from './node-record';
import { rootSlot } from './node-store';
import type { Txn } from './txn';
import { decodeAcl, decodeTxn, OpTag } from './txn-codec';
import { readTxnHead, txnHead } from './txn-skim';

const slash = 0x2f;
/** Creates of a run under one parent inserted one by one before the rest are appended in bulk (see append). */
const directRunMax = 8;
/** "/zookeeper": creates there may start quotas or count in them, so they take applyTxn. */
const zookeeperPath = Buffer.from('/zookeeper', 'latin1');

export interface TailReplayOptions {
  /** Where a txn the replayer does not apply itself goes, decoded (applyTxn when absent). */
  applyDecoded?: (txn: Txn) => void;
  /** Txns at or below this zxid are skipped (already in the tree), as RequestPipeline.replay skips them. */
  appliedZxid?: number;
  /** How many creates the tail holds, when known: the store makes room for them up front. */
  creates?: number;
}

export class TailReplayer {
  private readonly head = txnHead();
  private readonly fields: NodeFields = {
    czxid: 0, mzxid: 0, pzxid: 0, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, aclId: 0,
    ephemeralOwner: 0n, numChildren: 0, childCapacity: 0, firstChild: -1, dataLength: -1,
  };
  private readonly applyDecoded: (txn: Txn) => void;
  private readonly appliedZxid: number;
  /** Watches would need their events: with any set, every txn takes applyTxn. */
  private readonly watched: boolean;
  /** The tree's id of the default ACL, held from the first create that used it until finish(). */
  private defaultAclId = -1;
  /**
   * The parent found last, by a copy of its path's bytes (`cacheLength` of them), and the slots of
   * its prefixes: the kth ends at cacheEnds[k] in the key (valid until one of them is removed).
   */
  private cacheKey = Buffer.allocUnsafe(256);
  private cacheLength = 0;
  private readonly cacheEnds: number[] = [];
  private readonly cacheSlots: number[] = [];
  /** The parent of the current run of creates, how many it has had, and those of them not stamped yet. */
  private runSlot = -1;
  private runLength = 0;
  private stampCount = 0;
  private stampZxid = 0;
  private bulk = false;
  /** Txns applied in place, and txns decoded and applied the general way. */
  inPlace = 0;
  decoded = 0;

  constructor(private readonly tree: DataTree, options: TailReplayOptions = {}) {
    this.applyDecoded = options.applyDecoded ?? ((txn) => void tree.applyTxn(txn));
    this.appliedZxid = options.appliedZxid ?? tree.lastProcessedZxid;
    this.watched = tree.hasWatches;
    if (options.creates) tree.reserve(options.creates);
  }

  /** One logged txn: its encoded bytes `b[at, end)` (a log record's payload; nothing is kept of `b`). */
  replay(b: Buffer, at: number, end: number): void {
    const h = this.head;
    const tag = readTxnHead(b, at, end, h);
    if (tag >= 0 && h.zxid <= this.appliedZxid) return;
    if (tag >= 0 && this.applyInPlace(b, tag, end)) {
      if (h.zxid > this.tree.lastProcessedZxid) this.tree.lastProcessedZxid = h.zxid;
      this.inPlace++;
      return;
    }
    this.settle();
    const txn = decodeTxn(new ByteReader(b, at, { end }));
    if (txn.zxid <= this.appliedZxid) return;
    this.decoded++;
    this.applyDecoded(txn);
  }

  /** Writes the last pending stamp and ends the bulk load: the tree is then exactly as applyTxn leaves it. */
  finish(): void {
    this.settle();
    if (this.bulk) this.tree.endBulkLoad();
    this.bulk = false;
    if (this.defaultAclId >= 0) this.tree.releaseAcl(this.defaultAclId);
    this.defaultAclId = -1;
  }

  /** A create, delete or setData (in `this.head`) applied in place; false when it must take applyTxn. */
  private applyInPlace(b: Buffer, tag: number, txnEnd: number): boolean {
    if (tag !== OpTag.create && tag !== OpTag.createOwned && tag !== OpTag.delete && tag !== OpTag.setData) return false;
    if (this.watched || this.tree.hasQuotas) return false;
    const h = this.head;
    const last = plainLastSlash(b, h.pathAt, h.pathEnd);
    if (last < 0) return false;
    const parent = this.parentSlot(b, h.pathAt, last);
    if (parent < 0) return false;
    if (tag === OpTag.create || tag === OpTag.createOwned) {
      this.append(b, txnEnd, parent, last);
      return true;
    }
    const slot = this.tree.childSlotOfBytes(parent, b, last + 1, h.pathEnd);
    if (slot < 0) return false;
    if (tag === OpTag.setData) {
      // Commutes with the pending stamp (which changes only cversion and pzxid, by reading the record again).
      this.tree.replaySetData(slot, h.zxid, h.time, h.version, h.dataLength < 0 ? null : b.subarray(h.dataAt, h.dataAt + h.dataLength));
      return true;
    }
    // A delete moves its parent's pzxid past the pending stamp's, so the stamp goes first; the slot may come back as another node.
    this.writeStamp();
    const cached = this.cacheSlots.indexOf(slot);
    if (cached >= 0) this.forgetFrom(cached);
    this.tree.replayDelete(slot, h.zxid, h.pathEnd - h.pathAt);
    return true;
  }

  /** Appends the create in `this.head` (its txn ends at `txnEnd`) as a child of `parent`; its name starts after `last`. */
  private append(b: Buffer, txnEnd: number, parent: number, last: number): void {
    const h = this.head;
    const f = this.fields;
    const zxid = h.zxid;
    f.czxid = f.mzxid = f.pzxid = zxid;
    f.ctime = f.mtime = h.time;
    f.ephemeralOwner = h.ownerAt < 0 ? 0n : b.readBigInt64BE(h.ownerAt);
    f.numChildren = 0;
    f.childCapacity = 0;
    if (h.aclDefault) {
      if (this.defaultAclId < 0) this.defaultAclId = this.tree.acquireAcl(OPEN_ACL_UNSAFE);
      f.aclId = this.defaultAclId;
    } else {
      f.aclId = this.tree.acquireAcl(decodeAcl(new ByteReader(b, h.aclAt, { end: h.ownerAt < 0 ? txnEnd : h.ownerAt })));
    }
    const end = h.pathEnd;
    if (parent !== this.runSlot) {
      this.writeStamp();
      this.runSlot = parent;
      this.runLength = 0;
    }
    if (++this.runLength <= directRunMax) {
      // The first creates of a run under one parent are inserted as applyTxn inserts them: a short
      // run (a lone create in a create-delete churn, the four children of a node in a 4-ary tree)
      // costs less that way than a bulk append and the stamp and flush it needs after.
      this.tree.replayCreate(parent, b, last + 1, end - last - 1, f, b, h.dataAt, h.dataLength, end - h.pathAt);
    } else {
      if (!this.bulk) {
        this.tree.beginBulkLoad();
        this.bulk = true;
      }
      this.stampCount++;
      this.stampZxid = zxid;
      this.tree.restoreChild(parent, b, last + 1, end - last - 1, f, b, h.dataAt, h.dataLength, end - h.pathAt);
    }
    // restoreChild and replayCreate take their own reference to a list acquired just for this node.
    if (!h.aclDefault) this.tree.releaseAcl(f.aclId);
  }

  /** Before a txn that takes applyTxn: the pending stamp written, and no parent remembered (it may delete one). */
  private settle(): void {
    this.writeStamp();
    this.forgetFrom(0);
  }

  private writeStamp(): void {
    if (this.stampCount > 0) this.tree.stampCreates(this.runSlot, this.stampCount, this.stampZxid);
    this.runSlot = -1;
    this.stampCount = 0;
  }

  /**
   * The slot of the parent path `b[pathAt, last)`, or -1. Its longest prefix that the parent found
   * last shares (a run of siblings: all of it; the next run in a wide tree walked breadth first: all
   * but the last name) comes from the remembered slots; only the rest is looked up, name by name.
   */
  private parentSlot(b: Uint8Array, pathAt: number, last: number): number {
    if (last === pathAt) return rootSlot;
    const n = last - pathAt;
    const key = this.cacheKey;
    const ends = this.cacheEnds;
    let k = ends.length - 1;
    if (k >= 0 && ends[k] === n) {
      let same = true;
      for (let i = n - 1; i >= 0; i--) {
        // From the end: siblings' parents share their prefix, a different parent differs late.
        if (b[pathAt + i] !== key[i]) {
          same = false;
          break;
        }
      }
      if (same) return this.cacheSlots[k];
    }
    const limit = Math.min(n, this.cacheLength);
    let common = 0;
    while (common < limit && b[pathAt + common] === key[common]) common++;
    // The deepest remembered prefix that is also a whole prefix of this path.
    while (k >= 0 && !(ends[k] <= common && (ends[k] === n || b[pathAt + ends[k]] === slash))) k--;
    this.forgetFrom(k + 1);
    let slot = k >= 0 ? this.cacheSlots[k] : rootSlot;
    const from = k >= 0 ? ends[k] : 0;
    if (key.length < n) {
      this.cacheKey = Buffer.allocUnsafe(n * 2);
      key.copy(this.cacheKey, 0, 0, from);
    }
    for (let i = from; i < n; i++) this.cacheKey[i] = b[pathAt + i];
    for (let start = from + 1; ; ) {
      let stop = start;
      while (stop < n && b[pathAt + stop] !== slash) stop++;
      slot = this.tree.childSlotOfBytes(slot, b, pathAt + start, pathAt + stop);
      if (slot < 0) {
        this.forgetFrom(0);
        return -1;
      }
      ends.push(stop);
      this.cacheSlots.push(slot);
      this.cacheLength = stop;
      if (stop === n) return slot;
      start = stop + 1;
    }
  }

  /** Forgets the remembered prefixes from the `k`th on. */
  private forgetFrom(k: number): void {
    this.cacheEnds.length = k;
    this.cacheSlots.length = k;
    this.cacheLength = k > 0 ? this.cacheEnds[k - 1] : 0;
  }
}

/**
 * The position of the last '/' of a plain path in `b[at, end)` (ASCII, not the root, no trailing '/',
 * not under /zookeeper, where creates and deletes may start, end or count in quotas), or -1.
 */
function plainLastSlash(b: Uint8Array, at: number, end: number): number {
  let last = -1;
  for (let i = at; i < end; i++) {
    const c = b[i];
    if (c === slash) last = i;
    else if (c >= 0x80) return -1;
  }
  if (last < at || last === end - 1 || startsWith(b, at, end, zookeeperPath)) return -1;
  return last;
}

function startsWith(b: Uint8Array, at: number, end: number, prefix: Uint8Array): boolean {
  if (end - at < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (b[at + i] !== prefix[i]) return false;
  // "/zookeeper" itself or below it, not "/zookeeperish".
  return end - at === prefix.length || b[at + prefix.length] === slash;
}
