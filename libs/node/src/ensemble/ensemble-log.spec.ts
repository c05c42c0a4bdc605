/**
 * The seed's write-path picture in the debug log (client -> follower -> leader PROPOSAL -> ACKs ->
 * COMMIT -> reply, for one write), and durability of the whole ensemble: every member killed with
 * -9 at once, restarted, still holds every acknowledged write.
 */
import { createClient, type ZkClient } from '@coord/client';
import { createSurely, startTestEnsemble, waitForLeader } from '../testing/ensemble-harness';
import type { LocalEnsemble } from './local-ensemble';

jest.setTimeout(60_000);

const electionDeadlineMs = 10_000;
const writesBeforeCrashCount = 300;

let ensemble: LocalEnsemble;
let remove: () => Promise<void>;
const clients: ZkClient[] = [];

beforeAll(async () => {
  ({ ensemble, remove } = await startTestEnsemble(3, {}, 'debug'));
});

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

it('one write through a follower can be followed in the debug logs', async () => {
  const leader = await waitForLeader(ensemble, electionDeadlineMs);
  const follower = ensemble.members.map((m) => m.id).find((id) => id !== leader) as number;
  const zk = await clientOf(`127.0.0.1:${ensemble.member(follower).ports.client}`);
  await zk.create('/traced', 'x');
  // Logs are written as they happen; give the other follower's COMMIT/apply a moment to land.
  await new Promise((r) => setTimeout(r, 300));
  const f = ensemble.member(follower).stderr;
  const l = ensemble.member(leader).stderr;
  const lines = (text: string) => text.split('\n').filter((s) => /\/traced|write path|REQUEST write| (ACK|COMMIT) \d+\.[1-9]/.test(s));
  expect(f).toMatch(/write path: client 0x[0-9a-f]+ xid \d+ op \d+ -> forwarded to the leader/);
  expect(f).toMatch(new RegExp(`send ${follower}->${leader} REQUEST write from server ${follower}`));
  expect(l).toMatch(new RegExp(`recv ${follower}->${leader} REQUEST write from server ${follower}`));
  expect(l).toMatch(/write path: leader proposes \d+\.\d+ create/);
  expect(l).toMatch(new RegExp(`send ${leader}->${follower} PROPOSAL \\d+\\.\\d+ create /traced`));
  expect(l).toMatch(new RegExp(`recv ${follower}->${leader} ACK`));
  expect(l).toMatch(new RegExp(`send ${leader}->${follower} COMMIT`));
  expect(f).toMatch(/write path: applied 0x[0-9a-f]+ -> reply to client/);
  process.stdout.write(`follower ${follower}:\n${lines(f).join('\n')}\nleader ${leader}:\n${lines(l).join('\n')}\n`);
});

it('keeps every acknowledged write when every member is killed -9 at once', async () => {
  await waitForLeader(ensemble, electionDeadlineMs);
  const zk = await clientOf(ensemble.connectString);
  await createSurely(zk, '/durable', '');
  const writes = [];
  for (let i = 0; i < writesBeforeCrashCount; i++) writes.push(createSurely(zk, `/durable/n${i}`, String(i)));
  await Promise.all(writes);
  await Promise.all(ensemble.members.map((m) => ensemble.kill(m.id)));
  await ensemble.startAll();
  await waitForLeader(ensemble, electionDeadlineMs);
  for (const m of ensemble.members) {
    const reader = await clientOf(`127.0.0.1:${m.ports.client}`);
    await reader.sync('/durable');
    expect(await reader.getAllChildrenNumber('/durable')).toBe(writesBeforeCrashCount);
  }
});
