// Run options are drawn from the seed ("swarm testing", as TigerBeetle's VOPR does): each seed explores
// a different mix of faults instead of every run averaging the same moderate ones.

import type { UnsafeBugs } from '@coord/zab';
import { Rng } from './rng';

/**
 * Deliberate bugs, to prove the checkers catch them: the ZAB core's own (UnsafeBugs) and bugs in the
 * simulated member's driver (member.ts); the pipeline itself is never altered.
 */
export interface SimBugs extends UnsafeBugs {
  /** The member hands proposals to the pipeline as soon as they are logged, before they commit. */
  readonly applyBeforeCommit?: boolean;
  /** A follower answers a client's sync at once, without the quorum round. */
  readonly syncEarly?: boolean;
  /** A client write is forwarded to the leader after the next request (per-connection order skipped). */
  readonly reorderRequests?: boolean;
  /** The member drops the watch notifications it should send. */
  readonly loseNotifications?: boolean;
}

export const simBugNames = ['commitWithoutQuorum', 'ackBeforePersist', 'applyBeforeCommit', 'syncEarly', 'reorderRequests', 'loseNotifications'] as const;

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
  /** Per tick: probability that one client connection is reset (both ends see it closed). */
  readonly connectionResetProbability: number;
  /** Per client and time unit: probability of sending a request when it may. */
  readonly opProbability: number;
  /** Requests a client keeps outstanding at most on its connection (pings and syncs count). */
  readonly pipelineMax: number;
  readonly sessionTimeoutTicks: number;
  readonly snapCount: number;
  /** ZooKeeper's initLimit and syncLimit, in ticks. */
  readonly initLimitTicks: number;
  readonly syncLimitTicks: number;
  readonly bugs: SimBugs;
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
    sessionTimeoutTicks: rng.pick([8, 20]),
    snapCount: rng.pick([8, 30, 100_000]),
    ...rng.pick([{ initLimitTicks: 10, syncLimitTicks: 5 }, { initLimitTicks: 5, syncLimitTicks: 2 }, { initLimitTicks: 20, syncLimitTicks: 10 }]),
    pipelineMax: rng.pick([1, 2, 4]),
    connectionResetProbability: rng.pick([0, 0.02, 0.1]),
    bugs: {},
    traceMessages: false,
  };
  return { ...options, ...overrides };
}
