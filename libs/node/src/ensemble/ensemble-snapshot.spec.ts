/**
 * Snapshots in ensemble mode (snapCount=200): the leader compacts its log, so a follower that missed
 * more than that is brought back with SNAP; then every member is killed -9 and restarts from its own
 * snapshot plus the log after it.
 */
import { createClient, type ZkClient } from '@coord/client';
import { fourLetterWord } from '@coord/testing';
import { createSurely, startTestEnsemble, waitFor, waitForLeader } from '../testing/ensemble-harness';
import type { LocalEnsemble } from './local-ensemble';

jest.setTimeout(60_000);

const electionDeadlineMs = 10_000;
const snapCount = 200;
const missedWritesCount = 1000;
const inFlight = 100;

let ensemble: LocalEnsemble;
let remove: () => Promise<void>;
const clients: ZkClient[] = [];

afterAll(async () => {
  for (const zk of clients) await zk.close().catch(() => undefined);
  await remove?.();
});

async function clientOf(connectString: string): Promise<ZkClient> {
  const zk = createClient(connectString, { sessionTimeoutMs: 10_000 });
  clients.push(zk);
  await zk.connect({ timeoutMs: 10_000 });
  return zk;
}

async function zxidOf(id: number): Promise<string | undefined> {
  return /Zxid: (0x[0-9a-f]+)/.exec(await fourLetterWord('127.0.0.1', ensemble.member(id).ports.client, 'srvr', 1000))?.[1];
}

it('a follower behind the leader snapshot catches up with SNAP; all members recover from their snapshots', async () => {
  ({ ensemble, remove } = await startTestEnsemble(3, { snapCount: String(snapCount) }));
  const leader = await waitForLeader(ensemble, electionDeadlineMs);
  const [down, up] = ensemble.members.map((m) => m.id).filter((id) => id !== leader);
  await ensemble.kill(down);
  const zk = await clientOf(`127.0.0.1:${ensemble.member(up).ports.client}`);
  await createSurely(zk, '/snap', '');
  for (let i = 0; i < missedWritesCount; i += inFlight) {
    const batch = [];
    for (let j = i; j < i + inFlight; j++) batch.push(createSurely(zk, `/snap/n${j}`, String(j)));
    await Promise.all(batch);
  }
  expect(ensemble.member(leader).stderr).toMatch(/\[zab\] snapshot \d+\.\d+: \d+ znodes/);
  await ensemble.start(down);
  await waitForLeader(ensemble, electionDeadlineMs);
  const target = await zxidOf(leader);
  await waitFor('the restarted follower to catch up', 20_000, async () => ((await zxidOf(down)) === target ? true : undefined));
  expect(ensemble.member(down).stderr).toMatch(/installed the leader's snapshot/);
  const reader = await clientOf(`127.0.0.1:${ensemble.member(down).ports.client}`);
  expect(await reader.getAllChildrenNumber('/snap')).toBe(missedWritesCount);

  await Promise.all(ensemble.members.map((m) => ensemble.kill(m.id)));
  await ensemble.startAll();
  for (const m of ensemble.members) expect(m.stderr).toMatch(/restored snapshot \d+\.\d+/);
  await waitForLeader(ensemble, electionDeadlineMs);
  for (const m of ensemble.members) {
    const r = await clientOf(`127.0.0.1:${m.ports.client}`);
    await r.sync('/snap');
    expect(await r.getAllChildrenNumber('/snap')).toBe(missedWritesCount);
    const { data } = await r.getData(`/snap/n${missedWritesCount - 1}`);
    expect(data?.toString()).toBe(String(missedWritesCount - 1));
  }
});
