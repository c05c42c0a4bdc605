/**
 * An ensemble member's durable state, in the standalone node's formats (`@coord/storage`, see
 * docs/formats.md): `log.<zxid>` files (CRC per record, group commit, torn-tail repair), fuzzy
 * `snapshot.<zxid>` files written in the background, retention by `purge`, plus ZooKeeper's
 * `acceptedEpoch` and `currentEpoch` files. So `inspect-log`, `inspect-snapshot` and `purge` work
 * on a member's data directory as they do on a standalone node's.
 *
 * `persist` executes a ZAB `ZabReady.persist` in docs/zab.md's order (snapshot, truncation, entries,
 * epochs) through one LogWriter queue, so calls run strictly in call order, appends made while a write
 * is on its way share the next one, and nothing on this path blocks the event loop.
 *
 * A ZAB snapshot's `data` is @coord/storage's snapshot data: the snapshot file plus the log txns that
 * make its fuzzy image exact (snapshot-data.ts), and its `zxid` is the file's end zxid, where that
 * image is exact. So a member restores from it without a log, and ZAB's log continues after it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DataTree, Txn as TreeTxn } from '@coord/data-tree';
import {
  encodeRecordOfBody, encodeSnapshotData, fsyncDirAsync, isNextZxid, listLogsAsync, listSnapshotsAsync, loadSnapshotData, LogWriter, parseSnapshotData,
  partialSuffix, purge, recover, removeLogs, replaceFileAsync, scanLog, SessionEntry, snapshotBytesPerSecondDefault, snapshotFileName, StorageError, StoreLogger, writeSnapshot,
  type LoadedSnapshotData, type SnapshotDataParts,
} from '@coord/storage';
import type { Persist, PeerStorage, Snapshot, ZabTxn } from '@coord/zab';
import { ByteWriter } from '@coord/bytes';
import { encodeTxnPayload, txnBodyOffset } from '@coord/envelope';

export const acceptedEpochFileName = 'acceptedEpoch';
export const currentEpochFileName = 'currentEpoch';

export interface ZabStoreOptions {
  /** Snapshots and the epoch files (ZooKeeper's dataDir). */
  dataDir: string;
  /** Log files; defaults to dataDir (ZooKeeper's dataLogDir). */
  dataLogDir?: string;
  /** false only for tests: nothing is synced, a crash can lose acknowledged txns. */
  forceSync: boolean;
  /** Snapshots kept (at least 3, as libs/storage's purge rules say), with the logs they need. */
  snapRetainCount: number;
  log: StoreLogger;
  now: () => number;
  /** Nodes serialised per event-loop turn while a snapshot is written. */
  snapshotNodesPerChunk?: number;
  /** A snapshot writes at most this many bytes per second (0: unpaced; snapshotBytesPerSecondDefault when absent). */
  snapshotBytesPerSecond?: number;
  /** As the standalone node's --repair: truncate a corrupt log, set a corrupt snapshot aside. */
  repair?: boolean;
}

/** A snapshot that a SNAP from the leader made obsolete while it was being written. */
export class SnapshotSupersededError extends Error {
  constructor(zxid: number) {
    super(`snapshot at zxid 0x${zxid.toString(16)} superseded by a snapshot installed from the leader`);
    this.name = 'SnapshotSupersededError';
  }
}

export class ZabStore {
  private readonly snapDir: string;
  private readonly logDir: string;
  private readonly writer: LogWriter;
  private epochs = { acceptedEpoch: 0, currentEpoch: 0 };
  /** When txns were last given to persist (options.now): a snapshot is paced only while writes keep coming. */
  private lastPersistAt = -Infinity;
  /** Settles after the last persist call: calls settle in call order. */
  private lastPersist: Promise<void> = Promise.resolve();
  private snapshotting: Promise<Snapshot> | null = null;
  /** Counts snapshots installed from the leader: a snapshot of our own that straddles one is dropped. */
  private installs = 0;
  /** File names of the snapshots installed from the leader (ours must never remove one of them). */
  private readonly installedNames = new Set<string>();
  private closed = false;

  constructor(private readonly options: ZabStoreOptions) {
    this.snapDir = options.dataDir;
    this.logDir = options.dataLogDir ?? options.dataDir;
    fs.mkdirSync(this.snapDir, { recursive: true });
    fs.mkdirSync(this.logDir, { recursive: true });
    this.writer = new LogWriter({ dir: this.logDir, forceSync: options.forceSync });
    if (!options.forceSync) {
      options.log.warn('forceSync=no: the txn log is NOT synced to disk; a crash or power loss can lose acknowledged writes. Use only for tests.');
    }
  }

  /**
   * What survived on disk, as the ZAB Peer's starting storage: the epochs, the newest usable snapshot
   * (as snapshot data, zxid = where it is exact) and the logged txns after it (payloads with origin 0).
   * A torn tail is cut (`cutBytes`); anything else wrong throws StorageError naming file and offset.
   * Runs once, before the member starts, so it may read synchronously.
   */
  recover(): PeerStorage<Uint8Array> & { cutBytes: number } {
    const o = this.options;
    this.epochs = { acceptedEpoch: this.readEpoch(acceptedEpochFileName), currentEpoch: this.readEpoch(currentEpochFileName) };
    const r = recover({ snapDir: this.snapDir, logDir: this.logDir, log: o.log, repair: o.repair });
    let snapshot: Snapshot = { zxid: 0, data: undefined };
    if (r.snapshotFile) {
      const data = encodeSnapshotData(fs.readFileSync(r.snapshotFile), r.imageTxns);
      snapshot = { zxid: r.imageZxid, data: Uint8Array.from(data) };
    }
    this.writer.openLazily(r.lastZxid);
    const log: ZabTxn<Uint8Array>[] = r.tail.map((t) => ({ zxid: t.zxid, payload: encodeTxnPayload(0, t) }));
    return { ...this.epochs, snapshot, log, cutBytes: r.cutBytes };
  }

  /**
   * Executes ZabReady.persist: snapshot (replaces the whole log), truncation, entries, then the epochs.
   * Resolves once all of it is on disk (with forceSync every write is synced, so `mustSync` needs no
   * extra step); calls resolve in call order, and a failed write fails every later call. A call whose
   * input is malformed (snapshot data, payloads) rejects before anything of it reaches the disk.
   */
  persist(p: Persist<Uint8Array>, mustSync: boolean): Promise<void> {
    // Every write is synced (forceSync) or none is (tests), so mustSync asks for nothing extra.
    void mustSync;
    if (this.closed) return Promise.reject(new Error('ZAB store is closed'));
    if (p.entries.length > 0) this.lastPersistAt = this.options.now();
    let parts: SnapshotDataParts | null = null;
    let records: Buffer | null = null;
    try {
      if (p.snapshot) parts = this.snapshotParts(p.snapshot);
      if (p.entries.length > 0) records = recordsOf(p.entries);
    } catch (e) {
      return Promise.reject(e);
    }
    const steps: Promise<unknown>[] = [this.lastPersist];
    if (parts) {
      const installing = parts;
      this.installs++;
      this.installedNames.add(snapshotFileName(installing.startZxid));
      steps.push(this.writer.exclusive(() => this.install(installing)));
      steps.push(this.writer.append(installing.txns));
    }
    if (p.truncateAfter !== undefined) steps.push(this.writer.truncateAfter(p.truncateAfter));
    if (records) steps.push(this.writer.appendRecords(records, p.entries[0].zxid, p.entries[p.entries.length - 1].zxid));
    if (p.acceptedEpoch !== undefined || p.currentEpoch !== undefined) {
      this.epochs = { acceptedEpoch: p.acceptedEpoch ?? this.epochs.acceptedEpoch, currentEpoch: p.currentEpoch ?? this.epochs.currentEpoch };
      // In the queue after this call's entries (ZOOKEEPER-4643: the epoch must not reach disk first).
      steps.push(this.writer.exclusive(() => this.writeEpochs(p.acceptedEpoch, p.currentEpoch), { closeFile: false }));
    }
    const done = Promise.all(steps).then(() => undefined);
    this.lastPersist = done;
    return done;
  }

  private snapshotParts(snapshot: Snapshot): SnapshotDataParts {
    const parts = parseSnapshotData(snapshot.data as Uint8Array);
    if (parts.endZxid !== snapshot.zxid) {
      throw new StorageError(`snapshot data end at zxid 0x${parts.endZxid.toString(16)}, ZAB says 0x${snapshot.zxid.toString(16)}`, '<snapshot data>', 0);
    }
    return parts;
  }

  /**
   * Writes a fuzzy snapshot of the applied state at `zxid` (the tree's lastProcessedZxid) in the
   * background, then purges old snapshots and logs. Resolves to the ZAB snapshot: its zxid is where the
   * data are exact (the walk's end zxid), for `Peer.compact` and SNAP. Rejects with
   * SnapshotSupersededError if a snapshot from the leader was installed meanwhile. A call while one
   * is being written returns that one.
   */
  snapshot(
    tree: DataTree,
    sessions: Iterable<{ sessionId: bigint; timeOut: number }>,
    zxid: number,
    sessionSecret: Buffer | null = null,
    logged?: (after: number, through: number) => TreeTxn[],
  ): Promise<Snapshot> {
    if (this.snapshotting) return this.snapshotting;
    if (this.closed) return Promise.reject(new Error('ZAB store is closed'));
    if (tree.lastProcessedZxid !== zxid) {
      return Promise.reject(new Error(`snapshot at zxid 0x${zxid.toString(16)} of a tree at 0x${tree.lastProcessedZxid.toString(16)}: the tree's lastProcessedZxid must be the applied zxid`));
    }
    const ephemerals = tree.sessionsWithEphemerals();
    const entries: SessionEntry[] = [...sessions].map((s) => ({ sessionId: s.sessionId, timeOut: s.timeOut, ephemerals: ephemerals.get(s.sessionId) ?? [] }));
    const installs = this.installs;
    // Txns after the snapshot go to a new file, so purge can later drop the older files whole.
    this.writer.requestRoll();
    const o = this.options;
    const job = writeSnapshot(
      {
        dir: this.snapDir, tree, startZxid: zxid, sessions: entries, sessionSecret, takenAt: o.now(), forceSync: o.forceSync,
        nodesPerChunk: o.snapshotNodesPerChunk, bytesPerSecondMax: o.snapshotBytesPerSecond ?? snapshotBytesPerSecondDefault,
        lastWriteAt: () => this.lastPersistAt, loggedBytes: () => this.writer.bytesAppended, waitDurable: (z) => this.writer.whenDurable(z),
      },
      o.now,
    ).then(async (res) => {
      if (this.installs !== installs) {
        // Same start zxid as an installed one: the same committed state, so whichever file is there stays.
        if (!this.installedNames.has(path.basename(res.file))) await fs.promises.rm(res.file, { force: true });
        throw new SnapshotSupersededError(res.endZxid);
      }
      // The walk's txns, from memory when the caller still holds them all (reading them back from the
      // log files would read and check whole files, preallocated space included, on every snapshot).
      const held = res.endZxid > res.startZxid && logged ? logged(res.startZxid, res.endZxid) : [];
      const txns = res.endZxid === res.startZxid ? [] : logRangeProblem(held, res.startZxid, res.endZxid) === null ? held : await this.readLog(res.startZxid, res.endZxid);
      const data = encodeSnapshotData(await fs.promises.readFile(res.file), txns);
      const purged = await this.writer.exclusive(async () => purge(this.snapDir, this.logDir, o.snapRetainCount), { closeFile: false });
      o.log.info(
        `Snapshot ${res.file}: ${res.nodes} nodes, ${res.bytes} bytes, zxid 0x${res.startZxid.toString(16)}..0x${res.endZxid.toString(16)} in ${res.ms} ms` +
          (purged.removedSnapshots.length + purged.removedLogs.length > 0 ? `; purged ${purged.removedSnapshots.length} snapshots, ${purged.removedLogs.length} log files` : ''),
      );
      return { zxid: res.endZxid, data: Uint8Array.from(data) };
    });
    this.snapshotting = job;
    const clear = () => {
      if (this.snapshotting === job) this.snapshotting = null;
    };
    job.then(clear, clear);
    return job;
  }

  /** Log writes so far: each one synced write covers a group of persist calls. */
  get logWrites(): number {
    return this.writer.writes;
  }

  /** Waits for the persist calls made so far, abandons a snapshot in progress, closes the log. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.lastPersist.catch(() => undefined);
    this.writer.abandonDurableWaits(new Error('ZAB store closed'));
    if (this.snapshotting) await this.snapshotting.catch(() => undefined);
    await this.writer.close();
  }

  /** A SNAP from the leader: its snapshot file goes in, every log file and older snapshot goes. */
  private async install(parts: SnapshotDataParts): Promise<void> {
    const name = snapshotFileName(parts.startZxid);
    const final = path.join(this.snapDir, name);
    await replaceFileAsync(final, parts.file, this.options.forceSync, final + partialSuffix);
    if (this.options.forceSync) await fsyncDirAsync(this.snapDir);
    // The snapshot is durable first: a crash from here on recovers it or, if its txns are not yet
    // logged, an empty member that the leader syncs again. Never an old log under a new snapshot.
    await removeLogs(this.logDir, this.options.forceSync);
    for (const s of await listSnapshotsAsync(this.snapDir)) if (s.name !== name) await fs.promises.rm(s.path, { force: true });
    if (this.options.forceSync) await fsyncDirAsync(this.snapDir);
    this.writer.durableZxid = parts.startZxid;
    this.options.log.info(`Installed the leader's snapshot as ${final} (zxid 0x${parts.startZxid.toString(16)}..0x${parts.endZxid.toString(16)}); the log starts over`);
  }

  /** ZooKeeper's epoch files: one decimal number each, replaced atomically (tmp, sync, rename). */
  private async writeEpochs(acceptedEpoch: number | undefined, currentEpoch: number | undefined): Promise<void> {
    const forceSync = this.options.forceSync;
    if (acceptedEpoch !== undefined) await replaceFileAsync(path.join(this.snapDir, acceptedEpochFileName), String(acceptedEpoch), forceSync);
    if (currentEpoch !== undefined) await replaceFileAsync(path.join(this.snapDir, currentEpochFileName), String(currentEpoch), forceSync);
    if (this.options.forceSync) await fsyncDirAsync(this.snapDir);
  }

  private readEpoch(name: string): number {
    const file = path.join(this.snapDir, name);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw e;
    }
    const value = Number(text.trim());
    if (text.trim() === '' || !Number.isSafeInteger(value) || value < 0) throw new StorageError(`not an epoch: ${JSON.stringify(text.slice(0, 40))}`, file, 0);
    return value;
  }

  /** The logged txns in (after, through], read back from the log files (they are durable by now). */
  private async readLog(after: number, through: number): Promise<TreeTxn[]> {
    const logs = await listLogsAsync(this.logDir);
    let from = 0;
    for (let i = 0; i < logs.length; i++) if (logs[i].zxid <= after + 1) from = i;
    const out: TreeTxn[] = [];
    for (const file of logs.slice(from)) {
      if (file.zxid > through) break;
      // The newest file may be growing: its records up to `through` are durable and whole.
      for (const r of scanLog(await fs.promises.readFile(file.path)).records) {
        if (r.txn.zxid > after && r.txn.zxid <= through) out.push(r.txn);
      }
    }
    const problem = logRangeProblem(out, after, through);
    if (problem !== null) throw new Error(problem);
    return out;
  }
}

/** null when `txns` are every txn in (after, through], in order; else why not. */
function logRangeProblem(txns: readonly TreeTxn[], after: number, through: number): string | null {
  const contiguous = txns.every((t, i) => isNextZxid(i === 0 ? after : txns[i - 1].zxid, t.zxid));
  if (contiguous && (txns.length > 0 ? txns[txns.length - 1].zxid : after) === through) return null;
  return `the log does not hold every txn in 0x${after.toString(16)}..0x${through.toString(16)} for the snapshot`;
}

/**
 * ZAB log entries as log records: each txn with the zxid ZAB gave it (the origin stays out of the log),
 * copied from the payload's bytes (no decode and encode). Throws on a payload that is not a txn.
 */
function recordsOf(entries: readonly ZabTxn<Uint8Array>[]): Buffer {
  // Sized once (a record is never longer than its payload plus a header and a zxid's varint).
  let bytes = 0;
  for (const e of entries) bytes += e.payload.length + 24;
  const w = new ByteWriter(bytes);
  for (const e of entries) encodeRecordOfBody(w, e.zxid, e.payload, txnBodyOffset(e.payload));
  // The writer is this call's own: its bytes go to the log as they are.
  return w.view();
}

/** Turns ZAB snapshot data (see snapshot-data.ts in @coord/storage) into what the pipeline restores. */
export function decodeSnapshotData(data: Uint8Array): LoadedSnapshotData {
  return loadSnapshotData(data);
}
