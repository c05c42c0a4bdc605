/**
 * Session table with ZooKeeper's expiry buckets: a session expires at the first tick boundary after
 * `now + timeout`, and every packet moves it to a later bucket (SessionTrackerImpl + ExpiryQueue).
 */
import { createHmac } from 'node:crypto';
import { sessionPasswdBytes } from '@coord/protocol';

export interface TrackedSession {
  readonly sessionId: bigint;
  timeoutMs: number;
  /** Bucket time this session is filed under. */
  expiresAt: number;
  /** Connection currently attached, or null while the client is disconnected. */
  connId: number | null;
  /** Set once closeSession or expiry began; requests then get SESSIONEXPIRED. */
  closing: boolean;
}

const u64 = (1n << 64n) - 1n;
/** Long.MIN_VALUE is the container marker; a session id must never equal it. */
const containerMarker = 0x8000000000000000n;

export class SessionTracker {
  private readonly sessions = new Map<bigint, TrackedSession>();
  private readonly buckets = new Map<number, Set<bigint>>();
  private nextSessionId: bigint;

  /** Set by the replicated sessionSecret txn (or recovery); until then no session can be created or resumed. */
  private secret: Buffer | null = null;

  constructor(
    private readonly tickTimeMs: number,
    serverId: number,
    nowMs: number,
  ) {
    // Like SessionTrackerImpl.initializeNextSessionId: time in the middle bits, server id on top.
    const time = ((BigInt(nowMs) << 24n) & u64) >> 8n;
    this.nextSessionId = (BigInt(serverId) << 56n) | time;
  }

  /** The first tick boundary strictly after `time` (ExpiryQueue.roundToNextInterval). */
  roundUp(time: number): number {
    return (Math.floor(time / this.tickTimeMs) + 1) * this.tickTimeMs;
  }

  allocateId(): bigint {
    let id = this.nextSessionId++;
    if (BigInt.asUintN(64, id) === containerMarker) id = this.nextSessionId++;
    return BigInt.asIntN(64, id);
  }

  get hasSecret(): boolean {
    return this.secret !== null;
  }

  /** The first secret applied stays: every member applies the same txns in the same order, so all agree. */
  setSecret(secret: Buffer): void {
    if (this.secret === null) this.secret = Buffer.from(secret);
  }

  get currentSecret(): Buffer | null {
    return this.secret;
  }

  /**
   * 16 bytes derived from the session id with the replicated random secret, so any member can recompute
   * it on reconnect; null while there is no secret (no session can exist then).
   */
  passwordFor(sessionId: bigint): Buffer | null {
    if (this.secret === null) return null;
    const idBytes = Buffer.alloc(8);
    idBytes.writeBigInt64BE(sessionId);
    return createHmac('sha256', this.secret).update(idBytes).digest().subarray(0, sessionPasswdBytes);
  }

  add(sessionId: bigint, timeoutMs: number, nowMs: number): TrackedSession {
    const session: TrackedSession = { sessionId, timeoutMs, expiresAt: 0, connId: null, closing: false };
    this.sessions.set(sessionId, session);
    this.touch(session, nowMs);
    return session;
  }

  get(sessionId: bigint): TrackedSession | undefined {
    return this.sessions.get(sessionId);
  }

  touch(session: TrackedSession, nowMs: number): void {
    if (session.closing) return;
    const at = this.roundUp(nowMs + session.timeoutMs);
    if (at === session.expiresAt) return;
    this.unfile(session);
    session.expiresAt = at;
    let bucket = this.buckets.get(at);
    if (!bucket) this.buckets.set(at, (bucket = new Set()));
    bucket.add(session.sessionId);
  }

  /** Sessions whose bucket time has passed; they are marked closing and leave the buckets. */
  takeExpired(nowMs: number): TrackedSession[] {
    const out: TrackedSession[] = [];
    for (const [at, bucket] of this.buckets) {
      if (at > nowMs) continue;
      this.buckets.delete(at);
      for (const id of bucket) {
        const session = this.sessions.get(id);
        if (session && !session.closing) {
          session.closing = true;
          out.push(session);
        }
      }
    }
    return out;
  }

  markClosing(session: TrackedSession): void {
    session.closing = true;
    this.unfile(session);
  }

  remove(sessionId: bigint): void {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    this.unfile(session);
    this.sessions.delete(sessionId);
  }

  private unfile(session: TrackedSession): void {
    const bucket = this.buckets.get(session.expiresAt);
    if (!bucket) return;
    bucket.delete(session.sessionId);
    if (bucket.size === 0) this.buckets.delete(session.expiresAt);
  }

  get size(): number {
    return this.sessions.size;
  }

  all(): IterableIterator<TrackedSession> {
    return this.sessions.values();
  }

  bucketSnapshot(): { expiresAt: number; sessionIds: bigint[] }[] {
    return [...this.buckets].map(([expiresAt, ids]) => ({ expiresAt, sessionIds: [...ids] }));
  }
}
