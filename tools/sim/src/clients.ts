// Simulated clients. Each has at most one operation outstanding (so its history is sequential), talks
// to one peer, and moves to another when that peer fails it. Every invocation and outcome is recorded
// for the checkers: `ok` (the client's peer applied it), `notSent` (the peer refused it, so it can
// never commit) or `unknown` (timed out or the peer changed role: it may or may not commit).

import type { ServerId, Zxid } from '@coord/zab';
import type { Rng } from './rng';
import type { Op } from './state-machine';

export type Outcome = 'pending' | 'ok' | 'notSent' | 'unknown';

export interface OpRecord {
  readonly payload: Op;
  readonly invokeAt: number;
  readonly node: ServerId;
  outcome: Outcome;
  ackAt?: number;
  zxid?: Zxid;
  /** The state machine's answer (false: e.g. an ephemeral on a closed session). */
  result?: boolean;
}

export interface ReadRecord {
  readonly client: number;
  readonly invokeAt: number;
  readonly doneAt: number;
  readonly node: ServerId;
  readonly zxid: Zxid;
  readonly key: string;
  readonly value: string | null;
  readonly session: number | null;
  readonly ephemerals: readonly string[];
}

export type Pending =
  | { readonly kind: 'write'; readonly record: OpRecord }
  | { readonly kind: 'read'; readonly syncId: number; readonly node: ServerId; readonly invokeAt: number; readonly key: string; readonly session: number | null };

/** Keys clients write and read: few, so that writes contend. */
export const registerKeys = ['k0', 'k1', 'k2'];

export class SimClient {
  node: ServerId;
  pending: Pending | null = null;
  session: number | null = null;
  lastTouchAt = 0;
  private nextOp = 0;
  private sessionsOpened = 0;

  constructor(readonly id: number, node: ServerId, private readonly rng: Rng) {
    this.node = node;
  }

  /** Picks the next operation: a write payload, or a read of a register. */
  nextAction(): { write: Op } | { readKey: string } {
    const op = ++this.nextOp;
    const r = this.rng.next();
    const client = this.id;
    if (r < 0.55) return { write: { t: 'put', key: this.rng.pick(registerKeys), value: `${client}.${op}`, client, op } };
    if (r < 0.72) {
      if (this.session === null) return { write: { t: 'open', session: client * 1000 + ++this.sessionsOpened, client, op } };
      return { write: { t: 'eph', key: `e${client}.${op}`, session: this.session, client, op } };
    }
    if (r < 0.76 && this.session !== null) return { write: { t: 'close', session: this.session, client, op } };
    if (r < 0.78 && this.session !== null) {
      this.session = null; // walk away without closing: only the leader's expiry can end it now
    }
    return { readKey: this.rng.pick(registerKeys) };
  }

  /** The client's view after an outcome it knows for sure. */
  settle(record: OpRecord): void {
    const p = record.payload;
    if (record.outcome === 'ok' && record.result === true) {
      if (p.t === 'open') this.session = p.session;
      if (p.t === 'close' && this.session === p.session) this.session = null;
    } else if (record.outcome === 'unknown' && (p.t === 'open' || p.t === 'close')) {
      this.session = null; // not knowing whether it exists, stop using it
    }
  }

  moveTo(nodes: readonly ServerId[]): void {
    this.node = this.rng.pick(nodes);
  }
}
