/**
 * File names in the data directory, ZooKeeper style: `log.<startZxid hex>` and
 * `snapshot.<startZxid hex>`, so a directory listing sorts them into zxid order once parsed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const logPrefix = 'log.';
export const snapshotPrefix = 'snapshot.';
/** A snapshot being written; renamed to its final name only once complete and synced. */
export const partialSuffix = '.partial';

export interface DataFile {
  path: string;
  name: string;
  zxid: number;
}

export function logFileName(startZxid: number): string {
  return logPrefix + startZxid.toString(16);
}

export function snapshotFileName(startZxid: number): string {
  return snapshotPrefix + startZxid.toString(16);
}

function listWithPrefix(dir: string, prefix: string): DataFile[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return parseNames(dir, names, prefix);
}

function parseNames(dir: string, names: readonly string[], prefix: string): DataFile[] {
  const out: DataFile[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const hex = name.substring(prefix.length);
    if (!/^[0-9a-f]+$/.test(hex)) continue;
    out.push({ path: path.join(dir, name), name, zxid: parseInt(hex, 16) });
  }
  return out.sort((a, b) => a.zxid - b.zxid);
}

/** Log files, oldest first. */
export function listLogs(dir: string): DataFile[] {
  return listWithPrefix(dir, logPrefix);
}

/** Log files, oldest first, without blocking the event loop. */
export async function listLogsAsync(dir: string): Promise<DataFile[]> {
  return parseNames(dir, await fs.promises.readdir(dir), logPrefix);
}

/** Finished snapshot files, oldest first, without blocking the event loop. */
export async function listSnapshotsAsync(dir: string): Promise<DataFile[]> {
  return parseNames(dir, await fs.promises.readdir(dir), snapshotPrefix);
}

/** Finished snapshot files, oldest first. */
export function listSnapshots(dir: string): DataFile[] {
  return listWithPrefix(dir, snapshotPrefix);
}

/** Makes a rename or a new file in `dir` durable (the directory entry itself needs an fsync). */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** fsyncDir without blocking the event loop. */
export async function fsyncDirAsync(dir: string): Promise<void> {
  const fh = await fs.promises.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Replaces `file` atomically: writes `tmp`, syncs it (with forceSync), renames it over `file`. The
 * caller syncs the directory (once, when it replaces several files).
 */
export async function replaceFileAsync(file: string, data: Uint8Array | string, forceSync: boolean, tmp = file + '.tmp'): Promise<void> {
  const fh = await fs.promises.open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(data);
    if (forceSync) await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.promises.rename(tmp, file);
}
