// What a scenario run leaves behind: every message (sent, delivered or lost) and notes about state
// changes, on a simulated clock. The terminal narration and the sequence diagram are both drawn from it.

export interface TraceMessage {
  readonly id: number;
  readonly from: string;
  readonly to: string;
  /** Protocol message name, e.g. "prepare", "promise", "accept", "order". */
  readonly kind: string;
  /** Short human text, e.g. "prepare n=1.1". */
  readonly label: string;
  readonly sentAt: number;
  /** Simulated time of delivery; undefined when the network lost the message. */
  readonly deliveredAt?: number;
  /** True for a message still travelling when the run was stopped at its bound. */
  readonly inFlight?: boolean;
  /** True for a message that was created by the network duplicating another one. */
  readonly duplicate?: boolean;
}

export interface TraceNote {
  readonly at: number;
  /** The participant the note is about; undefined for a verdict on the whole run (no one says it). */
  readonly node?: string;
  readonly text: string;
  /** "outcome" notes mark the result (a value chosen, a general's decision); "warn" marks trouble. */
  readonly tone?: 'info' | 'outcome' | 'warn';
}

/** The order things happened in, for the step-by-step narration. */
export type TraceStep =
  | { readonly type: 'delivered'; readonly messageId: number }
  | { readonly type: 'lost'; readonly messageId: number }
  | { readonly type: 'in-flight'; readonly messageId: number }
  | { readonly type: 'note'; readonly noteIndex: number };

export interface Trace {
  readonly title: string;
  /** Participants, left to right in the diagram. */
  readonly lanes: readonly string[];
  readonly messages: readonly TraceMessage[];
  readonly notes: readonly TraceNote[];
  readonly steps: readonly TraceStep[];
  /** Unit of the simulated clock, shown in the narration ("ms" or "round"). */
  readonly timeUnit: string;
}

/** Collects a trace while a simulation runs. */
export class TraceRecorder {
  private readonly messages: TraceMessage[] = [];
  private readonly notes: TraceNote[] = [];
  private readonly steps: TraceStep[] = [];

  constructor(
    private readonly title: string,
    private readonly lanes: readonly string[],
    private readonly timeUnit: string,
  ) {}

  message(m: Omit<TraceMessage, 'id'>): TraceMessage {
    const recorded = { ...m, id: this.messages.length + 1 };
    this.messages.push(recorded);
    if (recorded.deliveredAt === undefined) this.steps.push({ type: 'lost', messageId: recorded.id });
    return recorded;
  }

  /** Marks the moment a message is handled, so the narration follows the real order of events. */
  delivered(messageId: number): void {
    this.steps.push({ type: 'delivered', messageId });
  }

  /** The run stopped before this message arrived: it is drawn as cut off, not as delivered. */
  inFlight(messageId: number): void {
    const m = this.messages[messageId - 1];
    this.messages[messageId - 1] = { ...m, deliveredAt: undefined, inFlight: true };
    this.steps.push({ type: 'in-flight', messageId });
  }

  note(at: number, node: string, text: string, tone: TraceNote['tone'] = 'info'): void {
    this.notes.push({ at, node, text, tone });
    this.steps.push({ type: 'note', noteIndex: this.notes.length - 1 });
  }

  /** A note about the whole run (an outcome, a checked property), not said by any participant. */
  verdict(at: number, text: string, tone: TraceNote['tone'] = 'info'): void {
    if (this.cutAt) {
      this.verdictsAfterCut.push({ at, text, tone });
      return;
    }
    this.notes.push({ at, text, tone });
    this.steps.push({ type: 'note', noteIndex: this.notes.length - 1 });
  }

  /**
   * Remembers how far the trace had got, so that the run can go on past its bound (to check what the
   * rounds still open there would have done) while the trace shows only what happened within it.
   */
  cut(atTicks: number): void {
    this.cutAt = { atTicks, messages: this.messages.length, notes: this.notes.length, steps: this.steps.length };
  }

  private cutAt?: { atTicks: number; messages: number; notes: number; steps: number };
  private readonly verdictsAfterCut: TraceNote[] = [];

  finish(): Trace {
    if (!this.cutAt) {
      return { title: this.title, lanes: [...this.lanes], messages: [...this.messages], notes: [...this.notes], steps: [...this.steps], timeUnit: this.timeUnit };
    }
    const c = this.cutAt;
    // Messages sent within the bound but delivered after it were still travelling when the trace stops.
    const messages = this.messages.slice(0, c.messages).map((m) =>
      m.deliveredAt !== undefined && m.deliveredAt > c.atTicks ? { ...m, deliveredAt: undefined, inFlight: true } : m,
    );
    const steps: TraceStep[] = this.steps.slice(0, c.steps);
    for (const m of messages) if (m.inFlight) steps.push({ type: 'in-flight', messageId: m.id });
    const notes = [...this.notes.slice(0, c.notes), ...this.verdictsAfterCut];
    for (let i = c.notes; i < notes.length; i++) steps.push({ type: 'note', noteIndex: i });
    return { title: this.title, lanes: [...this.lanes], messages, notes, steps, timeUnit: this.timeUnit };
  }
}
