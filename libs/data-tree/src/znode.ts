/**
 * One znode, kept lean: stat fields are plain numbers on the object, children are a Set of names
 * created only when the first child arrives, and the ACL list is shared through AclCache.
 */
import { ACL, Stat } from '@coord/protocol';

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

export class ZNode {
  children: Set<string> | null = null;
  /**
   * Table size of the java.util.HashSet ZooKeeper would hold these children in (0 before the first
   * child). It only grows, like Java's, and decides the order getChildren returns names in.
   */
  childCapacity = 0;
  /**
   * The data as a latin1 string (one char per byte), or null. A small Buffer costs ~400 bytes of
   * bookkeeping (typed array, ArrayBuffer, backing store) on top of its bytes; a one-byte string
   * costs 16, lives in the compacted V8 heap, and so keeps 100,000 znodes well under ZooKeeper's
   * footprint. Reads convert back to a Buffer.
   */
  private bytes: string | null;

  constructor(
    data: Buffer | null,
    public acl: SharedAcl,
    public czxid: number,
    public mzxid: number,
    public ctime: number,
    public mtime: number,
    public version: number,
    /** Internal cversion: counts child creates only (deletes never decrement it). */
    public cversion: number,
    public aversion: number,
    /** Internal value: session id, container marker or TTL marker. */
    public ephemeralOwner: bigint,
    public pzxid: number,
  ) {
    this.bytes = data === null ? null : data.toString('latin1');
  }

  /** A fresh Buffer with the node's data (null stays null, distinct from empty). */
  get data(): Buffer | null {
    return this.bytes === null ? null : Buffer.from(this.bytes, 'latin1');
  }

  set data(value: Buffer | null) {
    this.bytes = value === null ? null : value.toString('latin1');
  }

  get dataLength(): number {
    return this.bytes === null ? 0 : this.bytes.length;
  }

  get numChildren(): number {
    return this.children === null ? 0 : this.children.size;
  }

  /** The Stat clients see (DataNode.copyStat + DataTree's cversion arithmetic). */
  stat(): Stat {
    const numChildren = this.numChildren;
    const owner = this.ephemeralOwner;
    return {
      czxid: this.czxid,
      mzxid: this.mzxid,
      ctime: this.ctime,
      mtime: this.mtime,
      version: this.version,
      cversion: 2 * this.cversion - numChildren,
      aversion: this.aversion,
      ephemeralOwner: owner === 0n || ephemeralKind(owner) !== 'ephemeral' ? 0n : owner,
      dataLength: this.dataLength,
      numChildren,
      pzxid: this.pzxid,
    };
  }
}

/**
 * Interns ACL lists: most nodes share one of a handful of lists, so a node holds a reference
 * instead of its own copy (ZooKeeper's ReferenceCountedACLCache does the same with longs).
 */
export class AclCache {
  private readonly byKey = new Map<string, SharedAcl>();

  acquire(acl: ACL[]): SharedAcl {
    const key = aclKey(acl);
    let shared = this.byKey.get(key);
    if (!shared) {
      shared = { acl: acl.map((a) => ({ perms: a.perms, id: { scheme: a.id.scheme, id: a.id.id } })), refs: 0 };
      this.byKey.set(key, shared);
    }
    shared.refs++;
    return shared;
  }

  release(shared: SharedAcl): void {
    if (--shared.refs <= 0) this.byKey.delete(aclKey(shared.acl));
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
