/**
 * A real three-member ensemble on loopback: election, `srvr`/`mntr` roles, a write through a
 * follower visible on every member, sync, and session expiry owned by the leader (an abandoned
 * session's ephemeral vanishes on every member through a replicated closeSession).
 */
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { decodeConnectResponse, encodeConnectRequest, FrameParser } from '@coord/protocol';
import { createClient, type ZkClient } from '@coord/client';
import { fourLetterWord } from '@coord/testing';
import { startTestEnsemble, waitFor, waitForLeader } from '../testing/ensemble-harness';
import { LocalEnsemble, workspaceRoot } from './local-ensemble';

jest.setTimeout(60_000);

const electionDeadlineMs = 10_000;

let ensemble: LocalEnsemble;
let remove: () => Promise<void>;
let leader: number;
const clients: ZkClient[] = [];

async function clientOf(id: number): Promise<ZkClient> {
  const zk = createClient(`127.0.0.1:${ensemble.member(id).ports.client}`, { sessionTimeoutMs: 10_000 });
  clients.push(zk);
  await zk.connect({ timeoutMs: 10_000 });
  return zk;
}

beforeAll(async () => {
  ({ ensemble, remove } = await startTestEnsemble());
  leader = await waitForLeader(ensemble, electionDeadlineMs);
});

afterAll(async () => {
  for (const zk of clients) await zk.close().catch(() => undefined);
  await remove?.();
});

it('elects one leader; srvr shows leader/follower and mntr the leader follower counts', async () => {
  const followers = ensemble.members.map((m) => m.id).filter((id) => id !== leader);
  expect(followers).toHaveLength(2);
  const mntr = await fourLetterWord('127.0.0.1', ensemble.member(leader).ports.client, 'mntr');
  expect(mntr).toMatch(/zk_server_state\tleader/);
  expect(mntr).toMatch(/zk_synced_followers\t2/);
  const stat = await fourLetterWord('127.0.0.1', ensemble.member(followers[0]).ports.client, 'stat');
  expect(stat).toMatch(/Mode: follower/);
});

it('a write sent to a follower is visible on every member', async () => {
  const follower = ensemble.members.map((m) => m.id).find((id) => id !== leader) as number;
  const writer = await clientOf(follower);
  await writer.create('/via-follower', 'v1');
  const stat = await writer.setData('/via-follower', 'v2', { version: 0 });
  expect(stat.version).toBe(1);
  for (const m of ensemble.members) {
    const reader = await clientOf(m.id);
    // sync makes this member catch up with the leader before the read (the write was acknowledged).
    await reader.sync('/via-follower');
    const { data } = await reader.getData('/via-follower');
    expect(data?.toString()).toBe('v2');
  }
});

it('conflicting writes from different members are serialized by the leader', async () => {
  const [a, b, c] = await Promise.all(ensemble.members.map((m) => clientOf(m.id)));
  const outcomes = await Promise.allSettled([a, b, c].map((zk) => zk.create('/contended', 'x')));
  expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
  const seqs = await Promise.all([a, b, c, a, b, c].map((zk) => zk.create('/seq-', '', { mode: 'persistent-sequential' })));
  expect(new Set(seqs).size).toBe(6);
});

it('a client pipelining more than the per-connection throttle gets every answer, in order', async () => {
  const follower = ensemble.members.map((m) => m.id).find((id) => id !== leader) as number;
  const zk = await clientOf(follower);
  await zk.create('/pipelined', '');
  const count = 2500;
  const order: number[] = [];
  await Promise.all(Array.from({ length: count }, (_, i) => zk.create(`/pipelined/n${i}`, '').then(() => order.push(i))));
  expect(order).toEqual(Array.from({ length: count }, (_, i) => i));
  expect(await zk.getAllChildrenNumber('/pipelined')).toBe(count);
});

it('an abandoned session expires at the leader and its ephemeral vanishes on every member', async () => {
  const follower = ensemble.members.map((m) => m.id).find((id) => id !== leader) as number;
  // Apache's node client in a child process that we kill -9: its session is abandoned, not closed.
  const script = `
    const zookeeper = require('node-zookeeper-client');
    const c = zookeeper.createClient('127.0.0.1:${ensemble.member(follower).ports.client}', { sessionTimeout: 1500 });
    c.once('connected', () => c.create('/eph', Buffer.from('e'), zookeeper.CreateMode.EPHEMERAL, (err) => {
      if (err) { console.log('ERR ' + err); process.exit(1); }
      console.log('CREATED');
    }));
    c.connect();`;
  const child = spawn(process.execPath, ['-e', script], { cwd: workspaceRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => (b.toString().includes('CREATED') ? resolve() : reject(new Error(b.toString()))));
      child.once('exit', (code) => reject(new Error(`client exited ${code}`)));
    });
    const readers = await Promise.all(ensemble.members.map((m) => clientOf(m.id)));
    for (const r of readers) {
      await r.sync('/eph');
      expect(await r.exists('/eph')).not.toBeNull();
    }
  } finally {
    child.kill('SIGKILL');
  }
  const readers = await Promise.all(ensemble.members.map((m) => clientOf(m.id)));
  for (const r of readers) {
    await waitFor('the ephemeral to vanish', 10_000, async () => ((await r.exists('/eph')) === null ? true : undefined));
  }
});

/** One raw handshake: the ConnectResponse's session id, timeout and password. */
async function handshake(port: number, sessionId: bigint, passwd: Buffer): Promise<{ sessionId: bigint; timeOut: number; passwd: Buffer }> {
  const socket = net.connect(port, '127.0.0.1');
  try {
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.write(encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0, timeOut: 10_000, sessionId, passwd, readOnly: false }));
    const parser = new FrameParser();
    const body = await new Promise<Buffer>((resolve, reject) => {
      socket.on('data', (chunk) => {
        const frames = parser.push(chunk);
        if (frames.length > 0) resolve(frames[0]);
      });
      socket.once('close', () => reject(new Error('closed without a ConnectResponse')));
      setTimeout(() => reject(new Error('no ConnectResponse in 10 s')), 10_000).unref();
    });
    return decodeConnectResponse(body);
  } finally {
    socket.destroy();
  }
}

it('a session moves to any member with its password (a replicated random secret); a wrong password is refused', async () => {
  const [first, second] = ensemble.members.map((m) => m.ports.client);
  const created = await handshake(first, 0n, Buffer.alloc(16));
  expect(created.sessionId).not.toBe(0n);
  expect(created.timeOut).toBeGreaterThan(0);
  // The other member has applied the createSession (and the secret it carried) once a sync there is done.
  const other = await clientOf(ensemble.members[1].id);
  await other.sync('/');
  const moved = await handshake(second, created.sessionId, created.passwd);
  expect(moved).toMatchObject({ sessionId: created.sessionId, timeOut: created.timeOut });
  expect(moved.passwd).toEqual(created.passwd);
  const wrong = Buffer.from(created.passwd);
  wrong[0] ^= 1;
  const refused = await handshake(second, created.sessionId, wrong);
  expect(refused).toMatchObject({ sessionId: 0n, timeOut: 0 });
});
