/**
 * Appends txns to the log with group commit. A lone append is written at once (one write opened with
 * O_DSYNC, so the write returns only when the bytes are on disk); appends that arrive while that write
 * is in flight wait together and the next write covers them all, up to a bounded batch. So throughput
 * grows with concurrency and a single writer still pays one disk sync per write.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Txn } from '@coord/data-tree';
import { fsyncDir, logFileName } from './files';
import { encodeLogHeader, encodeRecords, logHeaderBytes } from './log-format';

/** One write (one disk sync) covers at most this many bytes of records, so a reply never waits behind an unbounded batch. */
export const batchBytesMaxDefault = 4 << 20;
/** A log file is rolled once it grows past this size (checked between batches). */
export const logFileBytesMaxDefault = 64 << 20;
/**
 * The file is kept zero-filled this far ahead of the last record. Overwriting bytes that already exist
 * does not change the file's size, so each synced write flushes data only, not the inode: on ext4 this
 * makes a lone writer's sync about 1.5x faster. Readers treat an all-zero remainder as the end.
 */
export const preallocStepBytes = 2 << 20;

export interface LogWriterOptions {
  dir: string;
  /** false only for tests: writes are not synced, a crash can lose acknowledged txns. */
  forceSync: boolean;
  dbid?: bigint;
  batchBytesMax?: number;
  fileBytesMax?: number;
}

interface PendingAppend {
  buf: Buffer;
  firstZxid: number;
  lastZxid: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

export class LogWriter {
  private fd: fs.promises.FileHandle | null = null;
  private fileBytes = 0;
  /** Bytes of the current file that exist on disk (records plus the zero-filled reserve). */
  private allocatedBytes = 0;
  private extending: Promise<void> | null = null;
  private queue: PendingAppend[] = [];
  private writing = false;
  private inFlight: PendingAppend[] | null = null;
  private rollRequested = false;
  private failed: Error | null = null;
  private closed = false;
  /** Called after each batch is durable (the snapshot trigger uses it). */
  onDurable: (lastZxid: number) => void = () => undefined;
  /** The newest zxid known to be on disk. */
  durableZxid = 0;
  readonly currentFiles: string[] = [];
  writes = 0;
  private readonly batchBytesMax: number;
  private readonly fileBytesMax: number;

  constructor(private readonly options: LogWriterOptions) {
    this.batchBytesMax = options.batchBytesMax ?? batchBytesMaxDefault;
    this.fileBytesMax = options.fileBytesMax ?? logFileBytesMaxDefault;
  }

  /** Opens a fresh file for txns from `nextZxid` on. */
  async open(nextZxid: number, durableZxid: number): Promise<void> {
    this.durableZxid = durableZxid;
    await this.startFile(nextZxid);
  }

  /** The next append starts a new file (after a snapshot, so old files can be purged whole). */
  requestRoll(): void {
    this.rollRequested = true;
  }

  append(txns: readonly Txn[]): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new Error('txn log is closed'));
    if (txns.length === 0) return Promise.resolve();
    const buf = encodeRecords(txns);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ buf, firstZxid: txns[0].zxid, lastZxid: txns[txns.length - 1].zxid, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  /** Resolves when everything appended so far is durable. */
  async flush(): Promise<void> {
    while (this.writing || this.queue.length > 0) await new Promise((r) => setImmediate(r));
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.extending) await this.extending;
    this.closed = true;
    if (this.fd) await this.fd.close();
    this.fd = null;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        if (this.failed) throw this.failed;
        const batch = this.takeBatch();
        if (this.rollRequested || (this.fileBytes >= this.fileBytesMax && this.fileBytes > logHeaderBytes)) {
          this.rollRequested = false;
          await this.startFile(batch[0].firstZxid);
        }
        this.inFlight = batch;
        const bufs = batch.map((p) => p.buf);
        let batchBytes = 0;
        for (const b of bufs) batchBytes += b.length;
        if (this.fileBytes + batchBytes > this.allocatedBytes) {
          if (this.extending) await this.extending;
          if (this.fileBytes + batchBytes > this.allocatedBytes) await this.extend(this.fileBytes + batchBytes);
        }
        await this.writeAll(bufs);
        this.writes++;
        this.fileBytes += batchBytes;
        // Grow the reserve in the background, alongside the next writes, before it runs out.
        if (!this.extending && this.allocatedBytes - this.fileBytes < preallocStepBytes / 2) {
          this.extending = this.extend(this.fileBytes)
            .catch((e) => {
              // Remembered, not thrown here: the next batch fails with it and the node stops.
              this.failed ??= e instanceof Error ? e : new Error(String(e));
            })
            .finally(() => (this.extending = null));
        }
        const last = batch[batch.length - 1].lastZxid;
        this.durableZxid = last;
        this.inFlight = null;
        for (const p of batch) p.resolve();
        this.onDurable(last);
      }
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      this.failed = err;
      for (const p of this.queue.splice(0)) p.reject(err);
      if (this.inFlight) this.inFlight.forEach((p) => p.reject(err));
    } finally {
      this.writing = false;
    }
  }

  private takeBatch(): PendingAppend[] {
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && (n === 0 || bytes + this.queue[n].buf.length <= this.batchBytesMax)) {
      bytes += this.queue[n].buf.length;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private async writeAll(bufs: Buffer[]): Promise<void> {
    const fd = this.fd as fs.promises.FileHandle;
    let rest = bufs;
    let position = this.fileBytes;
    for (;;) {
      const { bytesWritten } = await fd.writev(rest, position);
      position += bytesWritten;
      let total = 0;
      for (const b of rest) total += b.length;
      if (bytesWritten >= total) return;
      // A short write: continue with what is left (rare, but writev may stop early).
      const joined = Buffer.concat(rest).subarray(bytesWritten);
      rest = [joined];
    }
  }

  /** Zero-fills from the allocated end to one step past `atLeast`. */
  private async extend(atLeast: number): Promise<void> {
    const fd = this.fd as fs.promises.FileHandle;
    const from = this.allocatedBytes;
    const to = Math.max(from, atLeast) + preallocStepBytes;
    await fd.write(Buffer.alloc(to - from), 0, to - from, from);
    if (this.fd === fd) this.allocatedBytes = Math.max(this.allocatedBytes, to);
  }

  private async startFile(startZxid: number): Promise<void> {
    if (this.extending) await this.extending;
    if (this.fd) await this.fd.close();
    const file = path.join(this.options.dir, logFileName(startZxid));
    const c = fs.constants;
    // O_DSYNC makes each write durable before it returns: one syscall per batch instead of write + fdatasync.
    const flags = c.O_WRONLY | c.O_CREAT | c.O_TRUNC | (this.options.forceSync ? c.O_DSYNC : 0);
    this.fd = await fs.promises.open(file, flags, 0o644);
    await this.fd.write(encodeLogHeader({ dbid: this.options.dbid ?? 0n, startZxid }));
    if (this.options.forceSync) fsyncDir(this.options.dir);
    this.fileBytes = logHeaderBytes;
    this.allocatedBytes = logHeaderBytes;
    await this.extend(logHeaderBytes);
    this.currentFiles.push(file);
  }
}
