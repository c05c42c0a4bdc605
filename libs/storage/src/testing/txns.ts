/** Txn fixtures for the storage tests: one of every op, multi included. */
import type { Txn, TxnOp } from '@coord/data-tree';
import { containerOwner, OPEN_ACL_UNSAFE, ttlOwner } from '@coord/data-tree';

export const sessionA = 0x0100017f00000001n;

/** A valid sequence: applying it to a fresh tree works. */
export function sampleTxns(): Txn[] {
  const ops: [bigint, TxnOp][] = [
    [sessionA, { type: 'createSession', timeOut: 6000 }],
    [sessionA, { type: 'create', path: '/app', data: Buffer.from('config'), acl: OPEN_ACL_UNSAFE, ephemeralOwner: 0n }],
    [sessionA, { type: 'create', path: '/app/eph', data: null, acl: OPEN_ACL_UNSAFE, ephemeralOwner: sessionA }],
    [sessionA, { type: 'create', path: '/app/box', data: Buffer.alloc(0), acl: OPEN_ACL_UNSAFE, ephemeralOwner: containerOwner }],
    [sessionA, { type: 'create', path: '/app/ttl', data: Buffer.from([0, 255, 1]), acl: OPEN_ACL_UNSAFE, ephemeralOwner: ttlOwner(5000) }],
    [sessionA, { type: 'setData', path: '/app', data: Buffer.from('v2'), version: 1 }],
    [sessionA, { type: 'setACL', path: '/app', acl: [{ perms: 31, id: { scheme: 'digest', id: 'u:abc=' } }], aversion: 1 }],
    [sessionA, { type: 'error', err: -110 }],
    [
      sessionA,
      {
        type: 'multi',
        ops: [
          { type: 'check', path: '/app' },
          { type: 'create', path: '/app/m1', data: Buffer.from('x'), acl: OPEN_ACL_UNSAFE, ephemeralOwner: 0n },
          { type: 'create', path: '/app/m2', data: null, acl: OPEN_ACL_UNSAFE, ephemeralOwner: 0n },
          { type: 'delete', path: '/app/m1' },
        ],
      },
    ],
    [sessionA, { type: 'multi', ops: [{ type: 'error', err: 0 }, { type: 'error', err: -101 }, { type: 'error', err: -2 }] }],
    [sessionA, { type: 'delete', path: '/app/m2' }],
    [sessionA, { type: 'closeSession' }],
  ];
  return ops.map(([sessionId, op], i) => ({ zxid: i + 1, time: 1_700_000_000_000 + i, sessionId, cxid: i, op }));
}

/** `n` creates of /n<i> with 100-byte values. */
export function createTxns(n: number, from = 1): Txn[] {
  const out: Txn[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ zxid: from + i, time: 1_700_000_000_000 + i, sessionId: sessionA, cxid: i, op: { type: 'create', path: `/n${from + i}`, data: Buffer.alloc(100, 97), acl: OPEN_ACL_UNSAFE, ephemeralOwner: 0n } });
  }
  return out;
}
