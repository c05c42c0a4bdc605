import { emptyServerStats, traceMaskDefault } from './server-stats';
import { LatencyStats } from './stats';

describe('LatencyStats', () => {
  it('reports zeros before any request', () => {
    expect(new LatencyStats().summary()).toEqual({ minMs: 0, maxMs: 0, totalMs: 0, count: 0 });
  });

  it('tracks min, max, total, count and last', () => {
    const c = new LatencyStats();
    for (const ms of [5, 1, 23, 2]) c.record(ms);
    expect(c.summary()).toEqual({ minMs: 1, maxMs: 23, totalMs: 31, count: 4 });
    expect(c.lastMs).toBe(2);
  });

  it('reset starts over (srst / crst)', () => {
    const c = new LatencyStats();
    c.record(9);
    c.reset();
    c.record(3);
    expect(c.summary()).toEqual({ minMs: 3, maxMs: 3, totalMs: 3, count: 1 });
  });
});

describe('emptyServerStats', () => {
  it('describes a fresh standalone server the way Apache shows one', () => {
    const s = emptyServerStats('3.9.3-x, built on 2026-01-01 00:00 UTC');
    expect(s.nodeCount).toBe(5); // Apache counts the root twice
    expect(s.traceMask).toBe(traceMaskDefault);
    expect(traceMaskDefault).toBe(306);
    expect(s.mode).toBe('standalone');
    expect(s.serving).toBe(true);
  });
});
