import { fairness, formatReport, percentile } from './metrics';
import { renderState } from './view';
import { FencedStore } from './fenced-store';
import { parseLockDemoConfig } from './config';

describe('metrics', () => {
  it('percentile uses nearest rank', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 10)).toBe(1);
    expect(percentile([], 50)).toBeNaN();
  });

  it('fairness counts in-order acquisitions and inverted pairs', () => {
    expect(fairness([0, 1, 2, 3])).toEqual({ inOrder: 4, inversions: 0, total: 4 });
    // Request 2 overtook 1: 1 is not served before later requests... 2 is served before 1.
    expect(fairness([0, 2, 1, 3])).toEqual({ inOrder: 3, inversions: 1, total: 4 });
    expect(fairness([3, 2, 1, 0])).toEqual({ inOrder: 1, inversions: 6, total: 4 });
  });

  it('the report says VIOLATED when the counter or the overlap detector disagree', () => {
    const base = {
      backend: 'x', workers: 2, acquisitions: 4, elapsedMs: 1000, acquisitionsPerSec: 4, handoffP50Ms: 1, handoffP99Ms: 2, handoffSamples: 3, reacquiredBySelf: 0,
      fairness: { inOrder: 4, inversions: 0, total: 4 }, wakeUpsPerAcquisition: 0.75, wakeUpsMaxPerAcquisition: 1, wakeUpLabel: 'watch wake-ups', maxHolders: 1,
    };
    expect(formatReport({ ...base, counter: 4, overlaps: 0 }).at(-1)).toMatch(/-> OK$/);
    expect(formatReport({ ...base, counter: 3, overlaps: 0 }).at(-1)).toMatch(/-> VIOLATED$/);
    expect(formatReport({ ...base, counter: 4, overlaps: 1 }).at(-1)).toMatch(/-> VIOLATED$/);
  });

  it('the live view shows the holder with its token and the queue in order', () => {
    const lines = renderState({ done: 3, acquired: 4, total: 6, holder: 2, holderToken: 17, waiting: [0, 1], counter: 3, overlaps: 0 }, true);
    expect(lines[0]).toBe(`progress [${'#'.repeat(15)}${'-'.repeat(15)}] 3/6 released`);
    expect(lines[1]).toBe('holder   worker-2 (fencing token 17)');
    expect(lines[2]).toBe('queue    worker-0 -> worker-1');
  });
});

describe('FencedStore', () => {
  it('refuses a write with a lower token than one already seen', () => {
    const store = new FencedStore();
    expect(store.write(5, 'a').accepted).toBe(true);
    expect(store.write(8, 'b').accepted).toBe(true);
    expect(store.write(5, 'stale')).toEqual({ accepted: false, reason: 'token 5 < 8 already seen' });
    expect(store.value).toBe('b');
  });
});

describe('parseLockDemoConfig', () => {
  it('defaults to our lock with an embedded node', () => {
    expect(parseLockDemoConfig([], {})).toMatchObject({ backend: 'coord', scenario: 'contention', workers: 5, connectString: undefined });
    expect(parseLockDemoConfig(['--backend=redis', '--workers', '3'], { COORD_CONNECT: 'h:1' })).toMatchObject({ backend: 'redis', workers: 3, connectString: 'h:1' });
    expect(() => parseLockDemoConfig(['--backend=etcd'], {})).toThrow("option '--backend <name>' argument 'etcd' is invalid. Allowed choices are coord, redis.");
    expect(() => parseLockDemoConfig(['--workers=0'], {})).toThrow("option '--workers <n>' argument '0' is invalid. expected an integer from 1 to 200");
    expect(() => parseLockDemoConfig(['--worker=3'], {})).toThrow("unknown option '--worker' (Did you mean --workers?)");
  });
});
