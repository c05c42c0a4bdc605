/**
 * Reading a snapshot file (format in snapshot-format.ts): `openSnapshot` checks the frame and reads the
 * session list; `walkSnapshot` then hands every ACL list and node to a sink as byte ranges of the file
 * and one reused fields object, so a restart can decode 1M znodes straight into the tree's store
 * (SnapshotFileImage, via @coord/data-tree's SnapshotLoader) without an object per znode. The
 * inspector and tests still get one record per node from `decodeSnapshot`.
 */
import type { ACL } from '@coord/protocol';
import { DataTree, LoadedFields, NodeRecord, SnapshotLoader, TreeSource, Txn } from '@coord/data-tree';
import { ByteReader, DecodeError, varintBytesMax } from '@coord/bytes';
import { StorageError } from './errors';
import { checkSnapshotFrame, SessionEntry, snapshotFooterBytes, snapshotHeaderBytes, SnapshotHeader } from './snapshot-format';
import { decodeAcl } from './txn-codec';

const tagEnd = 0;
const tagAcl = 1;
const tagNode = 2;
const flagEphemeralOwner = 1;

/** A snapshot whose frame checked out and whose session list is read; its items are not yet decoded. */
export interface OpenedSnapshot {
  file: string;
  buf: Buffer;
  header: SnapshotHeader;
  sessions: SessionEntry[];
  /** The session-password secret at the snapshot's start (null in version 1 files, or before one existed). */
  sessionSecret: Buffer | null;
  endZxid: number;
  nodeCount: number;
  bytes: number;
  /** Offset of the first item after the session list. */
  itemsAt: number;
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
}

/** Checks the frame (magic, version, trailer, checksum) and reads the header and the session list. */
export function openSnapshot(buf: Buffer, file: string): OpenedSnapshot {
  const { header, endZxid, nodeCount } = checkSnapshotFrame(buf, file);
  const r = new ByteReader(buf, snapshotHeaderBytes, { end: buf.length - snapshotFooterBytes });
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
    if (header.version >= 2) sessionSecret = r.readVarBuffer();
  } catch (e) {
    if (e instanceof DecodeError) throw new StorageError(`malformed snapshot sessions: ${e.message}`, file, e.offset ?? r.offset);
    throw e;
  }
  return { file, buf, header, sessions, sessionSecret, endZxid, nodeCount, bytes: buf.length, itemsAt: r.offset };
}

/** Hands every item to `sink`; throws StorageError naming the offset of a malformed one. */
export function walkSnapshot(s: OpenedSnapshot, sink: SnapshotSink): void {
  const buf = s.buf;
  const c = new Cursor(buf, s.itemsAt, buf.length - snapshotFooterBytes);
  const f: LoadedFields = { czxid: 0, mzxid: 0, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, pzxid: 0, ephemeralOwner: 0n };
  let acls = 0;
  let nodes = 0;
  let at = c.pos;
  try {
    for (;;) {
      at = c.pos;
      const tag = c.u8();
      if (tag === tagEnd) break;
      if (tag === tagAcl) {
        const r = new ByteReader(buf, c.pos, { end: c.end });
        sink.acl(decodeAcl(r));
        c.pos = r.offset;
        acls++;
        continue;
      }
      if (tag !== tagNode) throw new DecodeError(`unknown item tag ${tag}`, at);
      const pathLength = c.varint();
      const pathAt = c.take(pathLength);
      const flags = c.u8();
      const dataLength = c.varint() - 1;
      const dataAt = c.take(Math.max(dataLength, 0));
      const aclNumber = c.varint();
      if (aclNumber >= acls) throw new DecodeError(`undefined ACL list ${aclNumber}`, at);
      f.czxid = c.varint();
      f.mzxid = c.varint();
      f.ctime = c.varint();
      f.mtime = c.varint();
      f.version = c.svarint();
      f.cversion = c.svarint();
      f.aversion = c.svarint();
      f.pzxid = c.varint();
      f.ephemeralOwner = flags & flagEphemeralOwner ? buf.readBigInt64BE(c.take(8)) : 0n;
      sink.node(buf, pathAt, pathLength, f, aclNumber, buf, dataAt, dataLength, at);
      nodes++;
    }
    if (c.pos !== c.end) throw new DecodeError(`${c.end - c.pos} bytes after the end marker`, c.pos);
  } catch (e) {
    if (e instanceof DecodeError) throw new StorageError(`malformed snapshot item: ${e.message}`, s.file, e.offset ?? at);
    throw e;
  }
  if (nodes !== s.nodeCount) throw new StorageError(`footer says ${s.nodeCount} nodes, file holds ${nodes}`, s.file, buf.length - snapshotFooterBytes);
}

/**
 * A snapshot file as a TreeSource: `restoreInto` decodes it into the tree, replaying `fuzzyTxns`
 * (the log txns in (startZxid, endZxid]) over the nodes they touch, so the tree lands exactly at
 * endZxid. A malformed item behind a good checksum (a writer bug) throws StorageError from there.
 */
export class SnapshotFileImage implements TreeSource {
  constructor(
    readonly snapshot: OpenedSnapshot,
    readonly fuzzyTxns: readonly Txn[] = [],
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

/** A bounds-checked reader of the hot node fields that skips byte ranges without making views of them. */
class Cursor {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number,
  ) {}

  u8(): number {
    if (this.pos >= this.end) throw truncated(1, this.pos, this.end);
    return this.buf[this.pos++];
  }

  /** Claims `n` bytes and returns where they start. */
  take(n: number): number {
    const p = this.pos;
    if (p + n > this.end) throw truncated(n, p, this.end);
    this.pos = p + n;
    return p;
  }

  varint(): number {
    const b = this.buf;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < varintBytesMax; i++) {
      if (this.pos >= this.end) throw truncated(1, this.pos, this.end);
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
