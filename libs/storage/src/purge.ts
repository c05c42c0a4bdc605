/**
 * Retention: keep the newest `retain` snapshots and the log files still needed to replay from the
 * oldest of them; remove the rest. Also what autopurge.snapRetainCount / purgeInterval run.
 */
import * as fs from 'node:fs';
import { listLogs, listSnapshots } from './files';

/** ZooKeeper refuses to keep fewer than 3 snapshots; so do we. */
export const snapRetainCountMin = 3;

export interface PurgeResult {
  removedSnapshots: string[];
  removedLogs: string[];
}

export function purge(snapDir: string, logDir: string, retain: number): PurgeResult {
  const keep = Math.max(snapRetainCountMin, retain);
  const snaps = listSnapshots(snapDir);
  const result: PurgeResult = { removedSnapshots: [], removedLogs: [] };
  if (snaps.length <= keep) return result;
  const kept = snaps.slice(snaps.length - keep);
  const oldestStart = kept[0].zxid;
  for (const s of snaps.slice(0, snaps.length - keep)) {
    fs.rmSync(s.path, { force: true });
    result.removedSnapshots.push(s.path);
  }
  const logs = listLogs(logDir);
  // A log file holds zxids from its start up to the next file's start - 1; it is needed while that
  // range reaches past the oldest kept snapshot's start.
  for (let i = 0; i + 1 < logs.length; i++) {
    if (logs[i + 1].zxid <= oldestStart + 1) {
      fs.rmSync(logs[i].path, { force: true });
      result.removedLogs.push(logs[i].path);
    }
  }
  return result;
}
