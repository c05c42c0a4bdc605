/**
 * Reading a snapshot file (format in snapshot-format.ts): `openSnapshot` (bytes in memory) or
 * `openSnapshotFile` (a file read in windows, never whole) checks the frame and reads the session
 * list; `walkSnapshot` then hands every ACL list and node to a sink as byte ranges and one reused
 * fields object, so a restart decodes 1M znodes straight into the tree's store (SnapshotFileImage,
 * via @coord/data-tree's SnapshotLoader) with no object per znode and no 140 MB file buffer left for
 * the collector to find. The inspector and tests still get one record per node from `decodeSnapshot`.
 */
import * as fs from 'node:fs';
import type { ACL } from '@coord/protocol';
import { DataTree, decodeRecordItem, LoadedFields, NodeRecord, RecordLayout, SnapshotLoader, TreeSource, TxnSource } from '@coord/data-tree';
import { ByteReader, DecodeError, varintBytesMax } from '@coord/bytes';
import { crc32 } from './crc32';
import { StorageError } from './errors';
import { checkFrame, checkSnapshotFrame, SessionEntry, snapshotFooterBytes, snapshotHeaderBytes, SnapshotFrame, SnapshotHeader } from './snapshot-format';
import { decodeAcl } from '@coord/data-tree';

const tagEnd = 0;
const tagAcl = 1;
const tagNode = 2;
const tagTimeBase = 3;
const tagRecord = 4;
const flagEphemeralOwner = 1;
const slash = 0x2f;
const varintMax = varintBytesMax;

/** Window a snapshot file is decoded through (grown when one item is larger). */
export const snapshotWindowBytes = 4 << 20;

/** A snapshot whose frame checked out and whose session list is read; its items are not yet decoded. */
export interface OpenedSnapshot {
  file: string;
  /** The whole file in memory, or null when it is read from `file` in windows as it is walked. */
  buf: Buffer | null;
  header: SnapshotHeader;
  sessions: SessionEntry[];
  /** The session-password secret at the snapshot's start (null in version 1 files, or before one existed). */
  sessionSecret: Buffer | null;
  endZxid: number;
  nodeCount: number;
  bytes: number;
  /** Offset of the first item after the session list. */
  itemsAt: number;
  /** Bytes per read when `buf` is null. */
  windowBytes?: number;
}

/** Receives a snapshot's items in file order (SnapshotLoader is one). */
export interface SnapshotSink {
  /** Defines ACL list number n (0, 1, 2 … in order of appearance). */
  acl(acl: ACL[]): void;
  /**
   * One node: path `b[pathAt, pathAt + pathLength)` (UTF-8), data `data[dataAt, dataAt + dataLength)`
   * (`dataLength` -1 for null), `f` reused for the next node; `offset` is where its item starts.
   */
  node(b: Buffer, pathAt: number, pathLength: number, f: LoadedFields, aclNumber: number, data: Buffer, dataAt: number, dataLength: number, offset: number): void;
  /**
   * One node as a record item (snapshot-format.ts, version 3): parent path `b[parentAt, parentAt +
   * parentLength)`, the store's record `b[recordAt, recordAt + recordLength)` with times relative to
   * `timeBase`. A sink without this method gets such nodes through `node` (decoded, path joined).
   */
  record?(b: Buffer, parentAt: number, parentLength: number, aclNumber: number, ephemeralOwner: bigint, dataLength: number, recordAt: number, recordLength: number, timeBase: number, offset: number): void;
}

/** Checks the frame (magic, version, trailer, checksum) and reads the header and the session list. */
export function openSnapshot(buf: Buffer, file: string): OpenedSnapshot {
  const frame = checkSnapshotFrame(buf, file);
  const { sessions, sessionSecret, itemsAt } = readSessions(buf, buf.length - snapshotFooterBytes, frame, file);
  return { file, buf, ...frame, sessions, sessionSecret, bytes: buf.length, itemsAt };
}

/**
 * openSnapshot for a file on disk, read in windows: one pass for the checksum, and the session list;
 * walkSnapshot reads the items again window by window (the second read comes from the page cache).
 */
export function openSnapshotFile(file: string, windowBytes = snapshotWindowBytes): OpenedSnapshot {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const head = readAt(fd, Buffer.alloc(Math.min(size, snapshotHeaderBytes)), 0);
    const footer = readAt(fd, Buffer.alloc(Math.min(size, snapshotFooterBytes)), Math.max(size - snapshotFooterBytes, 0));
    const frame = checkFrame(head, footer, size, file, () => fileCrc(fd, size - snapshotFooterBytes + 12, windowBytes));
    const itemsEnd = size - snapshotFooterBytes;
    // The session list is read from a prefix that doubles until it holds the whole list.
    for (let n = windowBytes; ; n *= 2) {
      const prefix = readAt(fd, Buffer.allocUnsafe(Math.min(n, itemsEnd)), 0);
      try {
        const { sessions, sessionSecret, itemsAt } = readSessions(prefix, prefix.length, frame, file, prefix.length < itemsEnd);
        return { file, buf: null, ...frame, sessions, sessionSecret, bytes: size, itemsAt, windowBytes };
      } catch (e) {
        if (e !== needMore) throw e;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

function readAt(fd: number, into: Buffer, position: number): Buffer {
  let got = 0;
  while (got < into.length) {
    const n = fs.readSync(fd, into, got, into.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got === into.length ? into : into.subarray(0, got);
}

function fileCrc(fd: number, length: number, windowBytes: number): number {
  const chunk = Buffer.allocUnsafe(windowBytes);
  let crc = 0;
  for (let at = 0; at < length; ) {
    const got = readAt(fd, chunk.subarray(0, Math.min(windowBytes, length - at)), at);
    if (got.length === 0) break;
    crc = crc32(got, crc);
    at += got.length;
  }
  return crc;
}

/** Thrown inside a windowed read when an item runs past the window but not past the items' end. */
const needMore = new Error('snapshot window exhausted');

function readSessions(buf: Buffer, end: number, frame: SnapshotFrame, file: string, more = false): { sessions: SessionEntry[]; sessionSecret: Buffer | null; itemsAt: number } {
  const r = new ByteReader(buf, snapshotHeaderBytes, { end });
  const sessions: SessionEntry[] = [];
  let sessionSecret: Buffer | null = null;
  try {
    const n = r.readVarint();
    for (let i = 0; i < n; i++) {
      const sessionId = r.readBigLongSigned();
      const timeOut = r.readSvarint();
      const k = r.readVarint();
      const ephemerals: string[] = [];
      for (let j = 0; j < k; j++) ephemerals.push(r.readVarString());
      sessions.push({ sessionId, timeOut, ephemerals });
    }
    if (frame.header.version >= 2) sessionSecret = r.readVarBuffer();
  } catch (e) {
    if (more && e instanceof DecodeError) throw needMore;
    if (e instanceof DecodeError) throw new StorageError(`malformed snapshot sessions: ${e.message}`, file, e.offset ?? r.offset);
    throw e;
  }
  return { sessions, sessionSecret, itemsAt: r.offset };
}

/** Hands every item to `sink`; throws StorageError naming the offset of a malformed one. */
export function walkSnapshot(s: OpenedSnapshot, sink: SnapshotSink): void {
  const itemsEnd = s.bytes - snapshotFooterBytes;
  const walk = new ItemWalk(sink, s.header.version);
  if (s.buf !== null) {
    walk.run(s.buf, 0, s.itemsAt, itemsEnd, itemsEnd, s.file);
  } else {
    const fd = fs.openSync(s.file, 'r');
    try {
      let window = Buffer.allocUnsafe(s.windowBytes ?? snapshotWindowBytes);
      // `base` is the file offset of window[0]; the window holds [base, base + filled).
      let base = s.itemsAt;
      let filled = readAt(fd, window.subarray(0, Math.min(window.length, itemsEnd - base)), base).length;
      for (;;) {
        const stop = walk.run(window, base, 0, filled, itemsEnd - base, s.file);
        if (stop < 0) break;
        // An item ran past the window: move its start to the front and read on (a larger window if
        // the item alone fills most of this one).
        const keep = filled - stop;
        if (keep * 2 > window.length) {
          const larger = Buffer.allocUnsafe(window.length * 2);
          window.copy(larger, 0, stop, filled);
          window = larger;
        } else {
          window.copy(window, 0, stop, filled);
        }
        base += stop;
        const got = readAt(fd, window.subarray(keep, Math.min(window.length, itemsEnd - base)), base + keep).length;
        if (got === 0) throw new StorageError('snapshot file shrank while it was read', s.file, base + keep);
        filled = keep + got;
      }
    } finally {
      fs.closeSync(fd);
    }
  }
  walk.finish(s);
}

/** The item loop of walkSnapshot, resumable at item boundaries when it reads through windows. */
class ItemWalk {
  private readonly f: LoadedFields = { czxid: 0, mzxid: 0, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, pzxid: 0, ephemeralOwner: 0n };
  private acls = 0;
  private nodes = 0;
  /** The time base of record items (-1 before a time base item). */
  private timeBase = -1;
  private readonly hasRecord: boolean;
  /** A record item decoded for a sink without `record`, and its path joined. */
  private readonly layout: RecordLayout = {
    czxid: 0, mzxid: 0, pzxid: 0, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, aclId: 0, ephemeralOwner: 0n,
    numChildren: 0, childCapacity: 0, firstChild: -1, dataLength: -1, nameOffset: 0, nameLength: 0, dataOffset: 0, pad: 0,
  };
  private path = Buffer.allocUnsafe(256);

  constructor(
    private readonly sink: SnapshotSink,
    private readonly version: number,
  ) {
    this.hasRecord = typeof sink.record === 'function';
  }

  /**
   * Walks items in `buf[from, filled)` (`base` = file offset of buf[0]; the items end at `end` in
   * buf's coordinates). Returns -1 at the end marker, or where the item that ran past `filled` starts.
   */
  run(buf: Buffer, base: number, from: number, filled: number, end: number, file: string): number {
    const c = new Cursor(buf, from, filled, end);
    let at = c.pos;
    try {
      for (;;) {
        at = c.pos;
        const tag = c.u8();
        if (tag === tagEnd) break;
        if (tag === tagAcl) {
          const r = new ByteReader(buf, c.pos, { end: filled });
          let acl: ACL[];
          try {
            acl = decodeAcl(r);
          } catch (e) {
            if (e instanceof DecodeError && filled < end && e.message.startsWith('truncated')) throw needMore;
            throw e;
          }
          this.sink.acl(acl);
          c.pos = r.offset;
          this.acls++;
          continue;
        }
        // Each kind of node item in its own method, so each keeps the cursor's reads inlined.
        if (tag === tagNode) this.nodeItem(c, buf, base, at);
        else if (tag === tagRecord && this.version >= 3) this.recordItem(c, buf, base, at);
        else if (tag === tagTimeBase && this.version >= 3) this.timeBase = c.varint();
        else throw new DecodeError(`unknown item tag ${tag}`, at);
      }
      if (c.pos !== end) throw new DecodeError(`${end - c.pos} bytes after the end marker`, c.pos);
    } catch (e) {
      if (e === needMore) return at;
      if (e instanceof DecodeError) throw new StorageError(`malformed snapshot item: ${e.message}`, file, base + (e.offset ?? at));
      throw e;
    }
    return -1;
  }

  /** A node item (tag read) at `at`; the fields go in the reused object. */
  private nodeItem(c: Cursor, buf: Buffer, base: number, at: number): void {
    const f = this.f;
    const pathLength = c.varint();
    const pathAt = c.take(pathLength);
    const flags = c.u8();
    const dataLength = c.varint() - 1;
    const dataAt = c.take(Math.max(dataLength, 0));
    const aclNumber = c.varint();
    if (aclNumber >= this.acls) throw new DecodeError(`undefined ACL list ${aclNumber}`, at);
    f.czxid = c.varint();
    f.mzxid = c.varint();
    f.ctime = c.varint();
    f.mtime = c.varint();
    f.version = c.svarint();
    f.cversion = c.svarint();
    f.aversion = c.svarint();
    f.pzxid = c.varint();
    f.ephemeralOwner = flags & flagEphemeralOwner ? buf.readBigInt64BE(c.take(8)) : 0n;
    this.sink.node(buf, pathAt, pathLength, f, aclNumber, buf, dataAt, dataLength, base + at);
    this.nodes++;
  }

  /** A record item (tag read) at `at`: to the sink's `record`, or decoded to its `node`. */
  private recordItem(c: Cursor, buf: Buffer, base: number, at: number): void {
    const parentLength = c.varint();
    const parentAt = c.take(parentLength);
    const aclNumber = c.varint();
    const owner = c.u8() & flagEphemeralOwner ? buf.readBigInt64BE(c.take(8)) : 0n;
    const dataLength = c.varint() - 1;
    const recordLength = c.varint();
    const recordAt = c.take(recordLength);
    if (aclNumber >= this.acls) throw new DecodeError(`undefined ACL list ${aclNumber}`, at);
    if (this.timeBase < 0) throw new DecodeError('record item before a time base item', at);
    // At least the name's length, a header and its pad byte come before the data.
    if (parentLength < 1 || buf[parentAt] !== slash || recordLength < Math.max(dataLength, 0) + 3) throw new DecodeError('malformed record item', at);
    if (this.hasRecord) this.sink.record?.(buf, parentAt, parentLength, aclNumber, owner, dataLength, recordAt, recordLength, this.timeBase, base + at);
    else this.recordAsNode(buf, parentAt, parentLength, aclNumber, dataLength, recordAt, recordLength, base + at);
    this.nodes++;
  }

  /** A record item handed to a sink's `node`: its fields decoded, its path joined. */
  private recordAsNode(buf: Buffer, parentAt: number, parentLength: number, aclNumber: number, dataLength: number, recordAt: number, recordLength: number, offset: number): void {
    const r = decodeRecordItem(buf, recordAt, this.timeBase, this.layout);
    const prefix = parentLength === 1 ? 0 : parentLength;
    const n = prefix + 1 + r.nameLength;
    if (this.path.length < n) this.path = Buffer.allocUnsafe(n * 2);
    buf.copy(this.path, 0, parentAt, parentAt + prefix);
    this.path[prefix] = slash;
    buf.copy(this.path, prefix + 1, r.nameOffset, r.nameOffset + r.nameLength);
    this.sink.node(this.path, 0, n, r, aclNumber, buf, recordAt + recordLength - Math.max(dataLength, 0), dataLength, offset);
  }

  finish(s: OpenedSnapshot): void {
    if (this.nodes !== s.nodeCount) throw new StorageError(`footer says ${s.nodeCount} nodes, file holds ${this.nodes}`, s.file, s.bytes - snapshotFooterBytes);
  }
}

/**
 * A snapshot file as a TreeSource: `restoreInto` decodes it into the tree, replaying `fuzzyTxns`
 * (the log txns in (startZxid, endZxid]) over the nodes they touch, so the tree lands exactly at
 * endZxid. A malformed item behind a good checksum (a writer bug) throws StorageError from there.
 */
export class SnapshotFileImage implements TreeSource {
  constructor(
    readonly snapshot: OpenedSnapshot,
    readonly fuzzyTxns: TxnSource = [],
  ) {}

  restoreInto(tree: DataTree): void {
    tree.reserve(this.snapshot.nodeCount);
    const loader = new SnapshotLoader(tree, this.fuzzyTxns, this.snapshot.sessions);
    try {
      walkSnapshot(this.snapshot, loader);
    } catch (e) {
      loader.abandon();
      throw e;
    }
    loader.finish();
  }
}

/** Node visitor used by the inspector. */
export type NodeVisitor = (path: string, record: NodeRecord, offset: number) => void;

/** What decodeSnapshot returns: the opened snapshot without its buffer. */
export type DecodedSnapshotInfo = Omit<OpenedSnapshot, 'buf' | 'file' | 'itemsAt'>;

/** Decodes a whole snapshot into one record per node for `visit`. Throws StorageError naming the offset. */
export function decodeSnapshot(buf: Buffer, file: string, visit: NodeVisitor): DecodedSnapshotInfo {
  const s = openSnapshot(buf, file);
  const acls: ACL[][] = [];
  walkSnapshot(s, {
    acl: (acl) => void acls.push(acl),
    node: (b, pathAt, pathLength, f, aclNumber, data, dataAt, dataLength, offset) => {
      const record: NodeRecord = {
        data: dataLength < 0 ? null : Buffer.from(data.subarray(dataAt, dataAt + dataLength)),
        acl: acls[aclNumber],
        czxid: f.czxid, mzxid: f.mzxid, ctime: f.ctime, mtime: f.mtime, version: f.version, cversion: f.cversion,
        aversion: f.aversion, pzxid: f.pzxid, ephemeralOwner: f.ephemeralOwner,
      };
      visit(b.toString('utf8', pathAt, pathAt + pathLength), record, offset);
    },
  });
  const { header, sessions, sessionSecret, endZxid, nodeCount, bytes } = s;
  return { header, sessions, sessionSecret, endZxid, nodeCount, bytes };
}

export interface DecodedSnapshot extends OpenedSnapshot {
  /** The snapshot's own image (fuzzy: no log txns replayed over it). */
  image: SnapshotFileImage;
}

/** Opens a snapshot as an image to restore (its items are decoded by `image.restoreInto`). */
export function loadSnapshotImage(buf: Buffer, file: string): DecodedSnapshot {
  const s = openSnapshot(buf, file);
  return { ...s, image: new SnapshotFileImage(s) };
}

/**
 * A bounds-checked reader of the hot node fields that skips byte ranges without making views of
 * them. Bytes are there up to `filled`; past it, before `end`, they are in the next window.
 */
class Cursor {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly filled: number,
    readonly end: number,
  ) {}

  private short(n: number, at: number): Error {
    return this.filled < this.end && at + n <= this.end ? needMore : truncated(n, at, this.filled);
  }

  u8(): number {
    if (this.pos >= this.filled) throw this.short(1, this.pos);
    return this.buf[this.pos++];
  }

  /** Claims `n` bytes and returns where they start. */
  take(n: number): number {
    const p = this.pos;
    if (p + n > this.filled) throw this.short(n, p);
    this.pos = p + n;
    return p;
  }

  varint(): number {
    const b = this.buf;
    // One byte is the common case (flags, lengths, versions); the limit is read once (an import is a getter).
    if (this.pos < this.filled && b[this.pos] < 0x80) return b[this.pos++];
    let result = 0;
    let scale = 1;
    for (let i = 0; i < varintMax; i++) {
      if (this.pos >= this.filled) throw this.short(1, this.pos);
      const byte = b[this.pos++];
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (result > Number.MAX_SAFE_INTEGER) break;
        return result;
      }
      scale *= 0x80;
    }
    throw new DecodeError('varint too long', this.pos);
  }

  svarint(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }
}

function truncated(n: number, at: number, end: number): DecodeError {
  return new DecodeError(`truncated: need ${n} bytes at offset ${at}, have ${end - at}`, at);
}
