/**
 * A snapshot writer's walk over the tree: live, in slot order (a node removed before the walk reaches
 * it is skipped; one added meanwhile may or may not be visited), paused between nodes for as long as
 * the writer likes. One object is refilled for every node, its data left as a range of the store's
 * bytes, so a walk of a million znodes makes no object per znode (a path string only when asked for).
 */
import type { ACL } from '@coord/protocol';
import { encodeHeaderAt, NodeFields, recordHeaderBytesMax, RecordLayout } from './node-record';
import { NodeStore, rootSlot } from './node-store';
import { ViewCopier } from './view-copier';

const zookeeperName = Buffer.from('zookeeper', 'latin1');

/** True for /zookeeper and the paths below it. */
function isUnderZookeeper(path: string): boolean {
  return path.startsWith('/zookeeper') && (path.length === 10 || path.charCodeAt(10) === 0x2f);
}

export class SnapshotCursor {
  czxid = 0;
  mzxid = 0;
  pzxid = 0;
  ctime = 0;
  mtime = 0;
  version = 0;
  /** Internal cversion (counts creates). */
  cversion = 0;
  aversion = 0;
  /** Internal value: session id, container or TTL marker, 0 for persistent nodes. */
  ephemeralOwner = 0n;
  acl: ACL[] = [];
  /** The data is `dataBytes[dataAt, dataAt + dataLength)`; `dataLength` -1 for null. */
  dataBytes: Buffer = Buffer.alloc(0);
  dataAt = 0;
  dataLength = -1;
  /** The parent's path ('/' for the root's children, '' for the root). */
  parentPath = '';
  /** The node is /zookeeper or below it. */
  underZookeeper = false;
  /** What encodeRecord wrote, from 0. */
  recordBytes: Buffer = Buffer.allocUnsafe(256);
  private slot = -1;
  /** encodeRecord's data copies (no view per node for the collector). */
  private readonly dataCopier = new ViewCopier();
  private readonly childless: NodeFields = {
    czxid: 0, mzxid: 0, pzxid: 0, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, aclId: 0, ephemeralOwner: 0n,
    numChildren: 0, childCapacity: 0, firstChild: -1, dataLength: -1,
  };
  private readonly record: RecordLayout = {
    czxid: 0, mzxid: 0, pzxid: 0, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, aclId: 0, ephemeralOwner: 0n,
    numChildren: 0, childCapacity: 0, firstChild: -1, dataLength: -1, nameOffset: 0, nameLength: 0, dataOffset: 0, pad: 0,
  };
  private parent = -1;
  private parentUnderZookeeper = false;
  private removalsSeen = -1;
  /** The node's path once asked for (most record items never need it): no string per node otherwise. */
  private pathText: string | null = '/';
  private nameChunk: Buffer = Buffer.alloc(0);
  private nameAt = 0;
  private nameLength = 0;

  constructor(
    private readonly store: NodeStore,
    private readonly aclOf: (aclId: number) => ACL[],
  ) {}

  /** The node's path (built on first use for this node). */
  get path(): string {
    if (this.pathText === null) {
      const name = this.nameChunk.toString('utf8', this.nameAt, this.nameAt + this.nameLength);
      this.pathText = this.parent === rootSlot ? '/' + name : this.parentPath + '/' + name;
    }
    return this.pathText;
  }

  /** Moves to the next node; false when the walk is done. */
  next(): boolean {
    const slot = this.store.nextSlot(this.slot + 1);
    if (slot < 0) return false;
    this.slot = slot;
    const r = this.store.readInto(slot, this.record);
    const chunk = this.store.chunkOfSlot(slot);
    if (slot === rootSlot) {
      this.pathText = '/';
      this.parentPath = '';
      this.parent = -1;
      this.underZookeeper = false;
    } else {
      const p = this.store.parentOf(slot);
      // The walk is live: a removal meanwhile may have given the cached parent's slot to another node.
      if (p !== this.parent || this.store.removals !== this.removalsSeen) {
        this.parent = p;
        this.removalsSeen = this.store.removals;
        this.parentPath = p === rootSlot ? '/' : this.store.pathOf(p);
        this.parentUnderZookeeper = isUnderZookeeper(this.parentPath);
      }
      this.pathText = null;
      this.nameChunk = chunk;
      this.nameAt = r.nameOffset;
      this.nameLength = r.nameLength;
      this.underZookeeper =
        this.parentUnderZookeeper || (p === rootSlot && r.nameLength === zookeeperName.length && chunk.compare(zookeeperName, 0, zookeeperName.length, r.nameOffset, r.nameOffset + r.nameLength) === 0);
    }
    this.czxid = r.czxid;
    this.mzxid = r.mzxid;
    this.pzxid = r.pzxid;
    this.ctime = r.ctime;
    this.mtime = r.mtime;
    this.version = r.version;
    this.cversion = r.cversion;
    this.aversion = r.aversion;
    this.ephemeralOwner = r.ephemeralOwner;
    this.acl = this.aclOf(r.aclId);
    this.dataBytes = chunk;
    this.dataAt = r.dataOffset;
    this.dataLength = r.dataLength;
    return true;
  }

  /**
   * The node as a snapshot's record item holds it (storage's snapshot-format.ts): the store's record
   * of it as a childless node with ACL id `aclNumber`, times relative to `timeBase` and pad 0, written
   * to `recordBytes` from 0. Returns its length.
   */
  encodeRecord(aclNumber: number, timeBase: number): number {
    const r = this.record;
    const chunk = this.store.chunkOfSlot(this.slot);
    const dataBytes = Math.max(r.dataLength, 0);
    const need = r.nameLength + recordHeaderBytesMax + 10 + dataBytes;
    if (this.recordBytes.length < need) this.recordBytes = Buffer.allocUnsafe(need * 2);
    const f = this.childless;
    f.czxid = r.czxid;
    f.mzxid = r.mzxid;
    f.pzxid = r.pzxid;
    f.ctime = r.ctime;
    f.mtime = r.mtime;
    f.version = r.version;
    f.cversion = r.cversion;
    f.aversion = r.aversion;
    f.aclId = aclNumber;
    f.ephemeralOwner = r.ephemeralOwner;
    f.dataLength = r.dataLength;
    const out = this.recordBytes;
    const header = encodeHeaderAt(out, 0, chunk, r.nameOffset, r.nameLength, f, timeBase);
    this.dataCopier.copy(chunk, r.dataOffset, out, header, dataBytes);
    return header + dataBytes;
  }
}
