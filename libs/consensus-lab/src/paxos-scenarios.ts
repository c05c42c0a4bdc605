// The seed's Paxos pictures as runnable scenarios. Five acceptors A1..A5; proposer P1 runs on server 1
// and P5 on server 5 (the seed's "A1 and A5 keep proposing"). In the three cases each proposer talks
// to a majority only — P1 to A1..A3, P5 to A3..A5 — so A3 is the one acceptor both quorums share,
// and the timing of messages at A3 decides each case.
import { MultiPaxosMessage, MultiPaxosResult, runMultiPaxos } from './multi-paxos';
import { PaxosMessage } from './paxos-messages';
import { PaxosConfig, PaxosResult, ProposerSpec, runPaxos } from './paxos';
import { createRng } from './rng';
import { LinkRule, scriptedNetwork } from './scripted-network';

export const seedAcceptors = ['A1', 'A2', 'A3', 'A4', 'A5'] as const;
const leftQuorum = ['A1', 'A2', 'A3'];
const rightQuorum = ['A3', 'A4', 'A5'];

/**
 * How long the livelock run may go (ms of simulated time). The proposers never give up: they duel for
 * as long as the run is allowed to, and the bound is what ends it.
 */
export const livelockBoundTicks = 40;
/** Rounds a proposer may start in the livelock run: more than fit in the bound, so only the bound stops them. */
const livelockRoundsMax = 1_000;
const scriptedRoundsMax = 4;
const scriptedPhaseTimeoutTicks = 20;
const scriptedRunTicksMax = 500;

function network(rules: LinkRule[], latencyTicksByKind: Record<string, number> = {}) {
  return scriptedNetwork<PaxosMessage>({
    latencyTicksByKind,
    latencyTicksDefault: 1,
    rules,
    kindOf: (m) => m.type,
    roundOf: (m) => m.n.round,
  });
}

function twoProposers(p1: Partial<ProposerSpec>, p5: Partial<ProposerSpec>): ProposerSpec[] {
  return [
    { id: 'P1', serverId: 1, value: 'X', startAtTicks: 0, targets: leftQuorum, ...p1 },
    { id: 'P5', serverId: 5, value: 'Y', startAtTicks: 10, targets: rightQuorum, ...p5 },
  ];
}

function scripted(title: string, proposers: ProposerSpec[], rules: LinkRule[]): PaxosConfig {
  return {
    title,
    acceptors: seedAcceptors,
    proposers,
    network: network(rules),
    roundsMax: scriptedRoundsMax,
    phaseTimeoutTicks: scriptedPhaseTimeoutTicks,
    runTicksMax: scriptedRunTicksMax,
  };
}

/** Case 1: X is already chosen (A1..A3) when P5 starts; A3's promise reports X, so P5 proposes X too. */
export function paxosCase1(): PaxosResult {
  return runPaxos(scripted('Paxos case 1: a value already chosen is adopted by a later proposer', twoProposers({}, {}), []));
}

/**
 * Case 2, variant a: X reached only A3 (a minority) when P5 starts, but A3 is in P5's quorum,
 * so P5 sees X in a promise and proposes X: the minority value wins.
 */
export function paxosCase2Adopted(): PaxosResult {
  const slowAccepts: LinkRule[] = [
    { from: 'P1', to: 'A1', kind: 'accept', delayTicks: 10 },
    { from: 'P1', to: 'A2', kind: 'accept', delayTicks: 10 },
  ];
  return runPaxos(
    scripted('Paxos case 2a: X accepted by a minority (A3), seen by P5, wins', twoProposers({}, { startAtTicks: 4 }), slowAccepts),
  );
}

/**
 * Case 2, variant b: X reached only A1 (a minority); P1's accept to A3 is lost and A2's is slow.
 * P5's quorum A3..A5 has seen nothing, so P5 proposes its own Y, which is chosen; P1 later adopts Y.
 */
export function paxosCase2Lost(): PaxosResult {
  const rules: LinkRule[] = [
    { from: 'P1', to: 'A3', kind: 'accept', round: 1, lost: true },
    { from: 'P1', to: 'A2', kind: 'accept', round: 1, delayTicks: 10 },
  ];
  return runPaxos(
    scripted('Paxos case 2b: X accepted by a minority (A1), unseen by P5, loses to Y', twoProposers({}, { startAtTicks: 4 }), rules),
  );
}

/**
 * Case 3: P5's prepare(1.5) reaches A3 before P1's accept(1.1, X) does; A3 has promised 1.5 and
 * rejects the older accept, so the later proposal blocks the earlier one and Y is chosen.
 */
export function paxosCase3(): PaxosResult {
  const rules: LinkRule[] = [{ from: 'P1', to: 'A3', kind: 'accept', round: 1, delayTicks: 2 }];
  return runPaxos(
    scripted('Paxos case 3: the later proposal blocks the earlier one', twoProposers({}, { startAtTicks: 2 }), rules),
  );
}

/**
 * Unlucky but legal timing: prepares and nacks take 1 ms, promises and accepts (which carry values)
 * take 2 ms, P5 starts 3 ms after P1, and both retry the moment they are preempted. Each prepare then
 * reaches A3 just before the rival's accept, for as long as the run goes: the time bound ends it, and
 * the runner checks that the rounds still open there would have been preempted too.
 */
export const livelockLatencyTicksByKind = { prepare: 1, nack: 1, accepted: 1, promise: 2, accept: 2 } as const;
export const livelockRivalStartTicks = 3;

export function paxosLivelock(options: { retryDelayTicks?: (proposer: string) => () => number; title?: string; boundTicks?: number } = {}): PaxosResult {
  const retry = options.retryDelayTicks ?? (() => () => 0);
  return runPaxos({
    title: options.title ?? 'Paxos livelock: P1 and P5 keep preempting each other',
    acceptors: seedAcceptors,
    proposers: twoProposers(
      { retryDelayTicks: retry('P1') },
      { startAtTicks: livelockRivalStartTicks, retryDelayTicks: retry('P5') },
    ),
    network: network([], { ...livelockLatencyTicksByKind }),
    roundsMax: livelockRoundsMax,
    phaseTimeoutTicks: scriptedPhaseTimeoutTicks,
    runTicksMax: options.boundTicks ?? livelockBoundTicks,
  });
}

/** The usual cure short of a leader: wait a random time before retrying. Same timing as the livelock. */
export const backoffTicksMax = 8;

export function paxosLivelockBackoff(seed: number, boundTicks = livelockBoundTicks): PaxosResult {
  const rng = createRng(seed);
  return paxosLivelock({
    boundTicks,
    title: `Paxos with random backoff (seed ${seed}): the livelock usually dissolves`,
    retryDelayTicks: () => {
      const own = rng.fork();
      return () => own.intBetween(0, backoffTicksMax);
    },
  });
}

/**
 * The seed's fix: elect one leader (P1); P5 forwards its value instead of proposing. Same unlucky
 * timing as the livelock, yet nothing is preempted: one prepare for all slots, then one
 * accept/accepted round trip per value.
 */
export function multiPaxosStableLeader(): MultiPaxosResult {
  return runMultiPaxos({
    title: 'Multi-Paxos with a stable leader P1: no livelock, one round trip per value',
    acceptors: seedAcceptors,
    leader: { id: 'P1', serverId: 1 },
    followers: ['P5'],
    values: [
      { at: 'P1', value: 'X', atTicks: 0 },
      { at: 'P5', value: 'Y', atTicks: livelockRivalStartTicks },
      { at: 'P1', value: 'Z', atTicks: livelockRivalStartTicks + 2 },
    ],
    network: scriptedNetwork<MultiPaxosMessage>({
      latencyTicksByKind: { ...livelockLatencyTicksByKind },
      latencyTicksDefault: 1,
      kindOf: (m) => m.type,
    }),
    runTicksMax: scriptedRunTicksMax,
  });
}
