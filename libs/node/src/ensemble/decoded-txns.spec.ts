import { encodeTxnPayload } from '@coord/envelope';
import type { Txn } from '@coord/data-tree';
import { DecodedTxns } from './decoded-txns';

const txn = (path: string): Txn => ({ zxid: 0, time: 1, sessionId: 5n, cxid: 7, op: { type: 'delete', path } });
const entry = (zxid: number, path: string) => ({ zxid, payload: encodeTxnPayload(2, txn(path)) });

describe('DecodedTxns', () => {
  it('decodes a payload once: the object logged is the object applied, then no longer held', () => {
    const d = new DecodedTxns();
    const e = entry(10, '/a');
    const logged = d.of(e);
    expect(logged).toEqual({ origin: 2, txn: { ...txn('/a'), zxid: 10 } });
    expect(d.of(e)).toBe(logged);
    expect(d.take(e)).toBe(logged);
    expect(d.size).toBe(0);
    expect(d.take(e)).not.toBe(logged); // decoded again
    expect(d.take(e)).toEqual(logged);
  });

  it("hands back the leader's own proposal without decoding its payload", () => {
    const d = new DecodedTxns();
    const proposed = { origin: 1, txn: { ...txn('/p'), zxid: 3 } };
    d.remember(3, proposed);
    // The payload says something else: the remembered txn wins, so nothing was decoded.
    expect(d.of(entry(3, '/other'))).toBe(proposed);
    expect(d.take(entry(3, '/other'))).toBe(proposed);
  });

  it('does not hold a txn logged after it was applied (a sync applies, then logs)', () => {
    const d = new DecodedTxns();
    d.take(entry(20, '/x'));
    d.of(entry(20, '/x'));
    d.of(entry(19, '/y'));
    expect(d.size).toBe(0);
    d.of(entry(21, '/z'));
    expect(d.size).toBe(1);
  });

  it('forgets everything on clear (a zxid may come back with another txn after a truncation)', () => {
    const d = new DecodedTxns();
    d.of(entry(30, '/old'));
    d.clear();
    expect(d.take(entry(30, '/new')).txn.op).toEqual({ type: 'delete', path: '/new' });
  });

  it('holds txns in zxid order: taking one drops those before it, and a txn out of order is decoded, not held', () => {
    const d = new DecodedTxns();
    const logged = [1, 2, 3, 4, 5].map((z) => d.of(entry(z, `/n${z}`)));
    expect(d.size).toBe(5);
    expect(d.of(entry(3, '/n3'))).toBe(logged[2]);
    // 1 and 2 were applied some other way (a sync): taking 3 drops them too.
    expect(d.take(entry(3, '/n3'))).toBe(logged[2]);
    expect(d.size).toBe(2);
    d.remember(4, { origin: 9, txn: { ...txn('/late'), zxid: 4 } });
    expect(d.of(entry(4, '/n4'))).toBe(logged[3]);
    for (let z = 6; z < 3000; z++) d.of(entry(z, `/n${z}`));
    for (let z = 4; z < 2999; z++) expect(d.take(entry(z, `/n${z}`)).txn.op).toEqual({ type: 'delete', path: `/n${z}` });
    expect(d.size).toBe(1);
    expect(d.of(entry(2999, '/other')).txn.op).toEqual({ type: 'delete', path: '/n2999' });
  });

  it('throws on a payload that is not a txn', () => {
    expect(() => new DecodedTxns().of({ zxid: 1, payload: Uint8Array.from([0xff, 1, 2]) })).toThrow();
  });
});
