// Runs Basic Paxos over the simulator and watches the acceptors from outside: a value is chosen the
// moment a majority of acceptors has accepted the same proposal number. Safety means that at most
// one value is ever chosen, whatever the proposers learn.
import { formatProposal, majorityOf } from './ballot';
import { Acceptor, Proposer, RoleContext } from './paxos-roles';
import { describePaxosMessage, PaxosMessage } from './paxos-messages';
import { FatePolicy, Simulator } from './sim';
import { Trace, TraceRecorder } from './trace';

export interface ProposerSpec {
  readonly id: string;
  readonly serverId: number;
  readonly value: string;
  readonly startAtTicks: number;
  /** Default: every acceptor. */
  readonly targets?: readonly string[];
  /** Default: 0 (retry at once, the livelock-prone choice). */
  readonly retryDelayTicks?: () => number;
}

export interface PaxosConfig {
  readonly title: string;
  readonly acceptors: readonly string[];
  readonly proposers: readonly ProposerSpec[];
  readonly network: FatePolicy<PaxosMessage>;
  readonly roundsMax: number;
  readonly phaseTimeoutTicks: number;
  /** Upper bound on simulated time, so a run always ends even with a timer loop. */
  readonly runTicksMax: number;
  readonly ignoresAcceptedValues?: boolean;
  /**
   * Stop the whole run the moment a proposer has used up its rounds while nothing is chosen. The
   * livelock scenario uses this: otherwise the rival's last round would succeed only because the
   * other proposer stopped retrying, which hides the livelock.
   */
  readonly stopAtRoundBound?: boolean;
}

export interface Choice {
  readonly value: string;
  readonly n: string;
  readonly atTicks: number;
  readonly acceptors: readonly string[];
}

export interface ProposerReport {
  readonly id: string;
  readonly rounds: number;
  readonly preemptions: number;
  readonly learned?: string;
  readonly lastProposedValue?: string;
  readonly gaveUp: boolean;
}

export interface AcceptorReport {
  readonly id: string;
  readonly promised?: string;
  /** "n=value" of the last proposal accepted, if any. */
  readonly accepted?: string;
}

export interface PaxosResult {
  readonly trace: Trace;
  /** Every (proposal number, value) that reached a majority, in time order. */
  readonly choices: readonly Choice[];
  /** The distinct chosen values; safety requires at most one. */
  readonly chosenValues: readonly string[];
  readonly safe: boolean;
  /** No value chosen, proposers were preempted, and the round bound ended the run. */
  readonly livelock: boolean;
  readonly proposers: readonly ProposerReport[];
  readonly acceptors: readonly AcceptorReport[];
  readonly endTicks: number;
}

export function runPaxos(config: PaxosConfig): PaxosResult {
  const lanes = lanesFor(config);
  const recorder = new TraceRecorder(config.title, lanes, 'ms');
  const sim = new Simulator<PaxosMessage>(config.network, recorder, describePaxosMessage);
  const acceptors = new Map(config.acceptors.map((id) => [id, new Acceptor(id)]));
  const proposers = new Map(config.proposers.map((spec) => [spec.id, makeProposer(spec, config)]));
  const votes = new Map<string, { value: string; acceptors: Set<string> }>();
  const choices: Choice[] = [];
  let boundReached = false;

  const contextFor = (node: string): RoleContext => ({
    now: sim.now,
    send: (to, message) => sim.send(node, to, message),
    setTimer: (tag, afterTicks) => sim.setTimer(node, tag, afterTicks),
    note: (text, tone) => recorder.note(sim.now, node, text, tone),
  });

  sim.attach({
    onMessage(envelope, now) {
      const acceptor = acceptors.get(envelope.to);
      if (acceptor) {
        const accepted = acceptor.onMessage(envelope.from, envelope.body, contextFor(acceptor.id));
        if (!accepted) return;
        const key = formatProposal(accepted.n);
        const vote = votes.get(key) ?? { value: accepted.value, acceptors: new Set<string>() };
        votes.set(key, vote);
        const before = vote.acceptors.size;
        vote.acceptors.add(acceptor.id);
        if (before < majority && vote.acceptors.size >= majority) {
          const who = [...vote.acceptors].sort();
          choices.push({ value: vote.value, n: key, atTicks: now, acceptors: who });
          recorder.note(now, acceptor.id, `${vote.value} is chosen: ${key} accepted by ${who.join(', ')}`, 'outcome');
        }
        return;
      }
      proposers.get(envelope.to)?.onMessage(envelope.from, envelope.body, contextFor(envelope.to));
    },
    onTimer(node, tag) {
      const proposer = proposers.get(node);
      proposer?.onTimer(tag, contextFor(node));
      if (proposer?.phase === 'gave-up' && choices.length === 0) {
        boundReached = true;
        if (config.stopAtRoundBound) sim.halt();
      }
    },
  });
  const majority = majorityOf(config.acceptors.length);
  for (const spec of config.proposers) sim.setTimer(spec.id, 'retry', spec.startAtTicks);
  for (const p of proposers.values()) p.phase = 'waiting-to-retry';
  const endTicks = sim.run(config.runTicksMax);
  sim.abandonInFlight();

  const chosenValues = [...new Set(choices.map((c) => c.value))];
  const reports = [...proposers.values()].map(reportOf);
  const preemptions = reports.reduce((sum, p) => sum + p.preemptions, 0);
  const livelock = choices.length === 0 && boundReached && preemptions > 0;
  if (livelock) {
    const rounds = reports.map((p) => `${p.id} ${p.rounds}`).join(', ');
    recorder.note(endTicks, lanes[0], `LIVELOCK: no value chosen after ${rounds} rounds; ${preemptions} rounds were preempted; stopped at the round bound`, 'warn');
  }
  const acceptorReports = [...acceptors.values()].map((a) => ({
    id: a.id,
    promised: a.promised && formatProposal(a.promised),
    accepted: a.accepted && `${formatProposal(a.accepted.n)}=${a.accepted.value}`,
  }));
  return {
    trace: recorder.finish(),
    choices,
    chosenValues,
    safe: chosenValues.length <= 1,
    livelock,
    proposers: reports,
    acceptors: acceptorReports,
    endTicks,
  };
}

function makeProposer(spec: ProposerSpec, config: PaxosConfig): Proposer {
  return new Proposer({
    id: spec.id,
    serverId: spec.serverId,
    value: spec.value,
    targets: spec.targets ?? config.acceptors,
    acceptorCount: config.acceptors.length,
    roundsMax: config.roundsMax,
    phaseTimeoutTicks: config.phaseTimeoutTicks,
    retryDelayTicks: spec.retryDelayTicks ?? (() => 0),
    ignoresAcceptedValues: config.ignoresAcceptedValues,
  });
}

function reportOf(p: Proposer): ProposerReport {
  return {
    id: p.id,
    rounds: p.rounds,
    preemptions: p.preemptions,
    learned: p.learned,
    lastProposedValue: p.lastProposedValue,
    gaveUp: p.phase === 'gave-up',
  };
}

/** Proposers with a low server id on the left, the acceptors, then the rest: P1 | A1..A5 | P5. */
function lanesFor(config: PaxosConfig): string[] {
  const sorted = [...config.proposers].sort((a, b) => a.serverId - b.serverId);
  const left = sorted.slice(0, Math.ceil(sorted.length / 2)).map((p) => p.id);
  const right = sorted.slice(Math.ceil(sorted.length / 2)).map((p) => p.id);
  return [...left, ...config.acceptors, ...right];
}
