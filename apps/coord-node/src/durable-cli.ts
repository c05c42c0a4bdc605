/**
 * Offline subcommands of the node:
 *   inspect-log <file> [--json]        every record of a txn log file, or JSON lines
 *   inspect-snapshot <file> [--json]   header, sessions and every node of a snapshot
 *   purge <dataDir> [--data-log-dir=<dir>] [--count=N]   keep the newest N (>= 3) snapshots and their logs
 * Returns the exit code: 0 ok, 1 the file has a problem (reported as the last line), 2 bad usage.
 */
import * as fs from 'node:fs';
import { inspectLog, inspectSnapshot, purge } from '@coord/storage';

export const toolCommands = ['inspect-log', 'inspect-snapshot', 'purge'] as const;

const usage = `usage: coord-node inspect-log <file> [--json]
       coord-node inspect-snapshot <file> [--json]
       coord-node purge <dataDir> [--data-log-dir=<dir>] [--count=N]\n`;

export function isToolCommand(argv: readonly string[]): boolean {
  return argv.length > 0 && (toolCommands as readonly string[]).includes(argv[0]);
}

function flagValue(args: readonly string[], name: string): string | undefined {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? undefined : hit.substring(name.length + 3);
}

export function runTool(argv: readonly string[], out: (s: string) => void = (s) => process.stdout.write(s)): number {
  const [command, ...args] = argv;
  const positional = args.filter((a) => !a.startsWith('--'));
  const json = args.includes('--json');
  if (positional.length !== 1) {
    out(usage);
    return 2;
  }
  const target = positional[0];
  if (command === 'purge') {
    const count = Number(flagValue(args, 'count') ?? '3');
    if (!Number.isInteger(count) || count < 1) {
      out(usage);
      return 2;
    }
    const r = purge(target, flagValue(args, 'data-log-dir') ?? target, count);
    for (const f of [...r.removedSnapshots, ...r.removedLogs]) out(`removed ${f}\n`);
    out(`purge: removed ${r.removedSnapshots.length} snapshots and ${r.removedLogs.length} log files\n`);
    return 0;
  }
  let buf: Buffer;
  try {
    buf = fs.readFileSync(target);
  } catch (e) {
    out(`${command}: cannot read ${target}: ${(e as Error).message}\n`);
    return 2;
  }
  const lines = command === 'inspect-log' ? inspectLog(buf, target, json) : inspectSnapshot(buf, target, json);
  for (const l of lines) out(l + '\n');
  const last = lines[lines.length - 1] ?? '';
  return /^(TORN|CORRUPT)|"problem"/.test(last) ? 1 : 0;
}
