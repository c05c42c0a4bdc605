/**
 * Client throughput: our client vs node-zookeeper-client against the same Apache ZooKeeper, C connections
 * x K requests in flight each, for get and set of a 100-byte value. Run:
 *   npx nx run bench:client --args="...", or node -r @swc-node/register tools/bench/src/client-bench.ts [--duration-ms=3000] [--rounds=3] [--no-fsync]
 * (SWC_NODE_PROJECT=tsconfig.base.json). Prints a markdown table with ops/s and the ratio ours / NZC.
 */
import { startApacheZooKeeper } from '@coord/testing';
import { createClient, type ZkClient } from '@coord/client';
// eslint-disable-next-line @typescript-eslint/no-require-imports
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

async function drive(calls: Call[], durationMs: number, label = ''): Promise<number> {
  let ops = 0;
  const cpu0 = process.cpuUsage();
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
  const rounds = flag('rounds', 3);
  // --no-fsync: forceSync=no, so that set measures the request path rather than the disk's fsync latency.
  const server = await startApacheZooKeeper(process.argv.includes('--no-fsync') ? { forceSync: 'no' } : {});
  try {
    const setup = createClient(server.connectString);
    await setup.connect();
    await setup.create('/bench');
    for (let i = 0; i < connections; i++) await setup.create(`/bench/n${i}`, value);
    await setup.close();
    const cpuLines: string[] = [];
    console.log(`| op | C x K | @coord/client ops/s | node-zookeeper-client ops/s | ratio |`);
    console.log(`|---|---|---|---|---|`);
    for (const op of ['get', 'set'] as Op[]) {
      const a: number[] = [];
      const b: number[] = [];
      // One unmeasured run of each warms up the server's JIT and ours; then alternate.
      await ours(server.connectString, op, durationMs / 2);
      await theirs(server.connectString, op, durationMs / 2);
      for (const k of Object.keys(cpuPerOp)) delete cpuPerOp[k];
      for (let r = 0; r < rounds; r++) {
        a.push(await ours(server.connectString, op, durationMs));
        b.push(await theirs(server.connectString, op, durationMs));
      }
      for (const [label, xs] of Object.entries(cpuPerOp)) cpuLines.push(`client CPU per op, ${label}: ${xs.map((x) => x.toFixed(1)).join(', ')} µs`);
      const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
      const [x, y] = [med(a), med(b)];
      console.log(`| ${op} | ${connections} x ${inflight} | ${Math.round(x)} | ${Math.round(y)} | ${(x / y).toFixed(2)} |`);
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
