/**
 * RequestPipeline: the one request pipeline of every role, as a pure state machine (ZooKeeper's processor
 * chain without its threads). A client request passes through the same stages on a standalone node, a
 * leader and a follower:
 *
 *   front (connections, handshake, auth, per-connection order) ─> sequencer (prep) ─> [commit] ─> apply ─> replies
 *        reads answered from the committed tree in request order ─────────────────────────────────┘
 *
 * The role decides only where a prepared write goes and when it is committed:
 *  - standalone: this core sequences its own writes; the txns come out in `ready().toPersist`, the
 *    driver appends them to the local log and calls `advance(zxid)` once they are durable, and the
 *    core applies them;
 *  - leader: requests come in through `offer` (its own, via `ready().toSubmit`, and the followers'),
 *    `sequence(place)` prepares them and hands each txn to ZAB; committed txns come back through `apply`;
 *  - follower: requests leave through `ready().toSubmit`, syncs through `ready().toSync`; committed
 *    txns come back through `apply`.
 * The tree only ever holds committed (standalone: durable) state, so a reply or notification can leave
 * as soon as it exists: no client can observe a write that a crash could lose.
 *
 * Time and randomness are injected (`deps`); nothing here touches a socket, a disk or a timer.
 */
import { timingSafeEqual } from 'node:crypto';
import { DataTree, digestId, AppliedOp, Notification, Txn } from '@coord/data-tree';
import {
  BodyOf,
  decodeConnectRequest,
  decodeReplyHeader,
  decodeRequest,
  encodeConnectResponse,
  encodeNotification,
  encodeReply,
  ErrorCode,
  handlingOf,
  Id,
  KeeperState,
  MultiRequest,
  OpCode,
  ProtocolError,
  Request,
  RequestHeader,
  ResponseBody,
  SaslError,
  sessionPasswdBytes,
  UnknownOpcodeError,
  Xid,
} from '@coord/protocol';
import { CoreLogger, ServerConfig, serverConfig, ServerDeps, silentLogger } from './config';
import type { Effect } from './effects';
import type { LimitKind } from './limits';
import * as reads from './read-ops';
import { hex, multiResultOf, responseOf } from './results';
import { DigestMd5Server } from './sasl';
import { PreparedTxn, Sequencer, SequencerRequest } from './sequencer';
import { TrackedSession, SessionTracker } from './sessions';
import { ConnectionState, LatencyStats, snapshotStats } from './stats';
import type { ServerStats } from './server-stats';

export interface ConnectionInfo {
  id: number;
  remoteAddress: string;
  remotePort: number;
  /**
   * The subject (RFC 2253) of the client certificate the TLS port verified: the connection holds
   * Id("x509", subject), as ZooKeeper's X509AuthenticationProvider grants it.
   */
  x509Subject?: string;
}

/** standalone: sequences and commits alone; leader/follower: ZAB decides; looking: not serving. */
export interface CoreObservers {
  applied?: (txn: Txn) => void;
  replied?: (opcode: number, latencyMs: number) => void;
}

export type Role = 'standalone' | 'leader' | 'follower' | 'looking';

/** What the driver must do next (pull style: the driver asks, the core never calls out). */
export interface PipelineWork {
  /** standalone: append to the local log in order, then `advance(lastZxid)`. */
  toPersist: Txn[];
  /** leader/follower: hand to ZAB for the leader's sequencer (peer.submit), in order. */
  toSubmit: SequencerRequest[];
  /** leader/follower: start a quorum sync for each token; call `syncDone(token)` when ZAB says it is done. */
  toSync: number[];
  /** Frames to send and connections to close, in order. */
  effects: Effect[];
}

const zeroPasswd = Buffer.alloc(sessionPasswdBytes);

/** Strips the IPv4-mapped IPv6 prefix so ip ACLs and whoami see `127.0.0.1`. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.substring(7) : address;
}

/** A request received on a connection and not answered yet; replies leave in request order. */
type Pending =
  /** `held`: a request for the sequencer that waits for a sync before it on the connection (see holdOrSubmit). */
  | { kind: 'write'; xid: number; opcode: number; request: Request | null; startedAt: number; reply: Buffer | null; zxid: number; held?: SequencerRequest }
  | { kind: 'sync'; xid: number; token: number; path: string; startedAt: number; reply: Buffer | null; zxid: number }
  | { kind: 'read'; xid: number; request: Request; startedAt: number }
  | { kind: 'ping'; startedAt: number };

interface ClientConn {
  conn: ConnectionState;
  queue: Pending[];
  /** Waiting for its createSession to be applied. */
  connecting: { sessionId: bigint; timeOut: number; moveToken?: number } | null;
  /** Requests pipelined behind the ConnectRequest, handled once the session exists (as Apache does). */
  early: Buffer[] | null;
  /** The connection's SASL exchange, once the client started one. */
  sasl: DigestMd5Server | null;
}

/** Requests a client may pipeline behind its ConnectRequest before it is answered. */
export const earlyRequestsMax = 1000;
/**
 * Expired sessions whose closeSession one housekeeping slice offers: 10,000 sessions expiring in the
 * same tick are prepared, logged and applied over several event-loop turns, not in one.
 */
export const sessionExpiryBatchMax = 500;
/**
 * Watches of closed connections one housekeeping slice drops (whole connections, at least one): 10,000
 * sockets closing at once with 100 watches each would otherwise hold the event loop for seconds.
 */
export const droppedWatchesBatchMax = 20_000;

export class RequestPipeline {
  readonly config: ServerConfig;
  /** Replaced (not mutated) when a snapshot is restored. */
  tree: DataTree;
  readonly sessions: SessionTracker;
  private readonly clients = new Map<number, ClientConn>();
  /** Connections still waiting for their ConnectRequest (closed after sessionlessConnectionTimeoutMs). */
  private readonly handshakePending = new Set<ClientConn>();
  private readonly sequencer: Sequencer;
  private readonly log: CoreLogger;
  private readonly now: () => number;
  private readonly randomBytes: (size: number) => Buffer;
  private role: Role = 'standalone';
  private outbox: Effect[] = [];
  private toPersist: Txn[] = [];
  private toSubmit: SequencerRequest[] = [];
  private toSync: number[] = [];
  /** standalone: txns handed to the log and not applied yet, in zxid order. */
  private unapplied: PreparedTxn[] = [];
  private unappliedHead = 0;
  /** Sessions with traffic since the last report to the leader (follower). */
  private touched = new Set<bigint>();
  /** Expired sessions (already closing) whose closeSession is not offered yet, oldest first. */
  private expiring: TrackedSession[] = [];
  private expiringHead = 0;
  /** Closed connections whose watches are still in the tree, in closing order (see dropWatchesOf). */
  private readonly closedWatchers = new Set<number>();
  /** Watches that may still be dropped at once before housekeep() runs again. */
  private dropBudget = droppedWatchesBatchMax;
  private appliedZxid = 0;
  /** standalone: the last zxid given out. */
  private placedZxid = 0;
  private nextSyncToken = 1;
  private pendingCount = 0;
  private nextContainerCheckAt: number;
  readonly startedAt: number;
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  /** Global counters for the four-letter words. */
  readonly counters = {
    packetsReceived: 0,
    packetsSent: 0,
    authFailed: 0,
    latency: new LatencyStats(),
    /** Requests refused by a limit (enforced quota, per-session caps), by limit. */
    limitsRefused: { quota: 0, ephemerals: 0, watches: 0, outstanding: 0 } as Record<LimitKind, number>,
  };
  /** ACL schemes beyond world, auth, digest and ip that this node's providers register. */
  private readonly aclProviders: string[];
  /**
   * Taps for the operator surface (metrics, the console's event stream): every committed txn as it is
   * applied, and every reply with its opcode and latency. Plain callbacks, called synchronously.
   */
  readonly observers: CoreObservers = {};

  constructor(config: Partial<ServerConfig>, deps: ServerDeps) {
    this.config = serverConfig(config);
    this.now = deps.now;
    this.log = deps.logger ?? silentLogger;
    this.tree = this.freshTree();
    this.startedAt = this.now();
    this.sessions = new SessionTracker(this.config.tickTimeMs, this.config.serverId, this.startedAt);
    this.minSessionTimeoutMs = this.config.minSessionTimeoutMs ?? 2 * this.config.tickTimeMs;
    this.maxSessionTimeoutMs = this.config.maxSessionTimeoutMs ?? 20 * this.config.tickTimeMs;
    this.nextContainerCheckAt = this.startedAt + this.config.containerCheckIntervalMs;
    this.randomBytes = deps.randomBytes;
    this.aclProviders = [...(this.config.sasl ? ['sasl'] : []), 'x509'];
    this.sequencer = new Sequencer(() => this.tree, this.sessions, {
      extendedTypesEnabled: this.config.extendedTypesEnabled,
      frameBytesMax: this.config.frameBytesMax,
      now: this.now,
      randomBytes: deps.randomBytes,
      aclProviders: this.aclProviders,
      limits: {
        enforceQuota: this.config.enforceQuota,
        sessionEphemeralsMax: this.config.sessionEphemeralsMax,
        onRefused: (kind, message) => this.refused(kind, message),
      },
    });
  }

  private freshTree(): DataTree {
    return new DataTree({ idsOf: (connId) => this.clients.get(connId)?.conn.ids });
  }

  // ---- state: recovery, snapshots, role ----

  /** Rebuilds state from persisted txns (log replay); produces no effects. */
  replay(txns: Txn[]): void {
    for (const txn of txns) {
      if (txn.zxid <= this.appliedZxid) continue;
      this.tree.applyTxn(txn);
      this.applySessionChange(txn);
      this.appliedZxid = this.placedZxid = txn.zxid;
    }
  }

  /**
   * Replaces the applied state (a SNAP from the leader, or a snapshot on restart): `load` fills a fresh
   * tree, `sessions` are the sessions alive in it. Clients are dropped first: their watches were on the old tree.
   */
  restore(
    load: (tree: DataTree) => void,
    sessions: Iterable<{ sessionId: bigint; timeOut: number }>,
    zxid: number,
    sessionSecret: Buffer | null,
  ): void {
    this.dropAllClients('state replaced by a snapshot');
    const tree = this.freshTree();
    load(tree);
    // The tree is exactly the state at `zxid` (snapshots and SNAPs compare against it).
    tree.lastProcessedZxid = zxid;
    this.tree = tree;
    // The dropped clients' watches were on the old tree.
    this.closedWatchers.clear();
    for (const s of [...this.sessions.all()]) this.sessions.remove(s.sessionId);
    this.clearExpiring();
    const now = this.now();
    for (const s of sessions) this.sessions.add(s.sessionId, s.timeOut, now);
    if (sessionSecret) this.sessions.setSecret(sessionSecret);
    this.appliedZxid = this.placedZxid = zxid;
    this.sequencer.reset();
  }

  /**
   * The driver's role changed. Leaving service (or changing term) drops every client: the outcome of
   * their pending calls is unknown. A new sequencer starts every session's clock afresh: it cannot know
   * how long they were idle.
   */
  setRole(role: Role, reason = ''): void {
    const prev = this.role;
    if (prev === role && reason === '') return;
    this.role = role;
    if (prev !== 'looking' && prev !== 'standalone') this.dropAllClients(`left the ${prev} role${reason ? ` (${reason})` : ''}`);
    this.sequencer.reset();
    this.toSubmit = [];
    this.toSync = [];
    this.touched.clear();
    // A new sequencer starts every clock afresh (below): sessions found expired are not closed after all.
    this.clearExpiring();
    if (this.sequencing) {
      const now = this.now();
      for (const s of this.sessions.all()) {
        s.closing = false;
        this.sessions.touch(s, now);
      }
    }
  }

  get currentRole(): Role {
    return this.role;
  }

  private get sequencing(): boolean {
    return this.role === 'standalone' || this.role === 'leader';
  }

  private get serving(): boolean {
    return this.role !== 'looking';
  }

  /** The injected clock (stats use it). */
  clock(): number {
    return this.now();
  }

  get lastProcessedZxid(): number {
    return this.appliedZxid;
  }

  // ---- driver interface: connections ----

  connectionOpened(info: ConnectionInfo): void {
    // A driver that reuses connection ids must not lose the new connection's watches to the old one's drop.
    if (this.closedWatchers.delete(info.id)) this.tree.removeWatcher(info.id);
    const conn = new ConnectionState(info.id, info.remoteAddress, info.remotePort, normalizeAddress(info.remoteAddress), this.now());
    const c: ClientConn = { conn, queue: [], connecting: null, early: null, sasl: null };
    if (info.x509Subject !== undefined) {
      conn.addId({ scheme: 'x509', id: info.x509Subject });
      if (this.config.x509SuperUser !== undefined && info.x509Subject === this.config.x509SuperUser) conn.addId({ scheme: 'super', id: '' });
    }
    this.clients.set(info.id, c);
    this.handshakePending.add(c);
  }

  receive(connId: number, frameBody: Buffer): void {
    const c = this.clients.get(connId);
    if (!c) return;
    c.conn.received++;
    this.counters.packetsReceived++;
    if (c.conn.session !== null) this.onRequest(c, c.conn.session, frameBody);
    else if (c.connecting === null) this.onConnect(c, frameBody);
    else if ((c.early ??= []).length < earlyRequestsMax) c.early.push(frameBody);
    else this.closeClient(c, `more than ${earlyRequestsMax} requests before the session was established`);
  }

  /** The socket is gone: drop the connection's watches; its session lives on until it expires. */
  connectionClosed(connId: number): void {
    const c = this.clients.get(connId);
    if (c) this.dropConnection(c);
  }

  tick(): void {
    const now = this.now();
    for (const c of this.handshakePending) {
      if (now - c.conn.openedAt > this.config.sessionlessConnectionTimeoutMs) this.closeClient(c, 'no ConnectRequest in time');
    }
    if (this.sequencing) {
      // Expired sessions are closing from now on (their requests get SESSIONEXPIRED, a reconnect is
      // refused); their closeSession txns are offered in batches by housekeep().
      for (const session of this.sessions.takeExpired(now)) this.expiring.push(session);
      if (now >= this.nextContainerCheckAt) {
        // Container and TTL cleanup belongs to the sequencer, as ZooKeeper's ContainerManager runs on the leader.
        this.nextContainerCheckAt = now + this.config.containerCheckIntervalMs;
        this.sweepContainers(now);
      }
    } else if (this.role === 'follower' && this.touched.size > 0) {
      this.toSubmit.push({ kind: 'touch', origin: this.config.serverId, sessionIds: [...this.touched] });
      this.touched.clear();
    }
    this.housekeep();
  }

  /**
   * One bounded slice of the work that outside events pile up: offers the closeSession of up to
   * sessionExpiryBatchMax expired sessions and drops the watches of closed connections, about
   * droppedWatchesBatchMax of them. tick() runs a slice; while `hasDeferredWork` the driver runs one
   * per event-loop turn, so other clients are served between the slices.
   */
  housekeep(): void {
    this.offerExpired();
    this.dropBudget = droppedWatchesBatchMax;
    this.dropClosedWatchers();
    if (this.role === 'standalone') this.sequenceLocally();
  }

  /** True while expired sessions or closed connections' watches wait for housekeep(). */
  get hasDeferredWork(): boolean {
    return this.expiringHead < this.expiring.length || this.closedWatchers.size > 0;
  }

  private offerExpired(): void {
    const end = Math.min(this.expiring.length, this.expiringHead + sessionExpiryBatchMax);
    for (; this.expiringHead < end; this.expiringHead++) {
      const session = this.expiring[this.expiringHead];
      // Removed meanwhile (a snapshot replaced the table): nothing left to close.
      if (this.sessions.get(session.sessionId) !== session) continue;
      this.log.info(`Expiring session 0x${hex(session.sessionId)}, timeout of ${session.timeoutMs}ms exceeded`);
      this.sequencer.offer({ kind: 'closeSession', origin: 0, sessionId: session.sessionId, cxid: 0 });
    }
    if (this.expiringHead === this.expiring.length) this.clearExpiring();
  }

  private clearExpiring(): void {
    this.expiring = [];
    this.expiringHead = 0;
  }

  /**
   * A closed connection's watches go at once while the budget of this slice lasts, else they wait for
   * housekeep(). Until then they are inert: the connection id is never notified again (notify finds no
   * client), and the driver never gives the id to another connection.
   */
  private dropWatchesOf(connId: number): void {
    const count = this.tree.watchCountOf(connId);
    if (this.closedWatchers.size === 0 && count <= this.dropBudget) {
      this.dropBudget -= count;
      this.tree.removeWatcher(connId);
    } else {
      this.closedWatchers.add(connId);
    }
  }

  /** Drops queued connections' watches, oldest first, while the budget lasts (at least one connection). */
  private dropClosedWatchers(): void {
    let first = true;
    for (const connId of this.closedWatchers) {
      const count = this.tree.watchCountOf(connId);
      if (!first && count > this.dropBudget) return;
      first = false;
      this.dropBudget = Math.max(0, this.dropBudget - count);
      this.tree.removeWatcher(connId);
      this.closedWatchers.delete(connId);
    }
  }

  ready(): PipelineWork {
    const r: PipelineWork = { toPersist: this.toPersist, toSubmit: this.toSubmit, toSync: this.toSync, effects: this.outbox };
    if (r.toPersist.length > 0) this.toPersist = [];
    if (r.toSubmit.length > 0) this.toSubmit = [];
    if (r.toSync.length > 0) this.toSync = [];
    if (r.effects.length > 0) this.outbox = [];
    return r;
  }

  /** True when ready() would return something. */
  hasReady(): boolean {
    return this.outbox.length > 0 || this.toPersist.length > 0 || this.toSubmit.length > 0 || this.toSync.length > 0;
  }

  /** Requests received and not answered yet, plus requests waiting for the sequencer (globalOutstandingLimit). */
  get outstanding(): number {
    return this.pendingCount + this.sequencer.waitingCount;
  }

  // ---- driver interface: commit ----

  /** standalone: txns up to `persistedZxid` are durable; apply them (their replies leave with the next ready()). */
  advance(persistedZxid: number): void {
    const list = this.unapplied;
    let head = this.unappliedHead;
    while (head < list.length && list[head].txn.zxid <= persistedZxid) {
      const p = list[head++];
      this.apply(p.origin, p.txn);
    }
    if (head === list.length) {
      this.unapplied = [];
      this.unappliedHead = 0;
    } else {
      this.unappliedHead = head;
    }
    this.sequenceLocally();
  }

  /** leader/follower: a committed txn, in zxid order, on every member. `origin` is the member that answers. */
  apply(origin: number, txn: Txn): void {
    const { result, events } = this.tree.applyTxn(txn);
    this.appliedZxid = txn.zxid;
    this.observers.applied?.(txn);
    if (txn.zxid > this.placedZxid) this.placedZxid = txn.zxid;
    const op = txn.op;
    const session = this.applySessionChange(txn);
    if (events.length > 0) this.notifyAll(events);
    this.sequencer.applied(txn.zxid);
    const local = origin === this.config.serverId;
    if (op.type === 'createSession') {
      if (local) this.onSessionCreated(txn.sessionId);
      return;
    }
    const c = session && session.connId !== null ? this.clients.get(session.connId) : undefined;
    if (!c) return;
    const pending = local ? findPendingWrite(c, txn.cxid) : undefined;
    if (!pending) {
      // Expired, or closed through another member: the client learns it when its connection closes.
      if (op.type === 'closeSession') this.closeClient(c, 'session closed or expired');
      return;
    }
    pending.reply = this.replyFor(pending, txn.zxid, result);
    pending.zxid = txn.zxid;
    this.log.debug(() => `write path: applied 0x${hex(txn.zxid)} -> reply to client 0x${hex(txn.sessionId)} xid ${txn.cxid}`);
    this.flushQueue(c);
  }

  /** leader: offer a request (the leader's own, or a follower's) to the sequencer; `sequence` prepares it. */
  offer(request: SequencerRequest): void {
    this.sequencer.offer(request);
  }

  /** leader: prepare waiting requests and hand each txn to `place` (ZAB propose), which returns its zxid or null. */
  sequence(place: (p: PreparedTxn) => number | null): void {
    this.sequencer.drain(place);
  }

  /** The sync started for `token` is done: every txn committed before it has been applied here. */
  syncDone(token: number): void {
    for (const c of this.clients.values()) {
      if (c.connecting?.moveToken === token) {
        const { sessionId, timeOut } = c.connecting;
        c.connecting = null;
        const session = this.sessions.get(sessionId);
        if (!session || session.closing) this.closeClient(c, 'session expired while it moved');
        else this.reattach(c, session, timeOut);
        return;
      }
      const p = c.queue.find((q) => q.kind === 'sync' && q.token === token) as Extract<Pending, { kind: 'sync' }> | undefined;
      if (!p) continue;
      this.completeSync(p);
      this.flushQueue(c);
      this.releaseHeld(c);
      return;
    }
  }

  // ---- stats ----

  /** The node's stats snapshot; `askingConnId` is the connection asking with a four-letter word (-1: none). */
  stats(askingConnId = -1): ServerStats {
    const conns = [...this.clients.values()].map((c) => c.conn);
    return snapshotStats(this, conns, this.sessions, (connId) => this.clients.get(connId)?.queue.length ?? 0, this.outstanding, askingConnId);
  }

  /** srst: clears the global latency and packet counters. */
  resetStats(): void {
    this.counters.packetsReceived = 0;
    this.counters.packetsSent = 0;
    this.counters.latency.reset();
  }

  /** crst: clears every connection's counters. */
  resetConnectionStats(): void {
    for (const c of this.clients.values()) c.conn.resetCounters();
  }

  // ---- front: handshake ----

  private onConnect(c: ClientConn, body: Buffer): void {
    const conn = c.conn;
    let req;
    try {
      req = decodeConnectRequest(body, this.config.frameBytesMax);
    } catch (e) {
      this.log.warn(`Closing connection ${conn.describe()}: malformed ConnectRequest (${(e as Error).message})`);
      this.closeClient(c, 'malformed ConnectRequest');
      return;
    }
    this.handshakePending.delete(c);
    conn.oldClient = req.readOnly === undefined;
    if (!this.serving) {
      // As ZooKeeper: no sessions while there is no leader; the client tries the next member.
      this.closeClient(c, 'not serving');
      return;
    }
    if (req.lastZxidSeen > this.appliedZxid) {
      this.log.info(
        `Refusing session request for client ${conn.describe()}: it has seen zxid 0x${req.lastZxidSeen.toString(16)}, ours is 0x${this.appliedZxid.toString(16)}`,
      );
      this.closeClient(c, 'client has seen a newer zxid');
      return;
    }
    const timeOut = Math.min(Math.max(req.timeOut, this.minSessionTimeoutMs), this.maxSessionTimeoutMs);
    if (req.sessionId === 0n) {
      const sessionId = this.sessions.allocateId();
      c.connecting = { sessionId, timeOut };
      this.submit({ kind: 'createSession', origin: this.config.serverId, sessionId, timeOut });
      return;
    }
    const session = this.sessions.get(req.sessionId);
    const passwd = this.sessions.passwordFor(req.sessionId);
    if (!session || session.closing || !passwd || !req.passwd || req.passwd.length !== passwd.length || !timingSafeEqual(passwd, req.passwd)) {
      this.log.info(`Invalid session 0x${hex(req.sessionId)} for client ${conn.describe()}, probably expired`);
      const zeroed = { protocolVersion: 0, timeOut: 0, sessionId: 0n, passwd: zeroPasswd, readOnly: conn.oldClient ? undefined : false };
      this.send(c, encodeConnectResponse(zeroed));
      this.closeClient(c, 'invalid or expired session');
      return;
    }
    session.timeoutMs = timeOut;
    this.touch(session, this.now());
    if (this.role === 'standalone') {
      this.reattach(c, session, timeOut);
      return;
    }
    // As ZooKeeper's revalidation: the leader learns the session's new member (its owner) before the
    // client may send anything through it, so a write still on its way from the member the session left
    // is refused (SESSIONMOVED) instead of landing after the client's later writes. The sync after the
    // move on the same link says the leader has seen it.
    const moveToken = this.nextSyncToken++;
    c.connecting = { sessionId: session.sessionId, timeOut, moveToken };
    this.submit({ kind: 'moveSession', origin: this.config.serverId, sessionId: session.sessionId });
    this.toSync.push(moveToken);
  }

  private reattach(c: ClientConn, session: TrackedSession, timeOut: number): void {
    if (session.connId !== null && session.connId !== c.conn.id) {
      const old = this.clients.get(session.connId);
      if (old) this.closeClient(old, 'session reconnected on a new connection');
    }
    this.attach(c, session, timeOut);
    this.log.info(`Re-established session 0x${hex(session.sessionId)} with negotiated timeout ${timeOut} for client ${c.conn.describe()}`);
    this.runEarly(c, session);
  }

  /** Requests the client pipelined behind its ConnectRequest, now that its session is attached. */
  private runEarly(c: ClientConn, session: TrackedSession): void {
    const early = c.early;
    c.early = null;
    if (early) for (const frame of early) if (this.clients.get(c.conn.id) === c) this.onRequest(c, session, frame);
  }

  private onSessionCreated(sessionId: bigint): void {
    for (const c of this.clients.values()) {
      if (c.connecting?.sessionId !== sessionId) continue;
      const { timeOut } = c.connecting;
      c.connecting = null;
      const session = this.sessions.get(sessionId);
      if (!session) {
        this.closeClient(c, 'session vanished before the handshake finished');
        return;
      }
      this.attach(c, session, timeOut);
      this.log.info(`Established session 0x${hex(sessionId)} with negotiated timeout ${timeOut} for client ${c.conn.describe()}`);
      this.runEarly(c, session);
      return;
    }
  }

  private attach(c: ClientConn, session: TrackedSession, timeOut: number): void {
    session.connId = c.conn.id;
    c.conn.session = session;
    c.conn.established = this.now();
    const response = {
      protocolVersion: 0,
      timeOut,
      sessionId: session.sessionId,
      passwd: this.sessions.passwordFor(session.sessionId) as Buffer,
      readOnly: c.conn.oldClient ? undefined : false,
    };
    this.send(c, encodeConnectResponse(response));
  }

  // ---- front: requests ----

  private onRequest(c: ClientConn, session: TrackedSession, body: Buffer): void {
    const startedAt = this.now();
    let decoded;
    try {
      decoded = decodeRequest(body, this.config.frameBytesMax);
    } catch (e) {
      this.onDecodeError(c, e, startedAt);
      return;
    }
    const { header, request } = decoded;
    this.touch(session, startedAt);
    const xid = header.xid;
    const type = request.type;
    // The opcode table says where each request goes (ZooKeeper's request processors).
    const handling = handlingOf(type);
    if (handling === 'auth') {
      this.onAuth(c, xid, request.body as BodyOf<'auth'>);
      return;
    }
    if (handling === 'sasl' && this.config.sasl) {
      this.onSasl(c, xid, (request.body as BodyOf<'sasl'>).token ?? Buffer.alloc(0));
      return;
    }
    if (!this.authenticationEnforced(c, xid)) return;
    const outstandingMax = this.config.sessionOutstandingMax;
    if (outstandingMax > 0 && handling !== 'ping' && c.queue.length >= outstandingMax) {
      this.refused('outstanding', `Session 0x${hex(session.sessionId)} from ${c.conn.describe()} has ${c.queue.length} requests in flight (at most ${outstandingMax}): refusing xid ${xid}`);
      this.enqueueAnswered(c, xid, type, ErrorCode.THROTTLEDOP, startedAt);
      return;
    }
    if (this.watchLimitReached(c, request)) {
      this.refused('watches', `Session 0x${hex(session.sessionId)} from ${c.conn.describe()} holds ${this.tree.watchCountOf(c.conn.id)} watches (at most ${this.config.sessionWatchesMax}): refusing xid ${xid}`);
      this.enqueueAnswered(c, xid, type, ErrorCode.QUOTAEXCEEDED, startedAt);
      return;
    }
    if (handling === 'multiOnly') {
      // A standalone check is not a valid request (Request.isValid): UNIMPLEMENTED, then close.
      this.log.warn(`Closing connection ${c.conn.describe()}: check outside multi`);
      this.enqueueAnswered(c, xid, type, ErrorCode.UNIMPLEMENTED, startedAt);
      this.closeClient(c, 'standalone check request');
      return;
    }
    if (handling === 'ping') {
      this.enqueue(c, { kind: 'ping', startedAt });
    } else if (session.closing) {
      this.enqueueAnswered(c, xid, type, ErrorCode.SESSIONEXPIRED, startedAt);
      return;
    } else if (handling === 'sync') {
      const p: Pending = { kind: 'sync', xid, token: 0, path: (request.body as BodyOf<'sync'>).path, startedAt, reply: null, zxid: 0 };
      this.enqueue(c, p);
      if (this.role === 'standalone') this.completeSync(p);
      else this.toSync.push((p.token = this.nextSyncToken++));
    } else if (handling === 'closeSession') {
      const p: Pending = { kind: 'write', xid, opcode: type, request, startedAt, reply: null, zxid: 0 };
      this.enqueue(c, p);
      this.holdOrSubmit(c, p, { kind: 'closeSession', origin: this.config.serverId, sessionId: session.sessionId, cxid: xid });
    } else if (handling === 'write') {
      const p: Pending = { kind: 'write', xid, opcode: type, request, startedAt, reply: null, zxid: 0 };
      this.enqueue(c, p);
      this.holdOrSubmit(c, p, this.writeRequest(c, session, body, header, request));
    } else {
      this.enqueue(c, { kind: 'read', xid, request, startedAt });
    }
    this.flushQueue(c);
  }

  private writeRequest(c: ClientConn, session: TrackedSession, frame: Buffer, header: RequestHeader, request: Request): SequencerRequest {
    const local = this.role === 'standalone';
    this.log.debug(() => `write path: client 0x${hex(session.sessionId)} xid ${header.xid} op ${request.type} -> ${local ? 'sequenced here' : 'forwarded to the leader'}`);
    return {
      kind: 'write',
      origin: this.config.serverId,
      sessionId: session.sessionId,
      // The leader preps against these ids later: copy them, the connection may add more meanwhile.
      ids: local ? c.conn.ids : [...c.conn.ids],
      frame,
      ...(local && { decoded: { header, request } }),
    };
  }

  /**
   * A write (or close) sent behind a sync that is not done yet waits for it before it goes to the
   * sequencer: ZAB may report the sync done only after later txns were applied, and the reads queued
   * behind the sync would then see this write, which the client sent after them (ZooKeeper keeps a
   * session's requests in order in its CommitProcessor).
   */
  private holdOrSubmit(c: ClientConn, p: Extract<Pending, { kind: 'write' }>, request: SequencerRequest): void {
    if (c.queue.some((q) => q.kind === 'sync' && q.reply === null)) p.held = request;
    else this.submit(request);
  }

  /** Submits the held requests that no unfinished sync precedes any more, in order. */
  private releaseHeld(c: ClientConn): void {
    for (const q of c.queue) {
      if (q.kind === 'sync' && q.reply === null) return;
      if (q.kind === 'write' && q.held) {
        const request = q.held;
        delete q.held;
        this.submit(request);
      }
    }
  }

  /** The role decides where a request for the sequencer goes: here, or to the leader through ZAB. */
  private submit(request: SequencerRequest): void {
    if (this.role === 'standalone') {
      this.sequencer.offer(request);
      this.sequenceLocally();
    } else {
      this.toSubmit.push(request);
    }
  }

  /** standalone: prepared txns get the next zxids and go to the local log. */
  private sequenceLocally(): void {
    if (this.role !== 'standalone' || this.sequencer.waitingCount === 0) return;
    this.sequencer.drain((p) => {
      const zxid = ++this.placedZxid;
      p.txn.zxid = zxid;
      this.toPersist.push(p.txn);
      this.unapplied.push(p);
      return zxid;
    });
  }

  private onDecodeError(c: ClientConn, e: unknown, startedAt: number): void {
    if (e instanceof UnknownOpcodeError) {
      this.log.warn(`Closing connection ${c.conn.describe()}: unknown opcode ${e.header.type}`);
      this.enqueueAnswered(c, e.header.xid, e.header.type, ErrorCode.UNIMPLEMENTED, startedAt);
      this.closeClient(c, `unknown opcode ${e.header.type}`);
    } else if (e instanceof ProtocolError && e.kind === 'body' && e.header) {
      this.log.debug(() => `Malformed request from ${c.conn.describe()}: ${e.message}`);
      this.enqueueAnswered(c, e.header.xid, e.header.type, ErrorCode.MARSHALLINGERROR, startedAt);
    } else {
      this.log.warn(`Closing connection ${c.conn.describe()}: malformed request (${(e as Error).message})`);
      this.closeClient(c, 'malformed request');
    }
  }

  /** Apache echoes the request's xid (the Java client sends -4, go-zookeeper an ordinary one). */
  private onAuth(c: ClientConn, xid: number, packet: { scheme: string; auth: Buffer | null }): void {
    let err = 0;
    if (packet.scheme === 'digest') {
      const id = digestId((packet.auth ?? Buffer.alloc(0)).toString('utf8'));
      c.conn.addId({ scheme: 'digest', id });
      if (this.config.superDigest !== undefined && id === this.config.superDigest) c.conn.addId({ scheme: 'super', id: '' });
    } else if (packet.scheme === 'ip') {
      c.conn.addId({ scheme: 'ip', id: c.conn.address });
    } else {
      err = ErrorCode.AUTHFAILED;
    }
    this.send(c, encodeReply({ xid, zxid: 0, err }, OpCode.auth, null));
    if (err !== 0) {
      this.counters.authFailed++;
      this.log.warn(`Authentication with unknown scheme '${packet.scheme}' from ${c.conn.describe()}`);
      this.closeClient(c, 'authentication failed');
    }
  }

  /**
   * SASL DIGEST-MD5 (ZooKeeperServer.processSasl): each token is answered at once with the next one;
   * success adds Id("sasl", user). A failure answers AUTHFAILED (SESSIONCLOSEDREQUIRESASLAUTH when SASL
   * is required) and closes the connection, unless allowSaslFailedClients keeps it open.
   */
  private onSasl(c: ClientConn, xid: number, token: Buffer): void {
    const settings = this.config.sasl;
    if (!settings) return;
    const server = (c.sasl ??= new DigestMd5Server(settings.users, this.randomBytes));
    let reply: Buffer | null;
    try {
      const step = server.evaluate(token);
      reply = step.token;
      if (step.authorizationId !== undefined) {
        const user = step.authorizationId;
        c.conn.addId({ scheme: 'sasl', id: user });
        if (settings.superUser !== undefined && user === settings.superUser) c.conn.addId({ scheme: 'super', id: '' });
        this.log.info(`Session 0x${hex(c.conn.session?.sessionId ?? 0n)}: adding SASL authorization for authorizationID: ${user}`);
      }
    } catch (e) {
      if (!(e instanceof SaslError)) throw e;
      this.counters.authFailed++;
      c.sasl = null;
      this.log.warn(`Client ${c.conn.describe()} failed to SASL authenticate: ${e.message}`);
      const required = this.config.requiredAuthSchemes.includes('sasl');
      if (settings.allowFailedClients && !required) {
        this.log.warn('Maintaining client connection despite SASL authentication failure.');
        reply = null;
      } else {
        const err = required ? ErrorCode.SESSIONCLOSEDREQUIRESASLAUTH : ErrorCode.AUTHFAILED;
        this.send(c, saslReply(xid, this.appliedZxid, err, null));
        this.closeClient(c, required ? 'SASL authentication required and failed' : 'SASL authentication failed');
        return;
      }
    }
    this.send(c, saslReply(xid, this.appliedZxid, 0, reply));
  }

  /**
   * AuthenticationHelper.enforceAuthentication: with required schemes, a connection holding none of
   * them gets SESSIONCLOSEDREQUIRESASLAUTH for its request and is closed.
   */
  private authenticationEnforced(c: ClientConn, xid: number): boolean {
    const required = this.config.requiredAuthSchemes;
    if (required.length === 0 || c.conn.ids.some((id) => required.includes(id.scheme))) return true;
    this.log.warn(
      `Client authentication scheme(s) [${c.conn.ids.map((id) => id.scheme).join(', ')}] of ${c.conn.describe()} match none of [${required.join(', ')}]; closing the session's connection`,
    );
    this.counters.authFailed++;
    this.send(c, encodeReply({ xid, zxid: this.appliedZxid, err: ErrorCode.SESSIONCLOSEDREQUIRESASLAUTH }, OpCode.sasl, null));
    this.closeClient(c, 'authentication required');
    return false;
  }

  /** A request that would add a watch while the connection holds sessionWatchesMax of them. */
  private watchLimitReached(c: ClientConn, request: Request): boolean {
    const max = this.config.sessionWatchesMax;
    if (max === 0) return false;
    let adds = 0;
    switch (request.type) {
      case OpCode.exists:
      case OpCode.getData:
      case OpCode.getChildren:
      case OpCode.getChildren2:
        adds = request.body.watch ? 1 : 0;
        break;
      case OpCode.addWatch:
        adds = 1;
        break;
      case OpCode.setWatches:
      case OpCode.setWatches2: {
        const b = request.body as { dataWatches: string[]; existWatches: string[]; childWatches: string[]; persistentWatches?: string[]; persistentRecursiveWatches?: string[] };
        adds = b.dataWatches.length + b.existWatches.length + b.childWatches.length + (b.persistentWatches?.length ?? 0) + (b.persistentRecursiveWatches?.length ?? 0);
        break;
      }
    }
    return adds > 0 && this.tree.watchCountOf(c.conn.id) + adds > max;
  }

  /** A limit refused a request: counted for the metrics, and one log line saying which limit. */
  private refused(kind: LimitKind, message: string): void {
    this.counters.limitsRefused[kind]++;
    this.log.warn(message);
  }

  private enqueue(c: ClientConn, p: Pending): void {
    c.queue.push(p);
    this.pendingCount++;
  }

  /** A request answered without the sequencer (an error): its reply still waits for the requests before it. */
  private enqueueAnswered(c: ClientConn, xid: number, opcode: number, err: number, startedAt: number): void {
    const reply = encodeReply({ xid, zxid: this.appliedZxid, err }, opcode, null);
    this.enqueue(c, { kind: 'write', xid, opcode, request: null, startedAt, reply, zxid: this.appliedZxid });
    this.flushQueue(c);
  }

  private completeSync(p: Extract<Pending, { kind: 'sync' }>): void {
    p.zxid = this.appliedZxid;
    p.reply = encodeReply({ xid: p.xid, zxid: p.zxid, err: 0 }, OpCode.sync, { path: p.path });
  }

  /**
   * A reply no txn of its own orders (a sync, an error from the front) was made when its request was
   * done, maybe before the writes queued ahead of it were applied. It leaves carrying the zxid applied
   * now, as ZooKeeper's FinalRequestProcessor reads it when it replies: a client's replies never go
   * back in zxid (the client reconnects with the last one it saw).
   */
  private restamp(p: Extract<Pending, { kind: 'sync' | 'write' }>): void {
    p.zxid = this.appliedZxid;
    if (p.kind === 'sync') p.reply = encodeReply({ xid: p.xid, zxid: p.zxid, err: 0 }, OpCode.sync, { path: p.path });
    else p.reply = encodeReply({ xid: p.xid, zxid: p.zxid, err: decodeReplyHeader((p.reply as Buffer).subarray(4)).err }, p.opcode, null);
  }

  /** Answers the queue's head while it can: pings and reads now, writes and syncs once they are done. */
  private flushQueue(c: ClientConn): void {
    const queue = c.queue;
    let n = 0;
    while (n < queue.length) {
      const head = queue[n];
      if (head.kind === 'ping') {
        this.sendReply(c, encodeReply({ xid: Xid.ping, zxid: this.appliedZxid, err: 0 }, OpCode.ping, null), OpCode.ping, Xid.ping, this.appliedZxid, head.startedAt);
      } else if (head.kind === 'read') {
        this.runRead(c, head.xid, head.request, head.startedAt);
      } else if (head.reply !== null) {
        const opcode = head.kind === 'write' ? head.opcode : OpCode.sync;
        if ((head.kind === 'sync' || head.request === null) && head.zxid < this.appliedZxid) this.restamp(head);
        this.sendReply(c, head.reply, opcode, head.xid, head.zxid, head.startedAt);
        if (head.kind === 'write' && opcode === OpCode.closeSession && head.request !== null) {
          this.pendingCount -= n + 1;
          queue.splice(0, n + 1);
          this.log.info(`Closed session 0x${hex(c.conn.session?.sessionId ?? 0n)} for client ${c.conn.describe()}`);
          this.closeClient(c, 'session closed');
          return;
        }
      } else {
        break;
      }
      n++;
    }
    if (n === 0) return;
    this.pendingCount -= n;
    if (n === queue.length) queue.length = 0;
    else queue.splice(0, n);
  }

  private runRead(c: ClientConn, xid: number, request: Request, startedAt: number): void {
    const session = c.conn.session as TrackedSession;
    const ctx: reads.ReadContext = {
      tree: this.tree,
      connId: c.conn.id,
      sessionId: session.sessionId,
      ids: c.conn.ids,
      existsChecksRead: this.config.existsChecksRead,
    };
    const out = reads.runRead(ctx, request);
    if (out.events) for (const ev of out.events) this.notify(c.conn.id, ev.type, ev.path, -1);
    const zxid = this.appliedZxid;
    this.sendReply(c, encodeReply({ xid, zxid, err: out.err }, request.type, out.err === 0 ? out.body : null), request.type, xid, zxid, startedAt);
  }

  private replyFor(p: Extract<Pending, { kind: 'write' }>, zxid: number, result: AppliedOp): Buffer {
    const header = { xid: p.xid, zxid, err: 0 };
    if (result.type === 'error') return encodeReply({ ...header, err: result.err }, p.opcode, null);
    if (result.type === 'multi' && p.request?.type === OpCode.multi) {
      const req = p.request.body as MultiRequest;
      const results = result.results.map((r, i) => multiResultOf(req.ops[i].type, r));
      return encodeReply(header, OpCode.multi, { results });
    }
    return encodeReply(header, p.opcode, responseOf(p.opcode, result) as ResponseBody);
  }

  // ---- sessions ----

  /** A request on `session`: the sequencer restarts its clock; a follower reports it to the leader on the next tick. */
  private touch(session: TrackedSession, now: number): void {
    if (this.sequencing) this.sessions.touch(session, now);
    else this.touched.add(session.sessionId);
  }

  /** createSession / closeSession change the session table on every member; returns the txn's session. */
  private applySessionChange(txn: Txn): TrackedSession | undefined {
    const op = txn.op;
    if (op.type === 'createSession' && op.secret) this.sessions.setSecret(op.secret);
    if (op.type === 'createSession') return this.sessions.add(txn.sessionId, op.timeOut, this.now());
    const session = this.sessions.get(txn.sessionId);
    if (op.type === 'closeSession' && session) this.sessions.remove(txn.sessionId);
    return session;
  }

  private sweepContainers(now: number): void {
    const perSweepMax = Math.max(1, Math.floor((this.config.containerMaxPerMinute * this.config.containerCheckIntervalMs) / 60000));
    const candidates = this.tree.cleanupCandidates(now, this.config.containerMaxNeverUsedIntervalMs).slice(0, perSweepMax);
    for (const path of candidates) this.sequencer.offer({ kind: 'deleteContainer', origin: 0, path });
  }

  // ---- output ----

  private notify(connId: number, type: number, path: string, zxid: number): void {
    const c = this.clients.get(connId);
    if (!c) return;
    this.send(c, encodeNotification(zxid, { type, state: KeeperState.SyncConnected, path }));
  }

  /**
   * A txn's watch events: each leaves as one frame for all its connections (one notify effect), ahead
   * of any reply queued after it. Watchers whose connection closed meanwhile are skipped (their watches
   * wait to be dropped, inert).
   */
  private notifyAll(events: readonly Notification[]): void {
    const legacy = this.config.notificationZxid === '3.8';
    let frame: Buffer | null = null;
    let framed: Notification | null = null;
    for (const ev of events) {
      const watchers = ev.watchers;
      // Copied only once a watcher's connection turns out closed.
      let live: number[] | null = null;
      for (let i = 0; i < watchers.length; i++) {
        const c = this.clients.get(watchers[i]);
        if (c) {
          c.conn.sent++;
          live?.push(watchers[i]);
        } else if (live === null) {
          live = watchers.slice(0, i);
        }
      }
      const connIds = live ?? watchers;
      if (connIds.length === 0) continue;
      // Events with the same type, path and zxid (a delete's data and child NodeDeleted) share the bytes.
      if (framed === null || ev.type !== framed.type || ev.path !== framed.path || ev.zxid !== framed.zxid) {
        frame = encodeNotification(legacy ? -1 : ev.zxid, { type: ev.type, state: KeeperState.SyncConnected, path: ev.path });
        framed = ev;
      }
      this.counters.packetsSent += connIds.length;
      this.outbox.push({ kind: 'notify', connIds, frame: frame as Buffer });
    }
  }

  private sendReply(c: ClientConn, frame: Buffer, opcode: number, xid: number, zxid: number, startedAt: number): void {
    this.send(c, frame);
    const now = this.now();
    const latency = now - startedAt;
    this.counters.latency.record(latency);
    c.conn.replied(opcode, xid, zxid, now, latency);
    this.observers.replied?.(opcode, latency);
  }

  private send(c: ClientConn, frame: Buffer): void {
    c.conn.sent++;
    this.counters.packetsSent++;
    this.outbox.push({ kind: 'send', connId: c.conn.id, frame });
  }

  /** Leaving the serving role: every pending call's outcome is unknown, so drop every client. */
  dropAllClients(reason: string): void {
    for (const c of [...this.clients.values()]) this.closeClient(c, reason);
  }

  /** The core decides to close: stop reading, drop watches, and close after queued frames leave. */
  private closeClient(c: ClientConn, reason: string): void {
    if (this.clients.get(c.conn.id) !== c) return;
    this.log.debug(() => `Closing connection ${c.conn.describe()}: ${reason}`);
    this.dropConnection(c);
    this.outbox.push({ kind: 'close', connId: c.conn.id, reason });
  }

  private dropConnection(c: ClientConn): void {
    this.clients.delete(c.conn.id);
    this.handshakePending.delete(c);
    this.pendingCount -= c.queue.length;
    c.queue.length = 0;
    this.dropWatchesOf(c.conn.id);
    const session = c.conn.session;
    if (session && session.connId === c.conn.id) session.connId = null;
  }
}

/** SetSASLResponse: ZooKeeper writes the record (a null token when it has none) even after an error header. */
function saslReply(xid: number, zxid: number, err: number, token: Buffer | null): Buffer {
  const header = encodeReply({ xid, zxid, err: 0 }, OpCode.sasl, { token });
  if (err !== 0) header.writeInt32BE(err, 16);
  return header;
}

function findPendingWrite(c: ClientConn, cxid: number): Extract<Pending, { kind: 'write' }> | undefined {
  for (const p of c.queue) if (p.kind === 'write' && p.reply === null && p.xid === cxid) return p;
  return undefined;
}

export { hex };
export type { Id };
