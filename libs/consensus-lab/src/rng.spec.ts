import { createRng } from './rng';

describe('createRng (mulberry32)', () => {
  it('replays the same sequence for the same seed', () => {
    const a = createRng(42);
    const b = createRng(42);
    const seqA = Array.from({ length: 100 }, () => a.next());
    const seqB = Array.from({ length: 100 }, () => b.next());
    expect(seqA).toEqual(seqB);
  });

  it('gives different sequences for different seeds', () => {
    const a = Array.from({ length: 10 }, createRng(1).next);
    const b = Array.from({ length: 10 }, createRng(2).next);
    expect(a).not.toEqual(b);
  });

  it('stays in [0, 1) and spreads evenly over integer ranges', () => {
    const rng = createRng(7);
    const counts = [0, 0, 0, 0, 0, 0];
    let outside = 0;
    for (let i = 0; i < 60000; i++) {
      const f = rng.next();
      if (!(f >= 0 && f < 1)) outside++;
      counts[rng.intBetween(0, 5)]++;
    }
    expect(outside).toBe(0);
    // Each bucket expects 10000; 5% slack is far outside what a fair generator would miss.
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(500);
  });

  it('hits both ends of intBetween and rejects empty ranges', () => {
    const rng = createRng(3);
    const seen = new Set(Array.from({ length: 200 }, () => rng.intBetween(1, 3)));
    expect([...seen].sort()).toEqual([1, 2, 3]);
    expect(() => rng.intBetween(3, 1)).toThrow(RangeError);
    expect(() => rng.pick([])).toThrow(RangeError);
  });

  it('forks independent but reproducible streams', () => {
    const parentA = createRng(9);
    const parentB = createRng(9);
    const childA = parentA.fork();
    const childB = parentB.fork();
    expect(Array.from({ length: 5 }, childA.next)).toEqual(Array.from({ length: 5 }, childB.next));
    expect(parentA.next()).toEqual(parentB.next());
  });
});
