/**
 * The console's live event stream: every committed change, as the tree applied it, batched and sent
 * to the subscribed browsers (Server-Sent Events) a few times a second. Costs nothing without
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

/** Events kept for a browser that connects later (the first screen of the stream). */
export const recentEventsMax = 100;
export const eventsPerBatchMax = 200;
export const eventBatchMs = 250;

export interface EventSink {
  send(events: ChangeEvent[], dropped: number): void;
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

export class EventHub {
  private readonly sinks = new Set<EventSink>();
  private readonly recent: ChangeEvent[] = [];
  private pending: ChangeEvent[] = [];
  private dropped = 0;
  private timer: NodeJS.Timeout | null = null;

  get subscribers(): number {
    return this.sinks.size;
  }

  /** A committed txn (ServerCore's `applied` observer). */
  onApplied(txn: Txn): void {
    const out: ChangeEvent[] = [];
    eventsOf(txn, txn.op, out);
    for (const e of out) {
      this.recent.push(e);
      if (this.sinks.size === 0) continue;
      if (this.pending.length < eventsPerBatchMax) this.pending.push(e);
      else this.dropped++;
    }
    if (this.recent.length > recentEventsMax * 2) this.recent.splice(0, this.recent.length - recentEventsMax);
    if (this.sinks.size > 0 && this.timer === null) this.timer = setTimeout(() => this.flush(), eventBatchMs);
  }

  recentEvents(): ChangeEvent[] {
    return this.recent.slice(-recentEventsMax);
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
    for (const sink of this.sinks) sink.send(batch, dropped);
  }
}
