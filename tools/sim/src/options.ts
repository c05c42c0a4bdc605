// Run options are drawn from the seed ("swarm testing", as TigerBeetle's VOPR does): each seed explores
// a different mix of faults instead of every run averaging the same moderate ones.

import type { UnsafeBugs } from '@coord/zab';
import { Rng } from './rng';

export interface SimOptions {
  readonly seed: number;
  readonly peers: number;
  readonly clients: number;
  /** Simulated time units per peer tick; network delays and fsyncs are measured in units. */
  readonly tickUnits: number;
  /** Ticks of the safety phase (faults on) and of the liveness phase (faults healed). */
  readonly safetyTicks: number;
  readonly livenessTicks: number;
  readonly lossProbability: number;
  readonly duplicateProbability: number;
  readonly delayUnitsMax: number;
  /** Probability that a message is held back long enough to overtake later ones. */
  readonly spikeProbability: number;
  readonly fsyncUnitsMax: number;
  /** Per tick: probability of a crash, of a restart of a crashed peer, of a partition change. */
  readonly crashProbability: number;
  readonly restartProbability: number;
  readonly partitionProbability: number;
  /** Per client and time unit: probability of starting an operation when idle. */
  readonly opProbability: number;
  readonly opTimeoutUnits: number;
  readonly sessionTimeoutTicks: number;
  readonly snapCount: number;
  /** ZooKeeper's initLimit and syncLimit, in ticks. */
  readonly initLimitTicks: number;
  readonly syncLimitTicks: number;
  readonly bugs: UnsafeBugs;
  /** Record every delivered message in the trace (slow; for replaying one seed). */
  readonly traceMessages: boolean;
}

export function swarmOptions(seed: number, overrides: Partial<SimOptions> = {}): SimOptions {
  const rng = new Rng(seed ^ 0x5eed);
  const options: SimOptions = {
    seed,
    peers: rng.pick([3, 3, 3, 5]),
    clients: rng.between(2, 6),
    tickUnits: 10,
    safetyTicks: rng.between(120, 260),
    livenessTicks: 120,
    lossProbability: rng.pick([0, 0.001, 0.005, 0.02]),
    duplicateProbability: rng.pick([0, 0.01, 0.05]),
    delayUnitsMax: rng.pick([1, 3, 8]),
    spikeProbability: rng.pick([0, 0.005, 0.02]),
    fsyncUnitsMax: rng.pick([0, 2, 6, 12]),
    crashProbability: rng.pick([0, 0.01, 0.03, 0.08]),
    restartProbability: rng.pick([0.05, 0.2]),
    partitionProbability: rng.pick([0, 0.01, 0.03, 0.08]),
    opProbability: rng.pick([0.02, 0.1, 0.3]),
    opTimeoutUnits: 400,
    sessionTimeoutTicks: rng.pick([8, 20]),
    snapCount: rng.pick([8, 30, 100_000]),
    ...rng.pick([{ initLimitTicks: 10, syncLimitTicks: 5 }, { initLimitTicks: 5, syncLimitTicks: 2 }, { initLimitTicks: 20, syncLimitTicks: 10 }]),
    bugs: {},
    traceMessages: false,
  };
  return { ...options, ...overrides };
}
