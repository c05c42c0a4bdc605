// Runs Basic Paxos over the simulator and watches the acceptors from outside: a value is chosen the
// moment a majority of acceptors has accepted the same proposal number. Safety means that at most
// one value is ever chosen, whatever the proposers learn.
import { compareProposal, formatProposal, majorityOf, ProposalNumber } from './ballot';
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

/** A round in progress when the run reached its time bound, and what it did once the run went on past it. */
export interface OpenRound {
  readonly proposer: string;
  readonly n: string;
  readonly phase: 'preparing' | 'accepting';
  /** Checked by running on past the bound (not drawn): could this round still have completed? */
  readonly afterBound: 'chosen' | 'preempted' | 'timed out' | 'undecided';
  readonly atTicks?: number;
  /** For a preemption: the number an acceptor had promised instead. */
  readonly by?: string;
}

export interface PaxosResult {
  readonly trace: Trace;
  /** Every (proposal number, value) that reached a majority, in time order. */
  readonly choices: readonly Choice[];
  /** The distinct chosen values; safety requires at most one. */
  readonly chosenValues: readonly string[];
  readonly safe: boolean;
  /**
   * No value chosen within the bound although proposers kept trying, and no proposal could have
   * completed: every round that ended was preempted, and every round still open at the bound was
   * preempted too when the run went on past it. Never claimed on a run that stopped by itself with
   * proposers still able to finish.
   */
  readonly livelock: boolean;
  /** The time bound (ms of simulated time) when the run was stopped by it; undefined when it ended by itself. */
  readonly stoppedAtTicks?: number;
  readonly roundsEnded: number;
  readonly roundsPreempted: number;
  readonly roundsTimedOut: number;
  readonly openAtBound: readonly OpenRound[];
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
  /** True while the run goes on past its bound only to see what the open rounds would do (nothing is drawn). */
  let lookingAhead = false;

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
          // An observer's fact, not something any one acceptor knows: the run's note, not A3's.
          if (!lookingAhead) recorder.verdict(now, `${vote.value} is chosen: ${key} accepted by ${who.join(', ')}`, 'outcome');
        }
        return;
      }
      proposers.get(envelope.to)?.onMessage(envelope.from, envelope.body, contextFor(envelope.to));
    },
    onTimer(node, tag) {
      const proposer = proposers.get(node);
      proposer?.onTimer(tag, contextFor(node));
    },
  });
  const majority = majorityOf(config.acceptors.length);
  for (const spec of config.proposers) sim.setTimer(spec.id, 'retry', spec.startAtTicks);
  for (const p of proposers.values()) p.phase = 'waiting-to-retry';
  const endTicks = sim.run(config.runTicksMax);
  const stoppedByBound = sim.pending > 0;
  const withinBound = choices.length;
  const reports = [...proposers.values()].map(reportOf);
  const acceptorReports = [...acceptors.values()].map((a) => ({
    id: a.id,
    promised: a.promised && formatProposal(a.promised),
    accepted: a.accepted && `${formatProposal(a.accepted.n)}=${a.accepted.value}`,
  }));
  const ended = [...proposers.values()].flatMap((p) => p.endings);
  const open = [...proposers.values()].filter((p) => p.phase === 'preparing' || p.phase === 'accepting').map((p) => ({ p, n: p.n!, phase: p.phase as OpenRound['phase'] }));
  let openAtBound: OpenRound[] = [];
  if (stoppedByBound) {
    // Keep the trace as it was at the bound, then let the rounds still open there play out (every
    // round ends within one phase timeout), so the verdict says what they could have done.
    recorder.cut(config.runTicksMax);
    lookingAhead = true;
    if (withinBound === 0 && open.length > 0) sim.run(config.runTicksMax + config.phaseTimeoutTicks + 1);
    openAtBound = open.map(({ p, n, phase }) => afterTheBound(p, n, phase, choices.slice(withinBound)));
  } else {
    sim.abandonInFlight();
  }
  const within = choices.slice(0, withinBound);
  const chosenValues = [...new Set(within.map((c) => c.value))];
  const roundsPreempted = ended.filter((e) => e.how === 'preempted').length;
  const roundsTimedOut = ended.filter((e) => e.how === 'timed out').length;
  const everyoneStillTrying = stoppedByBound || reports.every((p) => p.gaveUp);
  const livelock =
    withinBound === 0 && proposers.size >= 2 && everyoneStillTrying && ended.length > 0 && roundsPreempted === ended.length &&
    openAtBound.every((o) => o.afterBound === 'preempted');
  const boundAt = stoppedByBound ? config.runTicksMax : endTicks;
  if (livelock) recorder.verdict(boundAt, livelockVerdict(ended.length, openAtBound, stoppedByBound ? config.runTicksMax : undefined), 'warn');
  else if (withinBound === 0 && stoppedByBound) recorder.verdict(boundAt, `no value chosen within the ${config.runTicksMax} ms bound; not a livelock: ${notLivelockReason(ended.length, roundsPreempted, openAtBound)}`, 'warn');
  return {
    trace: recorder.finish(),
    choices: within,
    chosenValues,
    safe: chosenValues.length <= 1,
    livelock,
    stoppedAtTicks: stoppedByBound ? config.runTicksMax : undefined,
    roundsEnded: ended.length,
    roundsPreempted,
    roundsTimedOut,
    openAtBound,
    proposers: reports,
    acceptors: acceptorReports,
    endTicks: boundAt,
  };
}

function afterTheBound(p: Proposer, n: ProposalNumber, phase: OpenRound['phase'], laterChoices: readonly Choice[]): OpenRound {
  const base = { proposer: p.id, n: formatProposal(n), phase };
  const chosen = laterChoices.find((c) => c.n === base.n);
  if (chosen) return { ...base, afterBound: 'chosen', atTicks: chosen.atTicks };
  const ending = p.endings.find((e) => compareProposal(e.n, n) === 0);
  if (!ending || ending.how === 'learned') return { ...base, afterBound: 'undecided' };
  return { ...base, afterBound: ending.how, atTicks: ending.atTicks, by: ending.by && formatProposal(ending.by) };
}

function describeOpen(o: OpenRound): string {
  const what = `${o.proposer}'s ${o.n} (${o.phase === 'accepting' ? 'accepts' : 'prepares'} sent)`;
  if (o.afterBound === 'preempted') return `${what} is preempted by ${o.by} at t=${o.atTicks}ms`;
  if (o.afterBound === 'chosen') return `${what} gets its value chosen at t=${o.atTicks}ms`;
  if (o.afterBound === 'timed out') return `${what} times out at t=${o.atTicks}ms`;
  return `${what} is still undecided`;
}

/** The livelock note, from what happened: how many rounds ended preempted, what the open ones did next. */
export function livelockVerdict(roundsEnded: number, open: readonly OpenRound[], boundTicks: number | undefined): string {
  const bound = boundTicks === undefined ? 'by the time every proposer had used up its rounds' : `within the ${boundTicks} ms bound`;
  const tail = open.length === 0 ? '' : `; still open at the bound: ${open.map(describeOpen).join(', ')} (run on past the bound to check)`;
  return `LIVELOCK ${bound}: no value chosen, all ${roundsEnded} rounds that ended were preempted${tail}`;
}

/** The summary's livelock line, from the same facts as the verdict note. */
export function livelockLine(r: PaxosResult): string {
  const bound = r.stoppedAtTicks === undefined ? 'by the time every proposer had used up its rounds' : `within the ${r.stoppedAtTicks} ms bound`;
  if (r.livelock) {
    const open = r.openAtBound.length === 0 ? '' : `; the ${r.openAtBound.length} open at the bound were preempted just after it`;
    return `livelock: YES - no value chosen ${bound}; ${r.roundsPreempted} of ${r.roundsEnded} rounds that ended were preempted${open}`;
  }
  if (r.choices.length > 0) return 'livelock: no (a value was chosen)';
  if (r.roundsEnded === 0 && r.openAtBound.length === 0) return 'livelock: no (no round was started)';
  return `livelock: no - no value chosen ${bound}, but ${notLivelockReason(r.roundsEnded, r.roundsPreempted, r.openAtBound)}`;
}

function notLivelockReason(roundsEnded: number, roundsPreempted: number, open: readonly OpenRound[]): string {
  const couldFinish = open.filter((o) => o.afterBound !== 'preempted');
  if (couldFinish.length > 0) return `${couldFinish.map(describeOpen).join(', ')} (run on past the bound to check)`;
  return `${roundsEnded - roundsPreempted} of ${roundsEnded} rounds that ended were not preempted (lost messages or timeouts)`;
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
