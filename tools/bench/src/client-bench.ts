/**
 * Client throughput: our client vs node-zookeeper-client against the same Apache ZooKeeper, C connections
 * x K requests in flight each, for get and set of a 100-byte value. Run:
 *   npx nx run bench:client --args="...", or node -r @swc-node/register tools/bench/src/client-bench.ts [--duration-ms=3000] [--rounds=5] [--warmups=2] [--no-fsync] [--server=coordinode]
 * (SWC_NODE_PROJECT=tsconfig.base.json). Prints a markdown table with the median ops/s of each client, the median and range of the per-round
 * ratio ours / NZC, and both sides' CPU per op.
 */
import { readFileSync } from 'node:fs';
import { spawnCoordinode, startApacheZooKeeper } from '@coord/testing';
import { createClient, type ZkClient } from '@coord/client';
import { processCpuMicros } from './proc-cpu';
const nzc = require('node-zookeeper-client');

const connections = 8;
const inflight = 16;
const valueBytes = 100;
const value = Buffer.alloc(valueBytes, 7);

function flag(name: string, fallback: number): number {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.slice(name.length + 3)) : fallback;
}

type Op = 'get' | 'set';
type Call = (path: string) => Promise<unknown>;

/** Client CPU per op (µs), the part of the cost the client controls (the server shares the machine). */
export const cpuPerOp: Record<string, number[]> = {};
/** The server's CPU per op (µs), read from /proc: what the client's way of talking costs the server. */
export const serverCpuPerOp: Record<string, number[]> = {};
let serverPid: number | undefined;

async function drive(calls: Call[], durationMs: number, label = ''): Promise<number> {
  let ops = 0;
  const cpu0 = process.cpuUsage();
  const server0 = processCpuMicros(serverPid);
  const until = Date.now() + durationMs;
  const lane = async (call: Call, path: string) => {
    while (Date.now() < until) {
      await call(path);
      ops++;
    }
  };
  const lanes: Promise<void>[] = [];
  calls.forEach((call, c) => {
    for (let k = 0; k < inflight; k++) lanes.push(lane(call, `/bench/n${c}`));
  });
  await Promise.all(lanes);
  const cpu = process.cpuUsage(cpu0);
  (cpuPerOp[label] ??= []).push((cpu.user + cpu.system) / ops);
  (serverCpuPerOp[label] ??= []).push((processCpuMicros(serverPid) - server0) / ops);
  return (ops / durationMs) * 1000;
}

async function ours(connectString: string, op: Op, durationMs: number): Promise<number> {
  const clients: ZkClient[] = [];
  for (let i = 0; i < connections; i++) {
    const zk = createClient(connectString);
    await zk.connect();
    clients.push(zk);
  }
  const calls = clients.map((zk): Call => (op === 'get' ? (p) => zk.getData(p) : (p) => zk.setData(p, value)));
  try {
    return await drive(calls, durationMs, `ours ${op}`);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

async function theirs(connectString: string, op: Op, durationMs: number): Promise<number> {
  const clients: any[] = [];
  for (let i = 0; i < connections; i++) {
    const c = nzc.createClient(connectString, { sessionTimeout: 30000 });
    await new Promise<void>((resolve) => {
      c.once('connected', () => resolve());
      c.connect();
    });
    clients.push(c);
  }
  const calls = clients.map(
    (c): Call =>
      op === 'get'
        ? (p) => new Promise((res, rej) => c.getData(p, (e: unknown, d: unknown) => (e ? rej(e) : res(d))))
        : (p) => new Promise((res, rej) => c.setData(p, value, -1, (e: unknown, s: unknown) => (e ? rej(e) : res(s)))),
  );
  try {
    return await drive(calls, durationMs, `nzc ${op}`);
  } finally {
    for (const c of clients) c.close();
  }
}

async function main(): Promise<void> {
  const durationMs = flag('duration-ms', 3000);
  const rounds = flag('rounds', 5);
  const warmups = flag('warmups', 2);
  // --no-fsync: forceSync=no, so that set measures the request path rather than the disk's fsync latency.
  const config: Record<string, string> = process.argv.includes('--no-fsync') ? { forceSync: 'no' } : {};
  // --server=coordinode: the same clients against our node, which needs a fraction of Apache's CPU per
  // request, so that on a small machine the clients' own cost decides the throughput.
  const server = process.argv.includes('--server=coordinode') ? await spawnCoordinode({ config }) : await startApacheZooKeeper(config);
  console.log(`server: ${server.name}${config['forceSync'] === 'no' ? ' (forceSync=no)' : ''}`);
  serverPid = server.pid;
  try {
    const setup = createClient(server.connectString);
    await setup.connect();
    await setup.create('/bench');
    for (let i = 0; i < connections; i++) await setup.create(`/bench/n${i}`, value);
    await setup.close();
    const cpuLines: string[] = [];
    const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    console.log(`| op | C x K | @coord/client ops/s | node-zookeeper-client ops/s | ratio (median of rounds) | ratio range |`);
    console.log(`|---|---|---|---|---|---|`);
    for (const op of ['get', 'set'] as Op[]) {
      const a: number[] = [];
      const b: number[] = [];
      // Unmeasured runs of each warm up the server's JIT (it runs at half speed for its first seconds).
      for (let w = 0; w < warmups; w++) {
        await ours(server.connectString, op, durationMs);
        await theirs(server.connectString, op, durationMs);
      }
      for (const k of Object.keys(cpuPerOp)) delete cpuPerOp[k];
      for (const k of Object.keys(serverCpuPerOp)) delete serverCpuPerOp[k];
      // Rounds pair adjacent runs (the machine's speed drifts over minutes) and alternate which goes first.
      const ratios: number[] = [];
      for (let r = 0; r < rounds; r++) {
        if (r % 2 === 0) {
          a.push(await ours(server.connectString, op, durationMs));
          b.push(await theirs(server.connectString, op, durationMs));
        } else {
          b.push(await theirs(server.connectString, op, durationMs));
          a.push(await ours(server.connectString, op, durationMs));
        }
        ratios.push(a[r] / b[r]);
      }
      for (const [label, xs] of Object.entries(cpuPerOp)) cpuLines.push(`client CPU per op, ${label}: ${xs.map((x) => x.toFixed(1)).join(', ')} µs`);
      for (const [label, xs] of Object.entries(serverCpuPerOp)) cpuLines.push(`server CPU per op, ${label}: ${xs.map((x) => x.toFixed(1)).join(', ')} µs`);
      cpuLines.push(`${op} rounds, ours: ${a.map(Math.round).join(', ')}; nzc: ${b.map(Math.round).join(', ')} ops/s`);
      const range = `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
      console.log(`| ${op} | ${connections} x ${inflight} | ${Math.round(med(a))} | ${Math.round(med(b))} | ${med(ratios).toFixed(2)} | ${range} |`);
    }
    for (const line of cpuLines) console.log(line);
  } finally {
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
