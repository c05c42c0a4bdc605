/**
 * Replays logged txns from their encoded bytes on a restart, to the same tree applyTxn builds.
 *
 * A restart's tail can be millions of txns, mostly creates, applied to a tree nobody watches yet. Going
 * through applyTxn, each would be decoded into objects (path string, data Buffer, op), looked up
 * from the root, stamp its parent's record, try both watch tables and build its result's Stat. Here a
 * plain create (ASCII path outside /zookeeper, no quota anywhere, no watch set) is read in place
 * (txn-skim.ts) and appended to the store with its name and data copied from the log's bytes
 * (DataTree.restoreChild, inside a bulk load, as a snapshot load does), its parent found by comparing
 * the parent path with the last one's bytes; a run of creates under one parent stamps it once at the
 * end of the run (cversion + n, pzxid of the last). Every other txn is decoded and goes through
 * applyTxn (or the caller's `applyDecoded`), after the pending stamp is written, so it sees the tree
 * exactly as applyTxn would have left it.
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
  /** The parent found last, by a copy of its path's bytes (valid until something is removed). */
  private cacheKey = Buffer.allocUnsafe(256);
  private cacheLength = -1;
  private cacheSlot = -1;
  /** The run of creates whose parent is not stamped yet. */
  private stampSlot = -1;
  private stampCount = 0;
  private stampZxid = 0;
  private bulk = false;
  /** Txns appended in place, and txns decoded and applied the general way. */
  appended = 0;
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
    if ((tag === OpTag.create || tag === OpTag.createOwned) && this.append(b, end)) return;
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

  /** The create in `this.head` (its txn ends at `txnEnd`) appended in place; false when it must take applyTxn. */
  private append(b: Buffer, txnEnd: number): boolean {
    const h = this.head;
    if (this.watched || this.tree.hasQuotas) return false;
    const pathAt = h.pathAt;
    const end = h.pathEnd;
    let last = -1;
    for (let i = pathAt; i < end; i++) {
      const c = b[i];
      if (c === slash) last = i;
      else if (c >= 0x80) return false;
    }
    if (last < pathAt || last === end - 1 || startsWith(b, pathAt, end, zookeeperPath)) return false;
    const parent = this.parentSlot(b, pathAt, last);
    if (parent < 0) return false;
    if (!this.bulk) {
      this.tree.beginBulkLoad();
      this.bulk = true;
    }
    const f = this.fields;
    const zxid = h.zxid;
    const time = h.time;
    f.czxid = f.mzxid = f.pzxid = zxid;
    f.ctime = f.mtime = time;
    f.ephemeralOwner = h.ownerAt < 0 ? 0n : b.readBigInt64BE(h.ownerAt);
    f.numChildren = 0;
    f.childCapacity = 0;
    if (h.aclDefault) {
      if (this.defaultAclId < 0) this.defaultAclId = this.tree.acquireAcl(OPEN_ACL_UNSAFE);
      f.aclId = this.defaultAclId;
    } else {
      f.aclId = this.tree.acquireAcl(decodeAcl(new ByteReader(b, h.aclAt, { end: h.ownerAt < 0 ? txnEnd : h.ownerAt })));
    }
    if (parent !== this.stampSlot) {
      this.writeStamp();
      this.stampSlot = parent;
    }
    this.stampCount++;
    this.stampZxid = zxid;
    this.tree.restoreChild(parent, b, last + 1, end - last - 1, f, b, h.dataAt, h.dataLength, end - pathAt);
    // restoreChild took its own reference to a list acquired just for this node.
    if (!h.aclDefault) this.tree.releaseAcl(f.aclId);
    if (zxid > this.tree.lastProcessedZxid) this.tree.lastProcessedZxid = zxid;
    this.appended++;
    return true;
  }

  /** Before a txn that takes applyTxn: the pending stamp written, and no parent remembered (it may delete one). */
  private settle(): void {
    this.writeStamp();
    this.cacheLength = -1;
  }

  private writeStamp(): void {
    if (this.stampCount > 0) this.tree.stampCreates(this.stampSlot, this.stampCount, this.stampZxid);
    this.stampSlot = -1;
    this.stampCount = 0;
  }

  private parentSlot(b: Uint8Array, pathAt: number, last: number): number {
    if (last === pathAt) return rootSlot;
    const n = last - pathAt;
    const key = this.cacheKey;
    if (n === this.cacheLength) {
      let same = true;
      for (let i = n - 1; i >= 0; i--) {
        // From the end: siblings' parents share their prefix, a different parent differs late.
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

function startsWith(b: Uint8Array, at: number, end: number, prefix: Uint8Array): boolean {
  if (end - at < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (b[at + i] !== prefix[i]) return false;
  // "/zookeeper" itself or below it, not "/zookeeperish".
  return end - at === prefix.length || b[at + prefix.length] === slash;
}
