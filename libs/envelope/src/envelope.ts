/**
 * What travels inside ZAB payloads for the ensemble. The ZAB core treats payloads as opaque bytes:
 *  - a forwarded request (follower -> leader, and the leader's own): a client write, a new or closed
 *    session, or a batch of session touches (ZooKeeper piggybacks those on PING replies);
 *  - a txn (leader -> everyone): the origin server id (who answers the client) and the txn itself in
 *    the storage codec; the zxid comes from the ZAB Txn that carries the payload.
 */
import type { Txn } from '@coord/data-tree';
import type { Id } from '@coord/protocol';
import type { SequencerRequest } from '@coord/server';
import { ByteReader, ByteWriter, varintBytesMax } from '@coord/bytes';
import { decodeTxn, encodeTxn, skimTxn } from '@coord/data-tree';

const requestTag = { write: 1, createSession: 2, closeSession: 3, touch: 4, deleteContainer: 5, moveSession: 6 } as const;

/**
 * Every payload is encoded into this one writer and copied out at its exact size: a writer of its own
 * per payload started too small for a 100-byte value and grew (two allocations and a copy per write).
 * One that grew past scratchBytesKept for a large txn is dropped after it.
 */
const scratchBytesKept = 16 << 10;
let scratch = new ByteWriter(scratchBytesKept);

function takeScratch(): Buffer {
  const out = scratch.take();
  if (out.length > scratchBytesKept) scratch = new ByteWriter(scratchBytesKept);
  return out;
}

/** A request for the leader's sequencer (a write's `decoded` form stays behind: the leader decodes `frame`). */
export function encodeRequestPayload(r: SequencerRequest): Uint8Array {
  const w = scratch;
  w.reset();
  w.writeU8(requestTag[r.kind]);
  w.writeVarint(r.origin);
  switch (r.kind) {
    case 'write':
      w.writeLong(r.sessionId);
      w.writeVarint(r.ids.length);
      for (const id of r.ids) {
        w.writeVarString(id.scheme);
        w.writeVarString(id.id);
      }
      w.writeVarBuffer(r.frame);
      break;
    case 'createSession':
      w.writeLong(r.sessionId);
      w.writeVarint(r.timeOut);
      break;
    case 'closeSession':
      w.writeLong(r.sessionId);
      w.writeSvarint(r.cxid);
      break;
    case 'touch':
      w.writeVarint(r.sessionIds.length);
      for (const id of r.sessionIds) w.writeLong(id);
      break;
    case 'deleteContainer':
      w.writeVarString(r.path);
      break;
    case 'moveSession':
      w.writeLong(r.sessionId);
      break;
  }
  return takeScratch();
}

export function decodeRequestPayload(bytes: Uint8Array): SequencerRequest {
  const r = new ByteReader(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const tag = r.readU8();
  const origin = r.readVarint();
  switch (tag) {
    case requestTag.write: {
      const sessionId = r.readBigLongSigned();
      const n = r.readVarint();
      const ids: Id[] = [];
      for (let i = 0; i < n; i++) ids.push({ scheme: r.readVarString(), id: r.readVarString() });
      // A view, not a copy: the payload is a buffer of its own (a received copy or the encoder's output).
      const n1 = r.readVarint();
      return { kind: 'write', origin, sessionId, ids, frame: n1 === 0 ? Buffer.alloc(0) : r.readRaw(n1 - 1) };
    }
    case requestTag.createSession:
      return { kind: 'createSession', origin, sessionId: r.readBigLongSigned(), timeOut: r.readVarint() };
    case requestTag.closeSession:
      return { kind: 'closeSession', origin, sessionId: r.readBigLongSigned(), cxid: r.readSvarint() };
    case requestTag.touch: {
      const n = r.readVarint();
      const sessionIds: bigint[] = [];
      for (let i = 0; i < n; i++) sessionIds.push(r.readBigLongSigned());
      return { kind: 'touch', origin, sessionIds };
    }
    case requestTag.deleteContainer:
      return { kind: 'deleteContainer', origin, path: r.readVarString() };
    case requestTag.moveSession:
      return { kind: 'moveSession', origin, sessionId: r.readBigLongSigned() };
    default:
      throw new Error(`unknown ensemble request tag ${tag}`);
  }
}

export interface EnsembleTxn {
  /** The member whose client asked for this txn (0 for the leader's own: expiry, container sweep). */
  origin: number;
  txn: Txn;
}

/** First byte of a txn payload; request tags are small numbers, so logs can tell the two apart. */
const txnTag = 0x54;

export function isTxnPayload(bytes: Uint8Array): boolean {
  return bytes.length > 0 && bytes[0] === txnTag;
}

export function encodeTxnPayload(origin: number, txn: Txn): Uint8Array {
  const w = scratch;
  w.reset();
  w.writeU8(txnTag);
  w.writeVarint(origin);
  encodeTxn(w, txn);
  return takeScratch();
}

/**
 * Where the txn of a txn payload continues after its (placeholder) zxid: a log record of it is the real
 * zxid followed by `bytes[offset..]`, the same bytes encodeTxn writes, so a member logs what it proposed
 * or received without decoding and encoding it again. Throws, as decodeTxnPayload does, when `bytes` is
 * not a txn payload whose txn decodeTxn accepts (checked without decoding: skimTxn).
 */
export function txnBodyOffset(bytes: Uint8Array): number {
  if (bytes.length === 0 || bytes[0] !== txnTag) throw new Error(`not a txn payload (tag ${bytes.length === 0 ? 'none' : bytes[0]})`);
  let at = 1;
  // The origin: a varint (of at most varintBytesMax bytes, as ByteReader reads it).
  while (at < bytes.length && at < varintBytesMax && bytes[at] & 0x80) at++;
  const txnAt = at + 1;
  if (txnAt > bytes.length || skimTxn(bytes, txnAt, bytes.length) < 0) throw new Error('malformed txn payload');
  at = txnAt;
  while (bytes[at] & 0x80) at++;
  return at + 1;
}

/** `zxid` is the ZAB zxid of the carrying Txn (the encoded one is a placeholder). */
export function decodeTxnPayload(bytes: Uint8Array, zxid: number): EnsembleTxn {
  // Payloads are Buffers (pooled copies, see ByteReader.readCopy): no second view of the same bytes.
  const r = new ByteReader(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const tag = r.readU8();
  if (tag !== txnTag) throw new Error(`not a txn payload (tag ${tag})`);
  const origin = r.readVarint();
  const txn = decodeTxn(r);
  txn.zxid = zxid; // a fresh object: the placeholder is replaced in place, not copied
  return { origin, txn };
}
