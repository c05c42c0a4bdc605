/** Round trips of what travels inside ZAB payloads. */
import type { Txn } from '@coord/data-tree';
import { ACL, Perms } from '@coord/protocol';
import { decodeRequestPayload, decodeTxnPayload, encodeRequestPayload, encodeTxnPayload, isTxnPayload } from './envelope';

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
});
