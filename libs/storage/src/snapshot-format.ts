/**
 * Snapshot file format (grammar in docs/formats.md):
 *   file     = header sessions item* end footer
 *   header   = magic:u32 "CNSN" version:u32 dbid:u64 startZxid:u64 takenAt:u64            (32 bytes)
 *   sessions = count:varint (sessionId:i64 timeOut:svarint nEph:varint path:string*)*
 *   item     = 0x01 acl            -- defines ACL list number n (0, 1, 2 ... in order of appearance)
 *            | 0x02 node
 *            | 0x03 timeBase:varint                                                 (version 3)
 *            | 0x04 parent:string aclNumber:varint owner:u8 [ephemeralOwner:i64]
 *                   (dataLength+1):varint recordLength:varint record                (version 3)
 *   end      = 0x00
 *   footer   = endZxid:u64 nodeCount:u32 crc:u32 trailer:u32 "CNSE"                       (20 bytes)
 * crc is CRC-32 of every byte before it. A node holds its internal cversion and ephemeralOwner.
 *
 * A record item (0x04, version 3) is a node as @coord/data-tree's store keeps it (node-record.ts):
 * `record` is that store's record of the node with no children (name, header, pad byte 0, data),
 * its times relative to the timeBase item before it and its ACL id the file's ACL number n, so a
 * restart copies it into the store as it is instead of decoding and encoding every field. `parent`
 * is the parent's path ('/' for the root's children); owner is 1 when ephemeralOwner follows, and
 * it and dataLength repeat what the record holds. The writer uses node items for the root, for
 * /zookeeper and what is under it, and for nodes met before the first non-zero ctime.
 * Reading is in snapshot-read.ts.
 */
import type { ACL } from '@coord/protocol';
import type { NodeRecord } from '@coord/data-tree';
import { ByteWriter } from '@coord/bytes';
import { crc32 } from './crc32';
import { StorageError } from './errors';
import { encodeAcl } from '@coord/data-tree';

export const snapshotMagic = 0x434e534e; // "CNSN"
export const snapshotTrailer = 0x434e5345; // "CNSE"
/**
 * 2 adds the replicated session secret after the session list; 3 adds time base and record items.
 * Version 1 and 2 files still load.
 */
export const snapshotVersion = 3;
const snapshotVersionsReadable = [1, 2, 3];
export const snapshotHeaderBytes = 32;
export const snapshotFooterBytes = 20;
const tagEnd = 0;
const tagAcl = 1;
const tagNode = 2;
const tagTimeBase = 3;
const tagRecord = 4;
const flagEphemeralOwner = 1;

export interface SnapshotHeader {
  version: number;
  dbid: bigint;
  startZxid: number;
  takenAt: number;
}

export interface SessionEntry {
  sessionId: bigint;
  timeOut: number;
  /** The session's ephemerals at startZxid (fuzzy replay needs them for closeSession). */
  ephemerals: string[];
}

export function encodeSnapshotHeader(h: { dbid: bigint; startZxid: number; takenAt: number }, version = snapshotVersion): Buffer {
  const b = Buffer.alloc(snapshotHeaderBytes);
  b.writeUInt32BE(snapshotMagic, 0);
  b.writeUInt32BE(version, 4);
  b.writeBigInt64BE(BigInt.asIntN(64, h.dbid), 8);
  b.writeBigUInt64BE(BigInt(h.startZxid), 16);
  b.writeBigUInt64BE(BigInt(h.takenAt), 24);
  return b;
}

export function encodeSessions(w: ByteWriter, sessions: readonly SessionEntry[], sessionSecret: Buffer | null): void {
  w.writeVarint(sessions.length);
  for (const s of sessions) {
    w.writeLong(s.sessionId);
    w.writeSvarint(s.timeOut);
    w.writeVarint(s.ephemerals.length);
    for (const p of s.ephemerals) w.writeVarString(p);
  }
  w.writeVarBuffer(sessionSecret);
}

/** Gives each distinct ACL list a number, writing its definition the first time it is seen. */
export class AclNumbering {
  private readonly numbers = new Map<ACL[], number>();

  numberOf(w: ByteWriter, acl: ACL[]): number {
    let n = this.numbers.get(acl);
    if (n === undefined) {
      n = this.numbers.size;
      this.numbers.set(acl, n);
      w.writeU8(tagAcl);
      encodeAcl(w, acl);
    }
    return n;
  }
}

/** A ZNode fits this shape too, so the snapshot walk encodes live nodes without copying them. */
export type SnapshotNodeFields = Omit<NodeRecord, 'acl'>;

export function encodeNode(w: ByteWriter, acls: AclNumbering, path: string, r: SnapshotNodeFields, acl: ACL[]): void {
  const data = r.data;
  encodeNodeRange(w, acls, path, r, acl, data ?? emptyBytes, 0, data === null ? -1 : data.length);
}

const emptyBytes = Buffer.alloc(0);

/** encodeNode with the data given as `data[dataAt, dataAt + dataLength)` (-1: null), as a tree walk holds it. */
export function encodeNodeRange(w: ByteWriter, acls: AclNumbering, path: string, r: Omit<SnapshotNodeFields, 'data'>, acl: ACL[], data: Uint8Array, dataAt: number, dataLength: number): void {
  const aclNumber = acls.numberOf(w, acl);
  w.writeU8(tagNode);
  w.writeVarString(path);
  w.writeU8(r.ephemeralOwner === 0n ? 0 : flagEphemeralOwner);
  // As writeVarBuffer writes it: 0 for null, else length + 1, then the bytes.
  w.writeVarint(dataLength + 1);
  if (dataLength > 0) w.writeRaw(data.subarray(dataAt, dataAt + dataLength));
  w.writeVarint(aclNumber);
  w.writeVarint(r.czxid);
  w.writeVarint(r.mzxid);
  w.writeVarint(r.ctime);
  w.writeVarint(r.mtime);
  w.writeSvarint(r.version);
  w.writeSvarint(r.cversion);
  w.writeSvarint(r.aversion);
  w.writeVarint(r.pzxid);
  if (r.ephemeralOwner !== 0n) w.writeLong(r.ephemeralOwner);
}

/** The time base of the record items that follow (version 3). */
export function encodeTimeBase(w: ByteWriter, timeBase: number): void {
  w.writeU8(tagTimeBase);
  w.writeVarint(timeBase);
}

/** The part of a SnapshotCursor a record item is written from. */
export interface RecordSource {
  parentPath: string;
  ephemeralOwner: bigint;
  dataLength: number;
  recordBytes: Buffer;
  encodeRecord(aclNumber: number, timeBase: number): number;
}

/** A node as a record item (version 3; see the file comment), its times relative to `timeBase`. */
export function encodeRecordItem(w: ByteWriter, acls: AclNumbering, node: RecordSource, acl: ACL[], timeBase: number): void {
  const aclNumber = acls.numberOf(w, acl);
  w.writeU8(tagRecord);
  w.writeVarString(node.parentPath);
  w.writeVarint(aclNumber);
  if (node.ephemeralOwner === 0n) {
    w.writeU8(0);
  } else {
    w.writeU8(flagEphemeralOwner);
    w.writeLong(node.ephemeralOwner);
  }
  w.writeVarint(node.dataLength + 1);
  const n = node.encodeRecord(aclNumber, timeBase);
  w.writeVarint(n);
  w.writeRaw(node.recordBytes.subarray(0, n));
}

export function encodeEnd(w: ByteWriter): void {
  w.writeU8(tagEnd);
}

/** The footer; `crcSoFar` is the running CRC of every byte before the footer. */
export function encodeSnapshotFooter(endZxid: number, nodeCount: number, crcSoFar: number): Buffer {
  const b = Buffer.alloc(snapshotFooterBytes);
  b.writeBigUInt64BE(BigInt(endZxid), 0);
  b.writeUInt32BE(nodeCount, 8);
  b.writeUInt32BE(crc32(b.subarray(0, 12), crcSoFar), 12);
  b.writeUInt32BE(snapshotTrailer, 16);
  return b;
}

/** Checks the frame (magic, version, trailer, checksum) and returns the header and footer fields. */
export function checkSnapshotFrame(buf: Buffer, file: string): SnapshotFrame {
  const footerAt = buf.length - snapshotFooterBytes;
  return checkFrame(buf, buf.subarray(Math.max(footerAt, 0)), buf.length, file, () => crc32(buf.subarray(0, footerAt + 12)));
}

export interface SnapshotFrame {
  header: SnapshotHeader;
  endZxid: number;
  nodeCount: number;
}

/**
 * The frame checks on a file's first bytes (`head`, at least the header), its footer and its size;
 * `computeCrc` gives the CRC-32 of every byte before the stored one, asked for only when the rest holds.
 */
export function checkFrame(head: Buffer, footer: Buffer, size: number, file: string, computeCrc: () => number): SnapshotFrame {
  if (size < snapshotHeaderBytes + snapshotFooterBytes) throw new StorageError(`snapshot too short (${size} bytes)`, file, 0);
  if (head.readUInt32BE(0) !== snapshotMagic) throw new StorageError(`bad snapshot magic 0x${head.readUInt32BE(0).toString(16)}`, file, 0);
  const version = head.readUInt32BE(4);
  if (!snapshotVersionsReadable.includes(version)) throw new StorageError(`unsupported snapshot version ${version}`, file, 4);
  const footerAt = size - snapshotFooterBytes;
  if (footer.readUInt32BE(16) !== snapshotTrailer) throw new StorageError('snapshot trailer missing (file incomplete)', file, footerAt + 16);
  const stored = footer.readUInt32BE(12);
  const computed = computeCrc();
  if (stored !== computed) {
    throw new StorageError(`snapshot checksum mismatch (stored 0x${stored.toString(16)}, computed 0x${computed.toString(16)})`, file, footerAt + 12, 'set this snapshot aside');
  }
  const header = { version, dbid: head.readBigInt64BE(8), startZxid: Number(head.readBigUInt64BE(16)), takenAt: Number(head.readBigUInt64BE(24)) };
  return { header, endZxid: Number(footer.readBigUInt64BE(0)), nodeCount: footer.readUInt32BE(8) };
}
