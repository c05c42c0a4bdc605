/**
 * PeerTransport's admission rules on two in-process transports over loopback: mutual TLS with
 * hostname verification (a certificate that does not name the peer's address is refused, on either
 * side), and the sender rules that hold with or without TLS (a non-member id, a message for another
 * member, or a second sender id on one connection drop the connection before the ZAB core sees it),
 * and that a closed quorum connection is reported with the member's id (election traffic is not).
 */
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import { tlsStoreOptions } from '@coord/client';
import { freePort, issueTestCert, makeTestPki, tempDir } from '@coord/testing';
import { decodeMessage, encodeMessage, type Message } from '@coord/zab';
import { createLogger } from '../ops';
import { PeerTransport, type MemberAddress, type PeerTls } from './peer-transport';

let dir: { path: string; remove(): Promise<void> };
let pki: ReturnType<typeof makeTestPki>;
const transports: PeerTransport[] = [];

beforeAll(async () => {
  dir = await tempDir('coord-peer-');
  pki = makeTestPki(dir.path);
});
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
});
afterAll(() => dir.remove());

const vote = (from: number, to: number): Message<Uint8Array> => ({ type: 'NOTIFICATION', from, to, vote: { leader: from, zxid: 0, peerEpoch: 0 }, electionEpoch: 1, state: 'LOOKING' });

async function members(): Promise<MemberAddress[]> {
  return [
    { id: 1, host: '127.0.0.1', quorumPort: await freePort(), electionPort: await freePort() },
    { id: 2, host: '127.0.0.1', quorumPort: await freePort(), electionPort: await freePort() },
  ];
}

function peerTls(keyStore: string, hostnameVerification = true): PeerTls {
  const context = tlsStoreOptions({ keyStore: { location: keyStore, type: 'PEM' }, trustStore: { location: pki.ca.trustStore, type: 'PEM' } }, (p) => readFileSync(p));
  return { context, hostnameVerification };
}

async function transport(id: number, ms: MemberAddress[], got: Message<Uint8Array>[], lines: string[], t?: PeerTls): Promise<PeerTransport> {
  const log = createLogger(`peer${id}`, { level: 'debug', sink: (l) => lines.push(l) });
  const tr = new PeerTransport(id, ms, (m) => got.push(m), log, undefined, t);
  await tr.start();
  transports.push(tr);
  return tr;
}

const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));

describe('mutual TLS with hostname verification', () => {
  it('members whose certificates name their address exchange messages', async () => {
    const ms = await members();
    const got: Message<Uint8Array>[] = [];
    await transport(1, ms, got, [], peerTls(pki.server.keyStore));
    const two = await transport(2, ms, [], [], peerTls(pki.server.keyStore));
    two.send(vote(2, 1));
    await settle();
    expect(got.map((m) => [m.type, m.from])).toEqual([['NOTIFICATION', 2]]);
  });

  it('a certificate from the right CA that does not name the address (wrong CN, no IP) is refused; without hostname verification it is accepted', async () => {
    const wrongName = issueTestCert(pki.ca, dir.path, 'wrong-cn', { subject: '/O=Coordinode tests/CN=elsewhere.example', san: ['DNS:elsewhere.example'] });
    for (const verify of [true, false]) {
      const ms = await members();
      const got: Message<Uint8Array>[] = [];
      const lines: string[] = [];
      await transport(1, ms, got, lines, peerTls(pki.server.keyStore, verify));
      const two = await transport(2, ms, [], [], peerTls(wrongName.keyStore, verify));
      two.send(vote(2, 1));
      await settle();
      expect(got.length).toBe(verify ? 0 : 1);
      if (verify) expect(lines.some((l) => /its certificate does not name 127\.0\.0\.1/.test(l))).toBe(true);
      await Promise.all(transports.splice(0).map((t) => t.close()));
    }
  });
});

describe('sender rules (plaintext)', () => {
  function raw(port: number, frames: Message<Uint8Array>[]): Promise<void> {
    return new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        for (const m of frames) {
          const body = encodeMessage(m);
          const f = Buffer.alloc(4 + body.length);
          f.writeUInt32BE(body.length, 0);
          f.set(body, 4);
          s.write(f);
        }
      });
      s.on('error', () => undefined);
      s.on('close', () => resolve());
      setTimeout(() => s.destroy(), 300);
    });
  }

  it.each([
    ['a non-member id', [vote(9, 1)], /not a configured member/],
    ['the receiver own id', [vote(1, 1)], /not a configured member/],
    ['a message for another member', [vote(2, 3)], /message for 3/],
    ['a second sender on one connection', [vote(2, 1), { ...vote(3, 1) }], /on the connection of member 2/],
  ] as const)('%s drops the connection before the core sees it', async (_what, frames, message) => {
    const ms = [...(await members()), { id: 3, host: '127.0.0.1', quorumPort: await freePort(), electionPort: await freePort() }];
    const got: Message<Uint8Array>[] = [];
    const lines: string[] = [];
    await transport(1, ms, got, lines);
    await raw(ms[0].electionPort, [...frames]);
    const legit = frames.filter((m) => m.from === 2 && m.to === 1).length;
    expect(got.length).toBe(legit);
    expect(lines.some((l) => message.test(l))).toBe(true);
  });
});

describe('closed connections', () => {
  const ping = (from: number, to: number): Message<Uint8Array> => ({ type: 'PING', from, to, conn: 1, seq: 0, round: 1 });

  it('reports the member of a closed quorum connection, on both ends; election connections are not reported', async () => {
    const ms = await members();
    const down1: number[] = [];
    const down2: number[] = [];
    const got1: Message<Uint8Array>[] = [];
    const one = new PeerTransport(1, ms, (m) => got1.push(m), createLogger('peer1', { level: 'error' }), undefined, undefined, (id) => down1.push(id));
    const two = new PeerTransport(2, ms, () => undefined, createLogger('peer2', { level: 'error' }), undefined, undefined, (id) => down2.push(id));
    await one.start();
    await two.start();
    transports.push(one, two);
    two.send(vote(2, 1)); // election channel
    two.send(ping(2, 1)); // quorum channel
    await settle();
    expect(got1.map((m) => m.type).sort()).toEqual(['NOTIFICATION', 'PING']); // two connections: no order between them
    expect(down1).toEqual([]);
    // Member 2 goes away: member 1 sees its inbound quorum connection from 2 close (the election one is not reported).
    await two.close();
    await settle();
    expect(down1).toEqual([2]);
    expect(down2).toEqual([]); // a transport closing itself reports nothing
    // Member 1's own link to 2 fails to dial while 2 is down: reported too.
    one.send(ping(1, 2));
    await settle();
    expect(down1).toEqual([2, 2]);
  });
});


describe('one buffer per peer per turn', () => {
  it('reuses a turn\'s buffer only once the kernel took it: frames queued behind a slow reader arrive intact', async () => {
    const ms = await members();
    // Member 1's quorum port is a raw reader that does not read for a while, so member 2's writes queue.
    const received: Buffer[] = [];
    let reader: net.Socket | null = null;
    const server = net.createServer((s) => {
      reader = s;
      s.pause();
      s.on('data', (c) => received.push(c));
    });
    await new Promise<void>((r) => server.listen(ms[0].quorumPort, '127.0.0.1', () => r()));
    try {
      const two = await transport(2, ms, [], []);
      const turns = 40;
      for (let i = 0; i < turns; i++) {
        // 48 KiB a turn: within what a turn's buffer may be kept for, and the socket's buffers fill.
        two.send({ type: 'PROPOSAL', from: 2, to: 1, conn: 1, seq: i + 1, txn: { zxid: i + 1, payload: Buffer.alloc(48 << 10, i + 1) } });
        two.flush();
        await new Promise((r) => setImmediate(r));
      }
      await settle(200);
      (reader as net.Socket | null)?.resume();
      const whole = (): number => Buffer.concat(received).length;
      for (let waited = 0; whole() < turns * (48 << 10) && waited < 5000; waited += 50) await settle(50);
      const bytes = Buffer.concat(received);
      const seen: number[] = [];
      for (let at = 0; at + 4 <= bytes.length; ) {
        const n = bytes.readUInt32BE(at);
        const m = decodeMessage(bytes, at + 4, at + 4 + n);
        at += 4 + n;
        if (m.type !== 'PROPOSAL') continue;
        // Every byte of the payload is the turn's own: a buffer reused while still queued would show here.
        expect(Buffer.from(m.txn.payload).equals(Buffer.alloc(48 << 10, m.txn.zxid))).toBe(true);
        seen.push(m.txn.zxid);
      }
      expect(seen).toEqual(Array.from({ length: turns }, (_, i) => i + 1));
    } finally {
      (reader as net.Socket | null)?.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
