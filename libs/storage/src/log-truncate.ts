/**
 * Cutting the txn log back, for an ensemble member: ZAB drops logged txns above a zxid (uncommitted
 * proposals of an older epoch, `truncateAfter`) and a snapshot received from the leader replaces the
 * whole log. Both keep the format: files whose start is above the cut go, the file holding the cut
 * point is truncated right after its last kept record. Everything here is asynchronous, so the event
 * loop keeps serving while it runs.
 */
import * as fs from 'node:fs';
import { StorageError } from './errors';
import { fsyncDirAsync, listLogsAsync } from './files';
import { scanLog } from './log-format';

export interface TruncateResult {
  /** Log files removed whole. */
  removed: string[];
  /** The file cut short, and the offset it now ends at (null when no file needed a cut). */
  truncated: { file: string; at: number } | null;
}

/** Drops every logged txn with zxid > `zxid`, across log files. */
export async function truncateLogAfter(dir: string, zxid: number, forceSync: boolean): Promise<TruncateResult> {
  const result: TruncateResult = { removed: [], truncated: null };
  const logs = await listLogsAsync(dir);
  for (let i = logs.length - 1; i >= 0; i--) {
    const file = logs[i];
    if (file.zxid > zxid) {
      await fs.promises.rm(file.path, { force: true });
      result.removed.push(file.path);
      continue;
    }
    // The newest file starting at or below the cut holds it; older files hold only smaller zxids.
    const buf = await fs.promises.readFile(file.path);
    const scan = scanLog(buf);
    if (scan.problem && scan.problem.kind === 'corrupt') {
      throw new StorageError(`cannot truncate after zxid 0x${zxid.toString(16)}: ${scan.problem.reason}`, file.path, scan.problem.offset);
    }
    const firstDropped = scan.records.find((r) => r.txn.zxid > zxid);
    // Without a dropped record the file ends at its valid prefix already (a torn tail is cut too).
    const at = firstDropped ? firstDropped.offset : scan.problem ? scan.validEnd : null;
    if (at !== null) {
      const fh = await fs.promises.open(file.path, 'r+');
      try {
        await fh.truncate(at);
        if (forceSync) await fh.sync();
      } finally {
        await fh.close();
      }
      result.truncated = { file: file.path, at };
    }
    break;
  }
  if (forceSync && result.removed.length > 0) await fsyncDirAsync(dir);
  return result;
}

/** Removes every log file: the log is replaced (a snapshot from the leader supersedes it). */
export async function removeLogs(dir: string, forceSync: boolean): Promise<string[]> {
  const logs = await listLogsAsync(dir);
  for (const file of logs) await fs.promises.rm(file.path, { force: true });
  if (forceSync && logs.length > 0) await fsyncDirAsync(dir);
  return logs.map((f) => f.path);
}
