/**
 * A minority cut off by loopback proxies between peers: member 3 reaches (and is reached by) the
 * others only through proxies. Cut them: member 3 stops serving (no sessions, no writes), the
 * majority goes on accepting writes; heal: member 3 rejoins and catches up.
 */
import { createClient, type ZkClient } from '@coord/client';
import { createSurely, freeEnsemblePorts, modeOf, startTestEnsemble, waitFor, waitForLeader } from '../testing/ensemble-harness';
import type { LocalEnsemble } from './local-ensemble';
import { LoopbackProxy } from './loopback-proxy';

jest.setTimeout(60_000);

const electionDeadlineMs = 10_000;
const isolated = 3;
/** How long a client on the cut-off member keeps trying to connect before giving up (ms). */
const connectAttemptMs = 1500;

let ensemble: LocalEnsemble;
let remove: () => Promise<void>;
const proxies: LoopbackProxy[] = [];
const clients: ZkClient[] = [];

beforeAll(async () => {
  const ports = await freeEnsemblePorts(3);
  // One proxy per direction and channel on every link that touches the isolated member.
  const via = new Map<string, { quorum: number; election: number }>();
  for (let other = 1; other <= 3; other++) {
    if (other === isolated) continue;
    for (const [from, to] of [[isolated, other], [other, isolated]]) {
      const q = new LoopbackProxy(ports[to - 1].quorum);
      const e = new LoopbackProxy(ports[to - 1].election);
      proxies.push(q, e);
      via.set(`${from}->${to}`, { quorum: await q.listen(), election: await e.listen() });
    }
  }
  ({ ensemble, remove } = await startTestEnsemble(3, {}, undefined, { ports, peerPorts: (from, to) => via.get(`${from}->${to}`) }));
});

afterAll(async () => {
  for (const zk of clients) await zk.close().catch(() => undefined);
  await remove?.();
  await Promise.all(proxies.map((p) => p.close()));
});

async function clientOf(ids: number[], timeoutMs = 10_000): Promise<ZkClient> {
  const zk = createClient(ids.map((id) => `127.0.0.1:${ensemble.member(id).ports.client}`).join(','), { sessionTimeoutMs: 10_000 });
  clients.push(zk);
  await zk.connect({ timeoutMs });
  return zk;
}

it('the cut-off member stops accepting writes, the majority goes on, and it rejoins after the heal', async () => {
  await waitForLeader(ensemble, electionDeadlineMs);
  const majority = [1, 2, 3].filter((id) => id !== isolated);
  const before = await clientOf([isolated]);
  await before.create('/before', 'x');
  for (const p of proxies) p.cut();
  // Within syncLimit ticks the isolated member notices and stops serving (leader or follower alike).
  await waitFor('the isolated member to stop serving', 5000, async () => ((await modeOf(ensemble, isolated)) === undefined ? true : undefined));
  await expect(before.create('/during-isolated', 'x', { timeoutMs: connectAttemptMs })).rejects.toThrow();
  await expect(clientOf([isolated], connectAttemptMs)).rejects.toThrow();
  await waitForLeader(ensemble, electionDeadlineMs, majority);
  const zk = await clientOf(majority);
  for (let i = 0; i < 20; i++) await createSurely(zk, `/during-${i}`, String(i));
  for (const p of proxies) p.heal();
  await waitForLeader(ensemble, electionDeadlineMs);
  const rejoined = await clientOf([isolated]);
  await rejoined.sync('/');
  expect(await rejoined.exists('/during-19')).not.toBeNull();
  expect(await rejoined.exists('/during-isolated')).toBeNull();
  await rejoined.create('/after-heal', 'x');
  await zk.sync('/after-heal');
  expect(await zk.exists('/after-heal')).not.toBeNull();
});
