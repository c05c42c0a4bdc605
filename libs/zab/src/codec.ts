// A binary form of Message<Uint8Array> for drivers that talk over sockets. Big-endian like jute;
// zxids and counters that can pass 2^31 travel as 64-bit (high word, low word). One encoded message
// is one frame body: the driver adds the length prefix. Snapshot data must be bytes here (the
// driver's serialized data tree). Decoding checks every length against the bytes actually present.

import type { Message, QuorumBody, ServerState, Snapshot, Txn } from './messages';

const typeCodes = [
  'NOTIFICATION', 'FOLLOWERINFO', 'LEADERINFO', 'ACKEPOCH', 'DIFF', 'TRUNC', 'SNAP', 'NEWLEADER', 'ACK',
  'UPTODATE', 'PROPOSAL', 'COMMIT', 'PING', 'REQUEST', 'SYNC',
] as const;
const states: readonly ServerState[] = ['LOOKING', 'FOLLOWING', 'LEADING'];
const word = 4294967296;

export class ZabCodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZabCodecError';
  }
}

class Writer {
  private buf = new Uint8Array(64);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.room(1);
    this.view.setUint8(this.length++, v);
  }

  i32(v: number): void {
    this.room(4);
    this.view.setInt32(this.length, v);
    this.length += 4;
  }

  /** A non-negative integer below 2^53, as two 32-bit words. */
  u64(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new ZabCodecError(`not a 64-bit unsigned integer: ${v}`);
    this.room(8);
    this.view.setUint32(this.length, Math.floor(v / word));
    this.view.setUint32(this.length + 4, v % word);
    this.length += 8;
  }

  bytes(b: Uint8Array): void {
    this.i32(b.length);
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  txns(list: readonly Txn<Uint8Array>[]): void {
    this.i32(list.length);
    for (const t of list) {
      this.u64(t.zxid);
      this.bytes(t.payload);
    }
  }

  done(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

class Reader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private need(n: number): void {
    if (this.offset + n > this.buf.length) throw new ZabCodecError(`truncated message: need ${n} bytes at offset ${this.offset} of ${this.buf.length}`);
  }

  u8(): number {
    this.need(1);
    return this.view.getUint8(this.offset++);
  }

  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.offset);
    this.offset += 4;
    return v;
  }

  u64(): number {
    this.need(8);
    const hi = this.view.getUint32(this.offset);
    const lo = this.view.getUint32(this.offset + 4);
    this.offset += 8;
    const v = hi * word + lo;
    if (!Number.isSafeInteger(v)) throw new ZabCodecError(`64-bit value beyond 2^53 at offset ${this.offset - 8}`);
    return v;
  }

  count(): number {
    const n = this.i32();
    if (n < 0 || n > this.buf.length - this.offset) throw new ZabCodecError(`bad length ${n} at offset ${this.offset - 4}`);
    return n;
  }

  bytes(): Uint8Array {
    const n = this.count();
    const b = this.buf.slice(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }

  txns(): Txn<Uint8Array>[] {
    const n = this.count();
    const out: Txn<Uint8Array>[] = [];
    for (let i = 0; i < n; i++) out.push({ zxid: this.u64(), payload: this.bytes() });
    return out;
  }

  end(): void {
    if (this.offset !== this.buf.length) throw new ZabCodecError(`${this.buf.length - this.offset} trailing bytes`);
  }
}

export function encodeMessage(m: Message<Uint8Array>): Uint8Array {
  const w = new Writer();
  w.u8(typeCodes.indexOf(m.type));
  w.i32(m.from);
  w.i32(m.to);
  if (m.type === 'NOTIFICATION') {
    w.i32(m.vote.leader);
    w.u64(m.vote.zxid);
    w.i32(m.vote.peerEpoch);
    w.u64(m.electionEpoch);
    w.u8(states.indexOf(m.state));
    return w.done();
  }
  w.i32(m.conn);
  w.u64(m.seq);
  switch (m.type) {
    case 'FOLLOWERINFO': w.i32(m.acceptedEpoch); w.u64(m.lastZxid); break;
    case 'LEADERINFO': w.i32(m.epoch); break;
    case 'ACKEPOCH': w.i32(m.currentEpoch); w.u64(m.lastZxid); break;
    case 'DIFF': w.txns(m.entries); w.u64(m.committedZxid); break;
    case 'TRUNC': w.u64(m.truncZxid); w.txns(m.entries); w.u64(m.committedZxid); break;
    case 'SNAP': {
      if (!(m.snapshot.data instanceof Uint8Array)) throw new ZabCodecError('snapshot data must be bytes to go on the wire');
      w.u64(m.snapshot.zxid); w.bytes(m.snapshot.data); w.txns(m.entries); w.u64(m.committedZxid); break;
    }
    case 'NEWLEADER': w.i32(m.epoch); w.u64(m.zxid); break;
    case 'ACK': case 'COMMIT': w.u64(m.zxid); break;
    case 'UPTODATE': w.u64(m.committedZxid); break;
    case 'PROPOSAL': w.u64(m.txn.zxid); w.bytes(m.txn.payload); break;
    case 'PING': w.u64(m.round); break;
    case 'REQUEST': w.bytes(m.request); break;
    case 'SYNC': w.u64(m.syncId); w.u64(m.zxid); break;
  }
  return w.done();
}

export function decodeMessage(bytes: Uint8Array): Message<Uint8Array> {
  const r = new Reader(bytes);
  const code = r.u8();
  const type = typeCodes[code];
  if (type === undefined) throw new ZabCodecError(`unknown message type ${code}`);
  const from = r.i32();
  const to = r.i32();
  let m: Message<Uint8Array>;
  if (type === 'NOTIFICATION') {
    const vote = { leader: r.i32(), zxid: r.u64(), peerEpoch: r.i32() };
    const electionEpoch = r.u64();
    const state = states[r.u8()];
    if (state === undefined) throw new ZabCodecError('unknown server state');
    m = { from, to, type, vote, electionEpoch, state };
  } else {
    const head = { from, to, conn: r.i32(), seq: r.u64() };
    m = { ...head, ...quorumBody(type, r) } as Message<Uint8Array>;
  }
  r.end();
  return m;
}

type QuorumType = Exclude<(typeof typeCodes)[number], 'NOTIFICATION'>;

function quorumBody(type: QuorumType, r: Reader): QuorumBody<Uint8Array> {
  switch (type) {
    case 'FOLLOWERINFO': return { type, acceptedEpoch: r.i32(), lastZxid: r.u64() };
    case 'LEADERINFO': return { type, epoch: r.i32() };
    case 'ACKEPOCH': return { type, currentEpoch: r.i32(), lastZxid: r.u64() };
    case 'DIFF': return { type, entries: r.txns(), committedZxid: r.u64() };
    case 'TRUNC': return { type, truncZxid: r.u64(), entries: r.txns(), committedZxid: r.u64() };
    case 'SNAP': {
      const snapshot: Snapshot = { zxid: r.u64(), data: r.bytes() };
      return { type, snapshot, entries: r.txns(), committedZxid: r.u64() };
    }
    case 'NEWLEADER': return { type, epoch: r.i32(), zxid: r.u64() };
    case 'ACK': return { type, zxid: r.u64() };
    case 'COMMIT': return { type, zxid: r.u64() };
    case 'UPTODATE': return { type, committedZxid: r.u64() };
    case 'PROPOSAL': return { type, txn: { zxid: r.u64(), payload: r.bytes() } };
    case 'PING': return { type, round: r.u64() };
    case 'REQUEST': return { type, request: r.bytes() };
    case 'SYNC': return { type, syncId: r.u64(), zxid: r.u64() };
  }
}
