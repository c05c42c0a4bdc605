/**
 * Session table with ZooKeeper's expiry buckets: a session expires at the first tick boundary after
 * `now + timeout`, and every packet moves its expiry to a later bucket (SessionTrackerImpl +
 * ExpiryQueue). The move is lazy: a packet only sets the session's `expiresAt`; the session stays filed
 * under its old bucket until that bucket comes due, and is filed anew then if it has been touched.
 * So a packet costs no set operations (10,000 sessions pinging at once spent ~12 % of that turn moving
 * between two 10,000-member sets), and a due bucket costs one move per session filed in it.
 */
import { createHmac } from 'node:crypto';
import { sessionPasswdBytes } from '@coord/protocol';

export interface TrackedSession {
  readonly sessionId: bigint;
  timeoutMs: number;
  /** Bucket time this session expires at (its last packet's, rounded up to a tick). */
  expiresAt: number;
  /** Bucket time it is filed under (≤ expiresAt; 0 while it is in none). */
  filedAt: number;
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
  private readonly buckets = new Map<number, Set<TrackedSession>>();
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
    const session: TrackedSession = { sessionId, timeoutMs, expiresAt: 0, filedAt: 0, connId: null, closing: false };
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
    session.expiresAt = at;
    // Filed under an earlier bucket: it moves when that bucket comes due. Under none, or a later one
    // (a shorter timeout after a reconnect): it moves now.
    if (session.filedAt === 0 || at < session.filedAt) this.file(session, at);
  }

  /** Sessions whose expiry time has passed; they are marked closing and leave the buckets. */
  takeExpired(nowMs: number): TrackedSession[] {
    const out: TrackedSession[] = [];
    for (const [at, bucket] of this.buckets) {
      if (at > nowMs) continue;
      this.buckets.delete(at);
      for (const session of bucket) {
        session.filedAt = 0;
        if (session.closing) continue;
        if (session.expiresAt > nowMs) {
          this.file(session, session.expiresAt);
        } else {
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

  private file(session: TrackedSession, at: number): void {
    this.unfile(session);
    let bucket = this.buckets.get(at);
    if (!bucket) this.buckets.set(at, (bucket = new Set()));
    bucket.add(session);
    session.filedAt = at;
  }

  private unfile(session: TrackedSession): void {
    const at = session.filedAt;
    const bucket = this.buckets.get(at);
    session.filedAt = 0;
    if (!bucket) return;
    bucket.delete(session);
    if (bucket.size === 0) this.buckets.delete(at);
  }

  get size(): number {
    return this.sessions.size;
  }

  all(): IterableIterator<TrackedSession> {
    return this.sessions.values();
  }

  /** The sessions not closing, grouped by the bucket time they expire at (what ExpiryQueue would hold). */
  bucketSnapshot(): { expiresAt: number; sessionIds: bigint[] }[] {
    const byTime = new Map<number, bigint[]>();
    for (const session of this.sessions.values()) {
      if (session.closing) continue;
      const ids = byTime.get(session.expiresAt);
      if (ids) ids.push(session.sessionId);
      else byTime.set(session.expiresAt, [session.sessionId]);
    }
    return [...byTime].map(([expiresAt, sessionIds]) => ({ expiresAt, sessionIds }));
  }
}
