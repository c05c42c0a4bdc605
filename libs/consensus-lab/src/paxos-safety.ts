// Random runs of Basic Paxos and the safety checker over them. Each seed fixes everything: the
// proposers' start times and quorums, every delay, loss and duplicate, every backoff. The property
// checked is Paxos's whole promise: at most one value is ever chosen.
import { seedAcceptors } from './paxos-scenarios';
import { PaxosResult, ProposerSpec, runPaxos } from './paxos';
import { PaxosMessage } from './paxos-messages';
import { createRng, Rng } from './rng';
import { randomNetwork } from './sim';

export interface RandomPaxosOptions {
  readonly proposerCount: number;
  readonly delayTicksMin: number;
  readonly delayTicksMax: number;
  readonly lossProbability: number;
  readonly duplicateProbability: number;
  readonly roundsMax: number;
  readonly backoffTicksMax: number;
  /** Deliberately broken proposers, to prove the checker can catch a violation. */
  readonly ignoresAcceptedValues?: boolean;
}

export const randomPaxosDefaults: RandomPaxosOptions = {
  proposerCount: 3,
  delayTicksMin: 1,
  delayTicksMax: 10,
  lossProbability: 0.1,
  duplicateProbability: 0.05,
  roundsMax: 6,
  backoffTicksMax: 12,
};

const proposerStartTicksMax = 15;
// Longer than a round trip at the slowest delay, so a timeout means loss, not slowness.
const randomPhaseTimeoutTicks = 25;
const randomRunTicksMax = 2000;
const proposerValues = ['X', 'Y', 'Z', 'W', 'V'];

/** A random majority of the acceptors (or all of them), as a proposer might pick. */
function randomQuorum(rng: Rng): string[] {
  if (rng.chance(0.5)) return [...seedAcceptors];
  const shuffled = [...seedAcceptors]; // Fisher-Yates with the seeded PRNG
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = rng.intBetween(0, i);
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  return shuffled.slice(0, rng.intBetween(3, 4)).sort();
}

export function runRandomPaxos(seed: number, options: Partial<RandomPaxosOptions> = {}): PaxosResult {
  const o = { ...randomPaxosDefaults, ...options };
  if (o.proposerCount < 1 || o.proposerCount > proposerValues.length) {
    throw new RangeError(`proposerCount must be 1..${proposerValues.length}`);
  }
  const rng = createRng(seed);
  const networkRng = rng.fork();
  const serverIds = [1, 5, 3, 2, 4].slice(0, o.proposerCount);
  const proposers: ProposerSpec[] = serverIds.map((serverId, i) => {
    const own = rng.fork();
    return {
      id: `P${serverId}`,
      serverId,
      value: proposerValues[i],
      startAtTicks: own.intBetween(0, proposerStartTicksMax),
      targets: randomQuorum(own),
      retryDelayTicks: () => own.intBetween(0, o.backoffTicksMax),
    };
  });
  return runPaxos({
    title: `Paxos, ${o.proposerCount} proposers on a random network (seed ${seed})`,
    acceptors: seedAcceptors,
    proposers,
    network: randomNetwork<PaxosMessage>(networkRng, o),
    roundsMax: o.roundsMax,
    phaseTimeoutTicks: randomPhaseTimeoutTicks,
    runTicksMax: randomRunTicksMax,
    ignoresAcceptedValues: o.ignoresAcceptedValues,
  });
}

export interface SafetyViolation {
  readonly seed: number;
  readonly chosenValues: readonly string[];
  /** A proposer learned a value that is not the chosen one. */
  readonly learnedMismatch: boolean;
}

export interface SafetyReport {
  readonly seedsRun: number;
  readonly violations: readonly SafetyViolation[];
  /** Runs in which some value was chosen (liveness is not promised, but it should be common). */
  readonly decided: number;
  readonly messages: number;
}

export function checkPaxosSafety(firstSeed: number, seedCount: number, options: Partial<RandomPaxosOptions> = {}): SafetyReport {
  const violations: SafetyViolation[] = [];
  let decided = 0;
  let messages = 0;
  for (let seed = firstSeed; seed < firstSeed + seedCount; seed++) {
    const result = runRandomPaxos(seed, options);
    messages += result.trace.messages.length;
    if (result.choices.length > 0) decided++;
    const learnedMismatch = result.proposers.some((p) => p.learned !== undefined && p.learned !== result.chosenValues[0]);
    if (!result.safe || learnedMismatch) violations.push({ seed, chosenValues: result.chosenValues, learnedMismatch });
  }
  return { seedsRun: seedCount, violations, decided, messages };
}
