/**
 * Reading log files through one reused window instead of a Buffer of each whole file: a restart
 * reads the log twice (the scan, then the replay), and on this kind of VM the first write to freshly
 * allocated memory costs more CPU than reading the file itself (the kernel faults every page in), so
 * two 64 MB file buffers cost ~0.4 s where a 1 MiB window, touched once, costs nothing after.
 *
 * `scanLogWindows` is scanLog's common case: every record whole, its checksum good, its txn
 * decodable (skimTxn: checked as decodeTxn checks it, nothing allocated), its zxid next. It stops at
 * the first record it cannot accept and says where; the caller then runs scanLog over the whole file,
 * which judges that record (torn tail or corruption, and the message) exactly as before.
 */
import * as fs from 'node:fs';
import { OpTag, skimmed as skimmedImport, skimTxn as skimTxnImport } from '@coord/data-tree';
import { crc32Range } from './crc32-range';
import { decodeLogHeader, isNextZxid, LogHeader, logHeaderBytes, recordBytesMax, recordHeaderBytes } from './log-format';

// Bound once: a call through the package's re-export costs a getter per record otherwise.
const skimTxn = skimTxnImport;
const skimmed = skimmedImport;

/** What a window holds at least (it grows for a record that does not fit). */
export const logWindowBytes = 1 << 20;

/** A file read through one buffer that moves along it (reusable for file after file). */
export class FileWindow {
  buf: Buffer;
  /** Bytes in the open file. */
  size = 0;
  private fd = -1;
  /** File offset of buf[0], and how many bytes of the file the buffer holds from there. */
  private base = 0;
  private length = 0;

  /** `bytes`: the window's size (tests shrink it so records straddle windows). */
  constructor(bytes = logWindowBytes) {
    this.buf = Buffer.allocUnsafe(bytes);
  }

  open(path: string): void {
    this.close();
    this.fd = fs.openSync(path, 'r');
    this.size = fs.fstatSync(this.fd).size;
    this.base = 0;
    this.length = 0;
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }

  /** Where file offset `offset` sits in `buf` with `n` bytes after it, or -1 when the file ends first. */
  at(offset: number, n: number): number {
    if (offset >= this.base && offset + n <= this.base + this.length) return offset - this.base;
    if (offset + n > this.size) return -1;
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2));
    const want = Math.min(this.buf.length, this.size - offset);
    let got = 0;
    while (got < want) {
      const r = fs.readSync(this.fd, this.buf, got, want - got, offset + got);
      if (r === 0) break;
      got += r;
    }
    this.base = offset;
    this.length = got;
    return got >= n ? 0 : -1;
  }

  /** Whether every byte from `offset` to the end of the file is zero (the preallocated reserve). */
  zeroFrom(offset: number): boolean {
    for (let p = offset; p < this.size; ) {
      const n = Math.min(this.buf.length, this.size - p);
      const i = this.at(p, n);
      if (i < 0) return false;
      const b = this.buf;
      for (let k = i; k < i + n; k++) if (b[k] !== 0) return false;
      p += n;
    }
    return true;
  }
}

/** One good record: its zxid and op tag (OpTag), its txn's bytes `buf[at, payloadEnd)`, where the record is in the file. */
export type WindowRecord = (zxid: number, tag: number, buf: Buffer, at: number, payloadEnd: number, offset: number, end: number) => void;

export interface WindowScan {
  header: LogHeader | null;
  /** Just past the last record accepted. */
  validEnd: number;
  /** False when the scan stopped at a record (or header) it could not accept: scanLog must judge the file from there. */
  complete: boolean;
}

/** Scans the open file of `w` (see the file comment); `onRecord` gets every record it accepts, in order. */
export function scanLogWindows(w: FileWindow, onRecord: WindowRecord): WindowScan {
  const h = w.at(0, logHeaderBytes);
  const header = h < 0 ? null : decodeLogHeader(w.buf.subarray(h, h + logHeaderBytes));
  if (header === null || typeof header === 'string') return { header: null, validEnd: 0, complete: false };
  let offset = logHeaderBytes;
  let prev = -1;
  const stopped = (): WindowScan => ({ header, validEnd: offset, complete: false });
  while (offset < w.size) {
    let i = w.at(offset, recordHeaderBytes);
    if (i < 0) return stopped();
    const length = w.buf.readUInt32BE(i + 4);
    if (length === 0 || length > recordBytesMax) {
      if (w.zeroFrom(offset)) break;
      return stopped();
    }
    const end = offset + recordHeaderBytes + length;
    i = w.at(offset, recordHeaderBytes + length);
    if (i < 0) return stopped();
    const b = w.buf;
    const payloadAt = i + recordHeaderBytes;
    const payloadEnd = payloadAt + length;
    if (b.readUInt32BE(i) !== crc32Range(b, i + 4, payloadEnd)) return stopped();
    const tag = skimTxn(b, payloadAt, payloadEnd);
    if (tag < 0) return stopped();
    const zxid = skimmed.zxid;
    if (prev < 0 ? zxid !== header.startZxid : !isNextZxid(prev, zxid)) return stopped();
    onRecord(zxid, tag, b, payloadAt, payloadEnd, offset, end);
    offset = end;
    prev = zxid;
  }
  return { header, validEnd: offset, complete: true };
}

/** Hands the txn bytes of the records in `[from, end)` of the open file (a scan found them good) to `fn`, in order. */
export function forEachRecordIn(w: FileWindow, from: number, end: number, fn: (buf: Buffer, at: number, payloadEnd: number) => void): void {
  for (let offset = from; offset < end; ) {
    let i = w.at(offset, recordHeaderBytes);
    const length = i < 0 ? 0 : w.buf.readUInt32BE(i + 4);
    i = i < 0 ? -1 : w.at(offset, recordHeaderBytes + length);
    if (i < 0) throw new Error(`log record at ${offset} runs past the end of the file (it was whole when scanned)`);
    fn(w.buf, i + recordHeaderBytes, i + recordHeaderBytes + length);
    offset += recordHeaderBytes + length;
  }
}

/** Whether an op tag is one of the session txns (the scan decodes those: the session table follows them). */
export function isSessionTag(tag: number): boolean {
  return tag === OpTag.createSession || tag === OpTag.createSessionSecret || tag === OpTag.closeSession;
}

export function isCreateTag(tag: number): boolean {
  return tag === OpTag.create || tag === OpTag.createOwned;
}
