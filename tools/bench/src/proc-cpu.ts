import { readFileSync } from 'node:fs';

/** utime + stime of a process in µs (Linux /proc; clock ticks of 10 ms), or NaN elsewhere. */
export function processCpuMicros(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return NaN;
  }
}
