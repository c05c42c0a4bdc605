/**
 * Binary encoding of one Txn (the payload of a log record). Grammar in docs/formats.md:
 *   txn    = zxid:varint time:varint sessionId:i64 cxid:svarint op
 *   op     = tag:u8 fields (one form per TxnOp type; multi nests ops; docs/formats.md lists them)
 */
import type { ACL } from '@coord/protocol';
import type { Txn, TxnOp } from './txn';
import { ByteReader, ByteWriter, DecodeError } from '@coord/bytes';

export const OpTag = {
  create: 1,
  delete: 2,
  setData: 3,
  setACL: 4,
  check: 5,
  error: 6,
  createSession: 7,
  closeSession: 8,
  multi: 9,
  /** create of an ephemeral, container or TTL node: the non-zero ephemeralOwner follows. */
  createOwned: 10,
  /** createSession carrying the session secret (the first one a data directory or ensemble orders). */
  createSessionSecret: 11,
} as const;

/** A multi inside a multi is never produced; one level is all a reader must accept. */
const multiDepthMax = 1;
/** Bounds what a corrupt count can make the decoder allocate. */
const multiOpsMax = 1 << 20;
const aclEntriesMax = 1 << 16;
/** cdrwa: ZooKeeper's Perms.ALL. */
const permsAll = 31;
/** world:anyone with every permission, the list most nodes carry; frozen, so it can be shared. */
const openAclUnsafe: readonly ACL[] = Object.freeze([Object.freeze({ perms: permsAll, id: Object.freeze({ scheme: 'world', id: 'anyone' }) })]);

export function encodeTxn(w: ByteWriter, txn: Txn): void {
  w.writeVarint(txn.zxid);
  w.writeVarint(txn.time);
  w.writeLong(txn.sessionId);
  w.writeSvarint(txn.cxid);
  encodeOp(w, txn.op);
}

/**
 * ACL list: 0 stands for world:anyone with every permission (what nearly every node carries, 14 bytes
 * saved per create); otherwise the number of entries plus one, then the entries.
 */
export function encodeAcl(w: ByteWriter, acl: readonly ACL[]): void {
  if (acl.length === 1 && acl[0].perms === permsAll && acl[0].id.scheme === 'world' && acl[0].id.id === 'anyone') {
    w.writeVarint(0);
    return;
  }
  w.writeVarint(acl.length + 1);
  for (const a of acl) {
    w.writeSvarint(a.perms);
    w.writeVarString(a.id.scheme);
    w.writeVarString(a.id.id);
  }
}

export function decodeAcl(r: ByteReader): ACL[] {
  const count = r.readVarint();
  // One frozen list for every default ACL: a log of creates would otherwise hold three objects per txn.
  if (count === 0) return openAclUnsafe as ACL[];
  const n = count - 1;
  if (n > aclEntriesMax) throw new DecodeError(`ACL list of ${n} entries`, r.offset);
  const acl: ACL[] = [];
  for (let i = 0; i < n; i++) {
    const perms = r.readSvarint();
    const scheme = r.readVarString();
    const id = r.readVarString();
    acl.push({ perms, id: { scheme, id } });
  }
  return acl;
}

/**
 * At least the bytes encodeTxn writes for `txn` (strings counted at 3 bytes per UTF-16 unit, varints at
 * their widest), so a writer sized with it never grows: a log batch of 1 KiB values grew by doubling
 * from a guess and left each smaller buffer behind.
 */
export function encodedTxnBytesMax(txn: Txn): number {
  return 8 + 8 + 8 + 8 + opBytesMax(txn.op);
}

function aclBytesMax(acl: readonly ACL[]): number {
  let n = 8;
  for (const a of acl) n += 8 + 16 + (a.id.scheme.length + a.id.id.length) * 3;
  return n;
}

function opBytesMax(op: TxnOp): number {
  const path = 'path' in op ? 8 + op.path.length * 3 : 0;
  switch (op.type) {
    case 'create':
      return 1 + path + 8 + (op.data?.length ?? 0) + aclBytesMax(op.acl) + 8;
    case 'setData':
      return 1 + path + 8 + (op.data?.length ?? 0) + 8;
    case 'setACL':
      return 1 + path + aclBytesMax(op.acl) + 8;
    case 'createSession':
      return 1 + 8 + 8 + (op.secret?.length ?? 0);
    case 'multi': {
      let n = 1 + 8;
      for (const sub of op.ops) n += opBytesMax(sub);
      return n;
    }
    default:
      return 1 + path + 8;
  }
}

function encodeOp(w: ByteWriter, op: TxnOp): void {
  switch (op.type) {
    case 'create':
      w.writeU8(op.ephemeralOwner === 0n ? OpTag.create : OpTag.createOwned);
      w.writeVarString(op.path);
      w.writeVarBuffer(op.data);
      encodeAcl(w, op.acl);
      if (op.ephemeralOwner !== 0n) w.writeLong(op.ephemeralOwner);
      return;
    case 'delete':
      w.writeU8(OpTag.delete);
      w.writeVarString(op.path);
      return;
    case 'setData':
      w.writeU8(OpTag.setData);
      w.writeVarString(op.path);
      w.writeVarBuffer(op.data);
      w.writeSvarint(op.version);
      return;
    case 'setACL':
      w.writeU8(OpTag.setACL);
      w.writeVarString(op.path);
      encodeAcl(w, op.acl);
      w.writeSvarint(op.aversion);
      return;
    case 'check':
      w.writeU8(OpTag.check);
      w.writeVarString(op.path);
      return;
    case 'error':
      w.writeU8(OpTag.error);
      w.writeSvarint(op.err);
      return;
    case 'createSession':
      w.writeU8(op.secret ? OpTag.createSessionSecret : OpTag.createSession);
      w.writeSvarint(op.timeOut);
      if (op.secret) w.writeVarBuffer(op.secret);
      return;
    case 'closeSession':
      w.writeU8(OpTag.closeSession);
      return;
    case 'multi':
      w.writeU8(OpTag.multi);
      w.writeVarint(op.ops.length);
      for (const sub of op.ops) encodeOp(w, sub);
      return;
  }
}

export function decodeTxn(r: ByteReader): Txn {
  const zxid = r.readVarint();
  const time = r.readVarint();
  const sessionId = r.readBigLongSigned();
  const cxid = r.readSvarint();
  const op = decodeOp(r, 0);
  return { zxid, time, sessionId, cxid, op };
}

function decodeOp(r: ByteReader, depth: number): TxnOp {
  const at = r.offset;
  const tag = r.readU8();
  switch (tag) {
    case OpTag.create:
    case OpTag.createOwned: {
      const path = r.readVarString();
      const data = r.readVarBuffer();
      const acl = decodeAcl(r);
      const ephemeralOwner = tag === OpTag.createOwned ? r.readBigLongSigned() : 0n;
      return { type: 'create', path, data, acl, ephemeralOwner };
    }
    case OpTag.delete:
      return { type: 'delete', path: r.readVarString() };
    case OpTag.setData: {
      const path = r.readVarString();
      const data = r.readVarBuffer();
      return { type: 'setData', path, data, version: r.readSvarint() };
    }
    case OpTag.setACL: {
      const path = r.readVarString();
      const acl = decodeAcl(r);
      return { type: 'setACL', path, acl, aversion: r.readSvarint() };
    }
    case OpTag.check:
      return { type: 'check', path: r.readVarString() };
    case OpTag.error:
      return { type: 'error', err: r.readSvarint() };
    case OpTag.createSession:
      return { type: 'createSession', timeOut: r.readSvarint() };
    case OpTag.closeSession:
      return { type: 'closeSession' };
    case OpTag.createSessionSecret: {
      const timeOut = r.readSvarint();
      const secret = r.readVarBuffer();
      if (secret === null || secret.length === 0) throw new DecodeError('empty session secret', at);
      return { type: 'createSession', timeOut, secret };
    }
    case OpTag.multi: {
      if (depth >= multiDepthMax) throw new DecodeError('multi nested in multi', at);
      const n = r.readVarint();
      if (n > multiOpsMax) throw new DecodeError(`multi of ${n} ops`, at);
      const ops: TxnOp[] = [];
      for (let i = 0; i < n; i++) ops.push(decodeOp(r, depth + 1));
      return { type: 'multi', ops };
    }
    default:
      throw new DecodeError(`unknown op tag ${tag}`, at);
  }
}
