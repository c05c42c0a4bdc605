/**
 * Many lean sessions in one process (bench:scale-sessions): opened with a bounded number of handshakes
 * in flight and a deadline, kept alive by pings only when idle, loaded with pipelined requests under
 * one global window, and dropped all at once (sockets destroyed, no closeSession) to make them expire.
 */
import type { Request } from '@coord/protocol';
import { WireSession } from './wire-session';

/** Handshakes in flight at once while opening. */
const openConcurrency = 200;
/** How often the pinger looks for idle sessions (ms). */
const pingScanMs = 200;

export class SessionFleet {
  readonly sessions: WireSession[] = [];
  /** Sessions pinged with the fleet but not part of it (the control session). */
  readonly extra: WireSession[] = [];
  notifications = 0;
  lastNotificationAt = 0;
  private pinger: NodeJS.Timeout | null = null;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly timeOutMs: number,
  ) {}

  /** Pings every session idle for a third of its timeout, as ZooKeeper's clients do. */
  startPinging(): void {
    const idleMs = this.timeOutMs / 3;
    this.pinger = setInterval(() => {
      const now = Date.now();
      for (const list of [this.sessions, this.extra]) for (const s of list) if (!s.closed && now - s.lastSentAt >= idleMs) s.ping();
    }, pingScanMs);
  }

  stopPinging(): void {
    if (this.pinger) clearInterval(this.pinger);
    this.pinger = null;
  }

  /** Opens up to `count` sessions before `deadlineMs` passes; returns how many failed. */
  async open(count: number, deadlineMs: number): Promise<{ opened: number; failed: number; ms: number }> {
    const startedAt = Date.now();
    const until = startedAt + deadlineMs;
    let next = 0;
    let failed = 0;
    const worker = async () => {
      while (next < count && Date.now() < until) {
        next++;
        try {
          const s = await WireSession.open(this.host, this.port, this.timeOutMs);
          s.onNotification = () => {
            this.notifications++;
            this.lastNotificationAt = Date.now();
          };
          this.sessions.push(s);
        } catch {
          failed++;
        }
      }
    };
    await Promise.all(Array.from({ length: openConcurrency }, worker));
    return { opened: this.sessions.length, failed, ms: Date.now() - startedAt };
  }

  /**
   * Sends every session its requests (`requestsOf(index)`), pipelined in one write per session, with at
   * most `window` requests unanswered in all; resolves when all are answered or `deadlineMs` passed.
   */
  load(requestsOf: (index: number) => Request[], window: number, deadlineMs: number): Promise<{ requests: number; errors: number; unanswered: number; ms: number }> {
    const startedAt = Date.now();
    return new Promise((resolve) => {
      let next = 0;
      let inFlight = 0;
      let requests = 0;
      let errors = 0;
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        resolve({ requests, errors, unanswered: inFlight, ms: Date.now() - startedAt });
      };
      const timer = setTimeout(finish, deadlineMs);
      const onReply = (err: number) => {
        if (err !== 0) errors++;
        inFlight--;
        pump();
      };
      const pump = () => {
        while (next < this.sessions.length && inFlight < window) {
          const i = next++;
          const s = this.sessions[i];
          if (s.closed) continue;
          const batch = requestsOf(i);
          inFlight += batch.length;
          requests += batch.length;
          s.sendMany(batch, onReply);
        }
        if (next >= this.sessions.length && inFlight === 0) finish();
      };
      pump();
    });
  }

  /** Pings every session and waits for the answers: each session's expiry clock then starts now. */
  pingAll(deadlineMs: number): Promise<number> {
    return new Promise((resolve) => {
      const live = this.sessions.filter((s) => !s.closed);
      let answered = 0;
      const timer = setTimeout(() => resolve(answered), deadlineMs);
      for (const s of live) {
        s.ping(() => {
          if (++answered === live.length) {
            clearTimeout(timer);
            resolve(answered);
          }
        });
      }
    });
  }

  /** Drops every socket at once, without closeSession. */
  destroyAll(): void {
    for (const s of this.sessions) s.destroy();
  }
}
