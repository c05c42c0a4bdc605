/**
 * Znodes as numbered slots instead of objects: the record of slot i (name, stat, data) lives in a
 * ByteArena at `address[i]`; typed arrays hold what the structure needs on every step (parent, and
 * the previous / next sibling of a doubly linked child list in insertion order, whose head sits in
 * the parent's record); an open-addressing table maps (parent slot, name) to a slot. A path is found
 * one segment at a time from the root, comparing name bytes in place, so no path string is stored.
 *
 * Per znode that is 8 + 3 × 4 bytes of arrays, ~8 bytes of table and the record itself; the collector
 * sees a handful of large arrays instead of millions of objects.
 */
import { ArenaOptions, ByteArena } from './arena';
import { javaCapacityFor, javaChildSetCapacityInitial } from './java-order';
import { decodeRecord, decodeRecordInto, encodeHeader, encodeHeaderAt, NodeFields, PreencodedFields, recordHeaderBytesMax, RecordLayout, recordPadMax } from './node-record';
import { ViewCopier } from './view-copier';

const slotsInitial = 1024;
/** The (parent, name) table grows past this load (linear probing stays short below it). */
const tableLoadMax = 0.6;
export const rootSlot = 0;
/**
 * Spare bytes a new record gets: enough for a leaf's first child (firstChild and pzxid widen by ~4
 * bytes) to be written in place, which would otherwise move a quarter of a 4-ary tree's records.
 */
const freshPadBytes = 4;
/** Spare bytes a record gets when it must move because its header outgrew its room. */
const growthPadBytes = 8;

/** Waiting table entries (appendChild) get room for at least this many. */
const pendingInitial = 4096;
/** Fewer waiting entries than this go in as they come; more are ordered first (insertPending). */
const pendingSortMin = 1024;
/** Waiting entries are ordered by which of 2^this regions of the table they land in. */
const pendingRegionBits = 11;

/** Paths find() remembers at most (a few hundred KiB); past that it starts over. */
const foundPathsMax = 4096;

export class NodeStore {
  /** Bumped by every change to a record's bytes or place (see ZNode's data fast path). */
  mutations = 0;
  /** Path -> slot of recent finds (bounded; a removed slot's path is forgotten). */
  private readonly found = new Map<string, number>();
  /** Where locateName found the last name (scratch, to keep the table probe free of allocations). */
  private nameOffset = 0;
  private nameLength = 0;
  /** The last layout read() returned and the mutation count then: writeData need not decode it again. */
  private lastRead: RecordLayout | null = null;
  private lastReadAt = -1;
  private readonly arena: ByteArena;
  private address = new Float64Array(slotsInitial).fill(-1);
  private parents = new Int32Array(slotsInitial);
  private nexts = new Int32Array(slotsInitial);
  private prevs = new Int32Array(slotsInitial);
  private highWater = 0;
  private readonly freeSlots: number[] = [];
  private table = new Int32Array(2048);
  private tableMask = 2047;
  private scratch = Buffer.allocUnsafe(1024);
  /** Copies pre-encoded records into the arena (no view per record for the collector). */
  private readonly recordCopier = new ViewCopier();
  /** flushBulk's parent and writeFields' record as it was (kept: one decode each, no object). */
  private readonly flushed: RecordLayout = emptyLayout();
  private readonly rewritten: RecordLayout = emptyLayout();
  /** An encoded record decoded again (writeBulkRecord, when its time base is not the store's). */
  private readonly decoded: RecordLayout = {
    czxid: 0, mzxid: 0, pzxid: 0, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, aclId: 0, ephemeralOwner: 0n,
    numChildren: 0, childCapacity: 0, firstChild: -1, dataLength: -1, nameOffset: 0, nameLength: 0, dataOffset: 0, pad: 0,
  };
  private keyBytes: Buffer = Buffer.alloc(0);
  private nameScratch: Buffer = Buffer.allocUnsafe(256);
  /** Times are stored relative to the first non-zero one seen, so they take ~4 bytes instead of 6. */
  private timeBase = 0;
  private timeBaseFixed = false;
  /**
   * While a bulk load runs (beginBulk .. endBulk): children appended to each parent whose record
   * is not yet rewritten, and the parent's first child. A parent's record is brought up to date
   * when anything reads it, so only the loader's appends skip the rewrite.
   */
  private bulkAdded: Int32Array | null = null;
  private bulkFirst: Int32Array | null = null;
  private readonly bulkParents: number[] = [];
  /** Bulk appends whose table entry is not in yet: slot and hash (see appendChild). */
  private pendingSlots: Int32Array | null = null;
  private pendingHashes: Int32Array | null = null;
  private pendingCount = 0;
  /** Live znodes. */
  count = 0;
  /** Nodes removed so far: a slot's path can change only after one (its slot freed and reused). */
  removals = 0;

  constructor(rootFields: NodeFields, rootData: Uint8Array | null, arenaOptions: ArenaOptions = {}) {
    this.arena = new ByteArena(arenaOptions);
    const slot = this.allocSlot();
    this.parents[slot] = -1;
    this.address[slot] = this.writeNew(Buffer.alloc(0), 0, 0, rootFields, rootData);
  }

  // ---- reading ----

  has(slot: number): boolean {
    return slot >= 0 && slot < this.highWater && this.address[slot] >= 0;
  }

  read(slot: number): RecordLayout {
    if (this.bulkAdded !== null && this.bulkAdded[slot] > 0) this.flushBulk(slot);
    const a = this.address[slot];
    const layout = decodeRecord(this.arena.chunkOf(a), this.arena.offsetOf(a), this.timeBase);
    this.lastRead = layout;
    this.lastReadAt = this.mutations;
    return layout;
  }

  /** read(slot) into `out`, for a walk that visits every record. */
  readInto(slot: number, out: RecordLayout): RecordLayout {
    if (this.bulkAdded !== null && this.bulkAdded[slot] > 0) this.flushBulk(slot);
    const a = this.address[slot];
    return decodeRecordInto(this.arena.chunkOf(a), this.arena.offsetOf(a), this.timeBase, out);
  }

  /** The first live slot at or after `from`, or -1 (a walk that may pause between slots). */
  nextSlot(from: number): number {
    for (let s = from; s < this.highWater; s++) if (this.address[s] >= 0) return s;
    return -1;
  }

  /** The chunk holding the record of `slot` (the offsets in `read(slot)` are positions in it). */
  chunkOfSlot(slot: number): Buffer {
    return this.arena.chunkOf(this.address[slot]);
  }

  parentOf(slot: number): number {
    return this.parents[slot];
  }

  /** The data at `dataOffset` as read when `mutations` was `stamp` (a ZNode view's fast path), else as dataOf. */
  dataAt(slot: number, dataOffset: number, dataLength: number, stamp: number): Buffer | null {
    if (stamp !== this.mutations) return this.dataOf(slot);
    if (dataLength < 0) return null;
    return Buffer.from(this.arena.chunkOf(this.address[slot]).subarray(dataOffset, dataOffset + dataLength));
  }

  /** A fresh Buffer with the node's data (null stays null). */
  dataOf(slot: number): Buffer | null {
    const a = this.address[slot];
    const chunk = this.arena.chunkOf(a);
    const r = decodeRecord(chunk, this.arena.offsetOf(a), this.timeBase);
    if (r.dataLength < 0) return null;
    return Buffer.from(chunk.subarray(r.dataOffset, r.dataOffset + r.dataLength));
  }

  nameOf(slot: number): string {
    const a = this.address[slot];
    const chunk = this.arena.chunkOf(a);
    const r = decodeRecord(chunk, this.arena.offsetOf(a), this.timeBase);
    return chunk.toString('utf8', r.nameOffset, r.nameOffset + r.nameLength);
  }

  pathOf(slot: number): string {
    if (slot === rootSlot) return '/';
    let path = '';
    for (let s = slot; s !== rootSlot; s = this.parents[s]) path = '/' + this.nameOf(s) + path;
    return path;
  }

  /** Child slots in insertion order. */
  childSlots(slot: number): number[] {
    const out: number[] = [];
    for (let c = this.read(slot).firstChild; c !== -1; c = this.nexts[c]) out.push(c);
    return out;
  }

  /** Slots in slot order, live: a slot freed before the walk reaches it is skipped. */
  *slots(): IterableIterator<number> {
    for (let s = 0; s < this.highWater; s++) if (this.address[s] >= 0) yield s;
  }

  /** The slot of an absolute path, or -1. Recently found paths are remembered (a slot keeps its path until removed). */
  find(path: string): number {
    const hit = this.found.get(path);
    if (hit !== undefined) return hit;
    const slot = this.walk(path);
    if (slot > rootSlot) {
      if (this.found.size >= foundPathsMax) this.found.clear();
      this.found.set(path, slot);
    }
    return slot;
  }

  private walk(path: string): number {
    if (path.length === 0 || path.charCodeAt(0) !== 0x2f) return -1;
    if (path.length === 1) return rootSlot;
    let slot = rootSlot;
    let start = 1;
    for (;;) {
      let end = path.indexOf('/', start);
      if (end === -1) end = path.length;
      slot = this.findChildRange(slot, path, start, end);
      if (slot === -1 || end === path.length) return slot;
      start = end + 1;
    }
  }

  findChild(parent: number, name: string): number {
    return this.findChildRange(parent, name, 0, name.length);
  }

  /** The slot of the absolute path held as UTF-8 in `b[at, end)`, or -1. */
  findBytes(b: Uint8Array, at: number, end: number): number {
    if (end - at < 1 || b[at] !== 0x2f) return -1;
    if (end - at === 1) return rootSlot;
    let slot = rootSlot;
    let start = at + 1;
    for (;;) {
      let stop = start;
      while (stop < end && b[stop] !== 0x2f) stop++;
      slot = this.findChildBytes(slot, b, start, stop);
      if (slot === -1 || stop === end) return slot;
      start = stop + 1;
    }
  }

  /** The child of `parent` named by the UTF-8 bytes `b[at, end)`, or -1. */
  findChildBytes(parent: number, key: Uint8Array, start: number, end: number): number {
    if (this.pendingCount > 0) this.insertPending();
    const mask = this.tableMask;
    for (let i = this.hashKey(parent, key, start, end) & mask; ; i = (i + 1) & mask) {
      const v = this.table[i];
      if (v === 0) return -1;
      const slot = v - 1;
      if (this.parents[slot] === parent && this.nameEquals(slot, key, start, end)) return slot;
    }
  }

  /**
   * Starts a bulk load: `appendChild` then adds children without rewriting their parent's record
   * each time (a million children of one parent would rewrite it a million times).
   */
  beginBulk(): void {
    this.bulkAdded = new Int32Array(this.address.length);
    this.bulkFirst = new Int32Array(this.address.length);
  }

  /** Writes every parent's record that bulk appends changed, and leaves bulk mode. */
  endBulk(): void {
    if (this.pendingCount > 0) this.insertPending();
    this.pendingSlots = null;
    this.pendingHashes = null;
    for (const p of this.bulkParents) if (this.bulkAdded !== null && this.bulkAdded[p] > 0) this.flushBulk(p);
    this.bulkParents.length = 0;
    this.bulkAdded = null;
    this.bulkFirst = null;
  }

  /**
   * Inside a bulk load: adds a child at the tail of `parent`'s list with the parent's record left
   * as it is (see beginBulk). The caller guarantees `parent` has no child of that name yet (the
   * snapshot loader knows: a path a fuzzy walk can meet twice is one the walk's txns touch, and
   * those take the general path), so the probe stops at the first free entry without comparing
   * names, which would touch a record elsewhere in memory for every occupied entry it passes.
   * The entry itself waits (pendingSlots) until the table is next read or the load ends; the waiting
   * entries then go in ordered by where they land, a sweep over the table instead of a random
   * access (a cache and TLB miss, ~0.3 µs here) per znode between the record writes.
   */
  appendChild(parent: number, name: Uint8Array, nameAt: number, nameLength: number, fields: NodeFields, data: Uint8Array, dataAt: number, dataLength: number): number {
    this.mutations++;
    const added = this.bulkAdded as Int32Array;
    const first = this.bulkFirst as Int32Array;
    if (this.count > (this.tableMask + 1) * tableLoadMax) this.growTable();
    const hash = this.hashKey(parent, name, nameAt, nameAt + nameLength);
    // An encoded record's times are relative to its time base: a store without one yet takes it.
    this.noteTime((fields as Partial<PreencodedFields>).record != null ? (fields as PreencodedFields).recordTimeBase : fields.ctime);
    if (added[parent] === 0) {
      // The parent's current first child (its record is up to date while nothing is pending), decoded
      // into a kept layout: a 4-ary tree's load asks this of a quarter of its nodes.
      const a = this.address[parent];
      first[parent] = decodeRecordInto(this.arena.chunkOf(a), this.arena.offsetOf(a), this.timeBase, this.decoded).firstChild;
      this.bulkParents.push(parent);
    }
    const slot = this.allocSlot();
    this.addPending(slot, hash);
    if (slot >= added.length) {
      this.bulkAdded = growInt32(added, this.address.length);
      this.bulkFirst = growInt32(first, this.address.length);
      return this.linkBulk(parent, slot, name, nameAt, nameLength, fields, data, dataAt, dataLength);
    }
    return this.linkBulk(parent, slot, name, nameAt, nameLength, fields, data, dataAt, dataLength);
  }

  private addPending(slot: number, hash: number): void {
    let slots = this.pendingSlots;
    let hashes = this.pendingHashes;
    const n = this.pendingCount;
    if (slots === null || hashes === null || n === slots.length) {
      // Room for the slots reserved but not yet used, so a load that reserved its count grows these once.
      const size = Math.max(pendingInitial, n * 2, n + this.address.length - this.highWater + 1);
      slots = this.pendingSlots = slots === null ? new Int32Array(size) : growInt32(slots, size);
      hashes = this.pendingHashes = hashes === null ? new Int32Array(size) : growInt32(hashes, size);
    }
    slots[n] = slot;
    hashes[n] = hash;
    this.pendingCount = n + 1;
  }

  /**
   * Puts the waiting entries (see appendChild) into the table. Many are first ordered by the region
   * of the table they land in (a counting sort on the top bits of their home entry).
   */
  private insertPending(): void {
    const n = this.pendingCount;
    this.pendingCount = 0;
    const slots = this.pendingSlots as Int32Array;
    const hashes = this.pendingHashes as Int32Array;
    const table = this.table;
    const mask = this.tableMask;
    if (n < pendingSortMin) {
      for (let k = 0; k < n; k++) {
        let i = hashes[k] & mask;
        while (table[i] !== 0) i = (i + 1) & mask;
        table[i] = slots[k] + 1;
      }
      return;
    }
    const shift = Math.max(31 - Math.clz32(mask + 1) - pendingRegionBits, 0);
    const counts = new Int32Array((mask >>> shift) + 2);
    for (let k = 0; k < n; k++) counts[((hashes[k] & mask) >>> shift) + 1]++;
    for (let r = 1; r < counts.length; r++) counts[r] += counts[r - 1];
    const order = new Int32Array(n);
    for (let k = 0; k < n; k++) order[counts[(hashes[k] & mask) >>> shift]++] = k;
    for (let j = 0; j < n; j++) {
      const k = order[j];
      let i = hashes[k] & mask;
      while (table[i] !== 0) i = (i + 1) & mask;
      table[i] = slots[k] + 1;
    }
  }

  private linkBulk(parent: number, slot: number, name: Uint8Array, nameAt: number, nameLength: number, fields: NodeFields, data: Uint8Array, dataAt: number, dataLength: number): number {
    const added = this.bulkAdded as Int32Array;
    const first = this.bulkFirst as Int32Array;
    this.parents[slot] = parent;
    fields.firstChild = -1;
    fields.numChildren = 0;
    this.address[slot] = this.writeBulkRecord(name, nameAt, nameLength, fields, data, dataAt, dataLength);
    const head = first[parent];
    if (head === -1) {
      first[parent] = slot;
      this.prevs[slot] = slot;
    } else {
      const last = this.prevs[head];
      this.nexts[last] = slot;
      this.prevs[slot] = last;
      this.prevs[head] = slot;
    }
    this.nexts[slot] = -1;
    added[parent]++;
    return slot;
  }

  /**
   * A bulk append's record: copied as it is when it comes encoded for this store's time base
   * (PreencodedFields: a snapshot's record item), else encoded from the fields.
   */
  private writeBulkRecord(name: Uint8Array, nameAt: number, nameLength: number, fields: NodeFields, data: Uint8Array, dataAt: number, dataLength: number): number {
    const pre = fields as Partial<PreencodedFields>;
    const record = pre.record;
    if (record == null) return this.writeNewRange(name, nameAt, nameLength, fields, data, dataAt, dataLength);
    const at = pre.recordAt as number;
    if (pre.recordTimeBase !== this.timeBase) {
      const f = decodeRecordInto(record, at, pre.recordTimeBase as number, this.decoded);
      return this.writeNewRange(name, nameAt, nameLength, f, data, dataAt, dataLength);
    }
    const length = pre.recordLength as number;
    const total = length + freshPadBytes;
    // The pad is the header's last byte, just before the data.
    const padAt = length - Math.max(dataLength, 0) - 1;
    if (total <= this.arena.chunkSize) {
      const chunk = this.arena.tailWithRoom(total);
      const to = this.arena.tailOffset;
      this.recordCopier.copy(record, at, chunk, to, length);
      chunk[to + padAt] = freshPadBytes;
      return this.arena.claimTail(total);
    }
    const a = this.arena.alloc(total);
    const chunk = this.arena.chunkOf(a);
    const to = this.arena.offsetOf(a);
    copyBytes(record, at, chunk, to, length);
    chunk[to + padAt] = freshPadBytes;
    return a;
  }

  /** Writes the children bulk appends gave `parent` into its record. */
  private flushBulk(parent: number): void {
    this.mutations++;
    const added = this.bulkAdded as Int32Array;
    const n = added[parent];
    added[parent] = 0;
    // Into a kept layout: the end of a 4-ary tree's load flushes 250,000 parents.
    const a = this.address[parent];
    const p = decodeRecordInto(this.arena.chunkOf(a), this.arena.offsetOf(a), this.timeBase, this.flushed);
    p.firstChild = (this.bulkFirst as Int32Array)[parent];
    p.numChildren += n;
    p.childCapacity = javaCapacityFor(p.childCapacity || javaChildSetCapacityInitial, p.numChildren);
    this.writeFields(parent, p);
  }

  /**
   * Makes room for `n` znodes in all up front (a snapshot load knows its count), so the slot arrays
   * and the (parent, name) table are not regrown and rehashed on the way.
   */
  reserve(n: number): void {
    if (this.address.length < n) this.growSlots(n);
    while (n > (this.tableMask + 1) * tableLoadMax) this.growTable();
  }

  // ---- changing ----

  /**
   * Adds a child at the tail of `parent`'s list; `onParent` edits the parent's fields (already
   * showing the new child in numChildren / firstChild) before they are written back.
   */
  insert(parent: number, name: string, fields: NodeFields, data: Uint8Array | null, onParent: (p: NodeFields) => void): number {
    this.mutations++;
    // The name's UTF-8 bytes go through a reused buffer (a UTF-16 unit is at most 3 bytes).
    if (this.nameScratch.length < name.length * 3) this.nameScratch = Buffer.allocUnsafe(name.length * 3);
    const nameBytes = this.nameScratch;
    const nameLength = nameBytes.write(name, 0, 'utf8');
    const dataLength = data === null ? -1 : data.length;
    return this.insertBytes(parent, nameBytes, 0, nameLength, fields, data ?? nameBytes, 0, dataLength, onParent);
  }

  /**
   * insert with the name and data given as byte ranges (`dataLength` -1 for null data), so a snapshot
   * load copies them straight from the file's buffer without a string or a Buffer per znode.
   */
  insertBytes(
    parent: number,
    name: Uint8Array,
    nameAt: number,
    nameLength: number,
    fields: NodeFields,
    data: Uint8Array,
    dataAt: number,
    dataLength: number,
    onParent: (p: NodeFields) => void,
  ): number {
    this.mutations++;
    this.noteTime(fields.ctime);
    const slot = this.allocSlot();
    this.parents[slot] = parent;
    fields.firstChild = -1;
    fields.numChildren = 0;
    this.address[slot] = this.writeNewRange(name, nameAt, nameLength, fields, data, dataAt, dataLength);
    this.tableInsert(slot, this.hashKey(parent, name, nameAt, nameAt + nameLength));
    const p = this.read(parent);
    if (p.firstChild === -1) {
      p.firstChild = slot;
      this.prevs[slot] = slot;
    } else {
      const last = this.prevs[p.firstChild];
      this.nexts[last] = slot;
      this.prevs[slot] = last;
      this.prevs[p.firstChild] = slot;
    }
    this.nexts[slot] = -1;
    p.numChildren++;
    // Java's HashSet table only grows: the capacity decides getChildren's order (java-order.ts).
    p.childCapacity = javaCapacityFor(p.childCapacity || javaChildSetCapacityInitial, p.numChildren);
    onParent(p);
    this.writeFields(parent, p);
    return slot;
  }

  /** Removes a childless node; `onParent` edits the parent's fields as for insert. */
  remove(slot: number, onParent: (p: NodeFields) => void): void {
    this.mutations++;
    if (this.found.size > 0) this.found.delete(this.pathOf(slot));
    const parent = this.parents[slot];
    const p = this.read(parent);
    const next = this.nexts[slot];
    if (slot === p.firstChild) {
      if (next !== -1) this.prevs[next] = this.prevs[slot];
      p.firstChild = next;
    } else {
      const prev = this.prevs[slot];
      this.nexts[prev] = next;
      if (next !== -1) this.prevs[next] = prev;
      else this.prevs[p.firstChild] = prev;
    }
    p.numChildren--;
    onParent(p);
    this.writeFields(parent, p);
    this.tableRemove(slot);
    const a = this.address[slot];
    this.arena.free(a, this.recordLength(a));
    this.address[slot] = -1;
    this.freeSlots.push(slot);
    this.count--;
    this.removals++;
    this.maybeCompact();
  }

  /** Rewrites the stat fields, keeping name and data (the data length in `f` is ignored). */
  writeFields(slot: number, f: NodeFields): void {
    this.mutations++;
    this.noteTime(f.ctime);
    const a = this.address[slot];
    const chunk = this.arena.chunkOf(a);
    const at = this.arena.offsetOf(a);
    // A kept layout (no object per write; `f` is never it, and noteTime's rewrites above are done by now).
    const old = decodeRecordInto(chunk, at, this.timeBase, this.rewritten);
    f.dataLength = old.dataLength;
    const dataBytes = Math.max(old.dataLength, 0);
    const header = this.encode(chunk, old.nameOffset, old.nameLength, f);
    const oldHeader = old.dataOffset - at;
    const room = oldHeader + dataBytes + old.pad - header - dataBytes;
    if (room >= 0 && room <= recordPadMax) {
      // In place: the data shifts inside the record when the header changed length.
      if (header !== oldHeader) chunk.copyWithin(at + header, old.dataOffset, old.dataOffset + dataBytes);
      this.scratch[header - 1] = room;
      copyBytes(this.scratch, 0, chunk, at, header);
      return;
    }
    this.scratch[header - 1] = growthPadBytes;
    const moved = this.arena.alloc(header + dataBytes + growthPadBytes);
    const to = this.arena.chunkOf(moved);
    const toAt = this.arena.offsetOf(moved);
    copyBytes(this.scratch, 0, to, toAt, header);
    chunk.copy(to, toAt + header, old.dataOffset, old.dataOffset + dataBytes);
    this.arena.free(a, oldHeader + dataBytes + old.pad);
    this.address[slot] = moved;
    this.maybeCompact();
  }

  /**
   * Replaces the data and the stat fields together. `f` may be the layout `read(slot)` returned with no
   * change to the store since (then the record is not decoded again), or any fields.
   */
  writeData(slot: number, f: NodeFields, data: Uint8Array | null): void {
    const fresh = (f as Partial<RecordLayout>).nameOffset !== undefined && this.lastRead === f && this.lastReadAt === this.mutations;
    this.mutations++;
    this.noteTime(f.ctime);
    const a = this.address[slot];
    const chunk = this.arena.chunkOf(a);
    const at = this.arena.offsetOf(a);
    const old = fresh ? (f as RecordLayout) : decodeRecord(chunk, at, this.timeBase);
    // Read before f.dataLength changes below (old may be f itself).
    const oldTotal = old.dataOffset - at + Math.max(old.dataLength, 0) + old.pad;
    const nameOffset = old.nameOffset;
    const nameLength = old.nameLength;
    f.dataLength = data === null ? -1 : data.length;
    const header = this.encode(chunk, nameOffset, nameLength, f);
    const dataBytes = data === null ? 0 : data.length;
    const room = oldTotal - header - dataBytes;
    if (room >= 0 && room <= recordPadMax) {
      this.scratch[header - 1] = room;
      copyBytes(this.scratch, 0, chunk, at, header);
      if (data !== null) chunk.set(data, at + header);
      return;
    }
    this.scratch[header - 1] = freshPadBytes;
    const moved = this.arena.alloc(header + dataBytes + freshPadBytes);
    const to = this.arena.chunkOf(moved);
    const toAt = this.arena.offsetOf(moved);
    copyBytes(this.scratch, 0, to, toAt, header);
    if (data !== null) to.set(data, toAt + header);
    this.arena.free(a, oldTotal);
    this.address[slot] = moved;
    this.maybeCompact();
  }

  /** Bytes the arena holds for records, and the share of it that is garbage. */
  memory(): { liveBytes: number; garbageBytes: number; reservedBytes: number } {
    return { liveBytes: this.arena.liveBytes, garbageBytes: this.arena.garbage, reservedBytes: this.arena.reservedBytes };
  }

  // ---- internals ----

  private encode(nameChunk: Uint8Array, nameAt: number, nameLength: number, f: NodeFields): number {
    const need = nameLength + recordHeaderBytesMax + 10;
    if (this.scratch.length < need) this.scratch = Buffer.allocUnsafe(need * 2);
    return encodeHeader(this.scratch, nameChunk, nameAt, nameLength, f, this.timeBase);
  }

  /**
   * Fixes the time base at the first non-zero time, re-encoding the records written before it (the
   * built-ins, or a few more: a one-time cost) so they still read back the same times.
   */
  private noteTime(t: number): void {
    if (this.timeBaseFixed || t === 0) return;
    const before: RecordLayout[] = [];
    for (let s = 0; s < this.highWater; s++) if (this.address[s] >= 0) before.push(this.read(s));
    this.timeBase = t;
    this.timeBaseFixed = true;
    let i = 0;
    for (let s = 0; s < this.highWater; s++) if (this.address[s] >= 0) this.writeFields(s, before[i++]);
  }

  private writeNew(name: Uint8Array, nameAt: number, nameLength: number, f: NodeFields, data: Uint8Array | null): number {
    return this.writeNewRange(name, nameAt, nameLength, f, data ?? name, 0, data === null ? -1 : data.length);
  }

  private writeNewRange(name: Uint8Array, nameAt: number, nameLength: number, f: NodeFields, data: Uint8Array, dataAt: number, dataLength: number): number {
    f.dataLength = dataLength;
    const dataBytes = Math.max(dataLength, 0);
    const most = nameLength + recordHeaderBytesMax + 10 + dataBytes + freshPadBytes;
    if (most <= this.arena.chunkSize) {
      // Encoded in place at the arena's tail: no scratch header to copy, one claim.
      const chunk = this.arena.tailWithRoom(most);
      const at = this.arena.tailOffset;
      const header = encodeHeaderAt(chunk, at, name, nameAt, nameLength, f, this.timeBase);
      chunk[at + header - 1] = freshPadBytes;
      if (dataBytes > 0) copyBytes(data, dataAt, chunk, at + header, dataBytes);
      return this.arena.claimTail(header + dataBytes + freshPadBytes);
    }
    const header = this.encode(name, nameAt, nameLength, f);
    this.scratch[header - 1] = freshPadBytes;
    const a = this.arena.alloc(header + dataBytes + freshPadBytes);
    const chunk = this.arena.chunkOf(a);
    const at = this.arena.offsetOf(a);
    copyBytes(this.scratch, 0, chunk, at, header);
    if (dataBytes > 0) copyBytes(data, dataAt, chunk, at + header, dataBytes);
    return a;
  }

  private recordLength(a: number): number {
    const at = this.arena.offsetOf(a);
    const r = decodeRecord(this.arena.chunkOf(a), at, 0);
    return r.dataOffset - at + Math.max(r.dataLength, 0) + r.pad;
  }

  private allocSlot(): number {
    this.count++;
    if (this.freeSlots.length > 0) return this.freeSlots.pop() as number;
    if (this.highWater === this.address.length) this.growSlots();
    return this.highWater++;
  }

  private growSlots(atLeast = 0): void {
    const size = Math.max(Math.ceil(this.address.length * 1.5), atLeast);
    const grow = <T extends Float64Array | Int32Array>(old: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.address = grow(this.address, (n) => new Float64Array(n).fill(-1));
    this.parents = grow(this.parents, (n) => new Int32Array(n));
    this.nexts = grow(this.nexts, (n) => new Int32Array(n));
    this.prevs = grow(this.prevs, (n) => new Int32Array(n));
  }

  /** Moves records out of mostly-garbage chunks, then gives those chunks back. */
  private maybeCompact(): void {
    if (!this.arena.needsCompaction()) return;
    this.mutations++;
    const sparse = this.arena.sparseChunks();
    for (let s = 0; s < this.highWater; s++) {
      const a = this.address[s];
      if (a < 0 || !sparse.has(this.arena.chunkIndexOf(a))) continue;
      const n = this.recordLength(a);
      const moved = this.arena.alloc(n);
      this.arena.chunkOf(a).copy(this.arena.chunkOf(moved), this.arena.offsetOf(moved), this.arena.offsetOf(a), this.arena.offsetOf(a) + n);
      this.arena.free(a, n);
      this.address[s] = moved;
    }
    this.arena.release(sparse);
  }

  // ---- the (parent, name) -> slot table ----

  private findChildRange(parent: number, key: string, start: number, end: number): number {
    if (this.pendingCount > 0) this.insertPending();
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (key.charCodeAt(i) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (!ascii) {
      this.keyBytes = Buffer.from(key.substring(start, end), 'utf8');
      return this.findChildBytes(parent, this.keyBytes, 0, this.keyBytes.length);
    }
    let h = hashStart(parent);
    for (let i = start; i < end; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    const table = this.table;
    const mask = this.tableMask;
    const length = end - start;
    for (let i = hashFinish(h) & mask; ; i = (i + 1) & mask) {
      const v = table[i];
      if (v === 0) return -1;
      const slot = v - 1;
      if (this.parents[slot] !== parent) continue;
      const chunk = this.locateName(slot);
      if (this.nameLength !== length) continue;
      const o = this.nameOffset;
      let same = true;
      for (let k = 0; k < length; k++) {
        if (chunk[o + k] !== key.charCodeAt(start + k)) {
          same = false;
          break;
        }
      }
      if (same) return slot;
    }
  }

  private nameEquals(slot: number, key: Uint8Array, start: number, end: number): boolean {
    const chunk = this.locateName(slot);
    const n = this.nameLength;
    const o = this.nameOffset;
    if (n !== end - start) return false;
    for (let k = 0; k < n; k++) if (chunk[o + k] !== key[start + k]) return false;
    return true;
  }

  /** The chunk holding the slot's record; its name's offset and length land in nameOffset / nameLength. */
  private locateName(slot: number): Buffer {
    const a = this.address[slot];
    const chunk = this.arena.chunkOf(a);
    const at = this.arena.offsetOf(a);
    // nameLength is a varint: one byte below 128, the common case, read without decoding the record.
    const n = chunk[at];
    if (n < 0x80) {
      this.nameLength = n;
      this.nameOffset = at + 1;
    } else {
      const r = decodeRecord(chunk, at, 0);
      this.nameLength = r.nameLength;
      this.nameOffset = r.nameOffset;
    }
    return chunk;
  }

  private hashKey(parent: number, key: Uint8Array, start: number, end: number): number {
    let h = hashStart(parent);
    for (let i = start; i < end; i++) h = Math.imul(h ^ key[i], 0x01000193);
    return hashFinish(h);
  }

  private hashOfSlot(slot: number): number {
    const a = this.address[slot];
    const chunk = this.arena.chunkOf(a);
    const r = decodeRecord(chunk, this.arena.offsetOf(a), 0);
    return this.hashKey(this.parents[slot], chunk, r.nameOffset, r.nameOffset + r.nameLength);
  }

  private tableInsert(slot: number, hash: number): void {
    // The root is never in the table (it has no parent), so count - 1 entries are.
    if (this.pendingCount > 0) this.insertPending();
    if (this.count > (this.tableMask + 1) * tableLoadMax) this.growTable();
    const mask = this.tableMask;
    let i = hash & mask;
    while (this.table[i] !== 0) i = (i + 1) & mask;
    this.table[i] = slot + 1;
  }

  private growTable(): void {
    // Every live slot goes in below, the waiting ones too.
    this.pendingCount = 0;
    const size = (this.tableMask + 1) * 2;
    this.table = new Int32Array(size);
    this.tableMask = size - 1;
    for (let s = 0; s < this.highWater; s++) {
      if (this.address[s] < 0 || s === rootSlot) continue;
      let i = this.hashOfSlot(s) & this.tableMask;
      while (this.table[i] !== 0) i = (i + 1) & this.tableMask;
      this.table[i] = s + 1;
    }
  }

  /** Linear-probing delete with backward shift, so lookups never need tombstones. */
  private tableRemove(slot: number): void {
    if (this.pendingCount > 0) this.insertPending();
    const mask = this.tableMask;
    const table = this.table;
    let j = this.hashOfSlot(slot) & mask;
    while (table[j] !== slot + 1) j = (j + 1) & mask;
    let i = j;
    for (;;) {
      i = (i + 1) & mask;
      const v = table[i];
      if (v === 0) break;
      const home = this.hashOfSlot(v - 1) & mask;
      // Move entry i into the hole at j unless its home lies cyclically in (j, i].
      const inRange = j <= i ? home > j && home <= i : home > j || home <= i;
      if (!inRange) {
        table[j] = v;
        j = i;
      }
    }
    table[j] = 0;
  }
}

function emptyLayout(): RecordLayout {
  return {
    czxid: 0, mzxid: 0, pzxid: 0, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, aclId: 0, ephemeralOwner: 0n,
    numChildren: 0, childCapacity: 0, firstChild: -1, dataLength: -1, nameOffset: 0, nameLength: 0, dataOffset: 0, pad: 0,
  };
}

function growInt32(old: Int32Array, size: number): Int32Array {
  const next = new Int32Array(size);
  next.set(old);
  return next;
}

/**
 * Below this a loop copies faster than Buffer#copy, whose fixed cost (argument checks, a view per
 * call) outweighs the copy of a record header (measured on node 20: 8 B 3×, 20 B 1.5×).
 */
const copyLoopBytesMax = 32;

/** Short ranges copy faster in a loop than through a native call (see copyLoopBytesMax). */
function copyBytes(from: Uint8Array, fromAt: number, to: Uint8Array, toAt: number, n: number): void {
  if (n > copyLoopBytesMax) {
    Buffer.prototype.copy.call(from, to, toAt, fromAt, fromAt + n);
    return;
  }
  for (let i = 0; i < n; i++) to[toAt + i] = from[fromAt + i];
}

function hashStart(parent: number): number {
  return Math.imul(parent + 1, 0x9e3779b1) ^ 0x811c9dc5;
}

function hashFinish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
