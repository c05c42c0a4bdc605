/**
 * Appends txns to the log with group commit. A lone append is written at once (one write opened with
 * O_DSYNC, so the write returns only when the bytes are on disk); appends that arrive while that write
 * is in flight wait together and the next write covers them all, up to a bounded batch. So throughput
 * grows with concurrency and a single writer still pays one disk sync per write.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Txn } from '@coord/data-tree';
import { fsyncDirAsync, logFileName } from './files';
import { encodeLogHeader, encodeRecords, logHeaderBytes } from './log-format';
import { removeLogs, truncateLogAfter, TruncateResult } from './log-truncate';

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
/**
 * The zeros that extend the file, written piece by piece from this one buffer: a fresh 2 MiB buffer per
 * extension left ~1 MiB holes in malloc's heap that nothing else reused (~25 MiB at 1M znodes).
 */
const zeros = Buffer.alloc(256 * 1024);

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

/** Work that runs in its place in the queue, with the log idle (and its file closed when asked). */
interface PendingRun {
  run: () => Promise<void>;
  closeFile: boolean;
  reject: (e: Error) => void;
}

type Pending = PendingAppend | PendingRun;

const isAppend = (p: Pending): p is PendingAppend => 'buf' in p;

export class LogWriter {
  private fd: fs.promises.FileHandle | null = null;
  private fileBytes = 0;
  /** Bytes of the current file that exist on disk (records plus the zero-filled reserve). */
  private allocatedBytes = 0;
  private extending: Promise<void> | null = null;
  private queue: Pending[] = [];
  private writing = false;
  private inFlight: Pending[] | null = null;
  private rollRequested = false;
  private failed: Error | null = null;
  private closed = false;
  /** Waiting for the log to cover a zxid (a snapshot's walk must be covered before it counts). */
  private readonly durableWaiters: { zxid: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  /** The newest zxid known to be on disk. */
  durableZxid = 0;
  readonly currentFiles: string[] = [];
  writes = 0;
  /** Bytes of records appended so far (monotonic; a snapshot's pacing watches how fast it grows). */
  bytesAppended = 0;
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

  /**
   * Starts without a file: the first append creates `log.<its first zxid>` (an ensemble member does
   * not know its next zxid in advance: a new epoch starts at counter 1).
   */
  openLazily(durableZxid: number): void {
    this.durableZxid = durableZxid;
  }

  /**
   * Drops every logged txn above `zxid`, across files (see log-truncate.ts); waits for the writes in
   * flight first. The next append starts a new file.
   */
  truncateAfter(zxid: number): Promise<TruncateResult> {
    return this.exclusive(async () => {
      const r = await truncateLogAfter(this.options.dir, zxid, this.options.forceSync);
      this.durableZxid = Math.min(this.durableZxid, zxid);
      return r;
    });
  }

  /** Removes every log file (a snapshot from the leader replaces the log); the next append starts a new file. */
  reset(durableZxid: number): Promise<string[]> {
    return this.exclusive(async () => {
      const removed = await removeLogs(this.options.dir, this.options.forceSync);
      this.durableZxid = durableZxid;
      return removed;
    });
  }

  /** The next append starts a new file (after a snapshot, so old files can be purged whole). */
  requestRoll(): void {
    this.rollRequested = true;
  }

  append(txns: readonly Txn[]): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new Error('txn log is closed'));
    if (txns.length === 0) return Promise.resolve();
    return this.appendRecords(encodeRecords(txns), txns[0].zxid, txns[txns.length - 1].zxid);
  }

  /** Records already encoded (log-format's encodeRecord / encodeRecordOfBody) for txns `firstZxid..lastZxid`; `buf` is the writer's from now on. */
  appendRecords(buf: Buffer, firstZxid: number, lastZxid: number): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new Error('txn log is closed'));
    this.bytesAppended += buf.length;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ buf, firstZxid, lastZxid, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  /**
   * Runs `fn` in call order with the appends: after every earlier append is durable, before any later
   * one is written. With `closeFile` (the default) the current file is closed first and the next
   * append starts a new one, so `fn` may truncate or remove log files. A failure of `fn` fails the
   * log, as a failed write does: the directory is in an unknown state.
   */
  exclusive<T>(fn: () => Promise<T>, options: { closeFile?: boolean } = {}): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new Error('txn log is closed'));
    return new Promise<T>((resolve, reject) => {
      const run = async () => resolve(await fn());
      this.queue.push({ run, closeFile: options.closeFile ?? true, reject });
      if (!this.writing) void this.drain();
    });
  }

  /** Resolves once every txn up to `zxid` is on disk. */
  whenDurable(zxid: number): Promise<void> {
    if (this.durableZxid >= zxid) return Promise.resolve();
    return new Promise((resolve, reject) => this.durableWaiters.push({ zxid, resolve, reject }));
  }

  /** Fails every `whenDurable` still waiting: the store is closing, those txns will never be logged. */
  abandonDurableWaits(reason: Error): void {
    for (const w of this.durableWaiters.splice(0)) w.reject(reason);
  }

  private resolveDurableWaiters(zxid: number): void {
    for (let i = this.durableWaiters.length - 1; i >= 0; i--) {
      if (this.durableWaiters[i].zxid <= zxid) this.durableWaiters.splice(i, 1)[0].resolve();
    }
  }

  /** Resolves when everything appended so far is durable. */
  async flush(): Promise<void> {
    while (this.writing || this.queue.length > 0) await new Promise((r) => setImmediate(r));
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.closeFile();
  }

  private async closeFile(): Promise<void> {
    if (this.extending) await this.extending;
    if (this.fd) await this.fd.close();
    this.fd = null;
    this.fileBytes = 0;
    this.allocatedBytes = 0;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        if (this.failed) throw this.failed;
        const head = this.queue[0];
        if (!isAppend(head)) {
          this.queue.shift();
          this.inFlight = [head];
          if (head.closeFile) await this.closeFile();
          await head.run();
          this.inFlight = null;
          continue;
        }
        const batch = this.takeBatch();
        if (!this.fd || this.rollRequested || (this.fileBytes >= this.fileBytesMax && this.fileBytes > logHeaderBytes)) {
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
        this.resolveDurableWaiters(last);
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

  /** The appends at the head of the queue, up to batchBytesMax (at least one) and up to the next run. */
  private takeBatch(): PendingAppend[] {
    let bytes = 0;
    let n = 0;
    for (; n < this.queue.length; n++) {
      const p = this.queue[n];
      if (!isAppend(p) || (n > 0 && bytes + p.buf.length > this.batchBytesMax)) break;
      bytes += p.buf.length;
    }
    return this.queue.splice(0, n) as PendingAppend[];
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
    for (let at = from; at < to; at += zeros.length) {
      const n = Math.min(zeros.length, to - at);
      await fd.write(zeros, 0, n, at);
    }
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
    if (this.options.forceSync) await fsyncDirAsync(this.options.dir);
    this.fileBytes = logHeaderBytes;
    this.allocatedBytes = logHeaderBytes;
    await this.extend(logHeaderBytes);
    this.currentFiles.push(file);
  }
}
