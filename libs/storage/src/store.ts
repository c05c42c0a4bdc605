/**
 * DurableStore: the txn log, the snapshot schedule and retention for one data directory. The node
 * calls `recover()` once, loads the result into its core, then `attach(tree)` and hands every batch
 * of txns to `append` (which resolves once they are on disk).
 */
import * as fs from 'node:fs';
import type { DataTree, Txn } from '@coord/data-tree';
import { LogWriter } from './log-writer';
import { purge, PurgeResult } from './purge';
import { applySessionTxn, recover, Recovered, RecoveryLogger, secretAfter } from './recovery';
import { SessionEntry } from './snapshot-format';
import { snapshotBytesPerSecondDefault, SnapshotResult, writeSnapshot } from './snapshot-writer';

export interface StoreLogger extends RecoveryLogger {
  error(msg: string, err?: unknown): void;
}

/** The sessions (and the session secret) a snapshot of the applied tree records. */
export interface AppliedSessions {
  sessions: Iterable<{ sessionId: bigint; timeOut: number }>;
  sessionSecret: Buffer | null;
}

export interface StoreOptions {
  snapDir: string;
  logDir: string;
  forceSync: boolean;
  /** Txns between snapshots, randomised to snapCount/2 + random(snapCount/2) as ZooKeeper does. */
  snapCount: number;
  snapRetainCount: number;
  /** Hours between automatic purges; 0 disables them. */
  purgeIntervalHours: number;
  repair?: boolean;
  log: StoreLogger;
  /** Injected randomness in [0, 1). */
  random: () => number;
  now: () => number;
  batchBytesMax?: number;
  logFileBytesMax?: number;
  snapshotNodesPerChunk?: number;
  /** A snapshot writes at most this many bytes per second (0: unpaced; snapshotBytesPerSecondDefault when absent). */
  snapshotBytesPerSecond?: number;
}

const msPerHour = 3_600_000;

export class DurableStore {
  private readonly writer: LogWriter;
  private tree: DataTree | null = null;
  private appliedSessions: (() => AppliedSessions) | null = null;
  /** The session secret as logged (the pipeline's view comes through appliedSessions when given). */
  private sessionSecret: Buffer | null = null;
  private readonly sessions = new Map<bigint, number>();
  private sinceSnapshot = 0;
  private snapshotAt: number;
  private snapshotting: Promise<SnapshotResult | null> | null = null;
  private purgeTimer: NodeJS.Timeout | null = null;
  lastAppendedZxid = 0;
  /** When the last txn was appended (o.now): a snapshot is paced only while writes keep coming. */
  private lastAppendAt = -Infinity;
  lastSnapshot: SnapshotResult | null = null;
  snapshotsTaken = 0;

  constructor(private readonly options: StoreOptions) {
    fs.mkdirSync(options.snapDir, { recursive: true });
    fs.mkdirSync(options.logDir, { recursive: true });
    this.writer = new LogWriter({ dir: options.logDir, forceSync: options.forceSync, batchBytesMax: options.batchBytesMax, fileBytesMax: options.logFileBytesMax });
    this.snapshotAt = this.nextSnapshotThreshold();
    if (!options.forceSync) {
      options.log.warn('forceSync=no: the txn log is NOT synced to disk; a crash or power loss can lose acknowledged writes. Use only for tests.');
    }
  }

  /** Reads the data directory; throws StorageError when it cannot be trusted. */
  recover(): Recovered {
    const o = this.options;
    const r = recover({ snapDir: o.snapDir, logDir: o.logDir, repair: o.repair, log: o.log });
    if (r.sessionsAfterTail) {
      // Recovery worked them out while it scanned, so the tail is not decoded here.
      for (const [sid, timeOut] of r.sessionsAfterTail) this.sessions.set(sid, timeOut);
      this.sessionSecret = r.sessionSecretAfterTail ?? null;
    } else {
      for (const [sid, timeOut] of r.sessions) this.sessions.set(sid, timeOut);
      for (const t of r.tail) applySessionTxn(this.sessions, t);
      this.sessionSecret = secretAfter(r.sessionSecret, r.tail);
    }
    this.lastAppendedZxid = r.lastZxid;
    this.sinceSnapshot = r.replayed;
    return r;
  }

  /**
   * Starts logging after recovery: a fresh log file from lastZxid + 1. `appliedSessions`, when given,
   * lists the sessions alive in `tree` as applied: the tree may then lag the log (a pipeline that applies
   * txns only once they are durable), and a snapshot starts at the tree's zxid with those sessions.
   */
  async attach(tree: DataTree, appliedSessions?: () => AppliedSessions): Promise<void> {
    this.tree = tree;
    this.appliedSessions = appliedSessions ?? null;
    await this.writer.open(this.lastAppendedZxid + 1, this.lastAppendedZxid);
    const hours = this.options.purgeIntervalHours;
    if (hours > 0) {
      this.purgeTimer = setInterval(() => this.autoPurge(), hours * msPerHour);
      this.purgeTimer.unref();
    }
  }

  append(txns: Txn[]): Promise<void> {
    for (const t of txns) applySessionTxn(this.sessions, t);
    this.sessionSecret = secretAfter(this.sessionSecret, txns);
    if (txns.length > 0) this.lastAppendedZxid = txns[txns.length - 1].zxid;
    this.lastAppendAt = this.options.now();
    const done = this.writer.append(txns);
    this.sinceSnapshot += txns.length;
    if (this.sinceSnapshot >= this.snapshotAt && !this.snapshotting) void this.snapshot();
    return done;
  }

  get durableZxid(): number {
    return this.writer.durableZxid;
  }

  /** Disk writes so far (each one a sync covering a whole group of txns). */
  get logWrites(): number {
    return this.writer.writes;
  }

  /**
   * Takes a snapshot now (in the background; resolves when it is on disk). Null when the tree holds
   * txns not yet handed to the log, which cannot happen between pumps.
   */
  snapshot(): Promise<SnapshotResult | null> {
    if (this.snapshotting) return this.snapshotting;
    const tree = this.tree;
    if (!tree) return Promise.resolve(null);
    const applied = this.appliedSessions;
    if (applied ? tree.lastProcessedZxid > this.lastAppendedZxid : tree.lastProcessedZxid !== this.lastAppendedZxid) return Promise.resolve(null);
    // The image starts at what the tree holds; the log has everything after it (replay is idempotent).
    const startZxid = tree.lastProcessedZxid;
    const ephemerals = tree.sessionsWithEphemerals();
    const live: AppliedSessions = applied
      ? applied()
      : { sessions: [...this.sessions].map(([sessionId, timeOut]) => ({ sessionId, timeOut })), sessionSecret: this.sessionSecret };
    const sessions: SessionEntry[] = [...live.sessions].map(({ sessionId, timeOut }) => ({ sessionId, timeOut, ephemerals: ephemerals.get(sessionId) ?? [] }));
    this.sinceSnapshot = 0;
    this.snapshotAt = this.nextSnapshotThreshold();
    this.writer.requestRoll();
    const o = this.options;
    this.snapshotting = writeSnapshot(
      {
        dir: o.snapDir,
        tree,
        startZxid,
        sessions,
        sessionSecret: live.sessionSecret,
        takenAt: o.now(),
        forceSync: o.forceSync,
        nodesPerChunk: o.snapshotNodesPerChunk,
        bytesPerSecondMax: o.snapshotBytesPerSecond ?? snapshotBytesPerSecondDefault,
        lastWriteAt: () => this.lastAppendAt,
        loggedBytes: () => this.writer.bytesAppended,
        waitDurable: (zxid) => this.writer.whenDurable(zxid),
      },
      o.now,
    ).then(
      (res) => {
        this.snapshotting = null;
        this.lastSnapshot = res;
        this.snapshotsTaken++;
        o.log.info(`Snapshot ${res.file}: ${res.nodes} nodes, ${res.bytes} bytes, zxid 0x${res.startZxid.toString(16)}..0x${res.endZxid.toString(16)} in ${res.ms} ms`);
        return res;
      },
      (err) => {
        this.snapshotting = null;
        o.log.error('Snapshot failed', err);
        return null;
      },
    );
    return this.snapshotting;
  }

  purgeNow(): PurgeResult {
    const o = this.options;
    return purge(o.snapDir, o.logDir, o.snapRetainCount);
  }

  async close(): Promise<void> {
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    await this.writer.close();
    // A snapshot still waiting for txns that will never be logged now is abandoned (its partial file removed).
    this.writer.abandonDurableWaits(new Error('store closed'));
    if (this.snapshotting) await this.snapshotting;
  }

  private autoPurge(): void {
    try {
      const r = this.purgeNow();
      this.options.log.info(`Purge: removed ${r.removedSnapshots.length} snapshots and ${r.removedLogs.length} log files`);
    } catch (e) {
      this.options.log.error('Purge failed', e);
    }
  }

  private nextSnapshotThreshold(): number {
    const half = Math.max(1, Math.floor(this.options.snapCount / 2));
    return half + Math.floor(this.options.random() * half);
  }
}
