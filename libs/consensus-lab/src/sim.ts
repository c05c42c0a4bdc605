// A discrete-event simulator: one queue of deliveries and timers ordered by (simulated time, sequence).
// The network decides each message's fate (delay, loss, duplication) from a seeded PRNG or a script,
// so reordering comes from unequal delays, and the same seed always gives the same run.
import { Rng } from './rng';
import { TraceRecorder } from './trace';

export interface Envelope<M> {
  readonly from: string;
  readonly to: string;
  readonly body: M;
}

/** What the network does with one message. */
export type Fate = { readonly delayTicks: number; readonly duplicateAfterTicks?: number } | 'lost';

export type FatePolicy<M> = (envelope: Envelope<M>, now: number) => Fate;

export interface RandomNetworkOptions {
  readonly delayTicksMin: number;
  readonly delayTicksMax: number;
  /** Probability (0..1) that a message is lost. */
  readonly lossProbability: number;
  /** Probability (0..1) that a delivered message is delivered a second time later. */
  readonly duplicateProbability: number;
}

/** A network whose delays, losses and duplicates are drawn from the seeded PRNG. */
export function randomNetwork<M>(rng: Rng, options: RandomNetworkOptions): FatePolicy<M> {
  return () => {
    if (rng.chance(options.lossProbability)) return 'lost';
    const delayTicks = rng.intBetween(options.delayTicksMin, options.delayTicksMax);
    if (!rng.chance(options.duplicateProbability)) return { delayTicks };
    return { delayTicks, duplicateAfterTicks: rng.intBetween(1, options.delayTicksMax) };
  };
}

type QueueItem<M> =
  | { readonly type: 'deliver'; readonly at: number; readonly seq: number; readonly envelope: Envelope<M>; readonly messageId: number }
  | { readonly type: 'timer'; readonly at: number; readonly seq: number; readonly node: string; readonly tag: string };

export interface SimHandlers<M> {
  onMessage(envelope: Envelope<M>, now: number): void;
  onTimer(node: string, tag: string, now: number): void;
}

/**
 * The queue is a sorted array: scenarios send at most a few thousand messages, so an insertion sort
 * keeps the code obvious at no noticeable cost.
 */
export class Simulator<M> {
  private readonly queue: QueueItem<M>[] = [];
  private seq = 0;
  private nowTicks = 0;
  private handlers?: SimHandlers<M>;
  private halted = false;

  constructor(
    private readonly fate: FatePolicy<M>,
    private readonly recorder: TraceRecorder,
    private readonly describe: (body: M) => { kind: string; label: string },
  ) {}

  get now(): number {
    return this.nowTicks;
  }

  attach(handlers: SimHandlers<M>): void {
    this.handlers = handlers;
  }

  send(from: string, to: string, body: M): void {
    const envelope = { from, to, body };
    const { kind, label } = this.describe(body);
    const fate = this.fate(envelope, this.nowTicks);
    if (fate === 'lost') {
      this.recorder.message({ from, to, kind, label, sentAt: this.nowTicks });
      return;
    }
    const at = this.nowTicks + fate.delayTicks;
    const first = this.recorder.message({ from, to, kind, label, sentAt: this.nowTicks, deliveredAt: at });
    this.push({ type: 'deliver', at, seq: this.seq++, envelope, messageId: first.id });
    if (fate.duplicateAfterTicks !== undefined) {
      const againAt = at + fate.duplicateAfterTicks;
      const copy = this.recorder.message({ from, to, kind, label, sentAt: this.nowTicks, deliveredAt: againAt, duplicate: true });
      this.push({ type: 'deliver', at: againAt, seq: this.seq++, envelope, messageId: copy.id });
    }
  }

  setTimer(node: string, tag: string, afterTicks: number): void {
    this.push({ type: 'timer', at: this.nowTicks + afterTicks, seq: this.seq++, node, tag });
  }

  /** Runs until the queue is empty or the clock passes untilTicks. Returns the final time. */
  run(untilTicks: number): number {
    const handlers = this.handlers;
    if (!handlers) throw new Error('Simulator.run before attach');
    while (!this.halted && this.queue.length > 0 && this.queue[0].at <= untilTicks) {
      const item = this.queue.shift()!;
      this.nowTicks = item.at;
      if (item.type === 'deliver') {
        this.recorder.delivered(item.messageId);
        handlers.onMessage(item.envelope, this.nowTicks);
      }
      else handlers.onTimer(item.node, item.tag, this.nowTicks);
    }
    return this.nowTicks;
  }

  /**
   * Stops the run after the current event. Messages still travelling are recorded as in flight,
   * so the trace never shows a delivery that did not happen.
   */
  halt(): void {
    this.halted = true;
  }

  /** Records every undelivered message as in flight; call once after run(). */
  abandonInFlight(): void {
    for (const item of this.queue) if (item.type === 'deliver') this.recorder.inFlight(item.messageId);
    this.queue.length = 0;
  }

  get pending(): number {
    return this.queue.length;
  }

  private push(item: QueueItem<M>): void {
    let i = this.queue.length;
    while (i > 0 && later(this.queue[i - 1], item)) i--;
    this.queue.splice(i, 0, item);
  }
}

function later<M>(a: QueueItem<M>, b: QueueItem<M>): boolean {
  return a.at > b.at || (a.at === b.at && a.seq > b.seq);
}
