/**
 * Offline subcommands of the node (their flags are defined in command-line.ts):
 *   inspect-log <file> [--json]        every record of a txn log file, or JSON lines
 *   inspect-snapshot <file> [--json]   header, sessions and every node of a snapshot
 *   purge <dataDir> [--data-log-dir=<dir>] [--count=N]   keep the newest N (>= 3) snapshots and their logs
 * Each returns the exit code: 0 ok, 1 the file has a problem (reported as the last line), 2 bad usage.
 */
import * as fs from 'node:fs';
import { inspectLog, inspectSnapshot, purge } from '@coord/storage';

export type Out = (s: string) => void;
const stdout: Out = (s) => process.stdout.write(s);

export const toolCommands = ['inspect-log', 'inspect-snapshot', 'purge'] as const;

/** Snapshots purge keeps at least (ZooKeeper's PurgeTxnLog refuses fewer). */
export const purgeCountMin = 3;
export const purgeCountDefault = 3;

export function inspectFile(command: 'inspect-log' | 'inspect-snapshot', target: string, json: boolean, out: Out = stdout): number {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(target);
  } catch (e) {
    process.stderr.write(`${command}: cannot read ${target}: ${(e as Error).message}\n`);
    return 2;
  }
  const lines = command === 'inspect-log' ? inspectLog(buf, target, json) : inspectSnapshot(buf, target, json);
  for (const l of lines) out(l + '\n');
  const last = lines[lines.length - 1] ?? '';
  return /^(TORN|CORRUPT)|"problem"/.test(last) ? 1 : 0;
}

export function purgeDataDir(dataDir: string, dataLogDir: string, count: number, out: Out = stdout): number {
  if (!fs.existsSync(dataDir)) {
    process.stderr.write(`purge: no such directory ${dataDir}\n`);
    return 2;
  }
  const r = purge(dataDir, dataLogDir, count);
  for (const f of [...r.removedSnapshots, ...r.removedLogs]) out(`removed ${f}\n`);
  out(`purge: removed ${r.removedSnapshots.length} snapshots and ${r.removedLogs.length} log files\n`);
  return 0;
}
