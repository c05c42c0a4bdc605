/**
 * Quorum security on real member processes. With sslQuorum=true the members find each other over
 * mutual TLS (ssl.quorum.* PEM stores made by openssl at test time) and serve writes; a process
 * without a certificate the quorum trust store vouches for cannot even connect to the quorum or
 * election port. On a plaintext ensemble, hostile bytes on those ports (garbage, oversized lengths,
 * undecodable bodies, messages claiming to come from a non-member, from the receiver itself, or to
 * another member) never crash a member: every member stays up and the ensemble keeps serving.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { readFileSync, writeFileSync } from 'node:fs';
import { createClient, type ZkClient } from '@coord/client';
import { makeTestPki, tempDir } from '@coord/testing';
import { encodeMessage, type Message } from '@coord/zab';
import { createSurely, startTestEnsemble, waitFor, waitForLeader } from '../testing/ensemble-harness';
import type { LocalEnsemble } from './local-ensemble';
import { seededRand } from '@coord/zab';

jest.setTimeout(90_000);

/** Seeded mulberry32 (@coord/zab's), so a failure replays with the same seed. */
const prng = (seed: number): (() => number) => seededRand(seed).next;

function frame(body: Uint8Array): Buffer {
  const out = Buffer.alloc(4 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.set(body, 4);
  return out;
}

/** Sends `bytes` on a fresh connection and waits until the member closes it or a short while passes. */
function hit(port: number, bytes: Buffer, secure?: tls.ConnectionOptions): Promise<'closed' | 'open'> {
  return new Promise((resolve) => {
    const socket = secure ? tls.connect({ host: '127.0.0.1', port, ...secure }) : net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('open');
    }, 300);
    socket.on(secure ? 'secureConnect' : 'connect', () => socket.write(bytes));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
  });
}

async function writeWorks(ensemble: LocalEnsemble, path: string): Promise<void> {
  const zk: ZkClient = createClient(ensemble.connectString, { sessionTimeoutMs: 10_000 });
  try {
    await zk.connect({ timeoutMs: 20_000 });
    await createSurely(zk, path, 'ok');
    expect(String((await zk.getData(path)).data)).toBe('ok');
  } finally {
    await zk.close();
  }
}

function allRunning(ensemble: LocalEnsemble): boolean {
  return ensemble.members.every((m) => m.child !== null && m.child.exitCode === null && m.child.signalCode === null);
}

describe('sslQuorum=true', () => {
  let dir: { path: string; remove(): Promise<void> };
  let ensemble: { ensemble: LocalEnsemble; remove(): Promise<void> };
  let pki: ReturnType<typeof makeTestPki>;

  beforeAll(async () => {
    dir = await tempDir('coord-quorum-tls-');
    pki = makeTestPki(dir.path);
    ensemble = await startTestEnsemble(3, {
      sslQuorum: 'true',
      'ssl.quorum.keyStore.location': pki.server.keyStore,
      'ssl.quorum.keyStore.type': 'PEM',
      'ssl.quorum.trustStore.location': pki.ca.trustStore,
      'ssl.quorum.trustStore.type': 'PEM',
    });
  });

  afterAll(async () => {
    await ensemble?.remove();
    await dir?.remove();
  });

  it('members elect a leader over mutual TLS and commit writes', async () => {
    await waitForLeader(ensemble.ensemble, 30_000);
    await writeWorks(ensemble.ensemble, '/over-tls-quorum');
  });

  it('a non-member (plaintext, no certificate, or an untrusted one) cannot connect to the quorum or election port', async () => {
    const e = ensemble.ensemble;
    const leader = await waitForLeader(e, 30_000);
    const forged: Message<Uint8Array> = { type: 'NOTIFICATION', from: 2, to: 1, vote: { leader: 2, zxid: 0xffffffff, peerEpoch: 99 }, electionEpoch: 99, state: 'LEADING' };
    const vote = frame(encodeMessage(forged));
    const stranger = { ca: readFileSync(pki.ca.trustStore), key: readFileSync(pki.strangerClient.keyPath), cert: readFileSync(pki.strangerClient.certPath), checkServerIdentity: () => undefined };
    const noCert = { ca: readFileSync(pki.ca.trustStore), checkServerIdentity: () => undefined };
    for (const port of [e.member(1).ports.quorum, e.member(1).ports.election]) {
      expect(await hit(port, vote)).toBe('closed');
      expect(await hit(port, vote, noCert)).toBe('closed');
      expect(await hit(port, vote, stranger)).toBe('closed');
    }
    expect(await waitFor('the refusals in member 1 log', 5000, async () => (e.member(1).stderr.match(/refusing peer connection/g)?.length ?? 0) >= 6 || undefined)).toBe(true);
    expect(allRunning(e)).toBe(true);
    expect(await waitForLeader(e, 30_000)).toBe(leader);
  });
});

describe('hostile frames on the quorum and election ports (plaintext ensemble)', () => {
  let ensemble: { ensemble: LocalEnsemble; remove(): Promise<void> };

  beforeAll(async () => {
    ensemble = await startTestEnsemble(3);
  });

  afterAll(async () => {
    await ensemble?.remove();
  });

  it('no member crashes, and the ensemble keeps its leader and serves writes', async () => {
    const e = ensemble.ensemble;
    const leader = await waitForLeader(e, 30_000);
    const seed = Number(process.env['FUZZ_SEED'] ?? 15);
    const rand = prng(seed);
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
    const notification = (from: number, to: number): Message<Uint8Array> => ({ type: 'NOTIFICATION', from, to, vote: { leader: from, zxid: 0, peerEpoch: 0 }, electionEpoch: 1, state: 'LOOKING' });
    const cases: Array<{ what: string; data: (to: number) => Buffer }> = [
      { what: 'random bytes', data: () => bytes(1 + Math.floor(rand() * 512)) },
      { what: 'an oversized length', data: () => Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3]) },
      { what: 'a frame with a random body', data: () => frame(bytes(1 + Math.floor(rand() * 64))) },
      { what: 'a truncated real message', data: (to) => frame(encodeMessage(notification(2, to)).subarray(0, 5)) },
      { what: 'a vote from a non-member', data: (to) => frame(encodeMessage(notification(99, to))) },
      { what: 'a vote from the receiver itself', data: (to) => frame(encodeMessage(notification(to, to))) },
      { what: 'a vote addressed to another member', data: (to) => frame(encodeMessage(notification(to === 1 ? 2 : 1, to === 3 ? 2 : 3))) },
      { what: 'a commit claiming to be from member 2', data: (to) => frame(encodeMessage({ type: 'COMMIT', from: to === 2 ? 3 : 2, to, conn: 7, seq: 1, zxid: 0x7fffffff } as Message<Uint8Array>)) },
      { what: 'a proposal with a garbage txn claiming to be from member 2', data: (to) => frame(encodeMessage({ type: 'PROPOSAL', from: to === 2 ? 3 : 2, to, conn: 7, seq: 2, txn: { zxid: 0x900000001, payload: bytes(24) } } as Message<Uint8Array>)) },
      { what: 'a proposal from a non-member', data: (to) => frame(encodeMessage({ type: 'PROPOSAL', from: 42, to, conn: 1, seq: 1, txn: { zxid: 0x500000001, payload: bytes(16) } } as Message<Uint8Array>)) },
    ];
    for (let round = 0; round < 3; round++) {
      for (const m of e.members) {
        for (const c of cases) {
          for (const port of [m.ports.quorum, m.ports.election]) await hit(port, c.data(m.id));
        }
      }
    }
    expect(allRunning(e)).toBe(true);
    expect(e.members.some((m) => /not a configured member/.test(m.stderr))).toBe(true);
    expect(await waitForLeader(e, 30_000)).toBe(leader);
    await writeWorks(e, '/after-fuzz');
  });
});

describe('SASL, sasl ACLs and enforced quotas through a follower (the same pipeline as standalone)', () => {
  let dir: { path: string; remove(): Promise<void> };
  let ensemble: { ensemble: LocalEnsemble; remove(): Promise<void> };

  beforeAll(async () => {
    dir = await tempDir('coord-ensemble-sasl-');
    const jaas = `${dir.path}/server.jaas`;
    writeFileSync(jaas, 'Server {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n  user_bob="bobsecret";\n};\n');
    ensemble = await startTestEnsemble(3, {
      'authProvider.1': 'org.apache.zookeeper.server.auth.SASLAuthenticationProvider',
      // Coordinode also reads the JAAS property from zoo.cfg (each member here shares one zoo.cfg template).
      'java.security.auth.login.config': jaas,
      enforceQuota: 'true',
    });
  });

  afterAll(async () => {
    await ensemble?.remove();
    await dir?.remove();
  });

  it('bob authenticates on a follower, his sasl ACL is checked by the leader, and a hard quota refuses through the follower', async () => {
    const e = ensemble.ensemble;
    const leader = await waitForLeader(e, 30_000);
    const follower = e.members.find((m) => m.id !== leader)!;
    const other = e.members.find((m) => m.id !== leader && m.id !== follower.id)!;
    const bob = createClient(`127.0.0.1:${follower.ports.client}`, { sasl: { username: 'bob', password: 'bobsecret' }, sessionTimeoutMs: 10_000 });
    const anon = createClient(`127.0.0.1:${other.ports.client}`, { sessionTimeoutMs: 10_000 });
    try {
      await bob.connect({ timeoutMs: 20_000 });
      expect(await bob.whoAmI()).toContainEqual({ authScheme: 'sasl', user: 'bob' });
      await bob.create('/bobs', 'mine', { acl: [{ perms: 31, id: { scheme: 'sasl', id: 'bob' } }] });
      expect(String((await bob.getData('/bobs')).data)).toBe('mine');
      await anon.connect({ timeoutMs: 20_000 });
      await anon.sync('/bobs');
      await expect(anon.getData('/bobs')).rejects.toMatchObject({ code: 'NOAUTH' });
      await bob.create('/q', '');
      await bob.create('/zookeeper/quota/q', '');
      await bob.create('/zookeeper/quota/q/zookeeper_limits', 'count=-1,bytes=-1=;countHardLimit=1;byteHardLimit=-1');
      await bob.create('/zookeeper/quota/q/zookeeper_stats', 'count=1,bytes=0');
      await expect(bob.create('/q/child', '')).rejects.toMatchObject({ code: 'QUOTAEXCEEDED' });
      const wrong = createClient(`127.0.0.1:${follower.ports.client}`, { sasl: { username: 'bob', password: 'nope' } });
      await expect(wrong.connect({ timeoutMs: 10_000 })).rejects.toMatchObject({ code: 'AUTHFAILED' });
    } finally {
      await bob.close();
      await anon.close();
    }
  });
});
