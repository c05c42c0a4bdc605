/** Round trips of what travels inside ZAB payloads. */
import { ByteWriter } from '@coord/bytes';
import { encodeTxn, type Txn } from '@coord/data-tree';
import { ACL, Perms } from '@coord/protocol';
import { decodeRequestPayload, decodeTxnPayload, encodeRequestPayload, encodeTxnPayload, isTxnPayload, txnBodyOffset } from './envelope';

const openAcl: ACL[] = [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }];

describe('envelope', () => {
  it('round-trips every request kind and a txn, and tells them apart', () => {
    const requests = [
      { kind: 'write' as const, origin: 2, sessionId: -5n, ids: [{ scheme: 'digest', id: 'u:x' }], frame: Buffer.from([1, 2, 3]) },
      { kind: 'createSession' as const, origin: 1, sessionId: 0x0100000000000001n, timeOut: 4000 },
      { kind: 'closeSession' as const, origin: 3, sessionId: 7n, cxid: -2 },
      { kind: 'touch' as const, origin: 3, sessionIds: [1n, -1n] },
      { kind: 'moveSession' as const, origin: 2, sessionId: 0x0100000000000002n },
      { kind: 'deleteContainer' as const, origin: 0, path: '/c' },
    ];
    for (const r of requests) {
      const bytes = encodeRequestPayload(r);
      expect(isTxnPayload(bytes)).toBe(false);
      expect(decodeRequestPayload(bytes)).toEqual(r);
    }
    const txn: Txn = { zxid: 0, time: 1234, sessionId: 9n, cxid: 5, op: { type: 'create', path: '/a', data: Buffer.from('d'), acl: openAcl, ephemeralOwner: 0n } };
    const bytes = encodeTxnPayload(2, txn);
    expect(isTxnPayload(bytes)).toBe(true);
    expect(decodeTxnPayload(bytes, 0x100000007)).toEqual({ origin: 2, txn: { ...txn, zxid: 0x100000007 } });
  });

  it('finds the txn after its zxid in a txn payload: the real zxid and those bytes are what encodeTxn writes', () => {
    const txns: Txn[] = [
      { zxid: 0, time: 1234, sessionId: 9n, cxid: 5, op: { type: 'create', path: '/a', data: Buffer.from('d'), acl: openAcl, ephemeralOwner: 0n } },
      { zxid: 300, time: 0, sessionId: -1n, cxid: -2, op: { type: 'setData', path: '/a/b', data: Buffer.alloc(200, 7), version: 3 } },
      { zxid: 0x7fffffff, time: 5, sessionId: 1n, cxid: 1, op: { type: 'delete', path: '/x' } },
    ];
    for (const origin of [0, 3, 200, 70000]) {
      for (const txn of txns) {
        const payload = encodeTxnPayload(origin, txn);
        const at = txnBodyOffset(payload);
        for (const zxid of [1, 0x100000007, 2 ** 40 + 5]) {
          const record = new ByteWriter().writeVarint(zxid).writeRaw(payload.subarray(at)).take();
          const direct = new ByteWriter();
          encodeTxn(direct, { ...txn, zxid });
          expect(record).toEqual(direct.take());
        }
      }
    }
  });

  it('hands out payloads of their own: a later encoding (small or large) changes none before it', () => {
    const txnOf = (n: number): Txn => ({ zxid: 0, time: 1, sessionId: 9n, cxid: n, op: { type: 'setData', path: `/p${n}`, data: Buffer.alloc(n, n % 251), version: -1 } });
    const sizes = [100, 40_000, 10, 70_000, 5];
    const payloads = sizes.map((n) => encodeTxnPayload(1, txnOf(n)));
    const requests = sizes.map((n) => encodeRequestPayload({ kind: 'write', origin: 2, sessionId: 3n, ids: [], frame: Buffer.alloc(n, 7) }));
    sizes.forEach((n, i) => {
      expect(decodeTxnPayload(payloads[i], 4)).toEqual({ origin: 1, txn: { ...txnOf(n), zxid: 4 } });
      expect(decodeRequestPayload(requests[i])).toMatchObject({ frame: Buffer.alloc(n, 7) });
    });
  });

  it('refuses what is not a whole txn payload', () => {
    const good = encodeTxnPayload(2, { zxid: 0, time: 1, sessionId: 9n, cxid: 5, op: { type: 'delete', path: '/x' } });
    expect(txnBodyOffset(good)).toBeGreaterThan(2);
    expect(() => txnBodyOffset(encodeRequestPayload({ kind: 'deleteContainer', origin: 0, path: '/c' }))).toThrow(/not a txn payload/);
    expect(() => txnBodyOffset(new Uint8Array(0))).toThrow(/not a txn payload/);
    expect(() => txnBodyOffset(good.subarray(0, good.length - 1))).toThrow(/malformed/);
    expect(() => txnBodyOffset(Buffer.concat([good, Buffer.from([0])]))).toThrow(/malformed/);
    expect(() => txnBodyOffset(good.subarray(0, 2))).toThrow(/malformed/);
  });
});
