/**
 * skimTxn must accept exactly what decodeTxn accepts (recovery's windowed scan trusts it, and falls
 * back to the full scan only where it refuses): every op encoded and then cut at every length and
 * with bytes flipped, both must agree; readTxnHead must point at a create's parts.
 */
import { ByteReader, ByteWriter } from '@coord/bytes';
import { OPEN_ACL_UNSAFE } from './acl';
import type { Txn, TxnOp } from './txn';
import { decodeTxn, encodeTxn, OpTag } from './txn-codec';
import { readTxnHead, skimmed, skimTxn, txnHead } from './txn-skim';
import { containerOwner } from './znode';

const ops: TxnOp[] = [
  { type: 'create', path: '/a/b', data: Buffer.from('data'), acl: OPEN_ACL_UNSAFE, ephemeralOwner: 0n },
  { type: 'create', path: '/日本', data: null, acl: [{ perms: 3, id: { scheme: 'digest', id: 'u:x' } }, { perms: 1, id: { scheme: 'ip', id: '10.0.0.1' } }], ephemeralOwner: 0x7fff_0000_0000_0001n },
  { type: 'create', path: '/c', data: Buffer.alloc(0), acl: OPEN_ACL_UNSAFE, ephemeralOwner: containerOwner },
  { type: 'delete', path: '/a/b' },
  { type: 'setData', path: '/a', data: Buffer.alloc(300, 1), version: 7 },
  { type: 'setACL', path: '/a', acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }, { perms: 1, id: { scheme: 'x', id: 'y' } }], aversion: 2 },
  { type: 'check', path: '/a' },
  { type: 'error', err: -101 },
  { type: 'createSession', timeOut: 30000 },
  { type: 'createSession', timeOut: 30000, secret: Buffer.alloc(32, 9) },
  { type: 'closeSession' },
  { type: 'multi', ops: [{ type: 'check', path: '/a' }, { type: 'create', path: '/m', data: null, acl: OPEN_ACL_UNSAFE, ephemeralOwner: 0n }, { type: 'error', err: 0 }] },
  { type: 'multi', ops: [] },
];

function encode(op: TxnOp, zxid = 0x5_0000_0001): Buffer {
  const t: Txn = { zxid, time: 1_700_000_000_000, sessionId: -5n, cxid: -3, op };
  const w = new ByteWriter(64);
  encodeTxn(w, t);
  return w.take();
}

/** Whether decodeTxn reads `b[0, end)` whole: what recovery's full scan accepts. */
function decodes(b: Buffer, end: number): boolean {
  try {
    const r = new ByteReader(b, 0, { end });
    decodeTxn(r);
    return r.offset === end;
  } catch {
    return false;
  }
}

describe('skimTxn', () => {
  it('accepts every op with its zxid and tag', () => {
    for (const op of ops) {
      const b = encode(op);
      expect([op.type, skimTxn(b, 0, b.length) > 0, skimmed.zxid]).toEqual([op.type, true, 0x5_0000_0001]);
    }
    expect(skimTxn(encode(ops[0]), 0, encode(ops[0]).length)).toBe(OpTag.create);
    expect(skimTxn(encode(ops[1]), 0, encode(ops[1]).length)).toBe(OpTag.createOwned);
  });

  it('agrees with decodeTxn on every cut and on flipped bytes', () => {
    let seed = 7;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (const op of ops) {
      const whole = encode(op);
      for (let end = 0; end <= whole.length; end++) expect([op.type, end, skimTxn(whole, 0, end) >= 0]).toEqual([op.type, end, decodes(whole, end)]);
      for (let k = 0; k < 300; k++) {
        const b = Buffer.from(whole);
        for (let n = 1 + Math.floor(rnd() * 3); n > 0; n--) b[Math.floor(rnd() * b.length)] = rnd() < 0.3 ? 0xff : Math.floor(rnd() * 256);
        expect([op.type, [...b], skimTxn(b, 0, b.length) >= 0]).toEqual([op.type, [...b], decodes(b, b.length)]);
      }
    }
    // A multi inside a multi, an unknown tag and an empty secret are refused by both.
    const nested = encode({ type: 'multi', ops: [{ type: 'multi', ops: [] }] });
    const empty = encode({ type: 'createSession', timeOut: 1, secret: Buffer.alloc(0) });
    for (const b of [nested, empty, Buffer.from([1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 99])]) expect([skimTxn(b, 0, b.length), decodes(b, b.length)]).toEqual([-1, false]);
  });
});

describe('readTxnHead', () => {
  it("points at a create's path, data, ACL and owner", () => {
    const h = txnHead();
    const pre = Buffer.from('xyz');
    for (const op of ops.slice(0, 3)) {
      if (op.type !== 'create') continue;
      const b = Buffer.concat([pre, encode(op, 42)]);
      expect(readTxnHead(b, 3, b.length, h)).toBe(op.ephemeralOwner === 0n ? OpTag.create : OpTag.createOwned);
      expect([h.zxid, h.time, b.toString('utf8', h.pathAt, h.pathEnd)]).toEqual([42, 1_700_000_000_000, op.path]);
      expect(h.dataLength < 0 ? null : b.subarray(h.dataAt, h.dataAt + h.dataLength)).toEqual(op.data);
      expect(h.aclDefault).toBe(op.acl === OPEN_ACL_UNSAFE);
      expect(h.ownerAt < 0 ? 0n : b.readBigInt64BE(h.ownerAt)).toBe(op.ephemeralOwner);
    }
    const del = encode(ops[3]);
    expect(readTxnHead(del, 0, del.length, h)).toBe(OpTag.delete);
  });
});
