/**
 * Txn log file format (docs/formats.md has the grammar):
 *   file   = header record*
 *   header = magic:u32 "CNLG" version:u32 dbid:u64 startZxid:u64 headerCrc:u32      (28 bytes)
 *   record = crc:u32 length:u32 payload[length]        crc = CRC-32 over the length bytes and the payload
 * and the scan that finds a file's valid prefix: a bad record with no good record after it is a torn
 * tail (a crash mid-append); a bad record with a good one after it is corruption in the middle.
 */
import type { Txn } from '@coord/data-tree';
import { ByteReader, ByteWriter } from '@coord/bytes';
import { crc32 } from './crc32';
import { crc32Range } from './crc32-range';
import { decodeTxn, encodedTxnBytesMax, encodeTxn } from '@coord/data-tree';

export const logMagic = 0x434e4c47; // "CNLG"
export const logVersion = 1;
export const logHeaderBytes = 28;
export const recordHeaderBytes = 8;
/** Larger than any txn a request can produce (jute.maxbuffer is 1 MiB by default); bounds what a corrupt length can claim. */
export const recordBytesMax = 64 << 20;

/** One epoch step in a zxid: a zxid is epoch * 2^32 + counter (ZooKeeper's layout). */
const epochStepZxids = 2 ** 32;

/**
 * Whether a log may hold `next` right after `prev`: the next zxid (`prev + 1`), or the first txn of a
 * later epoch (counter 1). The standalone node stays in epoch 0; an ensemble member's log moves to a
 * new epoch after a leader change. `prev` 0 means "nothing before": the log starts at 1 or 0x<e>00000001.
 */
export function isNextZxid(prev: number, next: number): boolean {
  return next === prev + 1 || (next > prev && next % epochStepZxids === 1);
}

export interface LogHeader {
  version: number;
  dbid: bigint;
  startZxid: number;
}

export function encodeLogHeader(h: { dbid: bigint; startZxid: number }): Buffer {
  const b = Buffer.alloc(logHeaderBytes);
  b.writeUInt32BE(logMagic, 0);
  b.writeUInt32BE(logVersion, 4);
  b.writeBigInt64BE(BigInt.asIntN(64, h.dbid), 8);
  b.writeBigUInt64BE(BigInt(h.startZxid), 16);
  b.writeUInt32BE(crc32(b.subarray(0, 24)), 24);
  return b;
}

/** Returns the header, or a reason it is not one. */
export function decodeLogHeader(b: Buffer): LogHeader | string {
  if (b.length < logHeaderBytes) return `file shorter than its ${logHeaderBytes}-byte header (${b.length} bytes)`;
  if (b.readUInt32BE(0) !== logMagic) return `bad magic 0x${b.readUInt32BE(0).toString(16)}`;
  if (b.readUInt32BE(24) !== crc32(b.subarray(0, 24))) return 'header checksum mismatch';
  const version = b.readUInt32BE(4);
  if (version !== logVersion) return `unsupported log version ${version}`;
  return { version, dbid: b.readBigInt64BE(8), startZxid: Number(b.readBigUInt64BE(16)) };
}

/** Appends one framed record (length, crc, payload) for `txn` to `w`. */
export function encodeRecord(w: ByteWriter, txn: Txn): void {
  const at = w.length;
  w.writeInt(0);
  w.writeInt(0);
  encodeTxn(w, txn);
  const length = w.length - at - recordHeaderBytes;
  w.patchInt(at + 4, length);
  // The checksum covers the length and the payload, which sit next to each other: one pass, in JS
  // (a record is ~100-200 bytes: the native call would cost more than the sum, see crc32-range.ts).
  w.patchInt(at, crc32Range(w.view(), at + 4, w.length));
}

/**
 * Appends the record of the txn at `zxid` whose encoding after its zxid is `body[from..]` (the bytes
 * encodeTxn writes after the zxid varint): the same record encodeRecord writes, without the txn object.
 */
export function encodeRecordOfBody(w: ByteWriter, zxid: number, body: Uint8Array, from: number): void {
  const at = w.length;
  w.writeInt(0);
  w.writeInt(0);
  w.writeVarint(zxid);
  w.writeRaw(from === 0 ? body : body.subarray(from));
  const length = w.length - at - recordHeaderBytes;
  w.patchInt(at + 4, length);
  w.patchInt(at, crc32Range(w.view(), at + 4, w.length));
}

export function encodeRecords(txns: readonly Txn[]): Buffer {
  // Sized once for the whole batch (a writer that grows leaves each smaller buffer to malloc).
  let bytes = 0;
  for (const t of txns) bytes += recordHeaderBytes + encodedTxnBytesMax(t);
  const w = new ByteWriter(bytes);
  for (const t of txns) encodeRecord(w, t);
  // The writer is this call's own: its bytes are handed over as they are, not copied.
  return w.view();
}

export interface LogRecord {
  txn: Txn;
  offset: number;
  bytes: number;
}

export interface LogProblem {
  /** torn: nothing valid follows, truncating here loses only unacknowledged bytes; corrupt: valid records follow. */
  kind: 'torn' | 'corrupt';
  offset: number;
  reason: string;
}

export interface ScannedLog {
  header: LogHeader | null;
  records: LogRecord[];
  /** Offset just past the last good record (where a truncation would cut). */
  validEnd: number;
  problem: LogProblem | null;
}

type RecordRead = { txn: Txn; end: number } | { error: string };

/**
 * What zxid the next record may carry: exactly the file's start zxid for its first record, then one
 * that continues the previous record (see isNextZxid); null accepts any (the torn-tail probe).
 */
type ZxidRule = { exact: number } | { after: number } | null;

function zxidError(zxid: number, rule: ZxidRule): string | null {
  if (rule === null) return null;
  if ('exact' in rule) return zxid === rule.exact ? null : `zxid 0x${zxid.toString(16)} where 0x${rule.exact.toString(16)} was expected`;
  return isNextZxid(rule.after, zxid) ? null : `zxid 0x${zxid.toString(16)} does not follow 0x${rule.after.toString(16)}`;
}

/** Reads the record at `offset`, checking frame, checksum, payload and the expected zxid. */
function readRecord(buf: Buffer, offset: number, rule: ZxidRule): RecordRead {
  if (buf.length - offset < recordHeaderBytes) return { error: `partial record header (${buf.length - offset} bytes)` };
  const length = buf.readUInt32BE(offset + 4);
  if (length === 0 || length > recordBytesMax) return { error: `implausible record length ${length}` };
  const end = offset + recordHeaderBytes + length;
  if (end > buf.length) return { error: `record of ${length} bytes runs past the end of the file` };
  const stored = buf.readUInt32BE(offset);
  const computed = crc32(buf.subarray(offset + 4, end));
  if (stored !== computed) return { error: `record checksum mismatch (stored 0x${stored.toString(16)}, computed 0x${computed.toString(16)})` };
  let txn: Txn;
  try {
    const r = new ByteReader(buf, offset + recordHeaderBytes, { end });
    txn = decodeTxn(r);
    if (r.offset !== end) return { error: `record has ${end - r.offset} bytes after its txn` };
  } catch (e) {
    return { error: `undecodable txn: ${(e as Error).message}` };
  }
  const wrongZxid = zxidError(txn.zxid, rule);
  if (wrongZxid !== null) return { error: wrongZxid };
  return { txn, end };
}

/** True when any offset after `from` holds a record with a valid checksum: then `from` is not a torn tail. */
function goodRecordAfter(buf: Buffer, from: number, afterZxid: number): boolean {
  for (let p = from + 1; p + recordHeaderBytes < buf.length; p++) {
    const r = readRecord(buf, p, null);
    if ('txn' in r && r.txn.zxid > afterZxid) return true;
  }
  return false;
}

/**
 * Scans a whole log file. Never throws: a bad header or record is reported as a problem. With
 * `onRecord`, each good record goes there instead of into `records` (recovery keeps offsets, not a
 * million decoded txns for the collector to trace), except those before `deliverFrom` (recovery's
 * windowed scan handed those over already; they are still checked).
 */
export function scanLog(buf: Buffer, onRecord?: (txn: Txn, offset: number, end: number) => void, deliverFrom = 0): ScannedLog {
  const header = decodeLogHeader(buf);
  if (typeof header === 'string') {
    // A header cut short by a crash while the file was being created holds no txns.
    const torn = buf.length < logHeaderBytes;
    return { header: null, records: [], validEnd: 0, problem: { kind: torn ? 'torn' : 'corrupt', offset: 0, reason: header } };
  }
  const records: LogRecord[] = [];
  let offset = logHeaderBytes;
  let prev: number | null = null;
  while (offset < buf.length) {
    const r = readRecord(buf, offset, prev === null ? { exact: header.startZxid } : { after: prev });
    if ('error' in r) {
      // The zero-filled reserve after the last record (preallocation) is the normal end of a file.
      if (allZero(buf, offset)) break;
      const kind = goodRecordAfter(buf, offset, prev ?? header.startZxid - 1) ? 'corrupt' : 'torn';
      return { header, records, validEnd: offset, problem: { kind, offset, reason: r.error } };
    }
    if (onRecord) {
      if (offset >= deliverFrom) onRecord(r.txn, offset, r.end);
    }
    else records.push({ txn: r.txn, offset, bytes: r.end - offset });
    offset = r.end;
    prev = r.txn.zxid;
  }
  return { header, records, validEnd: offset, problem: null };
}

function allZero(buf: Buffer, from: number): boolean {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}

/** Decodes the records of `buf[from, end)`, which a scan found good, one at a time. */
export function forEachRecord(buf: Buffer, from: number, end: number, fn: (txn: Txn) => void): void {
  for (let offset = from; offset < end; ) {
    const recordEnd = offset + recordHeaderBytes + buf.readUInt32BE(offset + 4);
    fn(decodeTxn(new ByteReader(buf, offset + recordHeaderBytes, { end: recordEnd })));
    offset = recordEnd;
  }
}
