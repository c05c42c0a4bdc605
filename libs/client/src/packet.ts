import { connectionLoss, zkError } from './errors';
import { ErrorCode } from '@coord/protocol';

/**
 * Turns a reply into the call's result, or throws the call's ZkError. Module-level functions (not
 * per-call closures) so a request allocates only its Packet, its frame and its promise.
 */
export type Finisher = (p: Packet, err: number, body: Buffer) => unknown;

/** One request on its way: queued while disconnected, then sent and waiting for its reply (FIFO). */
export class Packet {
  xid = 0;
  settled = false;
  resolve: (value: unknown) => void = noop;
  reject: (err: unknown) => void = noop;
  timer: NodeJS.Timeout | undefined = undefined;
  signal: AbortSignal | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;

  constructor(
    /** The request's opcode (selects the response record). */
    readonly opcode: number,
    /** The whole frame; bytes 4..7 receive the xid when the packet is written. */
    readonly frame: Buffer,
    /** The client path (chroot stripped) for errors and watch registration. */
    readonly path: string | undefined,
    readonly finish: Finisher,
    /** Per-call data the finisher needs (a watcher, the ops of a transaction, ...). */
    readonly ctx: unknown,
  ) {}

  /** Settles with the finisher's result; a reply for a call that already timed out or was aborted is dropped. */
  complete(err: number, body: Buffer): void {
    if (this.settled) return;
    this.settled = true;
    this.detach();
    let value: unknown;
    try {
      value = this.finish(this, err, body);
    } catch (e) {
      this.reject(e);
      return;
    }
    this.resolve(value);
  }

  fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.detach();
    this.reject(error);
  }

  private detach(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.onAbort !== undefined) this.signal!.removeEventListener('abort', this.onAbort);
  }
}

function noop(): void {}

/** A FIFO with O(1) shift, for the packets awaiting replies. */
export class PacketQueue {
  private items: (Packet | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(p: Packet): void {
    this.items.push(p);
  }

  shift(): Packet | undefined {
    if (this.head >= this.items.length) return undefined;
    const p = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return p;
  }

  /** Empties the queue and returns what it held. */
  drain(): Packet[] {
    const out = this.items.slice(this.head) as Packet[];
    this.items = [];
    this.head = 0;
    return out;
  }
}

export const sessionExpired = (op?: string) => zkError(ErrorCode.SESSIONEXPIRED, { op });
export { connectionLoss };
