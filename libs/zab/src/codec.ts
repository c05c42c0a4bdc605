// A binary form of Message<Uint8Array> for drivers that talk over sockets. Big-endian like jute;
// zxids and counters that can pass 2^31 travel as 64-bit (high word, low word). One encoded message
// is one frame body: the driver adds the length prefix. Snapshot data must be bytes here (the
// driver's serialized data tree). Decoding checks every length against the bytes actually present.

import { ByteReader, ByteWriter, type DecodeFailure } from '@coord/bytes';
import type { Message, ServerState, Snapshot, ZabTxn } from './messages';

const typeCodes = [
  'NOTIFICATION', 'FOLLOWERINFO', 'LEADERINFO', 'ACKEPOCH', 'DIFF', 'TRUNC', 'SNAP', 'NEWLEADER', 'ACK',
  'UPTODATE', 'PROPOSAL', 'COMMIT', 'PING', 'REQUEST', 'SYNC',
] as const;
const states: readonly ServerState[] = ['LOOKING', 'FOLLOWING', 'LEADING'];

export class ZabCodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZabCodecError';
  }
}

/** A non-negative integer below 2^53 as a 64-bit long (zxids and counters). */
function writeU64(w: ByteWriter, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new ZabCodecError(`not a 64-bit unsigned integer: ${v}`);
  w.writeLong(v);
}

/** An int length, then the bytes. */
function writeBytes(w: ByteWriter, b: Uint8Array): void {
  w.writeInt(b.length);
  w.writeRaw(b);
}

function writeTxns(w: ByteWriter, list: readonly ZabTxn<Uint8Array>[]): void {
  w.writeInt(list.length);
  for (const t of list) {
    writeU64(w, t.zxid);
    writeBytes(w, t.payload);
  }
}

const codecError: DecodeFailure = (message) => new ZabCodecError(message);

function readU64(r: ByteReader): number {
  const v = r.readLong();
  if (v < 0 || !Number.isSafeInteger(v)) throw new ZabCodecError(`64-bit value beyond 2^53 at offset ${r.offset - 8}`);
  return v;
}

function readCount(r: ByteReader): number {
  const n = r.readInt();
  if (n < 0 || n > r.remaining) throw new ZabCodecError(`bad length ${n} at offset ${r.offset - 4}`);
  return n;
}

/** A copy, so a decoded message never pins the frame it came in. */
function readBytes(r: ByteReader): Uint8Array {
  return r.readCopy(readCount(r));
}

function readTxns(r: ByteReader): ZabTxn<Uint8Array>[] {
  const n = readCount(r);
  const out: ZabTxn<Uint8Array>[] = [];
  for (let i = 0; i < n; i++) out.push({ zxid: readU64(r), payload: readBytes(r) });
  return out;
}

export function encodeMessage(m: Message<Uint8Array>): Uint8Array {
  const w = new ByteWriter(64);
  writeMessage(w, m);
  return new Uint8Array(w.view());
}

/**
 * Appends `m` as one frame (an int length, then the message) to `w`: a driver gathers the frames of
 * one turn for a peer in one writer and writes them with one call.
 */
export function writeFrame(w: ByteWriter, m: Message<Uint8Array>): void {
  const at = w.length;
  w.writeInt(0);
  writeMessage(w, m);
  w.patchInt(at, w.length - at - 4);
}

function writeMessage(w: ByteWriter, m: Message<Uint8Array>): void {
  w.writeU8(typeCodes.indexOf(m.type));
  w.writeInt(m.from);
  w.writeInt(m.to);
  if (m.type === 'NOTIFICATION') {
    w.writeInt(m.vote.leader);
    writeU64(w, m.vote.zxid);
    w.writeInt(m.vote.peerEpoch);
    writeU64(w, m.electionEpoch);
    w.writeU8(states.indexOf(m.state));
    return;
  }
  w.writeInt(m.conn);
  writeU64(w, m.seq);
  switch (m.type) {
    case 'FOLLOWERINFO': w.writeInt(m.acceptedEpoch); writeU64(w, m.lastZxid); break;
    case 'LEADERINFO': w.writeInt(m.epoch); break;
    case 'ACKEPOCH': w.writeInt(m.currentEpoch); writeU64(w, m.lastZxid); break;
    case 'DIFF': writeTxns(w, m.entries); writeU64(w, m.committedZxid); break;
    case 'TRUNC': writeU64(w, m.truncZxid); writeTxns(w, m.entries); writeU64(w, m.committedZxid); break;
    case 'SNAP': {
      if (!(m.snapshot.data instanceof Uint8Array)) throw new ZabCodecError('snapshot data must be bytes to go on the wire');
      writeU64(w, m.snapshot.zxid); writeBytes(w, m.snapshot.data); writeTxns(w, m.entries); writeU64(w, m.committedZxid); break;
    }
    case 'NEWLEADER': w.writeInt(m.epoch); writeU64(w, m.zxid); break;
    case 'ACK': case 'COMMIT': writeU64(w, m.zxid); break;
    case 'UPTODATE': writeU64(w, m.committedZxid); break;
    case 'PROPOSAL': writeU64(w, m.txn.zxid); writeBytes(w, m.txn.payload); break;
    case 'PING': writeU64(w, m.round); break;
    case 'REQUEST': writeBytes(w, m.request); break;
    case 'SYNC': writeU64(w, m.syncId); writeU64(w, m.zxid); break;
  }
}

/** The message in `bytes` (from `start` to `end`, by default all of it). */
export function decodeMessage(bytes: Uint8Array, start = 0, end = bytes.byteLength): Message<Uint8Array> {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r = new ByteReader(buf, start, { end, fail: codecError });
  const code = r.readU8();
  const type = typeCodes[code];
  if (type === undefined) throw new ZabCodecError(`unknown message type ${code}`);
  const from = r.readInt();
  const to = r.readInt();
  let m: Message<Uint8Array>;
  if (type === 'NOTIFICATION') {
    const vote = { leader: r.readInt(), zxid: readU64(r), peerEpoch: r.readInt() };
    const electionEpoch = readU64(r);
    const state = states[r.readU8()];
    if (state === undefined) throw new ZabCodecError('unknown server state');
    m = { from, to, type, vote, electionEpoch, state };
  } else {
    const conn = r.readInt();
    m = quorumMessage(type, from, to, conn, readU64(r), r);
  }
  if (r.remaining !== 0) throw new ZabCodecError(`${r.remaining} trailing bytes`);
  return m;
}

type QuorumType = Exclude<(typeof typeCodes)[number], 'NOTIFICATION'>;

/** One object literal per type (no spreads): the hot messages keep one shape each. */
function quorumMessage(type: QuorumType, from: number, to: number, conn: number, seq: number, r: ByteReader): Message<Uint8Array> {
  switch (type) {
    case 'FOLLOWERINFO': return { from, to, conn, seq, type, acceptedEpoch: r.readInt(), lastZxid: readU64(r) };
    case 'LEADERINFO': return { from, to, conn, seq, type, epoch: r.readInt() };
    case 'ACKEPOCH': return { from, to, conn, seq, type, currentEpoch: r.readInt(), lastZxid: readU64(r) };
    case 'DIFF': return { from, to, conn, seq, type, entries: readTxns(r), committedZxid: readU64(r) };
    case 'TRUNC': return { from, to, conn, seq, type, truncZxid: readU64(r), entries: readTxns(r), committedZxid: readU64(r) };
    case 'SNAP': {
      const snapshot: Snapshot = { zxid: readU64(r), data: readBytes(r) };
      return { from, to, conn, seq, type, snapshot, entries: readTxns(r), committedZxid: readU64(r) };
    }
    case 'NEWLEADER': return { from, to, conn, seq, type, epoch: r.readInt(), zxid: readU64(r) };
    case 'ACK': return { from, to, conn, seq, type, zxid: readU64(r) };
    case 'COMMIT': return { from, to, conn, seq, type, zxid: readU64(r) };
    case 'UPTODATE': return { from, to, conn, seq, type, committedZxid: readU64(r) };
    case 'PROPOSAL': {
      const zxid = readU64(r);
      return { from, to, conn, seq, type, txn: { zxid, payload: readBytes(r) } };
    }
    case 'PING': return { from, to, conn, seq, type, round: readU64(r) };
    case 'REQUEST': return { from, to, conn, seq, type, request: readBytes(r) };
    case 'SYNC': return { from, to, conn, seq, type, syncId: readU64(r), zxid: readU64(r) };
  }
}
