/**
 * What a read sees of one znode: a view taken from the node store when `getNode` is called (stat
 * fields copied, data read on demand), plus the ephemeralOwner markers and the interned ACL lists.
 * The tree itself keeps no object per znode (see node-store.ts).
 */
import { ACL, Stat } from '@coord/protocol';
import type { NodeFields } from './node-record';

/** Internal ephemeralOwner of a container (Long.MIN_VALUE); clients see 0. */
export const containerOwner = -0x8000000000000000n;
/** Top byte of the internal ephemeralOwner of a TTL node (0xFF); the low 40 bits hold the TTL. */
const ttlMarkerHigh = -0x0100000000000000n; // 0xFF00000000000000 as a signed 64-bit value
const ttlBitsMask = 0x000000ffffffffffn;
/** Largest TTL ZooKeeper accepts (ms). */
export const ttlMsMax = 0xffffffffff;

export function ttlOwner(ttlMs: number): bigint {
  return ttlMarkerHigh | BigInt(ttlMs);
}

export type EphemeralKind = 'persistent' | 'ephemeral' | 'container' | 'ttl';

export function ephemeralKind(owner: bigint): EphemeralKind {
  if (owner === 0n) return 'persistent';
  if (owner === containerOwner) return 'container';
  if ((owner & ~ttlBitsMask) === ttlMarkerHigh) return 'ttl';
  return 'ephemeral';
}

export function ttlOf(owner: bigint): number {
  return Number(owner & ttlBitsMask);
}

export interface SharedAcl {
  readonly acl: ACL[];
  refs: number;
}

/** Reads a view's data when asked (most reads never need it). */
export interface NodeDataSource {
  dataOf(slot: number): Buffer | null;
  /** Bumped by every change to any record's bytes or place: a view taken at the same count may read its data where it saw it. */
  readonly mutations?: number;
  /** The data at `dataOffset` in the slot's chunk, as a view saw it when `mutations` was `stamp`; else as `dataOf`. */
  dataAt?(slot: number, dataOffset: number, dataLength: number, stamp: number): Buffer | null;
}

export class ZNode {
  readonly czxid: number;
  readonly mzxid: number;
  readonly ctime: number;
  readonly mtime: number;
  readonly version: number;
  /** Internal cversion: counts child creates only (deletes never decrement it). */
  readonly cversion: number;
  readonly aversion: number;
  /** Internal value: session id, container marker or TTL marker. */
  readonly ephemeralOwner: bigint;
  readonly pzxid: number;
  readonly numChildren: number;
  /**
   * Table size of the java.util.HashSet ZooKeeper would hold these children in (0 before the first
   * child). It only grows, like Java's, and decides the order getChildren returns names in.
   */
  readonly childCapacity: number;
  readonly dataLength: number;
  /** Where the data was when the view was taken (-1: unknown), the record's raw data length and the store's mutation count then. */
  private readonly dataOffset: number;
  private readonly rawDataLength: number;
  private readonly stamp: number;

  constructor(
    private readonly source: NodeDataSource,
    /** The node's slot in its tree's store. */
    readonly slot: number,
    f: NodeFields,
    readonly acl: SharedAcl,
  ) {
    this.czxid = f.czxid;
    this.mzxid = f.mzxid;
    this.ctime = f.ctime;
    this.mtime = f.mtime;
    this.version = f.version;
    this.cversion = f.cversion;
    this.aversion = f.aversion;
    this.ephemeralOwner = f.ephemeralOwner;
    this.pzxid = f.pzxid;
    this.numChildren = f.numChildren;
    this.childCapacity = f.childCapacity;
    this.dataLength = f.dataLength < 0 ? 0 : f.dataLength;
    const at = (f as { dataOffset?: number }).dataOffset;
    this.dataOffset = at ?? -1;
    this.rawDataLength = f.dataLength;
    this.stamp = at !== undefined && source.mutations !== undefined ? source.mutations : -1;
  }

  /** A fresh Buffer with the node's current data (null stays null, distinct from empty). */
  get data(): Buffer | null {
    // A get reads stat and data together: read the data where the view saw it, without decoding the record again.
    if (this.stamp >= 0 && this.source.dataAt) return this.source.dataAt(this.slot, this.dataOffset, this.rawDataLength, this.stamp);
    return this.source.dataOf(this.slot);
  }

  /** The Stat clients see. */
  stat(): Stat {
    return statOf(this);
  }
}

/** The stat fields of a node record or view. */
export type StatFields = Pick<NodeFields, 'czxid' | 'mzxid' | 'ctime' | 'mtime' | 'version' | 'cversion' | 'aversion' | 'ephemeralOwner' | 'dataLength' | 'numChildren' | 'pzxid'>;

/**
 * The Stat clients see of a node's fields (DataNode.copyStat + DataTree's cversion arithmetic):
 * cversion from the internal count of creates, the ephemeralOwner of ephemerals only, data length
 * 0 for null data.
 */
export function statOf(f: StatFields): Stat {
  const numChildren = f.numChildren;
  const owner = f.ephemeralOwner;
  return {
    czxid: f.czxid,
    mzxid: f.mzxid,
    ctime: f.ctime,
    mtime: f.mtime,
    version: f.version,
    cversion: 2 * f.cversion - numChildren,
    aversion: f.aversion,
    ephemeralOwner: owner === 0n || ephemeralKind(owner) !== 'ephemeral' ? 0n : owner,
    dataLength: f.dataLength < 0 ? 0 : f.dataLength,
    numChildren,
    pzxid: f.pzxid,
  };
}

/**
 * Interns ACL lists: most nodes share one of a handful of lists, so a node holds a reference
 * instead of its own copy (ZooKeeper's ReferenceCountedACLCache does the same with longs).
 */
export class AclCache {
  private readonly byKey = new Map<string, number>();
  private readonly lists: (SharedAcl | null)[] = [];
  private readonly freeIds: number[] = [];

  /** The frozen list acquired last and its id: a log replay hands the same frozen default to every create. */
  private lastFrozen: ACL[] | null = null;
  private lastFrozenId = -1;

  /** The id of this list (a new reference to it). */
  acquire(acl: ACL[]): number {
    // A frozen list cannot have changed since it was keyed, so the same object means the same list.
    if (acl === this.lastFrozen) {
      (this.lists[this.lastFrozenId] as SharedAcl).refs++;
      return this.lastFrozenId;
    }
    const key = aclKey(acl);
    let id = this.byKey.get(key);
    if (id === undefined) {
      id = this.freeIds.length > 0 ? (this.freeIds.pop() as number) : this.lists.length;
      this.lists[id] = { acl: acl.map((a) => ({ perms: a.perms, id: { scheme: a.id.scheme, id: a.id.id } })), refs: 0 };
      this.byKey.set(key, id);
    }
    (this.lists[id] as SharedAcl).refs++;
    if (Object.isFrozen(acl)) {
      this.lastFrozen = acl;
      this.lastFrozenId = id;
    }
    return id;
  }

  /** One more reference to list `id` (a snapshot load numbers its lists once, then counts). */
  retain(id: number): void {
    (this.lists[id] as SharedAcl).refs++;
  }

  release(id: number): void {
    const shared = this.lists[id] as SharedAcl;
    if (--shared.refs > 0) return;
    if (id === this.lastFrozenId) this.lastFrozen = null;
    this.byKey.delete(aclKey(shared.acl));
    this.lists[id] = null;
    this.freeIds.push(id);
  }

  get(id: number): SharedAcl {
    return this.lists[id] as SharedAcl;
  }

  get size(): number {
    return this.byKey.size;
  }
}

function aclKey(acl: ACL[]): string {
  let key = '';
  for (const a of acl) key += `${a.perms}\u0001${a.id.scheme}\u0001${a.id.id}\u0002`;
  return key;
}
