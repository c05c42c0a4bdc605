/**
 * The console's live event stream: every committed change, as the tree applied it, batched and sent
 * to the subscribed browsers (Server-Sent Events) twice a second. Costs nothing without
 * subscribers; with them, at most `eventsPerBatchMax` events per batch leave (the rest are counted as
 * dropped), so a write storm cannot flood a browser or slow the node.
 */
import type { Txn, TxnOp } from '@coord/data-tree';

export interface ChangeEvent {
  zxid: string;
  time: number;
  /** create, delete, setData, setACL, createSession, closeSession (multi is flattened). */
  type: string;
  path?: string;
  sessionId: string;
  /** For creates: the owner when ephemeral. */
  ephemeral?: boolean;
}

/** Changes kept for a browser that connects later (the first screen of the stream). */
export const recentEventsMax = 100;
/** Changes sent per batch at most; the rest of the batch is only counted ("N more changes"). */
export const eventsPerBatchMax = 20;
export const eventBatchMs = 500;

export interface EventSink {
  /** One batch, already encoded as an SSE `data:` message. */
  send(message: string): void;
}

export function hexId(id: bigint): string {
  return `0x${BigInt.asUintN(64, id).toString(16)}`;
}

function eventsOf(txn: Txn, op: TxnOp, out: ChangeEvent[]): void {
  const base = { zxid: `0x${txn.zxid.toString(16)}`, time: txn.time, sessionId: hexId(txn.sessionId) };
  switch (op.type) {
    case 'multi':
      for (const o of op.ops) eventsOf(txn, o, out);
      return;
    case 'create':
      out.push({ ...base, type: 'create', path: op.path, ephemeral: op.ephemeralOwner === txn.sessionId && op.ephemeralOwner !== 0n });
      return;
    case 'delete':
    case 'setData':
    case 'setACL':
      out.push({ ...base, type: op.type, path: op.path });
      return;
    case 'createSession':
    case 'closeSession':
      out.push({ ...base, type: op.type });
      return;
    default:
      return; // check and error txns change nothing
  }
}

export function changeEvents(txns: readonly Txn[]): ChangeEvent[] {
  const out: ChangeEvent[] = [];
  for (const t of txns) eventsOf(t, t.op, out);
  return out;
}

/** The SSE message of one batch. */
export function eventMessage(events: ChangeEvent[], dropped: number): string {
  return `data: ${JSON.stringify({ events, dropped })}\n\n`;
}

/**
 * On the write path this only keeps references to committed txns (a ring of the last few, and the
 * batch being gathered); they become events, once for every browser, when a batch leaves.
 */
export class EventHub {
  private readonly sinks = new Set<EventSink>();
  private readonly recent: (Txn | undefined)[] = new Array(recentEventsMax);
  private recentNext = 0;
  private pending: Txn[] = [];
  private dropped = 0;
  private timer: NodeJS.Timeout | null = null;

  get subscribers(): number {
    return this.sinks.size;
  }

  /** A committed txn (RequestPipeline's `applied` observer). */
  onApplied(txn: Txn): void {
    this.recent[this.recentNext] = txn;
    this.recentNext = (this.recentNext + 1) % recentEventsMax;
    if (this.sinks.size === 0) return;
    if (this.pending.length < eventsPerBatchMax) this.pending.push(txn);
    else this.dropped++;
    if (this.timer === null) this.timer = setTimeout(() => this.flush(), eventBatchMs);
  }

  recentEvents(): ChangeEvent[] {
    const txns: Txn[] = [];
    for (let i = 0; i < recentEventsMax; i++) {
      const t = this.recent[(this.recentNext + i) % recentEventsMax];
      if (t) txns.push(t);
    }
    return changeEvents(txns);
  }

  subscribe(sink: EventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.sinks.clear();
  }

  private flush(): void {
    this.timer = null;
    const batch = this.pending;
    const dropped = this.dropped;
    this.pending = [];
    this.dropped = 0;
    if (batch.length === 0 && dropped === 0) return;
    const message = eventMessage(changeEvents(batch), dropped);
    for (const sink of this.sinks) sink.send(message);
  }
}
