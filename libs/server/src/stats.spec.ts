import { WatchMode } from '@coord/data-tree';
import { RequestPipeline } from './pipeline';
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

describe('stats snapshot', () => {
  it('counts watches and ephemerals at once but builds the watch and ephemeral lists only when read, once', () => {
    const core = new RequestPipeline({}, { now: () => 1_700_000_000_000, randomBytes: (n) => Buffer.alloc(n, 1) });
    const { dataWatches, childWatches } = core.tree;
    for (let w = 1; w <= 50; w++) {
      dataWatches.add('/hot', w, WatchMode.STANDARD);
      dataWatches.add(`/n${w}`, w, WatchMode.PERSISTENT);
      childWatches.add('/', w, WatchMode.STANDARD);
    }
    const byPath = jest.spyOn(dataWatches, 'byPathSnapshot');
    const byWatcher = jest.spyOn(dataWatches, 'byWatcherSnapshot');
    const ephemerals = jest.spyOn(core.tree, 'sessionsWithEphemerals');
    const stats = core.stats();
    expect(stats.watches.count).toBe(100);
    expect(stats.watches.childCount).toBe(50);
    expect(stats.ephemeralsCount).toBe(0);
    expect(byPath).not.toHaveBeenCalled();
    expect(byWatcher).not.toHaveBeenCalled();
    expect(ephemerals).not.toHaveBeenCalled();
    // Read twice: built once. (No connection has a session here, so the lists of sessions are empty.)
    expect(stats.watches.byPath.size).toBe(0);
    expect(stats.watches.byPath).toBe(stats.watches.byPath);
    expect(byPath).toHaveBeenCalledTimes(1);
    expect(stats.ephemerals.size).toBe(0);
    void stats.ephemerals;
    expect(ephemerals).toHaveBeenCalledTimes(1);
    // A role's driver may still replace a field.
    stats.ephemerals = new Map([[5n, ['/e']]]);
    expect(stats.ephemerals.get(5n)).toEqual(['/e']);
  });
});
