/**
 * A snapshot as one self-contained value, for an ensemble: the bytes a ZAB leader sends in SNAP and a
 * member restores from. A snapshot file alone is fuzzy (exact only after replaying the log txns in
 * `(startZxid, endZxid]`), and a member that receives it has no log yet, so the value carries those
 * txns too (grammar in docs/formats.md):
 *   snapshot-data = magic:u32 "CNZS" snapshotBytes:u64 snapshot-file [log-file]
 * The log file holds exactly the txns in (startZxid, endZxid] and is absent when the two are equal.
 * Applying it gives the tree exactly at endZxid, which is the ZAB snapshot's zxid.
 */
import type { Txn } from '@coord/data-tree';
import type { TreeSource } from '@coord/data-tree';
import { StorageError } from './errors';
import { encodeLogHeader, encodeRecords, isNextZxid, scanLog } from './log-format';
import { applySessionTxn, secretAfter, sessionTable } from './recovery';
import { checkSnapshotFrame } from './snapshot-format';
import { openSnapshot, SnapshotFileImage } from './snapshot-read';

export const snapshotDataMagic = 0x434e5a53; // "CNZS"
const snapshotDataHeaderBytes = 12;
/** Names the value in errors: it has no file of its own. */
const dataName = '<snapshot data>';

export interface SnapshotDataParts {
  /** The snapshot file's bytes, exactly as on disk. */
  file: Buffer;
  startZxid: number;
  endZxid: number;
  /** The log txns in (startZxid, endZxid], in order. */
  txns: Txn[];
}

/** Joins a snapshot file and the log txns it needs into one value; checks they fit together. */
export function encodeSnapshotData(file: Buffer, txns: readonly Txn[]): Buffer {
  const { header, endZxid } = checkSnapshotFrame(file, dataName);
  checkCovering(header.startZxid, endZxid, txns);
  const head = Buffer.alloc(snapshotDataHeaderBytes);
  head.writeUInt32BE(snapshotDataMagic, 0);
  head.writeBigUInt64BE(BigInt(file.length), 4);
  if (txns.length === 0) return Buffer.concat([head, file]);
  return Buffer.concat([head, file, encodeLogHeader({ dbid: 0n, startZxid: txns[0].zxid }), encodeRecords(txns)]);
}

/** Splits and checks a value (frame, checksums, the txns covering the fuzzy range); throws StorageError. */
export function parseSnapshotData(data: Uint8Array): SnapshotDataParts {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < snapshotDataHeaderBytes || buf.readUInt32BE(0) !== snapshotDataMagic) {
    throw new StorageError('not snapshot data (bad magic or too short)', dataName, 0);
  }
  const fileBytes = Number(buf.readBigUInt64BE(4));
  const fileEnd = snapshotDataHeaderBytes + fileBytes;
  if (fileEnd > buf.length) throw new StorageError(`snapshot of ${fileBytes} bytes runs past the end (${buf.length} bytes)`, dataName, 4);
  const file = buf.subarray(snapshotDataHeaderBytes, fileEnd);
  const { header, endZxid } = checkSnapshotFrame(file, dataName);
  let txns: Txn[] = [];
  if (fileEnd < buf.length) {
    const scan = scanLog(buf.subarray(fileEnd));
    if (scan.problem) throw new StorageError(`log part: ${scan.problem.reason}`, dataName, fileEnd + scan.problem.offset);
    txns = scan.records.map((r) => r.txn);
  }
  checkCovering(header.startZxid, endZxid, txns);
  return { file, startZxid: header.startZxid, endZxid, txns };
}

function checkCovering(startZxid: number, endZxid: number, txns: readonly Txn[]): void {
  const last = txns.length > 0 ? txns[txns.length - 1].zxid : startZxid;
  const starts = txns.length === 0 || isNextZxid(startZxid, txns[0].zxid);
  if (!starts || last !== endZxid) {
    throw new StorageError(
      `the txns carried (${txns.length}, up to 0x${last.toString(16)}) do not cover the snapshot's zxids 0x${startZxid.toString(16)}..0x${endZxid.toString(16)}`,
      dataName,
      0,
    );
  }
}

export interface LoadedSnapshotData {
  /** The tree exactly at imageZxid (the fuzzy image with its txns replayed as it is restored). */
  image: TreeSource;
  imageZxid: number;
  /** Live sessions and their timeouts at imageZxid. */
  sessions: Map<bigint, number>;
  /** The session-password secret at imageZxid. */
  sessionSecret: Buffer | null;
}

/** Decodes a value into the exact tree and sessions at its end zxid (see recovery.ts for the replay). */
export function loadSnapshotData(data: Uint8Array): LoadedSnapshotData {
  const parts = parseSnapshotData(data);
  const loaded = openSnapshot(parts.file, dataName);
  const sessions = sessionTable(loaded.sessions);
  for (const t of parts.txns) applySessionTxn(sessions, t);
  return { image: new SnapshotFileImage(loaded, parts.txns), imageZxid: parts.endZxid, sessions, sessionSecret: secretAfter(loaded.sessionSecret, parts.txns) };
}
