// How fast the pure core commits when nothing else costs anything: three peers in one process, an
// instant disk and network, the leader proposing in batches (pipelined, as ZooKeeper does). The figure
// bounds what the protocol logic itself costs a real node per write.
//   node -r @swc-node/register tools/sim/src/core-bench.ts [writes] [batch]

import { Peer, seededRand, type Message } from '@coord/zab';

const writesDefault = 200_000;
const batchDefault = 100;

function run(writes: number, batch: number): { ms: number; committed: number } {
  const voters = [1, 2, 3];
  const peers = voters.map((id) => new Peer<Uint8Array>({ id, voters, rand: seededRand(id) }));
  const net: Message<Uint8Array>[] = [];
  let committed = 0;
  const drain = (p: Peer<Uint8Array>): void => {
    while (p.hasReady()) {
      const r = p.ready();
      for (const m of r.messages) net.push(m);
      for (const m of r.messagesAfterPersist) net.push(m);
      if (p.id === 3) committed += r.committed.length;
      for (const q of r.requests) p.propose(q.request);
      p.advance(r);
    }
  };
  const deliver = (): void => {
    for (const p of peers) drain(p);
    for (let i = 0; i < net.length; i++) {
      const m = net[i];
      peers[m.to - 1].step(m);
      drain(peers[m.to - 1]);
    }
    net.length = 0;
  };
  deliver();
  for (const p of peers) p.tick();
  deliver();
  const leader = peers.find((p) => p.status().state === 'LEADING') as Peer<Uint8Array>;
  const payload = new Uint8Array(64);
  const started = process.hrtime.bigint();
  for (let sent = 0; sent < writes; sent += batch) {
    for (let i = 0; i < batch; i++) leader.propose(payload);
    deliver();
  }
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, committed };
}

const writes = Number(process.argv[2] ?? writesDefault);
const batch = Number(process.argv[3] ?? batchDefault);
run(20_000, batch); // warm-up for the JIT
const { ms, committed } = run(writes, batch);
console.log(`${committed} writes committed on 3 in-process peers in ${ms.toFixed(0)} ms: ${Math.round((committed / ms) * 1000)} writes/s (batch ${batch})`);
