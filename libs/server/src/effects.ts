/**
 * Output commit: every frame the core produces waits in one FIFO, tagged with the last zxid that
 * had been applied when it was queued. A frame leaves only once that zxid is durable, so no client
 * can observe a write (directly or through a later read) before it is persisted, and one fsync can
 * release a whole batch. FIFO order keeps replies in request order and notifications ahead of the
 * replies that follow them.
 */

export type Effect =
  | { kind: 'send'; connId: number; frame: Buffer }
  | { kind: 'close'; connId: number; reason: string };

/** A queued effect plus the bookkeeping needed to update stats when it is released. */
export interface HeldEffect {
  kind: 'send' | 'close';
  connId: number;
  frame: Buffer;
  reason: string;
  /** zxid that must be persisted before release. */
  tag: number;
  /** Reply bookkeeping: opcode, xid and zxid answered, and when the request arrived (-1: not a reply). */
  opcode: number;
  xid: number;
  zxid: number;
  startedAt: number;
}

const compactAfterEffects = 1024;

export class EffectQueue {
  private items: HeldEffect[] = [];
  private head = 0;

  push(effect: HeldEffect): void {
    this.items.push(effect);
  }

  /** Releases, in order, every effect whose tag is at most `persistedZxid`. */
  release(persistedZxid: number, out: HeldEffect[]): void {
    const items = this.items;
    let head = this.head;
    while (head < items.length && items[head].tag <= persistedZxid) out.push(items[head++]);
    if (head === items.length) {
      this.items = [];
      this.head = 0;
    } else if (head > compactAfterEffects && head * 2 > items.length) {
      this.items = items.slice(head);
      this.head = 0;
    } else {
      this.head = head;
    }
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** Replies still held per connection (the `queued` figure of cons). */
  countFor(connId: number): number {
    let n = 0;
    for (let i = this.head; i < this.items.length; i++) if (this.items[i].connId === connId && this.items[i].startedAt >= 0) n++;
    return n;
  }
}
