// The two Basic Paxos roles as plain state machines. They never send or schedule anything themselves:
// they call the small context they are given, which the runner wires to the simulator.
import { compareProposal, formatProposal, majorityOf, ProposalNumber } from './ballot';
import { AcceptedProposal, PaxosMessage } from './paxos-messages';

export interface RoleContext {
  readonly now: number;
  send(to: string, message: PaxosMessage): void;
  setTimer(tag: string, afterTicks: number): void;
  note(text: string, tone?: 'info' | 'outcome' | 'warn'): void;
}

export class Acceptor {
  promised?: ProposalNumber;
  accepted?: AcceptedProposal;

  constructor(readonly id: string) {}

  /** Returns the proposal it accepted, if this message made it accept one (the runner counts quorums). */
  onMessage(from: string, m: PaxosMessage, ctx: RoleContext): AcceptedProposal | undefined {
    if (m.type === 'prepare') this.onPrepare(from, m.n, ctx);
    if (m.type === 'accept') return this.onAccept(from, m.n, m.value, ctx);
    return undefined;
  }

  private onPrepare(from: string, n: ProposalNumber, ctx: RoleContext): void {
    // Promise only to a number above every earlier promise; equal would let two proposers share one.
    if (this.promised && compareProposal(n, this.promised) <= 0) {
      ctx.send(from, { type: 'nack', n, promised: this.promised });
      return;
    }
    this.promised = n;
    ctx.send(from, { type: 'promise', n, accepted: this.accepted });
  }

  private onAccept(from: string, n: ProposalNumber, value: string, ctx: RoleContext): AcceptedProposal | undefined {
    // Accept unless it promised a higher number since; this is what lets a later proposal block an earlier one.
    if (this.promised && compareProposal(n, this.promised) < 0) {
      ctx.note(`rejects accept(${formatProposal(n)}): promised ${formatProposal(this.promised)}`, 'warn');
      ctx.send(from, { type: 'nack', n, promised: this.promised });
      return undefined;
    }
    this.promised = n;
    this.accepted = { n, value };
    ctx.note(`accepts ${formatProposal(n)}=${value}`);
    ctx.send(from, { type: 'accepted', n, value });
    return this.accepted;
  }
}

export interface ProposerSettings {
  readonly id: string;
  /** Breaks ties between proposal numbers; the seed's A1 and A5 become serverId 1 and 5. */
  readonly serverId: number;
  readonly value: string;
  /** Acceptors this proposer talks to: all of them, or just a majority as in the seed's figures. */
  readonly targets: readonly string[];
  readonly acceptorCount: number;
  readonly roundsMax: number;
  /** A phase with no quorum after this long is abandoned (messages may be lost). */
  readonly phaseTimeoutTicks: number;
  /** Wait before the next round; constant 0 reproduces the livelock, a random wait breaks it. */
  readonly retryDelayTicks: () => number;
  /** Deliberate bug for testing the safety checker: propose the own value even if an accepted one was reported. */
  readonly ignoresAcceptedValues?: boolean;
}

type Phase = 'idle' | 'preparing' | 'accepting' | 'waiting-to-retry' | 'learned' | 'gave-up';

/** How one of a proposer's rounds ended, as the proposer saw it. */
export interface RoundEnding {
  readonly n: ProposalNumber;
  readonly how: 'learned' | 'preempted' | 'timed out';
  readonly atTicks: number;
  /** For a preemption: the higher number an acceptor had promised. */
  readonly by?: ProposalNumber;
}

export class Proposer {
  phase: Phase = 'idle';
  /** Rounds started so far (bounded by roundsMax). */
  attempts = 0;
  n?: ProposalNumber;
  learned?: string;
  preemptions = 0;
  /** Every round that ended, in order; a round still in progress is not here yet. */
  readonly endings: RoundEnding[] = [];
  private highestRoundSeen = 0;
  private promises = new Map<string, AcceptedProposal | undefined>();
  private acceptances = new Set<string>();
  private refusals = new Set<string>();
  private proposedValue?: string;

  constructor(readonly settings: ProposerSettings) {}

  get id(): string {
    return this.settings.id;
  }

  get rounds(): number {
    return this.attempts;
  }

  start(ctx: RoleContext): void {
    if (this.attempts >= this.settings.roundsMax) {
      this.phase = 'gave-up';
      ctx.note(`gives up after ${this.attempts} rounds without a decision`, 'warn');
      return;
    }
    this.attempts += 1;
    const ballotRound = Math.max(this.n?.round ?? 0, this.highestRoundSeen) + 1;
    this.n = { round: ballotRound, serverId: this.settings.serverId };
    this.phase = 'preparing';
    this.promises = new Map();
    this.acceptances = new Set();
    this.refusals = new Set();
    ctx.note(`round ${this.attempts}: prepare(${formatProposal(this.n)})`);
    for (const a of this.settings.targets) ctx.send(a, { type: 'prepare', n: this.n });
    ctx.setTimer(`timeout:${this.attempts}`, this.settings.phaseTimeoutTicks);
  }

  onTimer(tag: string, ctx: RoleContext): void {
    if (tag === 'retry' && this.phase === 'waiting-to-retry') return this.start(ctx);
    const current = tag === `timeout:${this.attempts}` && (this.phase === 'preparing' || this.phase === 'accepting');
    if (current) {
      this.endings.push({ n: this.n!, how: 'timed out', atTicks: ctx.now });
      this.retry('timed out waiting for a majority', ctx);
    }
  }

  onMessage(from: string, m: PaxosMessage, ctx: RoleContext): void {
    if (!this.n || compareProposal(m.n, this.n) !== 0) return; // a reply to an older round
    if (m.type === 'promise' && this.phase === 'preparing') this.onPromise(from, m.accepted, ctx);
    if (m.type === 'accepted' && this.phase === 'accepting') this.onAccepted(from, m.value, ctx);
    if (m.type === 'nack') this.onNack(from, m.promised, ctx);
  }

  private onPromise(from: string, accepted: AcceptedProposal | undefined, ctx: RoleContext): void {
    this.promises.set(from, accepted);
    if (accepted) this.highestRoundSeen = Math.max(this.highestRoundSeen, accepted.n.round);
    if (this.promises.size < majorityOf(this.settings.acceptorCount)) return;
    const n = this.n!;
    const value = this.chooseValue(ctx);
    this.phase = 'accepting';
    this.proposedValue = value;
    for (const a of this.settings.targets) ctx.send(a, { type: 'accept', n, value });
  }

  /** The heart of Paxos: a value some acceptor already accepted must be carried forward. */
  private chooseValue(ctx: RoleContext): string {
    let highest: AcceptedProposal | undefined;
    for (const [, accepted] of this.promises) {
      if (accepted && (!highest || compareProposal(accepted.n, highest.n) > 0)) highest = accepted;
    }
    if (!highest || this.settings.ignoresAcceptedValues) return this.settings.value;
    if (highest.value !== this.settings.value) {
      ctx.note(`adopts ${highest.value} (highest accepted proposal ${formatProposal(highest.n)}), not its own ${this.settings.value}`);
    }
    return highest.value;
  }

  private onAccepted(from: string, value: string, ctx: RoleContext): void {
    this.acceptances.add(from);
    if (this.acceptances.size < majorityOf(this.settings.acceptorCount)) return;
    this.phase = 'learned';
    this.learned = value;
    this.endings.push({ n: this.n!, how: 'learned', atTicks: ctx.now });
    ctx.note(`learns ${value} is chosen`, 'outcome');
  }

  private onNack(from: string, promised: ProposalNumber, ctx: RoleContext): void {
    this.highestRoundSeen = Math.max(this.highestRoundSeen, promised.round);
    if (this.phase !== 'preparing' && this.phase !== 'accepting') return;
    this.refusals.add(from);
    // Give up on this number once a majority can no longer answer yes.
    const stillPossible = this.settings.targets.length - this.refusals.size;
    if (stillPossible >= majorityOf(this.settings.acceptorCount)) return;
    this.preemptions += 1;
    this.endings.push({ n: this.n!, how: 'preempted', atTicks: ctx.now, by: promised });
    this.retry(`preempted by ${formatProposal(promised)}`, ctx);
  }

  private retry(reason: string, ctx: RoleContext): void {
    const delay = this.settings.retryDelayTicks();
    this.phase = 'waiting-to-retry';
    ctx.note(`${reason}; ${this.attempts >= this.settings.roundsMax ? 'no rounds left' : delay === 0 ? "retries at once" : `retries in ${delay} ms`}`, 'warn');
    ctx.setTimer('retry', delay);
  }

  /** The value this proposer last asked acceptors to accept. */
  get lastProposedValue(): string | undefined {
    return this.proposedValue;
  }
}
