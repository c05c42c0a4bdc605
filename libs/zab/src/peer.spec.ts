// Unit tests of the Peer's contract with its driver (ZabReady/advance, durability order, FIFO links,
// quorum rules). The protocol's stories are in testdata/*.txt; these pin the edges a driver relies on.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isBetterVote } from './election';
import type { Message } from './messages';
import { Peer } from './peer';
import { seededRand } from './rand';
import type { ZabReady } from './ready';
import { counterOf, epochOf, formatZxid, makeZxid, zxidToBigInt } from './zxid';

type Net = Message<string>[];

/** Processes every pending ZabReady of `peer` as a driver with an instant disk would. */
function drain(peer: Peer<string>, net: Net, committed: string[] = []): ZabReady<string>[] {
  const readies: ZabReady<string>[] = [];
  while (peer.hasReady()) {
    const r = peer.ready();
    readies.push(r);
    net.push(...r.messages, ...r.messagesAfterPersist);
    for (const t of r.committed) committed.push(t.payload);
    for (const q of r.requests) peer.propose(q.request);
    peer.advance(r);
  }
  return readies;
}

function ensemble(n: number): { peers: Peer<string>[]; net: Net; applied: string[][]; settle: () => void } {
  const voters = Array.from({ length: n }, (_, i) => i + 1);
  const peers = voters.map((id) => new Peer<string>({ id, voters, rand: seededRand(id), checkInvariants: true }));
  const net: Net = [];
  const applied = peers.map(() => [] as string[]);
  const settle = (): void => {
    peers.forEach((p, i) => drain(p, net, applied[i]));
    while (net.length > 0) {
      const m = net.shift() as Message<string>;
      const p = peers[m.to - 1];
      p.step(m);
      drain(p, net, applied[m.to - 1]);
    }
  };
  settle();
  for (const p of peers) p.tick();
  settle();
  return { peers, net, applied, settle };
}

describe('zxid', () => {
  it('packs the epoch in the high 32 bits and the counter in the low 32', () => {
    const z = makeZxid(3, 7);
    expect(z).toBe(3 * 2 ** 32 + 7);
    expect([epochOf(z), counterOf(z), formatZxid(z)]).toEqual([3, 7, '3.7']);
    expect(zxidToBigInt(z)).toBe(0x300000007n);
    expect(makeZxid(2, 0)).toBeGreaterThan(makeZxid(1, 0xffffffff));
    expect(() => makeZxid(1, 2 ** 32)).toThrow(RangeError);
    expect(() => makeZxid(2 ** 21, 0)).toThrow(RangeError);
  });
});

describe('FastLeaderElection vote order', () => {
  it('prefers the higher epoch, then the higher zxid, then the higher server id', () => {
    expect(isBetterVote({ leader: 1, zxid: 0, peerEpoch: 2 }, { leader: 3, zxid: 99, peerEpoch: 1 })).toBe(true);
    expect(isBetterVote({ leader: 1, zxid: 5, peerEpoch: 1 }, { leader: 3, zxid: 4, peerEpoch: 1 })).toBe(true);
    expect(isBetterVote({ leader: 3, zxid: 5, peerEpoch: 1 }, { leader: 2, zxid: 5, peerEpoch: 1 })).toBe(true);
    expect(isBetterVote({ leader: 2, zxid: 5, peerEpoch: 1 }, { leader: 3, zxid: 5, peerEpoch: 1 })).toBe(false);
  });

  it('elects the peer holding the most recent history, not the highest id', () => {
    const voters = [1, 2, 3];
    const history = { acceptedEpoch: 1, currentEpoch: 1, snapshot: { zxid: 0, data: undefined } };
    const peers = voters.map((id) => new Peer<string>({
      id, voters, rand: seededRand(id),
      storage: { ...history, log: id === 1 ? [{ zxid: makeZxid(1, 1), payload: 'a' }, { zxid: makeZxid(1, 2), payload: 'b' }] : [{ zxid: makeZxid(1, 1), payload: 'a' }] },
    }));
    const net: Net = [];
    const run = (): void => {
      peers.forEach((p) => drain(p, net));
      while (net.length > 0) {
        const m = net.shift() as Message<string>;
        peers[m.to - 1].step(m);
        drain(peers[m.to - 1], net);
      }
    };
    run();
    peers.forEach((p) => p.tick());
    run();
    expect(peers.map((p) => p.status().leader)).toEqual([1, 1, 1]);
    expect(peers[0].status().phase).toBe('BROADCAST');
    expect(peers[0].status().currentEpoch).toBe(2);
  });
});

describe('ZabReady contract', () => {
  it('a follower ACKs a proposal only after persisting it; a PING reply does not wait behind the ACK', () => {
    const { peers, net, settle } = ensemble(3);
    expect(peers[2].status().state).toBe('LEADING');
    peers[2].propose('x');
    const leaderReady = drain(peers[2], net);
    expect(leaderReady[0].persist.entries.map((t) => t.payload)).toEqual(['x']);
    expect(leaderReady[0].messages.map((m) => m.type)).toEqual(['PROPOSAL', 'PROPOSAL']);
    const toFollower = net.filter((m) => m.to === 1);
    net.length = 0;
    for (const m of toFollower) peers[0].step(m);
    const last = toFollower[toFollower.length - 1] as Message<string> & { conn: number; seq: number };
    peers[0].step({ from: 3, to: 1, type: 'PING', round: 99, conn: last.conn, seq: last.seq + 1 });
    const r = peers[0].ready();
    expect(r.mustSync).toBe(true);
    expect(r.persist.entries.map((t) => t.payload)).toEqual(['x']);
    // The PING reply needs no fsync: it leaves first and is numbered first, so the link stays FIFO.
    expect(r.messages.map((m) => m.type)).toEqual(['PING']);
    expect(r.messagesAfterPersist.map((m) => m.type)).toEqual(['ACK']);
    const seqOf = (m: Message<string>): number => (m as { seq: number }).seq;
    expect(seqOf(r.messages[0])).toBe(seqOf(r.messagesAfterPersist[0]) - 1);
    peers[0].advance(r);
    settle();
  });

  it('refuses a second ready() before advance(), and advance() without ready()', () => {
    const peer = new Peer<string>({ id: 1, voters: [1, 2, 3], rand: seededRand(1) });
    const r = peer.ready();
    expect(() => peer.ready()).toThrow(/before advance/);
    peer.advance(r);
    expect(() => peer.advance(r)).toThrow(/without an outstanding/);
  });

  it('a leader alone commits nothing: a proposal needs a quorum of fsynced copies', () => {
    const { peers, net, applied } = ensemble(3);
    peers[2].propose('x');
    drain(peers[2], net);
    expect(applied[2]).toEqual([]);
    expect(peers[2].status().commitZxid).toBe(0);
    const ack = (from: number): void => {
      const proposal = net.find((m) => m.to === from && m.type === 'PROPOSAL') as Message<string>;
      peers[from - 1].step(proposal);
      const r = drain(peers[from - 1], net);
      for (const m of r.flatMap((x) => x.messagesAfterPersist)) if (m.type === 'ACK') peers[2].step(m);
    };
    ack(1);
    drain(peers[2], net, applied[2]);
    expect(applied[2]).toEqual(['x']);
  });

  it('a single-member ensemble leads itself and commits after its own fsync', () => {
    const peer = new Peer<string>({ id: 7, voters: [7], rand: seededRand(7) });
    drain(peer, []);
    expect(peer.status()).toMatchObject({ state: 'LEADING', phase: 'BROADCAST', currentEpoch: 1 });
    expect(peer.propose('solo')).toBe(makeZxid(1, 1));
    const r = peer.ready();
    expect(r.committed).toEqual([]);
    peer.advance(r);
    expect(peer.ready().committed.map((t) => t.payload)).toEqual(['solo']);
  });

  it('with an asynchronous disk the next ZabReady comes before the fsync, and the leader counts itself only once persisted', () => {
    const peer = new Peer<string>({ id: 7, voters: [7], rand: seededRand(7) });
    drain(peer, []);
    peer.propose('a');
    const first = peer.ready();
    peer.advanceBeforePersist(first);
    // The disk has not confirmed 'a': more proposals are taken, nothing is committed.
    peer.propose('b');
    const second = peer.ready();
    expect(second.persist.entries.map((t) => t.payload)).toEqual(['b']);
    expect(second.committed).toEqual([]);
    peer.advanceBeforePersist(second);
    expect(peer.hasReady()).toBe(false);
    peer.persisted(first);
    expect(peer.ready().committed.map((t) => t.payload)).toEqual(['a']);
  });

  it('with asyncPersist an ACK is numbered at its fsync, so a request sent meanwhile does not wait behind it', () => {
    const voters = [1, 2, 3];
    const peers = voters.map((id) => new Peer<string>({ id, voters, rand: seededRand(id), asyncPersist: true, checkInvariants: true }));
    const net: Net = [];
    const settle = (): void => {
      const drainAll = (p: Peer<string>): void => {
        while (p.hasReady()) {
          const r = p.ready();
          net.push(...r.messages);
          for (const q of r.requests) p.propose(q.request);
          net.push(...p.advance(r));
        }
      };
      peers.forEach(drainAll);
      while (net.length > 0) {
        const m = net.shift() as Message<string>;
        peers[m.to - 1].step(m);
        drainAll(peers[m.to - 1]);
      }
    };
    settle();
    for (const p of peers) p.tick();
    settle();
    const leader = peers.find((p) => p.status().state === 'LEADING') as Peer<string>;
    const follower = peers.find((p) => p.status().state === 'FOLLOWING') as Peer<string>;
    leader.propose('x');
    const lr = leader.ready();
    leader.advanceBeforePersist(lr);
    const proposal = lr.messages.find((m) => m.to === follower.id && m.type === 'PROPOSAL') as Message<string>;
    follower.step(proposal);
    const fr = follower.ready();
    expect(fr.messagesAfterPersist).toEqual([]);
    follower.advanceBeforePersist(fr);
    expect(follower.submit('req')).toBe(true);
    const fr2 = follower.ready();
    const request = fr2.messages.find((m) => m.type === 'REQUEST') as Message<string> & { seq: number };
    follower.advanceBeforePersist(fr2);
    const [ack] = follower.persisted(fr) as (Message<string> & { seq: number })[];
    expect(ack).toMatchObject({ type: 'ACK', to: leader.id });
    expect(ack.seq).toBe(request.seq + 1);
    // The leader takes them in that order without seeing a gap, and commits once it has persisted too.
    leader.step(request);
    leader.step(ack);
    expect(leader.status().state).toBe('LEADING');
    leader.persisted(lr);
    expect(leader.ready().committed.map((t) => t.payload)).toEqual(['x']);
  });

  it('logged hands back the txns of a zxid range as every member logged them, until a snapshot compacts them', () => {
    const { peers, settle, applied } = ensemble(3);
    const leader = peers.find((p) => p.status().state === 'LEADING')!;
    for (const v of ['a', 'b', 'c', 'd']) leader.propose(v);
    settle();
    expect(applied.map((a) => a.slice(-4))).toEqual([0, 1, 2].map(() => ['a', 'b', 'c', 'd']));
    const [za, zb, zc, zd] = [1, 2, 3, 4].map((c) => makeZxid(1, c));
    for (const p of peers) {
      expect(p.logged(za, zc).map((t) => [t.zxid, t.payload])).toEqual([[zb, 'b'], [zc, 'c']]);
      expect(p.logged(zd, zd)).toEqual([]);
      p.compact({ zxid: zb, data: null });
      expect(p.logged(za, zd).map((t) => t.payload)).toEqual(['c', 'd']);
    }
  });

  it('compact refuses a snapshot past the commit point', () => {
    const peer = new Peer<string>({ id: 1, voters: [1, 2, 3], rand: seededRand(1) });
    expect(() => peer.compact({ zxid: makeZxid(1, 1), data: null })).toThrow(/past the commit point/);
  });
});

describe('learner connections', () => {
  it('ignores a duplicated message and re-elects on a gap, as a TCP reset would', () => {
    const { peers, net } = ensemble(3);
    peers[2].propose('x');
    drain(peers[2], net);
    const proposal = net.find((m) => m.to === 1 && m.type === 'PROPOSAL') as Message<string> & { seq: number; conn: number };
    peers[0].step(proposal);
    peers[0].step(proposal);
    const r = drain(peers[0], []);
    expect(r.flatMap((x) => x.messagesAfterPersist).filter((m) => m.type === 'ACK')).toHaveLength(1);
    peers[0].step({ from: 3, to: 1, type: 'PROPOSAL', conn: proposal.conn, seq: proposal.seq + 2, txn: { zxid: makeZxid(1, 3), payload: 'z' } });
    expect(peers[0].status()).toMatchObject({ state: 'LOOKING', lastElectionReason: 'gap on the leader connection' });
  });
});

describe('quorum sync', () => {
  it('the leader answers its own sync only after a quorum ping round', () => {
    const { peers, net } = ensemble(3);
    const syncId = peers[2].sync();
    expect(syncId).not.toBeNull();
    expect(drain(peers[2], net).flatMap((r) => r.syncsDone)).toEqual([]);
    const ping = net.find((m) => m.to === 1 && m.type === 'PING') as Message<string>;
    peers[0].step(ping);
    for (const m of drain(peers[0], []).flatMap((r) => [...r.messages, ...r.messagesAfterPersist])) peers[2].step(m);
    expect(drain(peers[2], []).flatMap((r) => r.syncsDone).map((d) => d.syncId)).toEqual([syncId]);
  });
});

describe('purity', () => {
  it('the core reads no clock, randomness, environment, timers or files', () => {
    const dir = __dirname;
    const banned = /\bDate\b|Math\.random|setTimeout|setInterval|process\.|require\(|from 'node:|Promise|async /;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))) {
      const code = readFileSync(join(dir, file), 'utf8').split('\n').filter((l) => !l.trim().startsWith('//') && !l.trim().startsWith('*'));
      expect({ file, hits: code.filter((l) => banned.test(l)) }).toEqual({ file, hits: [] });
    }
  });
});

describe('linkDown (the driver saw a quorum connection close)', () => {
  it('a follower of that leader starts an election at once; a closed link to another follower changes nothing', () => {
    const { peers } = ensemble(3);
    expect(peers.map((p) => p.status().state)).toEqual(['FOLLOWING', 'FOLLOWING', 'LEADING']);
    peers[0].linkDown(2);
    expect(peers[0].status().state).toBe('FOLLOWING');
    peers[0].linkDown(3);
    expect(peers[0].status()).toMatchObject({ state: 'LOOKING', lastElectionReason: 'connection to the leader closed' });
    expect(peers[0].hasReady()).toBe(true); // its notifications are ready to leave
  });

  it('a leader drops that learner, and steps down once it has no quorum of synced followers', () => {
    const { peers } = ensemble(3);
    expect(peers[2].status().learners.map((l) => l.id)).toEqual([1, 2]);
    peers[2].linkDown(1);
    expect(peers[2].status()).toMatchObject({ state: 'LEADING', phase: 'BROADCAST' });
    expect(peers[2].status().learners.map((l) => l.id)).toEqual([2]);
    peers[2].linkDown(1); // again: nothing left to drop
    expect(peers[2].status().state).toBe('LEADING');
    peers[2].linkDown(2);
    expect(peers[2].status()).toMatchObject({ state: 'LOOKING', lastElectionReason: 'lost the quorum of synced followers' });
  });
});

