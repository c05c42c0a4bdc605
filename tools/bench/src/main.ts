import { readFileSync } from 'node:fs';
import { spawnCoordinode, startApacheZooKeeper, type RunningServer } from '@coord/testing';
import { runLoad, type BenchOp, type LoadResult } from './load';
import { populate } from './populate';

/**
 * Side-by-side benchmark: Apache ZooKeeper (Debian package) and Coordinode, started on this machine in
 * the same run, measured in interleaved rounds with the same load generator. Prints a markdown table
 * with ratios (ours / Apache). Flags: --ops=get,exists,set,create  --rounds=3  --duration-ms=3000
 * --memory (also the resident-memory comparison after 100,000 znodes of 100 bytes) --only-memory
 */
interface Scenario {
  op: BenchOp;
  connections: number;
  inflight: number;
}

const valueBytes = 100;
const memoryZnodes = 100_000;
const warmupMs = 2000;

/**
 * Flags as `--name=value`. Nx splits `--args` on spaces and commas, so a bare token continues the list
 * of the flag before it (`--ops=get exists` means `--ops=get,exists`).
 */
function parseFlags(argv: string[]): Map<string, string> {
  const flags = new Map<string, string>();
  let current: string | undefined;
  for (const token of argv.flatMap((a) => a.split(' ')).filter(Boolean)) {
    if (token.startsWith('--')) {
      const [name, ...rest] = token.slice(2).split('=');
      current = name;
      flags.set(name, rest.join('='));
    } else if (current) {
      flags.set(current, [flags.get(current), token].filter(Boolean).join(','));
    }
  }
  return flags;
}
const flags = parseFlags(process.argv.slice(2));
const flag = (name: string, fallback: string): string => flags.get(name) || fallback;
const hasFlag = (name: string): boolean => flags.has(name);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

async function prepare(server: RunningServer, connections: number): Promise<void> {
  const paths = ['/bench', ...Array.from({ length: connections }, (_, i) => `/bench/n${i}`), '/bench/seq'];
  const { errors } = await populate(server.host, server.port, paths, valueBytes);
  if (errors) throw new Error(`preparing ${server.name}: ${errors} creates failed`);
}

async function measure(server: RunningServer, s: Scenario, durationMs: number): Promise<LoadResult> {
  return runLoad(
    { host: server.host, port: server.port, op: s.op, connections: s.connections, inflight: s.inflight, durationMs, warmupMs: 500, valueBytes },
    (lane) => (s.op === 'create' ? '/bench/seq/c-' : `/bench/n${lane}`),
  );
}

async function main(): Promise<void> {
  const ops = flag('ops', 'get,exists,set,create').split(',') as BenchOp[];
  const rounds = Number(flag('rounds', '3'));
  const durationMs = Number(flag('duration-ms', '3000'));
  const shapes = [
    { connections: 8, inflight: 16 },
    { connections: 1, inflight: 1 },
  ];
  const fsync = flag('force-sync', 'yes');
  if (hasFlag('only-memory')) return measureMemory(fsync);
  const apache = await startApacheZooKeeper({ forceSync: fsync });
  const ours = await spawnCoordinode({ config: { forceSync: fsync } });
  const servers = [apache, ours];
  try {
    console.log(`# Coordinode vs Apache ZooKeeper, ${new Date().toISOString()}, node ${process.version}, ${rounds} interleaved rounds of ${durationMs} ms, values ${valueBytes} B`);
    {
      for (const server of servers) await prepare(server, 8);
      // Warm both up first (the JVM's JIT and V8's optimiser) so round one measures steady state.
      for (const server of servers) for (const op of ['get', 'set'] as const) await measure(server, { op, connections: 8, inflight: 16 }, warmupMs);
      console.log('\n| op | C | K | Apache ops/s | ours ops/s | ratio | Apache p50/p99/p999 ms | ours p50/p99/p999 ms |');
      console.log('|---|---|---|---|---|---|---|---|');
      for (const op of ops) {
        for (const shape of shapes) {
          const scenario = { op, ...shape };
          const byServer = new Map<RunningServer, LoadResult[]>(servers.map((s) => [s, []]));
          for (let r = 0; r < rounds; r++) for (const server of servers) byServer.get(server)!.push(await measure(server, scenario, durationMs));
          const [a, o] = servers.map((s) => byServer.get(s)!);
          const rate = (rs: LoadResult[]) => median(rs.map((x) => x.opsPerSec));
          const lat = (rs: LoadResult[]) => [median(rs.map((x) => x.p50Ms)), median(rs.map((x) => x.p99Ms)), median(rs.map((x) => x.p999Ms))].map((v) => v.toFixed(3)).join(' / ');
          const errs = [...a, ...o].reduce((n, x) => n + x.errors, 0);
          console.log(`| ${op} | ${shape.connections} | ${shape.inflight} | ${rate(a).toFixed(0)} | ${rate(o).toFixed(0)} | ${(rate(o) / rate(a)).toFixed(2)} | ${lat(a)} | ${lat(o)} |${errs ? ` errors: ${errs}` : ''}`);
        }
      }
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
  if (hasFlag('memory')) await measureMemory(fsync);
}

/** Resident memory of each server, fresh, before and after `memoryZnodes` znodes of `valueBytes` bytes. */
async function measureMemory(fsync: string): Promise<void> {
  const servers = [await startApacheZooKeeper({ forceSync: fsync }), await spawnCoordinode({ config: { forceSync: fsync } })];
  try {
    console.log(`\n| resident memory (VmRSS), ${memoryZnodes} znodes of ${valueBytes} B | Apache MiB | ours MiB | ratio |`);
    console.log('|---|---|---|---|');
    const before = servers.map((s) => rssMiB(s.pid!));
    for (const server of servers) {
      await populate(server.host, server.port, ['/mem'], 0);
      const paths = Array.from({ length: memoryZnodes }, (_, i) => `/mem/n${String(i).padStart(7, '0')}`);
      const { errors } = await populate(server.host, server.port, paths, valueBytes);
      if (errors) throw new Error(`${server.name}: ${errors} creates failed`);
    }
    await new Promise((r) => setTimeout(r, 2000));
    const after = servers.map((s) => rssMiB(s.pid!));
    console.log(`| fresh server | ${before[0].toFixed(0)} | ${before[1].toFixed(0)} | ${(before[1] / before[0]).toFixed(2)} |`);
    console.log(`| after ${memoryZnodes} znodes | ${after[0].toFixed(0)} | ${after[1].toFixed(0)} | ${(after[1] / after[0]).toFixed(2)} |`);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
