import { encodeTxnPayload, type EnsembleTxn } from '@coord/envelope';
import type { Txn } from '@coord/data-tree';
import { DecodedTxns } from './decoded-txns';

const txn = (path: string): Txn => ({ zxid: 0, time: 1, sessionId: 5n, cxid: 7, op: { type: 'delete', path } });
const entry = (zxid: number, path: string) => ({ zxid, payload: encodeTxnPayload(2, txn(path)) });
const proposal = (zxid: number, path: string): EnsembleTxn => ({ origin: 1, txn: { ...txn(path), zxid } });

describe('DecodedTxns', () => {
  it("hands back the leader's own proposal without decoding its payload, then no longer holds it", () => {
    const d = new DecodedTxns();
    const proposed = proposal(3, '/p');
    d.remember(3, proposed);
    // The payload says something else: the remembered txn wins, so nothing was decoded.
    expect(d.take(entry(3, '/other'))).toBe(proposed);
    expect(d.size).toBe(0);
    expect(d.take(entry(3, '/other')).txn.op).toEqual({ type: 'delete', path: '/other' }); // decoded now
  });

  it('decodes what it does not hold (a follower applying a PROPOSAL), with the zxid ZAB gave it', () => {
    expect(new DecodedTxns().take(entry(10, '/a'))).toEqual({ origin: 2, txn: { ...txn('/a'), zxid: 10 } });
  });

  it('does not hold a txn remembered after it was applied (a sync applies first)', () => {
    const d = new DecodedTxns();
    d.take(entry(20, '/x'));
    d.remember(20, proposal(20, '/x'));
    d.remember(19, proposal(19, '/y'));
    expect(d.size).toBe(0);
    d.remember(21, proposal(21, '/z'));
    expect(d.size).toBe(1);
  });

  it('forgets everything on clear (a zxid may come back with another txn after a truncation)', () => {
    const d = new DecodedTxns();
    d.remember(30, proposal(30, '/old'));
    d.clear();
    expect(d.take(entry(30, '/new')).txn.op).toEqual({ type: 'delete', path: '/new' });
  });

  it('holds txns in zxid order: taking one drops those before it, and a txn out of order is not held', () => {
    const d = new DecodedTxns();
    const held = [1, 2, 3, 4, 5].map((z) => proposal(z, `/n${z}`));
    held.forEach((t, i) => d.remember(i + 1, t));
    expect(d.size).toBe(5);
    // 1 and 2 were applied some other way (a sync): taking 3 drops them too.
    expect(d.take(entry(3, '/n3'))).toBe(held[2]);
    expect(d.size).toBe(2);
    d.remember(4, proposal(4, '/late'));
    expect(d.take(entry(4, '/n4'))).toBe(held[3]);
    for (let z = 6; z < 3000; z++) d.remember(z, proposal(z, `/n${z}`));
    for (let z = 5; z < 2999; z++) expect(d.take(entry(z, '/payload')).txn.op).toEqual({ type: 'delete', path: `/n${z}` });
    expect(d.size).toBe(1);
    expect(d.take(entry(2999, '/other')).txn.op).toEqual({ type: 'delete', path: '/n2999' });
  });

  it('throws on a payload that is not a txn', () => {
    expect(() => new DecodedTxns().take({ zxid: 1, payload: Uint8Array.from([0xff, 1, 2]) })).toThrow();
  });
});
