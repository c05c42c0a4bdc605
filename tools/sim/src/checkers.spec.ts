// The checkers on hand-made histories: each violation they exist for must be reported.

import { checkClientHistory } from './checkers';
import type { OpRecord, ReadRecord } from './clients';
import { HistoryChecker } from './history';
import type { Op } from './state-machine';

const z = (epoch: number, counter: number): number => epoch * 2 ** 32 + counter;
const put = (client: number, op: number, key = 'k0'): Op => ({ t: 'put', key, value: `${client}.${op}`, client, op });

function acked(payload: Op, invokeAt: number, ackAt: number, zxid: number): OpRecord {
  return { payload, invokeAt, node: 1, outcome: 'ok', ackAt, zxid, result: true };
}

describe('HistoryChecker (prefix agreement)', () => {
  it('accepts peers applying the same sequence, from the start or from a snapshot', () => {
    const h = new HistoryChecker();
    h.onApply(1, 0, 0, { zxid: z(1, 1), payload: put(0, 1) });
    h.onApply(1, 0, z(1, 1), { zxid: z(1, 2), payload: put(0, 2) });
    h.onApply(2, 0, 0, { zxid: z(1, 1), payload: put(0, 1) });
    h.onRestore(3, z(1, 1));
    h.onApply(3, 0, z(1, 1), { zxid: z(1, 2), payload: put(0, 2) });
    expect(h.sequence().map((t) => t.zxid)).toEqual([z(1, 1), z(1, 2)]);
  });

  it('reports a fork: two peers apply different txns after the same one', () => {
    const h = new HistoryChecker();
    h.onApply(1, 0, 0, { zxid: z(1, 1), payload: put(0, 1) });
    h.onApply(1, 0, z(1, 1), { zxid: z(1, 2), payload: put(0, 2) });
    expect(() => h.onApply(2, 5, z(1, 1), { zxid: z(2, 1), payload: put(1, 1) })).toThrow(/prefix agreement broken/);
  });

  it('reports the same zxid carrying different txns, and out-of-order applies', () => {
    const h = new HistoryChecker();
    h.onApply(1, 0, 0, { zxid: z(1, 1), payload: put(0, 1) });
    expect(() => h.onApply(2, 0, 0, { zxid: z(1, 1), payload: put(9, 9) })).toThrow(/is "put k0=9.9" here/);
    expect(() => h.onApply(1, 0, z(1, 1), { zxid: z(1, 1), payload: put(0, 1) })).toThrow(/out of zxid order/);
  });

  it('reports a snapshot restored at a zxid nobody applied', () => {
    expect(() => new HistoryChecker().onRestore(2, z(3, 3))).toThrow(/no peer ever applied/);
  });
});

describe('checkClientHistory', () => {
  const a = put(0, 1);
  const b = put(1, 1);

  it('accepts a linearizable history', () => {
    const seq = [{ zxid: z(1, 1), payload: a }, { zxid: z(1, 2), payload: b }];
    expect(() => checkClientHistory(seq, [acked(a, 0, 10, z(1, 1)), acked(b, 11, 20, z(1, 2))], [])).not.toThrow();
  });

  it('reports an acknowledged write missing from the agreed sequence', () => {
    expect(() => checkClientHistory([{ zxid: z(1, 1), payload: a }], [acked(a, 0, 10, z(1, 1)), acked(b, 11, 20, z(1, 2))], []))
      .toThrow(/acknowledged put k0=1.1 .* is missing/);
  });

  it('reports a write ordered before one acknowledged before it was invoked', () => {
    const seq = [{ zxid: z(1, 1), payload: b }, { zxid: z(1, 2), payload: a }];
    expect(() => checkClientHistory(seq, [acked(a, 0, 10, z(1, 2)), acked(b, 11, 20, z(1, 1))], [])).toThrow(/not linearizable/);
  });

  it('reports a refused write that committed anyway, and a txn nobody invoked', () => {
    const refused: OpRecord = { payload: a, invokeAt: 0, node: 1, outcome: 'notSent' };
    expect(() => checkClientHistory([{ zxid: z(1, 1), payload: a }], [refused], [])).toThrow(/refused by its peer yet committed/);
    expect(() => checkClientHistory([{ zxid: z(1, 1), payload: a }], [], [])).toThrow(/never invoked/);
  });

  it('reports a stale read after sync and a read value the sequence does not hold', () => {
    const seq = [{ zxid: z(1, 1), payload: a }];
    const stale: ReadRecord = { client: 5, invokeAt: 20, doneAt: 25, node: 2, zxid: 0, key: 'k0', value: null, session: null, ephemerals: [] };
    expect(() => checkClientHistory(seq, [acked(a, 0, 10, z(1, 1))], [stale])).toThrow(/stale read after sync/);
    const wrong: ReadRecord = { ...stale, zxid: z(1, 1), value: 'bogus' };
    expect(() => checkClientHistory(seq, [acked(a, 0, 10, z(1, 1))], [wrong])).toThrow(/returned bogus/);
  });

  it('reports an ephemeral that vanished while its session lived, and one that outlived it', () => {
    const open: Op = { t: 'open', session: 7, client: 0, op: 1 };
    const eph: Op = { t: 'eph', key: 'e0', session: 7, client: 0, op: 2 };
    const close: Op = { t: 'close', session: 7, client: -1, op: 1 };
    const seq = [{ zxid: z(1, 1), payload: open }, { zxid: z(1, 2), payload: eph }, { zxid: z(1, 3), payload: close }];
    const ops = [acked(open, 0, 5, z(1, 1)), acked(eph, 6, 9, z(1, 2))];
    const read = (zxid: number, ephemerals: string[]): ReadRecord => ({ client: 0, invokeAt: 10, doneAt: 12, node: 1, zxid, key: 'k0', value: null, session: 7, ephemerals });
    expect(() => checkClientHistory(seq, ops, [read(z(1, 2), ['e0']), read(z(1, 3), [])])).not.toThrow();
    expect(() => checkClientHistory(seq, ops, [read(z(1, 2), [])])).toThrow(/vanished/);
    expect(() => checkClientHistory(seq, ops, [read(z(1, 3), ['e0'])])).toThrow(/outlived session 7/);
  });
});
