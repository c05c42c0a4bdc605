/**
 * The ZAB peer's durable state in `<dataDir>/zab/`: an append-only txn log (`log`) and the two epochs
 * (`epochs`, replaced atomically), executed from Ready.persist in the order docs/zab.md §3 fixes
 * (truncate, append, then epochs) with one fdatasync per Ready (group commit). Writes are synchronous:
 * a Ready's messagesAfterPersist (ACKs, ACKEPOCH, LEADERINFO) must not leave before the fsync, and the
 * fsync of one batch is short next to a network round trip.
 *
 * Record: u32 body length, u32 CRC-32 of the body, body = u64 zxid + payload. On open, a torn or
 * corrupt tail (a crash mid-append: never acknowledged, since ACKs follow the fsync) is cut off.
 * `snapshot` (u64 zxid, u32 CRC-32, then the tree-snapshot.ts bytes) replaces the log up to its zxid:
 * after `compact` the log is rewritten without those records; records at or below it are ignored.
 * libs/storage keeps the standalone node's log and snapshots; its format carries data-tree txns, not
 * ZAB's (truncation, epochs), so the ensemble keeps its own small log here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32Portable, fsyncDir } from '@coord/storage';
import type { Persist, PeerStorage, Txn } from '@coord/zab';

const recordHeadBytes = 8;
const zxidBytes = 8;
/** A record longer than this is corruption, not data (bytes). */
const recordBytesMax = 256 << 20;

export class ZabDisk {
  private readonly dir: string;
  private readonly logPath: string;
  private readonly epochsPath: string;
  private readonly snapshotPath: string;
  private fd: number;
  private size = 0;
  /** zxid -> byte offset of each logged record, in zxid order (for truncation). */
  private zxids: number[] = [];
  private offsets: number[] = [];
  private epochs = { acceptedEpoch: 0, currentEpoch: 0 };

  constructor(
    dataDir: string,
    private readonly forceSync: boolean,
  ) {
    this.dir = path.join(dataDir, 'zab');
    fs.mkdirSync(this.dir, { recursive: true });
    this.logPath = path.join(this.dir, 'log');
    this.epochsPath = path.join(this.dir, 'epochs');
    this.snapshotPath = path.join(this.dir, 'snapshot');
    // r+ (not append mode): records are written at explicit offsets, after truncations too.
    if (!fs.existsSync(this.logPath)) fs.closeSync(fs.openSync(this.logPath, 'w'));
    this.fd = fs.openSync(this.logPath, 'r+');
  }

  /** Reads what survived (cutting a torn tail) as the Peer's starting storage. */
  recover(): PeerStorage<Uint8Array> & { cutBytes: number } {
    try {
      const [a, c] = fs.readFileSync(this.epochsPath, 'utf8').trim().split(/\s+/).map(Number);
      if (Number.isInteger(a) && Number.isInteger(c)) this.epochs = { acceptedEpoch: a, currentEpoch: c };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const snapshot = this.readSnapshot();
    const buf = fs.readFileSync(this.logPath);
    const log: Txn<Uint8Array>[] = [];
    let pos = 0;
    while (pos + recordHeadBytes <= buf.length) {
      const n = buf.readUInt32BE(pos);
      if (n < zxidBytes || n > recordBytesMax || pos + recordHeadBytes + n > buf.length) break;
      const body = buf.subarray(pos + recordHeadBytes, pos + recordHeadBytes + n);
      if (crc32Portable(body) !== buf.readUInt32BE(pos + 4)) break;
      const zxid = Number(body.readBigUInt64BE(0));
      if (log.length > 0 && zxid <= log[log.length - 1].zxid) break;
      if (zxid > snapshot.zxid) log.push({ zxid, payload: Uint8Array.from(body.subarray(zxidBytes)) });
      this.zxids.push(zxid);
      this.offsets.push(pos);
      pos += recordHeadBytes + n;
    }
    const cutBytes = buf.length - pos;
    if (cutBytes > 0) {
      fs.ftruncateSync(this.fd, pos);
      fs.fsyncSync(this.fd);
    }
    this.size = pos;
    return { ...this.epochs, snapshot, log, cutBytes };
  }

  /** Executes Ready.persist; returns after the fsync when `mustSync`. */
  persist(p: Persist<Uint8Array>, mustSync: boolean): void {
    if (p.snapshot) {
      // A SNAP from the leader: the snapshot replaces the whole log.
      this.writeSnapshot(p.snapshot.zxid, p.snapshot.data as Uint8Array);
      this.truncateAfter(-1);
    }
    if (p.truncateAfter !== undefined) this.truncateAfter(p.truncateAfter);
    if (p.entries.length > 0) this.append(p.entries);
    if (mustSync && this.forceSync) fs.fdatasyncSync(this.fd);
    if (p.acceptedEpoch !== undefined || p.currentEpoch !== undefined) {
      this.epochs = { acceptedEpoch: p.acceptedEpoch ?? this.epochs.acceptedEpoch, currentEpoch: p.currentEpoch ?? this.epochs.currentEpoch };
      const tmp = this.epochsPath + '.tmp';
      const fd = fs.openSync(tmp, 'w');
      try {
        fs.writeSync(fd, `${this.epochs.acceptedEpoch} ${this.epochs.currentEpoch}\n`);
        if (this.forceSync) fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, this.epochsPath);
      if (this.forceSync) fsyncDir(this.dir);
    }
  }

  /** Our own snapshot at `zxid` (<= committed): keep it, then rewrite the log without what it covers. */
  compact(zxid: number, data: Uint8Array): void {
    this.writeSnapshot(zxid, data);
    let i = 0;
    while (i < this.zxids.length && this.zxids[i] <= zxid) i++;
    if (i === 0) return;
    const base = i < this.offsets.length ? this.offsets[i] : this.size;
    const rest = Buffer.alloc(this.size - base);
    if (rest.length > 0) fs.readSync(this.fd, rest, 0, rest.length, base);
    const tmp = this.logPath + '.tmp';
    fs.writeFileSync(tmp, rest);
    if (this.forceSync) {
      const fd = fs.openSync(tmp, 'r');
      fs.fsyncSync(fd);
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.logPath);
    if (this.forceSync) fsyncDir(this.dir);
    fs.closeSync(this.fd);
    this.fd = fs.openSync(this.logPath, 'r+');
    this.zxids = this.zxids.slice(i);
    this.offsets = this.offsets.slice(i).map((o) => o - base);
    this.size = rest.length;
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  private readSnapshot(): { zxid: number; data: Uint8Array | undefined } {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(this.snapshotPath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { zxid: 0, data: undefined };
      throw e;
    }
    const data = buf.subarray(zxidBytes + 4);
    // Written to a temp file and renamed after an fsync, so a bad one is corruption, not a crash.
    if (buf.length < zxidBytes + 4 || crc32Portable(data) !== buf.readUInt32BE(zxidBytes)) {
      throw new Error(`${this.snapshotPath} is corrupt (CRC mismatch)`);
    }
    return { zxid: Number(buf.readBigUInt64BE(0)), data: Uint8Array.from(data) };
  }

  private writeSnapshot(zxid: number, data: Uint8Array): void {
    const head = Buffer.allocUnsafe(zxidBytes + 4);
    head.writeBigUInt64BE(BigInt(zxid), 0);
    head.writeUInt32BE(crc32Portable(Buffer.from(data.buffer, data.byteOffset, data.byteLength)), zxidBytes);
    const tmp = this.snapshotPath + '.tmp';
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, head);
      fs.writeSync(fd, data);
      if (this.forceSync) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.snapshotPath);
    if (this.forceSync) fsyncDir(this.dir);
  }

  private append(entries: readonly Txn<Uint8Array>[]): void {
    const parts: Buffer[] = [];
    let offset = this.size;
    for (const t of entries) {
      const body = Buffer.allocUnsafe(zxidBytes + t.payload.length);
      body.writeBigUInt64BE(BigInt(t.zxid), 0);
      body.set(t.payload, zxidBytes);
      const head = Buffer.allocUnsafe(recordHeadBytes);
      head.writeUInt32BE(body.length, 0);
      head.writeUInt32BE(crc32Portable(body), 4);
      parts.push(head, body);
      this.zxids.push(t.zxid);
      this.offsets.push(offset);
      offset += recordHeadBytes + body.length;
    }
    const all = Buffer.concat(parts);
    let written = 0;
    while (written < all.length) written += fs.writeSync(this.fd, all, written, all.length - written, this.size + written);
    this.size = offset;
  }

  private truncateAfter(zxid: number): void {
    let i = this.zxids.length;
    while (i > 0 && this.zxids[i - 1] > zxid) i--;
    if (i === this.zxids.length) return;
    const cutAt = this.offsets[i];
    this.zxids.length = i;
    this.offsets.length = i;
    fs.ftruncateSync(this.fd, cutAt);
    this.size = cutAt;
  }
}
