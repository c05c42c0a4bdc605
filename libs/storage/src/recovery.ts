/**
 * Recovery: the newest usable snapshot, brought up to date with the fuzzy replay of the txns logged
 * while it was written, plus the log txns after it. A torn tail of the last log file is truncated to
 * the last whole record (with a log line); corruption anywhere else, a gap between log files, or a
 * snapshot whose checksum fails stops the start with a StorageError naming the file and offset.
 * `repair` truncates a corrupt log there (dropping later files) and sets a corrupt snapshot aside.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ByteReader } from '@coord/bytes';
import { decodeTxn, Txn } from '@coord/data-tree';
import type { TreeSource } from '@coord/data-tree';
import { StorageError } from './errors';
import { DataFile, listLogs, listSnapshots, partialSuffix, snapshotPrefix } from './files';
import { isNextZxid, logHeaderBytes, recordHeaderBytes, ScannedLog, scanLog } from './log-format';
import { FileWindow, forEachRecordIn, isCreateTag, isSessionTag, scanLogWindows } from './log-window';
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
  /** The log txns in (snapshotStartZxid, imageZxid] that were replayed over the image, in order (decoded when read). */
  imageTxns: Txn[];
  /** Live sessions and their timeouts as of imageZxid. */
  sessions: Map<bigint, number>;
  /** The session-password secret as of imageZxid (the tail may still carry the first one). */
  sessionSecret: Buffer | null;
  /**
   * Log txns after imageZxid, in order: to be applied exactly (they are not fuzzy). Recovery itself
   * keeps only where they are: this decodes them all when first read; forEachTail streams them.
   */
  tail: Txn[];
  /** Decodes the tail from the log files one txn at a time, keeping none. */
  forEachTail?(fn: (txn: Txn) => void): void;
  /**
   * The tail as each txn's encoded bytes, `b[at, end)` (valid only during the call: the log is read
   * through one reused window), in order; a restart replays this (TailReplayer) without decoding creates.
   */
  forEachTailRecord?(fn: (b: Buffer, at: number, end: number) => void): void;
  /** Creates among the tail's txns (those inside a multi not counted): room the tree can make up front. */
  tailCreates?: number;
  /** Live sessions and their timeouts, and the session secret, after the tail. */
  sessionsAfterTail?: Map<bigint, number>;
  sessionSecretAfterTail?: Buffer | null;
  lastZxid: number;
  /** Txns in the log after the snapshot's start (how much a restart had to replay). */
  replayed: number;
  /** Bytes cut off the newest log file as a torn tail (0 when it ended cleanly). */
  cutBytes: number;
}

/** Where one log file's tail records sit (the file is cut at `end` already when it was torn). */
interface TailPart {
  path: string;
  from: number;
  end: number;
}

/**
 * What a scan of the log files keeps of the txns in (after, keepThrough] (a snapshot's fuzzy range:
 * few, or hundreds of thousands when the walk overlapped a burst of writes) and of the later ones
 * (the tail: possibly millions): only where they are, how many, and the session txns among them.
 */
interface ScannedLogs {
  /** Where the txns in (after, keepThrough] are, how many, and the session txns among them. */
  keptParts: TailPart[];
  keptCount: number;
  keptSessionTxns: Txn[];
  tailParts: TailPart[];
  tailCount: number;
  tailCreates: number;
  tailSessionTxns: Txn[];
  /** zxid of the first txn after `after`, and of the last one; null when there is none. */
  firstZxid: number | null;
  lastZxid: number | null;
  /** The first file that holds a txn after `after` (for the error that names it). */
  firstFile: string | null;
  cutBytes: number;
}

/** Scans log files, handling torn tails and corruption (see the file comment). */
function scanLogs(logs: DataFile[], opts: RecoveryOptions, after: number, keepThrough: number): ScannedLogs {
  const out: ScannedLogs = { keptParts: [], keptCount: 0, keptSessionTxns: [], tailParts: [], tailCount: 0, tailCreates: 0, tailSessionTxns: [], firstZxid: null, lastZxid: null, firstFile: null, cutBytes: 0 };
  // The last zxid of the previous file (its start - 1 when it holds no record).
  let prev: number | null = null;
  const window = new FileWindow();
  for (let i = 0; i < logs.length; i++) {
    const file = logs[i];
    let part: TailPart | null = null;
    let keptPart: TailPart | null = null;
    let lastInFile: number | null = null;
    const onRecord = (zxid: number, sessionTxn: Txn | null, create: boolean, offset: number, end: number): void => {
      lastInFile = zxid;
      if (zxid <= after) return;
      if (out.firstZxid === null) {
        out.firstZxid = zxid;
        out.firstFile = file.path;
      }
      out.lastZxid = zxid;
      if (zxid <= keepThrough) {
        if (keptPart === null) out.keptParts.push((keptPart = { path: file.path, from: offset, end }));
        keptPart.end = end;
        out.keptCount++;
        if (sessionTxn) out.keptSessionTxns.push(sessionTxn);
        return;
      }
      if (part === null) out.tailParts.push((part = { path: file.path, from: offset, end }));
      part.end = end;
      out.tailCount++;
      if (create) out.tailCreates++;
      if (sessionTxn) out.tailSessionTxns.push(sessionTxn);
    };
    const { scan, buf } = scanFile(window, file.path, onRecord);
    const last = i === logs.length - 1;
    if (scan.header && scan.header.startZxid !== file.zxid) {
      throw new StorageError(`header says start zxid 0x${scan.header.startZxid.toString(16)}, name says 0x${file.zxid.toString(16)}`, file.path, 16);
    }
    if (scan.header && prev !== null && !isNextZxid(prev, scan.header.startZxid)) {
      throw new StorageError(`log gap: file starts at zxid 0x${file.zxid.toString(16)}, previous file ended at 0x${prev.toString(16)}`, file.path, 0);
    }
    if (scan.problem) {
      const p = scan.problem;
      if (p.kind === 'torn' && last) {
        const whole = buf as Buffer;
        opts.log.warn(`Truncating torn tail of ${file.path} at offset ${p.offset} (${whole.length - p.offset} bytes: ${p.reason}); ${recordsBefore(whole, scan.validEnd)} whole records kept`);
        truncateOrRemove(file.path, scan.validEnd);
        out.cutBytes += whole.length - scan.validEnd;
      } else if (opts.repair) {
        opts.log.warn(`--repair: truncating ${file.path} at offset ${p.offset} (${p.reason}) and removing ${logs.length - 1 - i} later log files`);
        truncateOrRemove(file.path, scan.validEnd);
        for (const later of logs.slice(i + 1)) fs.rmSync(later.path, { force: true });
        window.close();
        return out;
      } else {
        const what = p.kind === 'torn' ? 'torn record in a log file that is not the newest' : 'corrupt record in the middle of the log';
        throw new StorageError(`${what}: ${p.reason}`, file.path, p.offset, 'truncate the log there, losing later txns');
      }
    }
    if (scan.header) prev = lastInFile ?? scan.header.startZxid - 1;
  }
  window.close();
  return out;
}

type ScanRecord = (zxid: number, sessionTxn: Txn | null, create: boolean, offset: number, end: number) => void;

/**
 * Scans one log file through the window; when that stops at a record it cannot accept, scanLog reads
 * the whole file and judges it from there (the records before it were handed over already). `buf`
 * is the whole file then, null when the window's scan went through.
 */
function scanFile(window: FileWindow, file: string, onRecord: ScanRecord): { scan: Pick<ScannedLog, 'header' | 'validEnd' | 'problem'>; buf: Buffer | null } {
  window.open(file);
  let fast;
  try {
    fast = scanLogWindows(window, (zxid, tag, b, at, end, offset, recordEnd) => {
      const sessionTxn = isSessionTag(tag) ? decodeTxn(new ByteReader(b, at, { end })) : null;
      onRecord(zxid, sessionTxn, isCreateTag(tag), offset, recordEnd);
    });
  } finally {
    window.close();
  }
  if (fast.complete) return { scan: { header: fast.header, validEnd: fast.validEnd, problem: null }, buf: null };
  const buf = fs.readFileSync(file);
  const scan = scanLog(
    buf,
    (txn, offset, end) => {
      const t = txn.op.type;
      onRecord(txn.zxid, t === 'createSession' || t === 'closeSession' ? txn : null, t === 'create', offset, end);
    },
    fast.validEnd,
  );
  return { scan, buf };
}

/** Whole records in `buf` before `end` (for the torn-tail log line). */
function recordsBefore(buf: Buffer, end: number): number {
  let n = 0;
  for (let offset = logHeaderBytes; offset < end; offset += recordHeaderBytes + buf.readUInt32BE(offset + 4)) n++;
  return n;
}

/** Each txn's bytes as a stream: each part's file read again (from the page cache) through one window. */
function recordReader(parts: readonly TailPart[]): (fn: (b: Buffer, at: number, end: number) => void) => void {
  return (fn) => {
    const window = new FileWindow();
    try {
      for (const part of parts) {
        window.open(part.path);
        forEachRecordIn(window, part.from, part.end, fn);
      }
    } finally {
      window.close();
    }
  };
}

/** Txns as a stream, decoded a txn at a time. */
function txnReader(parts: readonly TailPart[]): (fn: (txn: Txn) => void) => void {
  const records = recordReader(parts);
  return (fn) => records((b, at, end) => fn(decodeTxn(new ByteReader(b, at, { end }))));
}

/**
 * Completes a Recovered with its txns: the tail's stream, and `tail` and `imageTxns` as getters that
 * decode their arrays when first read (defined on the object, since spreading a getter would call it).
 */
function withTail(r: Omit<Recovered, 'tail' | 'forEachTail' | 'imageTxns'>, scanned: ScannedLogs): Recovered {
  const forEachTail = txnReader(scanned.tailParts);
  const out = Object.assign(r, { forEachTail, forEachTailRecord: recordReader(scanned.tailParts), tailCreates: scanned.tailCreates }) as Recovered;
  defineDecoded(out, 'tail', forEachTail);
  defineDecoded(out, 'imageTxns', txnReader(scanned.keptParts));
  return out;
}

function defineDecoded(r: Recovered, key: 'tail' | 'imageTxns', each: (fn: (txn: Txn) => void) => void): void {
  let txns: Txn[] | null = null;
  Object.defineProperty(r, key, {
    enumerable: true,
    get: (): Txn[] => {
      if (txns === null) {
        const all: Txn[] = [];
        each((t) => void all.push(t));
        txns = all;
      }
      return txns;
    },
  });
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
    const scanned = scanLogs(logs.slice(from), opts, start, loaded.endZxid);
    cutBytes += scanned.cutBytes;
    const lastLogZxid = scanned.lastZxid ?? start;
    // The log must hold every txn from the snapshot's start through the zxid its walk ended at.
    const covered = (scanned.firstZxid === null || isNextZxid(start, scanned.firstZxid)) && lastLogZxid >= loaded.endZxid;
    if (!covered) {
      opts.log.warn(`Skipping ${snap.path}: the log does not cover zxids 0x${(start + 1).toString(16)}..0x${loaded.endZxid.toString(16)}`);
      continue;
    }
    const sessions = sessionTable(loaded.sessions);
    for (const t of scanned.keptSessionTxns) applySessionTxn(sessions, t);
    const replayed = scanned.keptCount + scanned.tailCount;
    opts.log.info(`Loaded ${snap.path}: ${loaded.nodeCount} nodes, ${loaded.sessions.length} sessions, zxid 0x${start.toString(16)}..0x${loaded.endZxid.toString(16)}; replaying ${replayed} txns`);
    const sessionSecret = secretAfter(loaded.sessionSecret, scanned.keptSessionTxns);
    return withTail({
      image: new SnapshotFileImage(loaded, txnReader(scanned.keptParts)),
      snapshotFile: snap.path,
      imageZxid: loaded.endZxid,
      snapshotStartZxid: start,
      sessions,
      sessionSecret,
      ...afterTail(sessions, sessionSecret, scanned.tailSessionTxns),
      lastZxid: Math.max(loaded.endZxid, lastLogZxid),
      replayed,
      cutBytes,
    }, scanned);
  }
  const scanned = scanLogs(listLogs(opts.logDir), opts, 0, 0);
  cutBytes += scanned.cutBytes;
  if (scanned.firstZxid !== null && !isNextZxid(0, scanned.firstZxid)) {
    throw new StorageError(`no usable snapshot and the log starts at zxid 0x${scanned.firstZxid.toString(16)}, not 1 (or the first zxid of an epoch)`, scanned.firstFile as string, 0);
  }
  opts.log.info(`No snapshot; replaying ${scanned.tailCount} logged txns`);
  return withTail({
    image: null, snapshotFile: null, imageZxid: 0, snapshotStartZxid: 0, sessions: new Map(), sessionSecret: null,
    ...afterTail(new Map(), null, scanned.tailSessionTxns),
    lastZxid: scanned.lastZxid ?? 0, replayed: scanned.tailCount, cutBytes,
  }, scanned);
}

function afterTail(sessions: Map<bigint, number>, secret: Buffer | null, tailSessionTxns: readonly Txn[]): Pick<Recovered, 'sessionsAfterTail' | 'sessionSecretAfterTail'> {
  const after = new Map(sessions);
  for (const t of tailSessionTxns) applySessionTxn(after, t);
  return { sessionsAfterTail: after, sessionSecretAfterTail: secretAfter(secret, tailSessionTxns) };
}

/** A snapshot that was still being written at the crash never became a snapshot: drop its file. */
function removePartialSnapshots(opts: RecoveryOptions): void {
  for (const name of fs.readdirSync(opts.snapDir)) {
    if (!name.startsWith(snapshotPrefix) || !name.endsWith(partialSuffix)) continue;
    opts.log.info(`Removing unfinished snapshot ${name}`);
    fs.rmSync(path.join(opts.snapDir, name), { force: true });
  }
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
