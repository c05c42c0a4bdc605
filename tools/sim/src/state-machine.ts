// The replicated state machine the simulator runs on every peer: registers, sessions and ephemeral
// items owned by a session (a small model of znodes). It is deterministic, so equal txn sequences
// give equal states, and every effect names the txn that caused it.

import type { Zxid } from '@coord/zab';

/** A txn payload (or, for `touch`, a request the leader consumes without proposing). */
export type Op =
  | { readonly t: 'put'; readonly key: string; readonly value: string; readonly client: number; readonly op: number }
  | { readonly t: 'open'; readonly session: number; readonly client: number; readonly op: number }
  | { readonly t: 'close'; readonly session: number; readonly client: number; readonly op: number }
  | { readonly t: 'eph'; readonly key: string; readonly session: number; readonly client: number; readonly op: number }
  | { readonly t: 'touch'; readonly session: number; readonly client: number; readonly op: number };

export function opKey(op: Op): string {
  return `${op.client}:${op.op}`;
}

export function formatOp(op: Op): string {
  switch (op.t) {
    case 'put':
      return `put ${op.key}=${op.value}`;
    case 'eph':
      return `eph ${op.key} s${op.session}`;
    default:
      return `${op.t} s${op.session}`;
  }
}

interface State {
  zxid: Zxid;
  registers: Map<string, { value: string; zxid: Zxid }>;
  sessions: Set<number>;
  /** key -> owning session */
  ephemerals: Map<string, number>;
}

export class StateMachine {
  private state: State = { zxid: 0, registers: new Map(), sessions: new Set(), ephemerals: new Map() };

  get appliedZxid(): Zxid {
    return this.state.zxid;
  }

  apply(zxid: Zxid, op: Op): boolean {
    const s = this.state;
    if (zxid <= s.zxid) throw new Error(`state machine: apply ${zxid} after ${s.zxid}`);
    s.zxid = zxid;
    switch (op.t) {
      case 'put':
        s.registers.set(op.key, { value: op.value, zxid });
        return true;
      case 'open':
        if (s.sessions.has(op.session)) return false;
        s.sessions.add(op.session);
        return true;
      case 'close':
        if (!s.sessions.delete(op.session)) return false;
        // Closing a session is the only way its ephemerals go away.
        for (const [key, owner] of s.ephemerals) if (owner === op.session) s.ephemerals.delete(key);
        return true;
      case 'eph':
        if (!s.sessions.has(op.session) || s.ephemerals.has(op.key)) return false;
        s.ephemerals.set(op.key, op.session);
        return true;
      case 'touch':
        throw new Error('touch is never a txn');
    }
  }

  read(key: string): { value: string | null; zxid: Zxid } {
    return { value: this.state.registers.get(key)?.value ?? null, zxid: this.state.zxid };
  }

  ephemeralsOf(session: number): string[] {
    return [...this.state.ephemerals].filter(([, owner]) => owner === session).map(([key]) => key).sort();
  }

  openSessions(): number[] {
    return [...this.state.sessions];
  }

  snapshot(): { zxid: Zxid; data: unknown } {
    const s = this.state;
    return {
      zxid: s.zxid,
      data: { zxid: s.zxid, registers: [...s.registers], sessions: [...s.sessions], ephemerals: [...s.ephemerals] },
    };
  }

  restore(data: unknown): void {
    if (data === undefined) {
      this.state = { zxid: 0, registers: new Map(), sessions: new Set(), ephemerals: new Map() };
      return;
    }
    const d = data as { zxid: Zxid; registers: [string, { value: string; zxid: Zxid }][]; sessions: number[]; ephemerals: [string, number][] };
    this.state = { zxid: d.zxid, registers: new Map(d.registers), sessions: new Set(d.sessions), ephemerals: new Map(d.ephemerals) };
  }

  /** A canonical rendering of the whole state, to compare replicas. */
  digest(): string {
    const s = this.state;
    const registers = [...s.registers].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v.value}@${v.zxid}`);
    const sessions = [...s.sessions].sort((a, b) => a - b);
    const ephemerals = [...s.ephemerals].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, o]) => `${k}:${o}`);
    return `${s.zxid}|${registers.join(',')}|${sessions.join(',')}|${ephemerals.join(',')}`;
  }
}
