import { availableParallelism } from 'node:os';
import { fourLetterWord, spawnCoordinode, startApacheEnsemble, startCoordinodeEnsemble } from '@coord/testing';
import { runLoad, type BenchOp, type LoadResult } from './load';
import { populate } from './populate';
import { processCpuMicros } from './proc-cpu';
import { tryCreate } from './try-create';

/**
 * Three-member ensembles side by side: Apache ZooKeeper (three QuorumPeerMain processes) and Coordinode
 * (three node processes running ZAB), plus our standalone node (same pipeline, local log; fsync on
 * everywhere), started on this machine in the same run. Measures writes (set) and reads (get) at C=8
 * K=16 and C=1 K=1 with connections spread over the members, interleaved rounds; then the time from
 * kill -9 of the leader to the first acknowledged write on a new leader.
 * Each round also reads the CPU time (user + system, all threads) its server's processes and this load
 * generator spent, per acknowledged op: on a machine where all of them share the cores, throughput is
 * bounded by cores / (CPU per op), the figure in brackets of the CPU table for both servers.
 * Flags: --rounds=3 --duration-ms=3000 --warmup-ms=8000 (per server and op before the rounds: JITs reach their
 * steady state; both servers' JITs get the same time)
 */
interface Ensemble {
  name: string;
  endpoints: Array<{ host: string; port: number }>;
  /** The server's processes, whose CPU time each round reads (the rounds run before the failover). */
  pids(): number[];
  leader(): Promise<number>;
  kill(index: number): Promise<void>;
  restart(index: number): Promise<void>;
  stop(): Promise<void>;
}

const valueBytes = 100;
const cores = availableParallelism();
const failoverAttemptMs = 500;
const failoverDeadlineMs = 30_000;

function flag(name: string, fallback: string): string {
  const hit = process.argv.slice(2).flatMap((a) => a.split(' ')).find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function modeOf(e: { host: string; port: number }): Promise<string | undefined> {
  try {
    return /^Mode: (\w+)/m.exec(await fourLetterWord(e.host, e.port, 'srvr', 1000))?.[1];
  } catch {
    return undefined;
  }
}

async function apacheEnsemble(): Promise<Ensemble> {
  const e = await startApacheEnsemble(3);
  const endpoints = e.members.map((m) => ({ host: m.host, port: m.port }));
  return {
    name: 'apache',
    endpoints,
    pids: () => e.members.map((m) => m.pid!),
    leader: async () => (await Promise.all(endpoints.map(modeOf))).indexOf('leader'),
    kill: async (i) => {
      process.kill(e.members[i].pid!, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 100));
    },
    restart: async () => undefined,
    stop: () => e.stop(),
  };
}

/** Our local ensemble's timing (apps/coord-node's `ensemble` target uses the same): 50 ms ticks, a silent leader given up after 500 ms. */
const ourEnsembleConfig = { tickTime: '50', initLimit: '40', syncLimit: '10', minSessionTimeout: '1000', maxSessionTimeout: '40000' };

async function ourEnsemble(): Promise<Ensemble> {
  const e = await startCoordinodeEnsemble({ config: ourEnsembleConfig });
  const endpoints = e.members.map((m) => ({ host: m.host, port: m.port }));
  return {
    name: 'coordinode',
    endpoints,
    pids: () => e.members.map((m) => m.pid!),
    leader: async () => (await Promise.all(endpoints.map(modeOf))).indexOf('leader'),
    kill: (i) => e.members[i].crash(),
    restart: async () => undefined,
    stop: () => e.stop(),
  };
}

/** Our standalone node with a data dir (fsync on): the ensemble's ceiling, one pipeline without replication. */
async function ourStandalone(): Promise<Ensemble> {
  const node = await spawnCoordinode();
  const endpoints = [{ host: node.host, port: node.port }];
  return {
    name: 'coordinode standalone',
    endpoints,
    pids: () => [node.pid!],
    leader: async () => -1,
    kill: async () => undefined,
    restart: async () => undefined,
    stop: () => node.stop(),
  };
}

interface Measured extends LoadResult {
  /** CPU µs per acknowledged op: the server's processes, and this load generator. */
  serverCpuPerOp: number;
  loadCpuPerOp: number;
}

async function measure(e: Ensemble, op: BenchOp, connections: number, inflight: number, durationMs: number): Promise<Measured> {
  const cpu = () => e.pids().reduce((sum, pid) => sum + processCpuMicros(pid), 0);
  // The load's own warm-up is inside the CPU window; it is short (500 ms) next to the rounds, and the
  // same for both servers.
  const server0 = cpu();
  const load0 = process.cpuUsage();
  const r = await runLoad(
    { host: e.endpoints[0].host, port: e.endpoints[0].port, endpoints: e.endpoints, op, connections, inflight, durationMs, warmupMs: 500, valueBytes },
    (lane) => `/bench/n${lane}`,
  );
  const load = process.cpuUsage(load0);
  const opsInWindow = r.opsPerSec * ((durationMs + 500) / 1000);
  return { ...r, serverCpuPerOp: (cpu() - server0) / opsInWindow, loadCpuPerOp: (load.user + load.system) / opsInWindow };
}

/** Kill -9 the leader, then try creates on the survivors until one is acknowledged: the failover time. */
async function failover(e: Ensemble, round: number): Promise<number> {
  const leader = await e.leader();
  if (leader < 0) throw new Error(`${e.name}: no leader`);
  const t0 = Date.now();
  await e.kill(leader);
  const survivors = e.endpoints.filter((_, i) => i !== leader);
  let attempt = 0;
  while (Date.now() - t0 < failoverDeadlineMs) {
    const target = survivors[attempt % survivors.length];
    if (await tryCreate(target.host, target.port, `/failover-${round}-${attempt++}`, failoverAttemptMs)) return Date.now() - t0;
  }
  throw new Error(`${e.name}: no write accepted within ${failoverDeadlineMs} ms of killing the leader`);
}

async function main(): Promise<void> {
  const rounds = Number(flag('rounds', '3'));
  const durationMs = Number(flag('duration-ms', '3000'));
  const warmupMs = Number(flag('warmup-ms', '8000'));
  // One failover per run: a second kill would leave one of three members, without a quorum.
  const failovers = 1;
  const ensembles = [await apacheEnsemble(), await ourEnsemble(), await ourStandalone()];
  try {
    console.log(`# Three-member ensembles, Coordinode vs Apache ZooKeeper, ${new Date().toISOString()}, ${rounds} interleaved rounds of ${durationMs} ms after ${warmupMs} ms of warmup per server and op, values ${valueBytes} B, connections spread over the members`);
    for (const e of ensembles) {
      const { errors } = await populate(e.endpoints[0].host, e.endpoints[0].port, ['/bench', ...Array.from({ length: 8 }, (_, i) => `/bench/n${i}`)], valueBytes);
      if (errors) throw new Error(`${e.name}: preparing failed`);
      for (const op of ['get', 'set'] as const) await measure(e, op, 8, 16, warmupMs);
    }
    console.log('\n| op | C | K | Apache ops/s | ours ops/s | ratio | ours standalone ops/s | ensemble / standalone | Apache p50/p99 ms | ours p50/p99 ms |');
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    const cpuRows: string[] = [];
    for (const op of ['set', 'get'] as const) {
      for (const [c, k] of [[8, 16], [1, 1]] as const) {
        const results = new Map<Ensemble, Measured[]>(ensembles.map((e) => [e, []]));
        for (let r = 0; r < rounds; r++) for (const e of ensembles) results.get(e)!.push(await measure(e, op, c, k, durationMs));
        const [a, o, st] = ensembles.map((e) => results.get(e)!);
        const rate = (rs: Measured[]) => median(rs.map((x) => x.opsPerSec));
        const cpuOf = (rs: Measured[]) => {
          const server = median(rs.map((x) => x.serverCpuPerOp));
          const load = median(rs.map((x) => x.loadCpuPerOp));
          return `${server.toFixed(1)} + ${load.toFixed(1)} (${Math.round((cores * 1e6) / (server + load))})`;
        };
        cpuRows.push(`| ${op} | ${c} | ${k} | ${cpuOf(a)} | ${cpuOf(o)} | ${cpuOf(st)} |`);
        const lat = (rs: Measured[]) => `${median(rs.map((x) => x.p50Ms)).toFixed(3)} / ${median(rs.map((x) => x.p99Ms)).toFixed(3)}`;
        console.log(
          `| ${op} | ${c} | ${k} | ${rate(a).toFixed(0)} | ${rate(o).toFixed(0)} | ${(rate(o) / rate(a)).toFixed(2)} | ${rate(st).toFixed(0)} | ${(rate(o) / rate(st)).toFixed(2)} | ${lat(a)} | ${lat(o)} |`,
        );
      }
    }
    console.log(`\nCPU per acknowledged op, µs: server processes + load generator (the ops/s that ${cores} cores would allow at that cost)\n`);
    console.log('| op | C | K | Apache | ours | ours standalone |');
    console.log('|---|---|---|---|---|---|');
    for (const row of cpuRows) console.log(row);
    console.log('\n| kill -9 the leader → first acknowledged write | Apache ms | ours ms |');
    console.log('|---|---|---|');
    for (let r = 0; r < failovers; r++) {
      const times: number[] = [];
      for (const e of ensembles.slice(0, 2)) times.push(await failover(e, r));
      console.log(`| round ${r + 1} | ${times[0]} | ${times[1]} |`);
    }
  } finally {
    await Promise.all(ensembles.map((e) => e.stop()));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
