/**
 * ServerCore: the standalone request pipeline, prep -> [log] -> apply, as a pure state machine.
 * The driver hands it whole frame bodies per connection and calls tick(); it asks ready() for the
 * txns to persist and the effects (frames to send, connections to close) that may leave, and calls
 * advance() once txns are durable. Writes are applied to the tree at once so the next request sees
 * them, but every effect queued from then on waits until that write is persisted (see effects.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import { DataTree, digestId, OpResult, Txn, TxnOp, WatchEvent } from '@coord/data-tree';
import {
  decodeConnectRequest,
  decodeRequest,
  encodeConnectResponse,
  encodeNotification,
  encodeReply,
  ErrorCode,
  Id,
  KeeperState,
  MultiRequest,
  MultiResult,
  OpCode,
  ProtocolError,
  Request,
  ResponseBody,
  sessionPasswdBytes,
  UnknownOpcodeError,
  Xid,
} from '@coord/protocol';
import { CoreLogger, ServerConfig, serverConfig, ServerDeps, silentLogger } from './config';
import { Effect, EffectQueue, HeldEffect } from './effects';
import {
  PrepContext,
  prepMulti,
  prepDeleteContainer,
  prepWriteOp,
  PrepView,
} from './prep';
import * as reads from './read-ops';
import { hex, isWrite, multiResultOf, responseOf } from './results';
import { Session, SessionTracker } from './sessions';
import { Connection, CoreStats, LatencyStats, snapshotStats } from './stats';

export interface ConnectionInfo {
  id: number;
  remoteAddress: string;
  remotePort: number;
}

export interface Ready {
  toPersist: Txn[];
  effects: Effect[];
}

const passwordSecretBytes = 32;
const zeroPasswd = Buffer.alloc(sessionPasswdBytes);

/** Strips the IPv4-mapped IPv6 prefix so ip ACLs and whoami see `127.0.0.1`. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.substring(7) : address;
}

export class ServerCore {
  readonly config: ServerConfig;
  readonly tree: DataTree;
  private readonly sessions: SessionTracker;
  private readonly conns = new Map<number, Connection>();
  /** Connections still waiting for their ConnectRequest (closed after sessionlessConnectionTimeoutMs). */
  private readonly handshakePending = new Set<Connection>();
  private readonly held = new EffectQueue();
  private readonly log: CoreLogger;
  private readonly now: () => number;
  private unpersisted: Txn[] = [];
  private lastZxid = 0;
  private persistedZxid = 0;
  private nextContainerCheckAt: number;
  readonly startedAt: number;
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  /** Global counters for the four-letter words. */
  readonly counters = { packetsReceived: 0, packetsSent: 0, authFailed: 0, latency: new LatencyStats() };

  constructor(config: Partial<ServerConfig>, deps: ServerDeps) {
    this.config = serverConfig(config);
    this.now = deps.now;
    this.log = deps.logger ?? silentLogger;
    this.tree = new DataTree({ idsOf: (connId) => this.conns.get(connId)?.ids });
    const secret = this.config.passwordSecret ?? deps.randomBytes(passwordSecretBytes);
    this.startedAt = this.now();
    this.sessions = new SessionTracker(this.config.tickTimeMs, this.config.serverId, this.startedAt, secret);
    this.minSessionTimeoutMs = this.config.minSessionTimeoutMs ?? 2 * this.config.tickTimeMs;
    this.maxSessionTimeoutMs = this.config.maxSessionTimeoutMs ?? 20 * this.config.tickTimeMs;
    this.nextContainerCheckAt = this.startedAt + this.config.containerCheckIntervalMs;
  }

  /** Rebuilds state from persisted txns (log replay); produces no effects. */
  replay(txns: Txn[]): void {
    for (const txn of txns) {
      if (txn.zxid <= this.lastZxid) continue;
      this.tree.applyTxn(txn);
      if (txn.op.type === 'createSession') this.sessions.add(txn.sessionId, txn.op.timeOut, this.now());
      else if (txn.op.type === 'closeSession') this.sessions.remove(txn.sessionId);
      this.lastZxid = this.persistedZxid = txn.zxid;
    }
  }

  /** The injected clock (stats use it). */
  clock(): number {
    return this.now();
  }

  get lastProcessedZxid(): number {
    return this.lastZxid;
  }

  // ---- driver interface ----

  connectionOpened(info: ConnectionInfo): void {
    const conn = new Connection(info.id, info.remoteAddress, info.remotePort, normalizeAddress(info.remoteAddress), this.now());
    this.conns.set(info.id, conn);
    this.handshakePending.add(conn);
  }

  receive(connId: number, frameBody: Buffer): void {
    const conn = this.conns.get(connId);
    if (!conn) return;
    conn.received++;
    this.counters.packetsReceived++;
    if (conn.session === null) this.onConnect(conn, frameBody);
    else this.onRequest(conn, conn.session, frameBody);
  }

  /** The socket is gone: drop the connection's watches; its session lives on until it expires. */
  connectionClosed(connId: number): void {
    const conn = this.conns.get(connId);
    if (conn) this.dropConnection(conn);
  }

  tick(): void {
    const now = this.now();
    for (const session of this.sessions.takeExpired(now)) this.expire(session);
    for (const conn of this.handshakePending) {
      if (now - conn.openedAt > this.config.sessionlessConnectionTimeoutMs) this.closeConnection(conn, 'no ConnectRequest in time');
    }
    if (now >= this.nextContainerCheckAt) {
      this.nextContainerCheckAt = now + this.config.containerCheckIntervalMs;
      this.sweepContainers(now);
    }
  }

  ready(): Ready {
    const toPersist = this.unpersisted;
    if (toPersist.length > 0) this.unpersisted = [];
    const released: HeldEffect[] = [];
    this.held.release(this.persistedZxid, released);
    if (released.length > 0) this.account(released);
    return { toPersist, effects: released };
  }

  /** Txns up to `persistedZxid` are durable. */
  advance(persistedZxid: number): void {
    if (persistedZxid > this.persistedZxid) this.persistedZxid = persistedZxid;
  }

  /** Frames and closes held in the pipeline (waiting for the log, or for ready()). */
  get outstanding(): number {
    return this.held.size;
  }

  /** True when ready() would return something. */
  hasReady(): boolean {
    return this.unpersisted.length > 0 || (this.held.size > 0 && this.persistedZxid >= this.lastZxid);
  }

  stats(): CoreStats {
    return snapshotStats(this, this.conns.values(), this.sessions, this.held);
  }

  /** srst: clears the global latency and packet counters. */
  resetStats(): void {
    this.counters.packetsReceived = 0;
    this.counters.packetsSent = 0;
    this.counters.latency.reset();
  }

  /** crst: clears every connection's counters. */
  resetConnectionStats(): void {
    for (const conn of this.conns.values()) conn.resetCounters();
  }

  // ---- handshake ----

  private onConnect(conn: Connection, body: Buffer): void {
    let req;
    try {
      req = decodeConnectRequest(body, this.config.frameBytesMax);
    } catch (e) {
      this.log.warn(`Closing connection ${conn.describe()}: malformed ConnectRequest (${(e as Error).message})`);
      this.closeConnection(conn, 'malformed ConnectRequest');
      return;
    }
    this.handshakePending.delete(conn);
    conn.oldClient = req.readOnly === undefined;
    if (req.lastZxidSeen > this.lastZxid) {
      this.log.info(
        `Refusing session request for client ${conn.describe()}: it has seen zxid 0x${req.lastZxidSeen.toString(16)}, ours is 0x${this.lastZxid.toString(16)}`,
      );
      this.closeConnection(conn, 'client has seen a newer zxid');
      return;
    }
    const now = this.now();
    const timeOut = Math.min(Math.max(req.timeOut, this.minSessionTimeoutMs), this.maxSessionTimeoutMs);
    let session: Session;
    if (req.sessionId === 0n) {
      session = this.sessions.add(this.sessions.allocateId(), timeOut, now);
      this.commit(session.sessionId, 0, { type: 'createSession', timeOut });
      this.log.info(`Established session 0x${hex(session.sessionId)} with negotiated timeout ${timeOut} for client ${conn.describe()}`);
    } else {
      const found = this.sessions.get(req.sessionId);
      const passwd = this.sessions.passwordFor(req.sessionId);
      if (!found || found.closing || !req.passwd || req.passwd.length !== passwd.length || !timingSafeEqual(passwd, req.passwd)) {
        this.log.info(`Invalid session 0x${hex(req.sessionId)} for client ${conn.describe()}, probably expired`);
        const zeroed = { protocolVersion: 0, timeOut: 0, sessionId: 0n, passwd: zeroPasswd, readOnly: conn.oldClient ? undefined : false };
        this.queue(conn.id, encodeConnectResponse(zeroed), -1, 0, 0, -1);
        this.closeConnection(conn, 'invalid or expired session');
        return;
      }
      session = found;
      if (session.connId !== null && session.connId !== conn.id) {
        const old = this.conns.get(session.connId);
        if (old) this.closeConnection(old, 'session reconnected on a new connection');
      }
      session.timeoutMs = timeOut;
      this.sessions.touch(session, now);
      this.log.info(`Re-established session 0x${hex(session.sessionId)} with negotiated timeout ${timeOut} for client ${conn.describe()}`);
    }
    session.connId = conn.id;
    conn.session = session;
    conn.established = now;
    const response = {
      protocolVersion: 0,
      timeOut,
      sessionId: session.sessionId,
      passwd: this.sessions.passwordFor(session.sessionId),
      readOnly: conn.oldClient ? undefined : false,
    };
    this.queue(conn.id, encodeConnectResponse(response), OpCode.createSession, 0, this.lastZxid, now);
  }

  // ---- requests ----

  private onRequest(conn: Connection, session: Session, body: Buffer): void {
    const startedAt = this.now();
    let decoded;
    try {
      decoded = decodeRequest(body, this.config.frameBytesMax);
    } catch (e) {
      this.onDecodeError(conn, e, startedAt);
      return;
    }
    const { header, request } = decoded;
    this.sessions.touch(session, startedAt);
    const xid = header.xid;
    const type = request.type;
    if (type === OpCode.ping) {
      this.queue(conn.id, encodeReply({ xid: Xid.ping, zxid: this.lastZxid, err: 0 }, type, null), type, Xid.ping, this.lastZxid, startedAt);
      return;
    }
    if (type === OpCode.auth) {
      this.onAuth(conn, xid, request.body, startedAt);
      return;
    }
    if (type === OpCode.check) {
      // A standalone check is not a valid request (Request.isValid): UNIMPLEMENTED, then close.
      this.log.warn(`Closing connection ${conn.describe()}: check outside multi`);
      this.reply(conn, xid, type, ErrorCode.UNIMPLEMENTED, null, startedAt);
      this.closeConnection(conn, 'standalone check request');
      return;
    }
    if (session.closing) {
      if (isWrite(type)) this.commit(session.sessionId, xid, { type: 'error', err: ErrorCode.SESSIONEXPIRED });
      this.reply(conn, xid, type, ErrorCode.SESSIONEXPIRED, null, startedAt);
      return;
    }
    if (type === OpCode.closeSession) {
      this.closeSession(conn, session, xid, startedAt);
      return;
    }
    if (isWrite(type)) this.onWrite(conn, session, xid, request, startedAt);
    else this.onRead(conn, session, xid, request, startedAt);
  }

  private onDecodeError(conn: Connection, e: unknown, startedAt: number): void {
    if (e instanceof UnknownOpcodeError) {
      this.log.warn(`Closing connection ${conn.describe()}: unknown opcode ${e.header.type}`);
      this.reply(conn, e.header.xid, e.header.type, ErrorCode.UNIMPLEMENTED, null, startedAt);
      this.closeConnection(conn, `unknown opcode ${e.header.type}`);
    } else if (e instanceof ProtocolError && e.kind === 'body' && e.header) {
      this.log.debug(() => `Malformed request from ${conn.describe()}: ${e.message}`);
      this.reply(conn, e.header.xid, e.header.type, ErrorCode.MARSHALLINGERROR, null, startedAt);
    } else {
      this.log.warn(`Closing connection ${conn.describe()}: malformed request (${(e as Error).message})`);
      this.closeConnection(conn, 'malformed request');
    }
  }

  /** Apache echoes the request's xid (the Java client sends -4, go-zookeeper an ordinary one). */
  private onAuth(conn: Connection, xid: number, packet: { scheme: string; auth: Buffer | null }, startedAt: number): void {
    let err = 0;
    if (packet.scheme === 'digest') {
      const id = digestId((packet.auth ?? Buffer.alloc(0)).toString('utf8'));
      conn.addId({ scheme: 'digest', id });
      if (this.config.superDigest !== undefined && id === this.config.superDigest) conn.addId({ scheme: 'super', id: '' });
    } else if (packet.scheme === 'ip') {
      conn.addId({ scheme: 'ip', id: conn.address });
    } else {
      err = ErrorCode.AUTHFAILED;
    }
    this.queue(conn.id, encodeReply({ xid, zxid: 0, err }, OpCode.auth, null), OpCode.auth, xid, 0, startedAt);
    if (err !== 0) {
      this.counters.authFailed++;
      this.log.warn(`Authentication with unknown scheme '${packet.scheme}' from ${conn.describe()}`);
      this.closeConnection(conn, 'authentication failed');
    }
  }

  private onWrite(conn: Connection, session: Session, xid: number, request: Request, startedAt: number): void {
    const ctx: PrepContext = {
      tree: this.tree,
      sessionId: session.sessionId,
      ids: conn.ids,
      extendedTypesEnabled: this.config.extendedTypesEnabled,
    };
    const type = request.type;
    if (type === OpCode.multi) {
      this.onMulti(conn, ctx, xid, request.body, startedAt);
      return;
    }
    const r = prepWriteOp(ctx, new PrepView(this.tree), request);
    if (typeof r === 'number') {
      this.commit(session.sessionId, xid, { type: 'error', err: r });
      this.reply(conn, xid, type, r, null, startedAt);
      return;
    }
    const { result } = this.commit(session.sessionId, xid, r);
    this.reply(conn, xid, type, 0, responseOf(type, result), startedAt);
  }



  /** multi: one zxid, all or nothing; a failure reports ErrorResult(0) / code / -2 per op. */
  private onMulti(conn: Connection, ctx: PrepContext, xid: number, req: MultiRequest, startedAt: number): void {
    const { ops, failedAt, failure } = prepMulti(ctx, new PrepView(this.tree), req, (view, request) => prepWriteOp(ctx, view, request));
    if (failedAt >= 0) {
      const errOps: TxnOp[] = req.ops.map((_, i) => ({
        type: 'error',
        err: i < failedAt ? 0 : i === failedAt ? failure : ErrorCode.RUNTIMEINCONSISTENCY,
      }));
      this.commit(ctx.sessionId, xid, { type: 'multi', ops: errOps });
      const results: MultiResult[] = errOps.map((o) => ({ type: -1, response: { err: (o as { err: number }).err } }));
      this.reply(conn, xid, OpCode.multi, 0, { results }, startedAt);
      return;
    }
    const { result } = this.commit(ctx.sessionId, xid, { type: 'multi', ops });
    const subResults = (result as { results: OpResult[] }).results;
    const results = subResults.map((r, i) => multiResultOf(req.ops[i].type, r));
    this.reply(conn, xid, OpCode.multi, 0, { results }, startedAt);
  }

  private onRead(conn: Connection, session: Session, xid: number, request: Request, startedAt: number): void {
    const ctx: reads.ReadContext = {
      tree: this.tree,
      connId: conn.id,
      sessionId: session.sessionId,
      ids: conn.ids,
      existsChecksRead: this.config.existsChecksRead,
    };
    const out = reads.runRead(ctx, request);
    if (out.events) for (const ev of out.events) this.notify(conn.id, ev.type, ev.path, -1);
    this.reply(conn, xid, request.type, out.err, out.body, startedAt);
  }

  // ---- sessions ----

  private closeSession(conn: Connection, session: Session, xid: number, startedAt: number): void {
    this.sessions.markClosing(session);
    this.commit(session.sessionId, xid, { type: 'closeSession' });
    this.sessions.remove(session.sessionId);
    this.log.info(`Closed session 0x${hex(session.sessionId)} for client ${conn.describe()}`);
    this.reply(conn, xid, OpCode.closeSession, 0, null, startedAt);
    this.closeConnection(conn, 'session closed');
  }

  private expire(session: Session): void {
    this.log.info(`Expiring session 0x${hex(session.sessionId)}, timeout of ${session.timeoutMs}ms exceeded`);
    this.commit(session.sessionId, 0, { type: 'closeSession' });
    this.sessions.remove(session.sessionId);
    const conn = session.connId === null ? undefined : this.conns.get(session.connId);
    if (conn) this.closeConnection(conn, 'session expired');
  }

  private sweepContainers(now: number): void {
    const perSweepMax = Math.max(1, Math.floor((this.config.containerMaxPerMinute * this.config.containerCheckIntervalMs) / 60000));
    const candidates = this.tree.cleanupCandidates(now, this.config.containerMaxNeverUsedIntervalMs).slice(0, perSweepMax);
    for (const path of candidates) {
      const r = prepDeleteContainer(new PrepView(this.tree), path);
      if (typeof r !== 'number') {
        this.commit(0n, 0, r);
        this.log.debug(() => `Deleted container or TTL node ${path}`);
      }
    }
  }

  // ---- output ----

  /** Applies one txn now (so the next prep sees it) and queues its notifications. */
  private commit(sessionId: bigint, cxid: number, op: TxnOp): { result: OpResult } {
    const txn: Txn = { zxid: this.lastZxid + 1, time: this.now(), sessionId, cxid, op };
    this.lastZxid = txn.zxid;
    this.unpersisted.push(txn);
    const { result, events } = this.tree.applyTxn(txn);
    if (events.length > 0) this.deliver(events);
    return { result };
  }

  private deliver(events: WatchEvent[]): void {
    const legacy = this.config.notificationZxid === '3.8';
    for (const ev of events) this.notify(ev.watcher, ev.type, ev.path, legacy ? -1 : ev.zxid);
  }

  private notify(connId: number, type: number, path: string, zxid: number): void {
    if (!this.conns.has(connId)) return;
    const frame = encodeNotification(zxid, { type, state: KeeperState.SyncConnected, path });
    this.queue(connId, frame, OpCode.notification, Xid.notification, zxid, -1);
  }

  private reply(conn: Connection, xid: number, opcode: number, err: number, body: ResponseBody, startedAt: number): void {
    const zxid = this.lastZxid;
    this.queue(conn.id, encodeReply({ xid, zxid, err }, opcode, err === 0 ? body : null), opcode, xid, zxid, startedAt);
  }

  private queue(connId: number, frame: Buffer, opcode: number, xid: number, zxid: number, startedAt: number): void {
    this.held.push({ kind: 'send', connId, frame, reason: '', tag: this.lastZxid, opcode, xid, zxid, startedAt });
  }

  /** The core decides to close: stop reading, drop watches, and close after queued frames leave. */
  private closeConnection(conn: Connection, reason: string): void {
    if (!this.conns.has(conn.id)) return;
    this.log.debug(() => `Closing connection ${conn.describe()}: ${reason}`);
    this.dropConnection(conn);
    this.held.push({ kind: 'close', connId: conn.id, frame: emptyFrame, reason, tag: this.lastZxid, opcode: 0, xid: 0, zxid: 0, startedAt: -1 });
  }

  private dropConnection(conn: Connection): void {
    this.conns.delete(conn.id);
    this.handshakePending.delete(conn);
    this.tree.removeWatcher(conn.id);
    const session = conn.session;
    if (session && session.connId === conn.id) session.connId = null;
  }

  /** Per-connection and global counters for released effects. */
  private account(released: HeldEffect[]): void {
    let now = -1;
    for (const e of released) {
      if (e.kind !== 'send') continue;
      this.counters.packetsSent++;
      const conn = this.conns.get(e.connId);
      if (conn) conn.sent++;
      if (e.startedAt < 0) continue;
      if (now < 0) now = this.now();
      const latency = now - e.startedAt;
      this.counters.latency.record(latency);
      if (conn) conn.replied(e.opcode, e.xid, e.zxid, now, latency);
    }
  }
}

const emptyFrame = Buffer.alloc(0);

export { hex };
export type { Id };
