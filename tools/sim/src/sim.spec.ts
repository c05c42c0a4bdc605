// CI's bounded run of the simulator (the real pipeline on real ZAB peers, clients speaking the
// ZooKeeper protocol), plus the proof that its checkers can fail: with a deliberate bug switched on
// (in the ZAB core, or in the simulated member's driver), seeds must fail with a correctness verdict,
// while the same seeds run clean without it. Longer runs: `npx nx run sim:soak` (see docs/zab.md).

import { runSeed, type SimResult } from './simulator';
import type { SimBugs, SimOptions } from './options';

/** Seeds per CI run, in chunks so that each test stays well inside jest's timeout. */
const ciSeedChunks = 4;
const ciSeedsPerChunk = 60;
const ciFirstSeed = 1;

/** Runs with the default options are deterministic: each seed runs once per file, whichever test asks first. */
const defaultRuns = new Map<number, SimResult>();

function run(seed: number, overrides: Partial<SimOptions> = {}): SimResult {
  if (Object.keys(overrides).length > 0) return runSeed(seed, overrides);
  let result = defaultRuns.get(seed);
  if (result === undefined) defaultRuns.set(seed, (result = runSeed(seed)));
  return result;
}

function failures(seeds: readonly number[], overrides: Partial<SimOptions> = {}): string[] {
  const replay = Object.keys(overrides).length === 0 ? (seed: number) => ` (replay: npx nx run sim:sim --args="--seed ${seed} --verbose")` : () => '';
  return seeds.map((seed) => run(seed, overrides)).filter((r) => r.failure !== null)
    .map((r) => `seed ${r.seed} (${r.failure?.kind}): ${r.failure?.message}${replay(r.seed)}`);
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

describe('simulator: seeds run clean', () => {
  for (let chunk = 0; chunk < ciSeedChunks; chunk++) {
    const from = ciFirstSeed + chunk * ciSeedsPerChunk;
    it(`seeds ${from}..${from + ciSeedsPerChunk - 1}: one order of txns, no lost write, FIFO, linearizable writes, synced reads, ephemerals live with their session`, () => {
      expect(failures(range(from, ciSeedsPerChunk))).toEqual([]);
    });
  }

  it('a seed replays exactly: same stats and same trace', () => {
    const a = runSeed(4242);
    const b = runSeed(4242);
    expect(b.stats).toEqual(a.stats);
    expect(b.trace).toEqual(a.trace);
    expect(a.stats.acked).toBeGreaterThan(0);
  });

  it('the runs do real work: writes answered, synced reads, sessions expire and move, faults happen', () => {
    const results = range(1, 40).map((seed) => run(seed));
    const total = (f: (r: (typeof results)[number]) => number): number => results.reduce((n, r) => n + f(r), 0);
    expect(total((r) => r.stats.acked)).toBeGreaterThan(2000);
    expect(total((r) => r.stats.syncedReads)).toBeGreaterThan(500);
    expect(total((r) => r.stats.expired)).toBeGreaterThan(20);
    expect(total((r) => r.stats.reconnects)).toBeGreaterThan(100);
    expect(total((r) => r.stats.resets)).toBeGreaterThan(20);
    expect(total((r) => r.stats.crashes)).toBeGreaterThan(20);
    expect(total((r) => r.stats.partitions)).toBeGreaterThan(5);
    expect(results.filter((r) => r.stats.leaderChanges > 1).length).toBeGreaterThan(10);
    // Every synchronisation path is exercised, not just the easy DIFF.
    expect(total((r) => r.stats.truncs)).toBeGreaterThan(5);
    expect(total((r) => r.stats.snaps)).toBeGreaterThan(5);
  });
});

describe('simulator: the checkers catch known bugs', () => {
  const correctness = (found: string[]): string[] => found.filter((f) => f.includes('(correctness)'));

  it('the liveness check fails a run given no time to recover after the heal', () => {
    // Two ticks after every member restarts is too short for an election plus discovery.
    const result = runSeed(11, { crashProbability: 0.5, restartProbability: 0, livenessTicks: 2 });
    expect(result.failure?.kind).toBe('liveness');
  });

  it('commitWithoutQuorum (the leader applies and answers before a quorum logged the txn) breaks agreement', () => {
    expect(correctness(failures(range(1, 10), { bugs: { commitWithoutQuorum: true } })).length).toBeGreaterThanOrEqual(5);
  });

  it('ackBeforePersist (followers ACK before fsync) loses committed txns when crashes drop unsynced writes', () => {
    // Crash-heavy settings make the window likely; the same seeds without the bug must stay clean.
    const harsh: Partial<SimOptions> = { peers: 3, crashProbability: 0.15, restartProbability: 0.5, fsyncUnitsMax: 12, opProbability: 0.3, pipelineMax: 4, lossProbability: 0, partitionProbability: 0 };
    const seeds = range(1, 20);
    expect(correctness(failures(seeds, { ...harsh, bugs: { ackBeforePersist: true } })).length).toBeGreaterThan(0);
    expect(failures(seeds, harsh)).toEqual([]);
  });

  const driverBugs: [keyof SimBugs, string, RegExp][] = [
    ['applyBeforeCommit', 'a member applies proposals before they commit', /prefix agreement broken|missing from the agreed sequence|replicas differ|two txns at one zxid/],
    ['syncEarly', 'a follower answers a sync without the quorum round', /stale read after sync/],
    ['reorderRequests', 'a member forwards a client write after the next request', /FIFO order broken|went back in time|per-connection order/],
    ['loseNotifications', 'a member drops watch notifications', /never fired/],
  ];
  for (const [bug, what, verdict] of driverBugs) {
    it(`${bug} (${what}) is caught, and the same seeds run clean without it`, () => {
      const seeds = range(1, 20);
      const found = correctness(failures(seeds, { bugs: { [bug]: true } }));
      expect(found.length).toBeGreaterThan(0);
      expect(found.some((f) => verdict.test(f))).toBe(true);
      expect(failures(seeds)).toEqual([]);
    });
  }
});
