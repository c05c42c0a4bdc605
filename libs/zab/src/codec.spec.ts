// The wire form of every message type round-trips, and malformed input is refused with ZabCodecError.

import { ByteWriter } from '@coord/bytes';
import { decodeMessage, encodeMessage, writeFrame, ZabCodecError } from './codec';
import type { Message } from './messages';
import { makeZxid } from './zxid';

const b = (...xs: number[]): Uint8Array => Uint8Array.from(xs);
const z = makeZxid(0x1fffff, 0xffffffff); // the largest zxid we allow
const txns = [{ zxid: makeZxid(1, 1), payload: b(1, 2, 3) }, { zxid: makeZxid(2, 0), payload: b() }];
const q = { from: 1, to: 2, conn: 0x7fffffff, seq: 2 ** 40 };

const samples: Message<Uint8Array>[] = [
  { from: 3, to: 1, type: 'NOTIFICATION', vote: { leader: 3, zxid: z, peerEpoch: 7 }, electionEpoch: 12, state: 'FOLLOWING' },
  { ...q, type: 'FOLLOWERINFO', acceptedEpoch: 4, lastZxid: z },
  { ...q, type: 'LEADERINFO', epoch: 5 },
  { ...q, type: 'ACKEPOCH', currentEpoch: -1, lastZxid: 0 },
  { ...q, type: 'DIFF', entries: txns, committedZxid: makeZxid(1, 1) },
  { ...q, type: 'TRUNC', truncZxid: makeZxid(1, 0), entries: [], committedZxid: 0 },
  { ...q, type: 'SNAP', snapshot: { zxid: makeZxid(1, 9), data: b(9, 9) }, entries: txns, committedZxid: makeZxid(2, 0) },
  { ...q, type: 'NEWLEADER', epoch: 2, zxid: makeZxid(1, 9) },
  { ...q, type: 'ACK', zxid: makeZxid(2, 1) },
  { ...q, type: 'UPTODATE', committedZxid: makeZxid(2, 1) },
  { ...q, type: 'PROPOSAL', txn: { zxid: makeZxid(2, 2), payload: b(0, 255) } },
  { ...q, type: 'COMMIT', zxid: makeZxid(2, 2) },
  { ...q, type: 'PING', round: 77 },
  { ...q, type: 'REQUEST', request: b(4, 5, 6) },
  { ...q, type: 'SYNC', syncId: 3, zxid: makeZxid(2, 2) },
];

describe('message codec', () => {
  it.each(samples.map((m) => [m.type, m] as const))('%s round-trips', (_type, m) => {
    expect(decodeMessage(encodeMessage(m))).toEqual(m);
  });

  it('frames every message into one writer: length-prefixed, in order, each decoding to itself', () => {
    const w = new ByteWriter(8);
    for (const m of samples) writeFrame(w, m);
    const all = w.view();
    let at = 0;
    for (const m of samples) {
      const n = all.readUInt32BE(at);
      expect(Buffer.from(all.subarray(at + 4, at + 4 + n))).toEqual(Buffer.from(encodeMessage(m)));
      expect(decodeMessage(all.subarray(at + 4, at + 4 + n))).toEqual(m);
      at += 4 + n;
    }
    expect(at).toBe(all.length);
  });

  it('refuses every truncation of every message', () => {
    for (const m of samples) {
      const bytes = encodeMessage(m);
      for (let cut = 0; cut < bytes.length; cut++) expect(() => decodeMessage(bytes.subarray(0, cut))).toThrow(ZabCodecError);
    }
  });

  it('refuses trailing bytes, unknown types and lengths beyond the buffer', () => {
    const ok = encodeMessage(samples[13]);
    expect(() => decodeMessage(Uint8Array.from([...ok, 0]))).toThrow(/trailing/);
    expect(() => decodeMessage(Uint8Array.from([200, ...ok.subarray(1)]))).toThrow(/unknown message type/);
    const bad = ok.slice();
    new DataView(bad.buffer).setInt32(1 + 4 + 4 + 4 + 8, 1000); // REQUEST length field
    expect(() => decodeMessage(bad)).toThrow(/bad length/);
  });

  it('refuses snapshot data that is not bytes', () => {
    expect(() => encodeMessage({ ...q, type: 'SNAP', snapshot: { zxid: 1, data: { tree: 1 } }, entries: [], committedZxid: 0 })).toThrow(ZabCodecError);
  });
});
