/**
 * Lock handoff latency: @coord/recipes Mutex vs a Curator-style lock (ephemeral-sequential node,
 * getChildren, exists-watch on the predecessor) driven by node-zookeeper-client, against the same Apache
 * ZooKeeper. C clients each acquire/release the lock repeatedly; a handoff is the time from the holder
 * starting its release to the next holder's acquire resolving. Run:
 *   npx nx run bench:lock (or SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register tools/bench/src/lock-bench.ts) [--acquisitions=200] [--rounds=6]
 */
import { startApacheZooKeeper } from '@coord/testing';
import { createClient } from '@coord/client';
import { Mutex } from '@coord/recipes';
const nzc = require('node-zookeeper-client');

const contenders = 4;

function flag(name: string, fallback: number): number {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.slice(name.length + 3)) : fallback;
}

interface Lock {
  acquire(): Promise<void>;
  release(): Promise<void>;
}

/** How long each release (the delete, an fsynced write) took, per implementation. */
const releaseMs: number[][] = [];

async function measure(makeLocks: () => Promise<{ locks: Lock[]; close(): Promise<void> }>, perClient: number): Promise<number[]> {
  const { locks, close } = await makeLocks();
  const handoffs: number[] = [];
  const releases: number[] = [];
  releaseMs.push(releases);
  let releasedAt: bigint | null = null;
  await Promise.all(
    locks.map(async (lock) => {
      for (let i = 0; i < perClient; i++) {
        await lock.acquire();
        if (releasedAt !== null) handoffs.push(Number(process.hrtime.bigint() - releasedAt) / 1e6);
        releasedAt = process.hrtime.bigint();
        await lock.release();
        releases.push(Number(process.hrtime.bigint() - releasedAt) / 1e6);
      }
    }),
  );
  await close();
  return handoffs.sort((a, b) => a - b);
}

function curatorStyleLock(client: any, dir: string): Lock {
  let node = '';
  const call = <T>(fn: (cb: (err: unknown, v: T) => void) => void) => new Promise<T>((res, rej) => fn((e, v) => (e ? rej(e) : res(v))));
  return {
    async acquire() {
      const path = await call<string>((cb) => client.create(`${dir}/lock-`, null, nzc.CreateMode.EPHEMERAL_SEQUENTIAL, cb));
      node = path.slice(dir.length + 1);
      for (;;) {
        const children = (await call<string[]>((cb) => client.getChildren(dir, cb))).sort();
        const i = children.indexOf(node);
        if (i === 0) return;
        let fired!: () => void;
        const changed = new Promise<void>((r) => (fired = r));
        const stat = await call<unknown>((cb) => client.exists(`${dir}/${children[i - 1]}`, () => fired(), cb));
        if (stat) await changed;
      }
    },
    async release() {
      await call<void>((cb) => client.remove(`${dir}/${node}`, -1, cb));
    },
  };
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))];

async function main(): Promise<void> {
  const perClient = Math.ceil(flag('acquisitions', 200) / contenders);
  const rounds = flag('rounds', 6);
  const server = await startApacheZooKeeper();
  try {
    const setup = createClient(server.connectString);
    await setup.connect();
    await setup.create('/lockbench');
    await setup.create('/lockbench/nzc');
    await setup.close();
    const oursRun = () => measure(async () => {
      const clients = await Promise.all(
        Array.from({ length: contenders }, async () => {
          const c = createClient(server.connectString);
          await c.connect();
          return c;
        }),
      );
      const locks = clients.map((c): Lock => {
        const m = new Mutex(c, '/lockbench/ours');
        let h: Awaited<ReturnType<Mutex['acquire']>> | undefined;
        return {
          acquire: async () => {
            h = await m.acquire();
          },
          release: () => h!.release(),
        };
      });
      return { locks, close: async () => void (await Promise.all(clients.map((c) => c.close()))) };
    }, perClient);
    const theirsRun = () => measure(async () => {
      const clients = await Promise.all(
        Array.from({ length: contenders }, async () => {
          const c = nzc.createClient(server.connectString, { sessionTimeout: 30000 });
          await new Promise<void>((r) => {
            c.once('connected', () => r());
            c.connect();
          });
          return c;
        }),
      );
      return { locks: clients.map((c) => curatorStyleLock(c, '/lockbench/nzc')), close: async () => clients.forEach((c) => c.close()) };
    }, perClient);
    // Warm up the server's JIT (and ours) with one run of each.
    await oursRun();
    await theirsRun();
    releaseMs.length = 0;
    const ours: number[] = [];
    const theirs: number[] = [];
    const oursRel: number[] = [];
    const theirsRel: number[] = [];
    // Rounds alternate which goes first (the machine's speed drifts); per-round p50s show the spread.
    const roundP50s: string[] = [];
    for (let round = 0; round < rounds; round++) {
      const runOurs = async () => {
        const hs = await oursRun();
        ours.push(...hs);
        oursRel.push(...releaseMs.pop()!);
        return pct(hs, 0.5);
      };
      const runTheirs = async () => {
        const hs = await theirsRun();
        theirs.push(...hs);
        theirsRel.push(...releaseMs.pop()!);
        return pct(hs, 0.5);
      };
      let a: number;
      let b: number;
      if (round % 2 === 0) {
        a = await runOurs();
        b = await runTheirs();
      } else {
        b = await runTheirs();
        a = await runOurs();
      }
      roundP50s.push(`${a.toFixed(2)}/${b.toFixed(2)}`);
    }
    ours.sort((a, b) => a - b);
    theirs.sort((a, b) => a - b);
    releaseMs.push(oursRel, theirsRel);
    const rel = releaseMs.map((xs) => pct(xs.sort((a, b) => a - b), 0.5).toFixed(2));
    console.log(`| lock (${contenders} contenders) | handoffs | p50 ms | p99 ms | release p50 ms |`);
    console.log(`|---|---|---|---|---|`);
    console.log(`| @coord/recipes Mutex | ${ours.length} | ${pct(ours, 0.5).toFixed(2)} | ${pct(ours, 0.99).toFixed(2)} | ${rel[0]} |`);
    console.log(`| Curator-style on node-zookeeper-client | ${theirs.length} | ${pct(theirs, 0.5).toFixed(2)} | ${pct(theirs, 0.99).toFixed(2)} | ${rel[1]} |`);
    console.log(`handoff p50 per round, ours/theirs (ms): ${roundP50s.join(', ')}`);
  } finally {
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
