/**
 * Writes a fuzzy snapshot in the background: the sessions (and their ephemerals) are captured at the
 * start zxid in one step, then the tree is walked a chunk of nodes per event-loop turn while requests
 * keep being served, so no request waits behind the walk for more than one chunk. The file becomes
 * `snapshot.<startZxid>` only when complete, synced, and the log holds every txn up to the zxid the
 * walk ended at (recovery replays those txns over the image; see @coord/data-tree snapshot.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DataTree } from '@coord/data-tree';
import { ByteWriter } from '@coord/bytes';
import { crc32 } from './crc32';
import { fsyncDir, partialSuffix, snapshotFileName } from './files';
import {
  AclNumbering,
  encodeEnd,
  encodeNodeRange,
  encodeRecordItem,
  encodeSessions,
  encodeSnapshotFooter,
  encodeSnapshotHeader,
  encodeTimeBase,
  SessionEntry,
  snapshotVersion,
} from './snapshot-format';

/** Nodes serialised per event-loop turn at most. */
export const snapshotNodesPerChunkDefault = 1000;
/**
 * A turn also ends after this much time (checked every sliceCheckNodes nodes on the monotonic
 * high-resolution clock; Date.now's 1 ms steps would let a turn run twice as long): requests that
 * arrive during a snapshot wait behind at most about this much of its work.
 */
const sliceMs = 0.1;
const sliceCheckNodes = 32;
/**
 * What a snapshot writes per second at most by default (bytesPerSecondMax) while writes are being
 * served: a snapshot of 1,000,000 znodes of 100 B (~134 MB) takes ~8 s under load instead of ~1.5 s, and
 * the requests do not compete with it for the CPU and the disk all at once (set p99 under snapshots,
 * docs/benchmarks.md). An idle server writes its snapshot as fast as it goes.
 */
export const snapshotBytesPerSecondDefault = 16 << 20;
/** How long after the last logged write (lastWriteAt) a server counts as idle for the pacing (ms). */
const pacingIdleMs = 200;
/** Log bytes written during a snapshot after which it stops pacing itself (loggedBytes). */
export const pacedLogBytesMax = 64 << 20;
/** Encoded bytes buffered before a file write (also a yield point, for nodes with large data; its CRC is one pass). */
const writeChunkBytes = 64 << 10;
/**
 * With forceSync, the file is synced every this many bytes while it is written, so the disk sees a
 * steady trickle instead of one large write-back at the end that txn-log syncs would queue behind.
 */
const syncEveryBytes = 2 << 20;

export interface SnapshotJob {
  dir: string;
  tree: DataTree;
  startZxid: number;
  sessions: SessionEntry[];
  /** The replicated session-password secret (null before the first one is applied). */
  sessionSecret?: Buffer | null;
  takenAt: number;
  dbid?: bigint;
  forceSync: boolean;
  nodesPerChunk?: number;
  /** Bytes written per second at most, measured from the start of the walk (0 or absent: as fast as it goes). */
  bytesPerSecondMax?: number;
  /** When the server last logged a write, on `clock`: the pacing applies while that is recent (always, when absent). */
  lastWriteAt?: () => number;
  /**
   * Bytes the txn log has taken so far (monotonic): once pacedLogBytesMax more were logged since this
   * snapshot began, the pacing stops, so the log it lets go of (an ensemble member holds it in memory,
   * a restart replays it) does not pile up behind a slow snapshot.
   */
  loggedBytes?: () => number;
  /** The clock and the wait of the pacing (tests pass their own). */
  pacing?: Pacing;
  /** The format version to write (tests write 2, the version before record items, to check it still loads). */
  formatVersion?: 2 | 3;
  /** Resolves once the log has every txn up to `zxid` on disk. */
  waitDurable(zxid: number): Promise<void>;
}

export interface SnapshotResult {
  file: string;
  bytes: number;
  nodes: number;
  startZxid: number;
  endZxid: number;
  ms: number;
}

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

export interface Pacing {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  wait(ms: number): Promise<void>;
}

const realPacing: Pacing = { now: () => performance.now(), wait: (ms) => new Promise((r) => setTimeout(r, ms)) };

/**
 * After `bytes` of the file are written: waits until writing them took 1/rate seconds per byte since
 * the first call (a rate of 0 never waits). While `paced` says no, nothing waits and the count starts
 * over from there (an unpaced stretch earns no credit and leaves no debt). Waits under a millisecond
 * are skipped (timer granularity).
 */
function pacer(bytesPerSecond: number, p: Pacing, paced: () => boolean): (bytes: number) => Promise<void> {
  if (bytesPerSecond <= 0) return () => Promise.resolve();
  let started = p.now();
  let counted = 0;
  return (bytes) => {
    const now = p.now();
    if (!paced()) {
      started = now;
      counted = bytes;
      return Promise.resolve();
    }
    const ahead = ((bytes - counted) / bytesPerSecond) * 1000 - (now - started);
    return ahead >= 1 ? p.wait(ahead) : Promise.resolve();
  };
}

export async function writeSnapshot(job: SnapshotJob, clock: () => number = Date.now): Promise<SnapshotResult> {
  const started = clock();
  const final = path.join(job.dir, snapshotFileName(job.startZxid));
  const partial = final + partialSuffix;
  const fh = await fs.promises.open(partial, 'w', 0o644);
  let crc = 0;
  let bytes = 0;
  let unsynced = 0;
  const w = new ByteWriter(writeChunkBytes * 2);
  const lastWriteAt = job.lastWriteAt;
  const loggedBytes = job.loggedBytes;
  const loggedAtStart = loggedBytes?.() ?? 0;
  const paced = () =>
    (lastWriteAt === undefined || clock() - lastWriteAt() < pacingIdleMs) && (loggedBytes === undefined || loggedBytes() - loggedAtStart < pacedLogBytesMax);
  const pace = pacer(job.bytesPerSecondMax ?? 0, job.pacing ?? realPacing, paced);
  // The writer's own buffer goes to the file (the walk waits for the write before it encodes more), so
  // a snapshot allocates no copy of itself.
  const flush = async () => {
    if (w.length === 0) return;
    const chunk = w.view();
    crc = crc32(chunk, crc);
    bytes += chunk.length;
    await fh.write(chunk);
    w.reset();
    unsynced += chunk.length;
    if (job.forceSync && unsynced >= syncEveryBytes) {
      unsynced = 0;
      await fh.datasync();
    }
  };
  try {
    const version = job.formatVersion ?? snapshotVersion;
    w.writeRaw(encodeSnapshotHeader({ dbid: job.dbid ?? 0n, startZxid: job.startZxid, takenAt: job.takenAt }, version));
    encodeSessions(w, job.sessions, job.sessionSecret ?? null);
    const acls = new AclNumbering();
    const perChunk = job.nodesPerChunk ?? snapshotNodesPerChunkDefault;
    let nodes = 0;
    let inChunk = 0;
    // A live iterator: nodes deleted before the walk reaches them are skipped, nodes added are visited.
    let sliceStart = performance.now();
    // Record items' times are relative to the first non-zero ctime met (-1: none yet, or version 2).
    let timeBase = -1;
    for (const e = job.tree.snapshotCursor(); e.next(); ) {
      if (timeBase < 0 && version >= 3 && e.ctime > 0) {
        timeBase = e.ctime;
        encodeTimeBase(w, timeBase);
      }
      // /zookeeper and the nodes under it go as node items: the loader restores them on its general path.
      if (timeBase >= 0 && e.parentPath !== '' && !e.underZookeeper) encodeRecordItem(w, acls, e, e.acl, timeBase);
      else encodeNodeRange(w, acls, e.path, e, e.acl, e.dataBytes, e.dataAt, e.dataLength);
      nodes++;
      inChunk++;
      // A turn ends after perChunk nodes or sliceMs, whichever comes first (large values take longer).
      if (w.length >= writeChunkBytes) {
        inChunk = 0;
        await flush();
        await pace(bytes);
        sliceStart = performance.now();
      } else if (inChunk >= perChunk || (inChunk % sliceCheckNodes === 0 && performance.now() - sliceStart >= sliceMs)) {
        inChunk = 0;
        await nextTurn();
        sliceStart = performance.now();
      }
    }
    const endZxid = job.tree.lastProcessedZxid;
    encodeEnd(w);
    await flush();
    const footer = encodeSnapshotFooter(endZxid, nodes, crc);
    await fh.write(footer);
    bytes += footer.length;
    await job.waitDurable(endZxid);
    if (job.forceSync) await fh.sync();
    await fh.close();
    await fs.promises.rename(partial, final);
    if (job.forceSync) fsyncDir(job.dir);
    return { file: final, bytes, nodes, startZxid: job.startZxid, endZxid, ms: clock() - started };
  } catch (e) {
    await fh.close().catch(() => undefined);
    await fs.promises.rm(partial, { force: true });
    throw e;
  }
}

