// The checkers on hand-made histories: each violation they exist for must be reported.

import type { Txn, TxnOp } from '@coord/data-tree';
import { encodeTxnPayload } from '@coord/envelope';
import { ErrorCode } from '@coord/protocol';
import { checkClientHistory } from './checkers';
import type { ReadRecord, WatchRecord, WriteRecord } from './clients';
import { HistoryChecker } from './history';
import { SequenceModel } from './model';

const z = (epoch: number, counter: number): number => epoch * 2 ** 32 + counter;
const s1 = 0x100000000000001n;
const zabTxn = (zxid: number, sessionId: bigint, cxid: number, op: TxnOp) => {
  const txn: Txn = { zxid: 0, time: 0, sessionId, cxid, op };
  return { zxid, payload: encodeTxnPayload(1, txn) };
};
const setData = (path: string, value: string): TxnOp => ({ type: 'setData', path, data: Buffer.from(value), version: 1 });
const ephemeral = (path: string, owner: bigint): TxnOp => ({ type: 'create', path, data: null, acl: [], ephemeralOwner: owner });

function write(xid: number, invokeAt: number, ackAt: number, zxid: number, extra: Partial<WriteRecord> = {}): WriteRecord {
  return { client: 0, sessionId: s1, xid, desc: `w${xid}`, member: 1, connId: 1, invokeAt, outcome: 'answered', ackAt, zxid, err: 0, ok: true, ...extra };
}

function read(zxid: number, extra: Partial<ReadRecord> = {}): ReadRecord {
  return { client: 0, sessionId: s1, member: 2, kind: 'data', path: '/k0', afterSync: false, invokeAt: 100, doneAt: 110, zxid, err: 0, data: null, children: null, ...extra };
}

/** A session, then writes xid 1 and 2 to /k0. */
const base = [
  zabTxn(z(1, 1), s1, 0, { type: 'createSession', timeOut: 1000 }),
  zabTxn(z(1, 2), s1, 1, setData('/k0', 'a')),
  zabTxn(z(1, 3), s1, 2, setData('/k0', 'b')),
];

describe('HistoryChecker (one order of txns)', () => {
  it('accepts members applying the same sequence, from the start or from a snapshot', () => {
    const h = new HistoryChecker();
    h.onApply(1, 0, 0, base[0]);
    h.onApply(1, 0, base[0].zxid, base[1]);
    h.onApply(2, 0, 0, base[0]);
    h.onRestore(3, base[0].zxid);
    h.onApply(3, 0, base[0].zxid, base[1]);
    expect(h.sequence().map((t) => t.zxid)).toEqual([z(1, 1), z(1, 2)]);
  });

  it('reports a fork, two txns at one zxid, an out-of-order apply and a snapshot off the sequence', () => {
    const h = new HistoryChecker();
    h.onApply(1, 0, 0, base[0]);
    h.onApply(1, 0, base[0].zxid, base[1]);
    expect(() => h.onApply(2, 5, base[0].zxid, base[2])).toThrow(/prefix agreement broken/);
    expect(() => h.onApply(2, 5, 0, { zxid: z(1, 1), payload: base[1].payload })).toThrow(/two txns at one zxid/);
    expect(() => h.onApply(1, 0, z(1, 2), base[1])).toThrow(/out of zxid order/);
    expect(() => h.onRestore(2, z(3, 3))).toThrow(/no member ever applied/);
  });
});

describe('checkClientHistory', () => {
  const model = new SequenceModel(base);

  it('accepts a linearizable history with fresh reads', () => {
    const writes = [write(1, 0, 10, z(1, 2)), write(2, 11, 20, z(1, 3))];
    expect(() => checkClientHistory(model, writes, [read(z(1, 3), { data: 'b', afterSync: true, invokeAt: 30 })])).not.toThrow();
  });

  it('reports an answered write missing from the sequence or answered with another zxid', () => {
    expect(() => checkClientHistory(model, [write(1, 0, 10, z(1, 2)), write(2, 11, 20, z(1, 3)), write(3, 21, 30, z(1, 4))], [])).toThrow(/is missing from the agreed sequence/);
    expect(() => checkClientHistory(model, [write(1, 0, 10, z(1, 3)), write(2, 11, 20, z(1, 3))], [])).toThrow(/answered with zxid .* but committed at/);
  });

  it('accepts a write the front answered SESSIONEXPIRED without a txn', () => {
    const w = [write(1, 0, 10, z(1, 2)), write(2, 11, 20, z(1, 3)), write(3, 21, 30, z(1, 3), { err: ErrorCode.SESSIONEXPIRED, ok: false })];
    expect(() => checkClientHistory(model, w, [])).not.toThrow();
  });

  it('reports a txn no client sent, and writes of one connection committed out of order', () => {
    expect(() => checkClientHistory(model, [write(1, 0, 10, z(1, 2))], [])).toThrow(/never sent by a client/);
    const swapped = new SequenceModel([base[0], zabTxn(z(1, 2), s1, 2, setData('/k0', 'b')), zabTxn(z(1, 3), s1, 1, setData('/k0', 'a'))]);
    expect(() => checkClientHistory(swapped, [write(1, 0, 30, z(1, 3), { outcome: 'unknown' }), write(2, 1, 20, z(1, 2))], [])).toThrow(/FIFO order broken/);
  });

  it('reports a write ordered before one answered before it was sent', () => {
    const writes = [write(2, 0, 10, z(1, 3), { connId: 2 }), write(1, 11, 20, z(1, 2))];
    expect(() => checkClientHistory(model, writes, [])).toThrow(/not linearizable/);
  });

  it('reports a stale read after sync and a value the sequence does not hold', () => {
    const writes = [write(1, 0, 10, z(1, 2)), write(2, 11, 20, z(1, 3))];
    expect(() => checkClientHistory(model, writes, [read(z(1, 2), { data: 'a', afterSync: true, invokeAt: 30 })])).toThrow(/stale read after sync/);
    expect(() => checkClientHistory(model, writes, [read(z(1, 2), { data: 'a', afterSync: false, invokeAt: 30 })])).not.toThrow();
    expect(() => checkClientHistory(model, writes, [read(z(1, 3), { data: 'a' })])).toThrow(/returned a, the agreed sequence holds b/);
  });

  it('reports an ephemeral missing while its session lives, and one that outlived its session', () => {
    const seq = new SequenceModel([
      base[0],
      zabTxn(z(1, 2), s1, 1, ephemeral('/e-0-1', s1)),
      zabTxn(z(1, 3), s1, 0, { type: 'closeSession' }),
    ]);
    const writes = [write(1, 0, 10, z(1, 2))];
    const children = (zxid: number, names: string[]) => read(zxid, { kind: 'children', path: '/', children: names });
    expect(() => checkClientHistory(seq, writes, [children(z(1, 2), ['e-0-1', 'k0']), children(z(1, 3), ['k0'])])).not.toThrow();
    expect(() => checkClientHistory(seq, writes, [children(z(1, 2), ['k0'])])).toThrow(/e-0-1 of live sessions are missing/);
    expect(() => checkClientHistory(seq, writes, [children(z(1, 3), ['e-0-1'])])).toThrow(/deleted or their session closed/);
  });

  it('reports an ephemeral created for a closed session, and a request committed twice', () => {
    expect(() => new SequenceModel([base[0], zabTxn(z(1, 2), s1, 0, { type: 'closeSession' }), zabTxn(z(1, 3), s1, 1, ephemeral('/e', s1))])).toThrow(/which is closed/);
    expect(() => new SequenceModel([base[0], base[1], zabTxn(z(1, 3), s1, 1, setData('/k0', 'a'))])).toThrow(/committed twice/);
  });

  it('reports a watch that fired for the wrong change, after the new data, or never', () => {
    const writes = [write(1, 0, 10, z(1, 2)), write(2, 11, 20, z(1, 3))];
    const watch = (extra: Partial<WatchRecord>): WatchRecord => ({ client: 1, member: 2, kind: 'data', path: '/k0', armedZxid: z(1, 2), firedZxid: z(1, 3), eventType: 3, seenBefore: z(1, 2), ...extra });
    expect(() => checkClientHistory(model, writes, [], [watch({})])).not.toThrow();
    expect(() => checkClientHistory(model, writes, [], [watch({ firedZxid: null, seenBefore: z(1, 2) })])).not.toThrow();
    expect(() => checkClientHistory(model, writes, [], [watch({ armedZxid: z(1, 1), firedZxid: z(1, 3) })])).toThrow(/fired at .* but the first change after it is/);
    expect(() => checkClientHistory(model, writes, [], [watch({ seenBefore: z(1, 3) })])).toThrow(/after the client saw a reply/);
    expect(() => checkClientHistory(model, writes, [], [watch({ firedZxid: null, seenBefore: z(1, 3) })])).toThrow(/never fired/);
    expect(() => checkClientHistory(model, writes, [], [watch({ eventType: 4 })])).toThrow(/event type 4/);
  });
});
