/**
 * Recovery: the newest usable snapshot, brought up to date with the fuzzy replay of the txns logged
 * while it was written, plus the log txns after it. A torn tail of the last log file is truncated to
 * the last whole record (with a log line); corruption anywhere else, a gap between log files, or a
 * snapshot whose checksum fails stops the start with a StorageError naming the file and offset.
 * `repair` truncates a corrupt log there (dropping later files) and sets a corrupt snapshot aside.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Txn } from '@coord/data-tree';
import type { TreeSource } from '@coord/data-tree';
import { StorageError } from './errors';
import { DataFile, listLogs, listSnapshots, partialSuffix, snapshotPrefix } from './files';
import { isNextZxid, scanLog } from './log-format';
import type { SessionEntry } from './snapshot-format';
import { openSnapshotFile, SnapshotFileImage } from './snapshot-read';

export interface RecoveryLogger {
  info(msg: string): void;
  warn(msg: string): void;
}

export interface RecoveryOptions {
  snapDir: string;
  logDir: string;
  repair?: boolean;
  log: RecoveryLogger;
}

export interface Recovered {
  /**
   * The snapshot with the txns that bring it up to `imageZxid` (decoded into a tree by restoreInto),
   * or null when the whole log is replayed.
   */
  image: TreeSource | null;
  snapshotFile: string | null;
  /** zxid the image reflects exactly (the snapshot's end zxid); 0 without a snapshot. */
  imageZxid: number;
  /** The snapshot's start zxid (0 without a snapshot). */
  snapshotStartZxid: number;
  /** The log txns in (snapshotStartZxid, imageZxid] that were replayed over the image, in order. */
  imageTxns: Txn[];
  /** Live sessions and their timeouts as of imageZxid. */
  sessions: Map<bigint, number>;
  /** The session-password secret as of imageZxid (the tail may still carry the first one). */
  sessionSecret: Buffer | null;
  /** Log txns after imageZxid, in order: to be applied exactly (they are not fuzzy). */
  tail: Txn[];
  lastZxid: number;
  /** Txns in the log after the snapshot's start (how much a restart had to replay). */
  replayed: number;
  /** Bytes cut off the newest log file as a torn tail (0 when it ended cleanly). */
  cutBytes: number;
}

interface ScannedFile {
  file: DataFile;
  txns: Txn[];
}

/** Scans log files, handling torn tails and corruption; returns their txns and the torn bytes cut. */
function scanLogs(logs: DataFile[], opts: RecoveryOptions): { files: ScannedFile[]; cutBytes: number } {
  const out: ScannedFile[] = [];
  let cutBytes = 0;
  // The last zxid of the previous file (its start - 1 when it holds no record).
  let prev: number | null = null;
  for (let i = 0; i < logs.length; i++) {
    const file = logs[i];
    const buf = fs.readFileSync(file.path);
    const scan = scanLog(buf);
    const last = i === logs.length - 1;
    if (scan.header && scan.header.startZxid !== file.zxid) {
      throw new StorageError(`header says start zxid 0x${scan.header.startZxid.toString(16)}, name says 0x${file.zxid.toString(16)}`, file.path, 16);
    }
    if (scan.header && prev !== null && !isNextZxid(prev, scan.header.startZxid)) {
      throw new StorageError(`log gap: file starts at zxid 0x${file.zxid.toString(16)}, previous file ended at 0x${prev.toString(16)}`, file.path, 0);
    }
    const txns = scan.records.map((r) => r.txn);
    if (scan.problem) {
      const p = scan.problem;
      if (p.kind === 'torn' && last) {
        opts.log.warn(`Truncating torn tail of ${file.path} at offset ${p.offset} (${buf.length - p.offset} bytes: ${p.reason}); ${txns.length} whole records kept`);
        truncateOrRemove(file.path, scan.validEnd);
        cutBytes += buf.length - scan.validEnd;
      } else if (opts.repair) {
        opts.log.warn(`--repair: truncating ${file.path} at offset ${p.offset} (${p.reason}) and removing ${logs.length - 1 - i} later log files`);
        truncateOrRemove(file.path, scan.validEnd);
        for (const later of logs.slice(i + 1)) fs.rmSync(later.path, { force: true });
        out.push({ file, txns });
        return { files: out, cutBytes };
      } else {
        const what = p.kind === 'torn' ? 'torn record in a log file that is not the newest' : 'corrupt record in the middle of the log';
        throw new StorageError(`${what}: ${p.reason}`, file.path, p.offset, 'truncate the log there, losing later txns');
      }
    }
    out.push({ file, txns });
    if (scan.header) prev = txns.length > 0 ? txns[txns.length - 1].zxid : scan.header.startZxid - 1;
  }
  return { files: out, cutBytes };
}

function truncateOrRemove(file: string, validEnd: number): void {
  if (validEnd === 0) fs.rmSync(file, { force: true });
  else fs.truncateSync(file, validEnd);
}

export function recover(opts: RecoveryOptions): Recovered {
  removePartialSnapshots(opts);
  // A skipped snapshot's scan may already have cut the torn tail: count it once, wherever it happened.
  let cutBytes = 0;
  for (const snap of listSnapshots(opts.snapDir).reverse()) {
    let loaded;
    try {
      loaded = openSnapshotFile(snap.path);
    } catch (e) {
      if (!(e instanceof StorageError) || !opts.repair) throw e;
      opts.log.warn(`--repair: setting aside ${snap.path}: ${e.message}`);
      fs.renameSync(snap.path, snap.path + '.corrupt');
      continue;
    }
    const start = loaded.header.startZxid;
    // Only the log files that can hold txns after the snapshot's start are read.
    const logs = listLogs(opts.logDir);
    let from = 0;
    for (let i = 0; i < logs.length; i++) if (logs[i].zxid <= start + 1) from = i;
    const scanned = scanLogs(logs.slice(from), opts);
    cutBytes += scanned.cutBytes;
    const after = flatten(scanned.files).filter((t) => t.zxid > start);
    const lastLogZxid = after.length > 0 ? after[after.length - 1].zxid : start;
    // The log must hold every txn from the snapshot's start through the zxid its walk ended at.
    const covered = (after.length === 0 || isNextZxid(start, after[0].zxid)) && lastLogZxid >= loaded.endZxid;
    if (!covered) {
      opts.log.warn(`Skipping ${snap.path}: the log does not cover zxids 0x${(start + 1).toString(16)}..0x${loaded.endZxid.toString(16)}`);
      continue;
    }
    const sessions = sessionTable(loaded.sessions);
    let i = 0;
    for (; i < after.length && after[i].zxid <= loaded.endZxid; i++) applySessionTxn(sessions, after[i]);
    opts.log.info(`Loaded ${snap.path}: ${loaded.nodeCount} nodes, ${loaded.sessions.length} sessions, zxid 0x${start.toString(16)}..0x${loaded.endZxid.toString(16)}; replaying ${after.length} txns`);
    return {
      image: new SnapshotFileImage(loaded, after.slice(0, i)),
      snapshotFile: snap.path,
      imageZxid: loaded.endZxid,
      snapshotStartZxid: start,
      imageTxns: after.slice(0, i),
      sessions,
      sessionSecret: secretAfter(loaded.sessionSecret, after.slice(0, i)),
      tail: after.slice(i),
      lastZxid: Math.max(loaded.endZxid, lastLogZxid),
      replayed: after.length,
      cutBytes,
    };
  }
  const scanned = scanLogs(listLogs(opts.logDir), opts);
  cutBytes += scanned.cutBytes;
  const all = flatten(scanned.files);
  if (all.length > 0 && !isNextZxid(0, all[0].zxid)) {
    const first = scanned.files.find((s) => s.txns.length > 0) as ScannedFile;
    throw new StorageError(`no usable snapshot and the log starts at zxid 0x${all[0].zxid.toString(16)}, not 1 (or the first zxid of an epoch)`, first.file.path, 0);
  }
  opts.log.info(`No snapshot; replaying ${all.length} logged txns`);
  const lastZxid = all.length > 0 ? all[all.length - 1].zxid : 0;
  return {
    image: null, snapshotFile: null, imageZxid: 0, snapshotStartZxid: 0, imageTxns: [], sessions: new Map(), sessionSecret: null,
    tail: all, lastZxid, replayed: all.length, cutBytes,
  };
}

/** A snapshot that was still being written at the crash never became a snapshot: drop its file. */
function removePartialSnapshots(opts: RecoveryOptions): void {
  for (const name of fs.readdirSync(opts.snapDir)) {
    if (!name.startsWith(snapshotPrefix) || !name.endsWith(partialSuffix)) continue;
    opts.log.info(`Removing unfinished snapshot ${name}`);
    fs.rmSync(path.join(opts.snapDir, name), { force: true });
  }
}

function flatten(scanned: ScannedFile[]): Txn[] {
  const out: Txn[] = [];
  for (const s of scanned) for (const t of s.txns) out.push(t);
  return out;
}

export function sessionTable(entries: readonly SessionEntry[]): Map<bigint, number> {
  return new Map(entries.map((s) => [s.sessionId, s.timeOut]));
}

/** createSession / closeSession are the only txns that change the session table. */
/** The secret after `txns`: the first one ever applied stays (see SessionTracker.setSecret). */
export function secretAfter(secret: Buffer | null, txns: readonly Txn[]): Buffer | null {
  for (const t of txns) if (secret === null && t.op.type === 'createSession' && t.op.secret) secret = t.op.secret;
  return secret;
}

export function applySessionTxn(sessions: Map<bigint, number>, txn: Txn): void {
  if (txn.op.type === 'createSession') sessions.set(txn.sessionId, txn.op.timeOut);
  else if (txn.op.type === 'closeSession') sessions.delete(txn.sessionId);
}
