/**
 * One ensemble member's client side, over the pieces of @coord/server: connections and handshakes,
 * reads answered locally, writes / new sessions / closes forwarded through ZAB (`submit`), and the
 * apply of committed txns (the tree only ever holds committed state, on the leader too). The member
 * that received a request answers it when it applies the txn. Replies on a connection leave in request
 * order: a read that arrives behind a pending write waits for it (ZooKeeper's CommitProcessor).
 * Sockets, the ZAB peer and timers belong to the driver (ensemble-node.ts), reached through `io`.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { DataTree, digestId, OpResult, Txn } from '@coord/data-tree';
import {
  decodeConnectRequest,
  decodeRequest,
  encodeConnectResponse,
  encodeNotification,
  encodeReply,
  ErrorCode,
  KeeperState,
  MultiRequest,
  OpCode,
  ProtocolError,
  Request,
  ResponseBody,
  sessionPasswdBytes,
  UnknownOpcodeError,
  Xid,
} from '@coord/protocol';
import { Connection, CoreLogger, hex, isWrite, multiResultOf, normalizeAddress, responseOf, runRead, SessionTracker } from '@coord/server';
import { EnsembleRequest, encodeRequest } from './envelope';
import { encodeTreeSnapshot, restoreTreeSnapshot } from './tree-snapshot';

export interface EnsembleIo {
  send(connId: number, frame: Buffer): void;
  /** Close after the frames already sent leave. */
  close(connId: number, reason: string): void;
  /** Forward to the leader; false when this member is not serving. */
  submit(payload: Uint8Array): boolean;
  /** Start a quorum sync; null when not serving. */
  sync(): number | null;
  /** True while this member is in ZAB's broadcast phase (it may answer clients). */
  serving(): boolean;
}

export interface EnsembleCoreConfig {
  serverId: number;
  tickTimeMs: number;
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  frameBytesMax: number;
  existsChecksRead: boolean;
  superDigest?: string;
  /** Every member derives the same password secret from it, so a session can move between members. */
  ensembleName: string;
}

type Pending =
  | { kind: 'write'; xid: number; opcode: number; request: Request | null; startedAt: number; done: boolean }
  | { kind: 'sync'; xid: number; syncId: number; path: string; startedAt: number; done: boolean }
  | { kind: 'read'; xid: number; request: Request; startedAt: number }
  | { kind: 'ping'; startedAt: number };

interface ClientConn {
  conn: Connection;
  queue: Pending[];
  /** Waiting for its createSession to commit. */
  connecting: { sessionId: bigint; timeOut: number; oldClient: boolean } | null;
  closed: boolean;
}

const zeroPasswd = Buffer.alloc(sessionPasswdBytes);

export class EnsembleCore {
  /** Replaced (not mutated) when a snapshot is restored. */
  tree: DataTree;
  readonly sessions: SessionTracker;
  private readonly clients = new Map<number, ClientConn>();
  /** Sessions with traffic since the last report to the leader. */
  private touched = new Set<bigint>();
  private appliedZxid = 0;
  readonly counters = { packetsReceived: 0, packetsSent: 0 };

  constructor(
    readonly config: EnsembleCoreConfig,
    private readonly io: EnsembleIo,
    private readonly now: () => number,
    private readonly log: CoreLogger,
  ) {
    this.tree = this.freshTree();
    const secret = createHash('sha256').update(`coordinode-ensemble:${config.ensembleName}`).digest();
    this.sessions = new SessionTracker(config.tickTimeMs, config.serverId, now(), secret);
  }

  private freshTree(): DataTree {
    return new DataTree({ idsOf: (connId) => this.clients.get(connId)?.conn.ids });
  }

  /**
   * Replaces the applied state with a snapshot taken at `zxid` (a SNAP from the leader, or the
   * member's own snapshot on restart). Clients are dropped first: their watches were on the old tree.
   */
  restore(bytes: Uint8Array, zxid: number): void {
    this.dropAllClients('state replaced by a snapshot');
    const tree = this.freshTree();
    const sessions = restoreTreeSnapshot(tree, bytes);
    this.tree = tree;
    for (const s of [...this.sessions.all()]) this.sessions.remove(s.sessionId);
    const now = this.now();
    for (const s of sessions) this.sessions.add(s.sessionId, s.timeOut, now);
    this.appliedZxid = zxid;
  }

  /** The applied state as snapshot bytes (at lastApplied). */
  snapshot(): Uint8Array {
    return encodeTreeSnapshot(this.tree, [...this.sessions.all()].map((s) => ({ sessionId: s.sessionId, timeOut: s.timeoutMs })));
  }

  get lastApplied(): number {
    return this.appliedZxid;
  }

  get connectionCount(): number {
    return this.clients.size;
  }

  /** Requests received on `connId` and not yet answered. */
  queued(connId: number): number {
    return this.clients.get(connId)?.queue.length ?? 0;
  }

  connections(): Connection[] {
    return [...this.clients.values()].map((c) => c.conn);
  }

  connectionOpened(id: number, remoteAddress: string, remotePort: number): void {
    const conn = new Connection(id, remoteAddress, remotePort, normalizeAddress(remoteAddress), this.now());
    this.clients.set(id, { conn, queue: [], connecting: null, closed: false });
  }

  connectionClosed(id: number): void {
    const c = this.clients.get(id);
    if (!c) return;
    this.clients.delete(id);
    c.closed = true;
    this.tree.removeWatcher(id);
    const session = c.conn.session;
    if (session && session.connId === id) session.connId = null;
  }

  /** Leaving the serving role: every pending call's outcome is unknown, so drop every client. */
  dropAllClients(reason: string): void {
    for (const c of [...this.clients.values()]) this.closeClient(c, reason);
  }

  /** Session ids to report to the leader, cleared. */
  takeTouched(): bigint[] {
    const out = [...this.touched];
    this.touched.clear();
    return out;
  }

  receive(id: number, body: Buffer): void {
    const c = this.clients.get(id);
    if (!c || c.closed) return;
    c.conn.received++;
    this.counters.packetsReceived++;
    if (c.conn.session === null) {
      if (c.connecting === null) this.onConnect(c, body);
      return;
    }
    this.onRequest(c, body);
  }

  private onConnect(c: ClientConn, body: Buffer): void {
    let req;
    try {
      req = decodeConnectRequest(body, this.config.frameBytesMax);
    } catch (e) {
      this.closeClient(c, `malformed ConnectRequest (${(e as Error).message})`);
      return;
    }
    const oldClient = req.readOnly === undefined;
    c.conn.oldClient = oldClient;
    if (!this.io.serving()) {
      // As ZooKeeper: no sessions while there is no leader; the client tries the next member.
      this.closeClient(c, 'not serving');
      return;
    }
    if (req.lastZxidSeen > this.appliedZxid) {
      this.log.info(`Refusing session for ${c.conn.describe()}: it has seen zxid 0x${hex(req.lastZxidSeen)}, ours is 0x${hex(this.appliedZxid)}`);
      this.closeClient(c, 'client has seen a newer zxid');
      return;
    }
    const timeOut = Math.min(Math.max(req.timeOut, this.config.minSessionTimeoutMs), this.config.maxSessionTimeoutMs);
    if (req.sessionId === 0n) {
      const sessionId = this.sessions.allocateId();
      c.connecting = { sessionId, timeOut, oldClient };
      if (!this.io.submit(encodeRequest({ kind: 'createSession', origin: this.config.serverId, sessionId, timeOut }))) {
        this.closeClient(c, 'not serving');
      }
      return;
    }
    const session = this.sessions.get(req.sessionId);
    const passwd = this.sessions.passwordFor(req.sessionId);
    if (!session || session.closing || !req.passwd || req.passwd.length !== passwd.length || !timingSafeEqual(passwd, req.passwd)) {
      this.log.info(`Invalid session 0x${hex(req.sessionId)} for client ${c.conn.describe()}, probably expired`);
      const zeroed = { protocolVersion: 0, timeOut: 0, sessionId: 0n, passwd: zeroPasswd, readOnly: oldClient ? undefined : false };
      this.send(c, encodeConnectResponse(zeroed));
      this.closeClient(c, 'invalid or expired session');
      return;
    }
    if (session.connId !== null && session.connId !== c.conn.id) {
      const old = this.clients.get(session.connId);
      if (old) this.closeClient(old, 'session reconnected on a new connection');
    }
    session.timeoutMs = timeOut;
    this.touched.add(session.sessionId);
    this.attach(c, req.sessionId, timeOut, oldClient);
    this.log.info(`Re-established session 0x${hex(session.sessionId)} with negotiated timeout ${timeOut} for client ${c.conn.describe()}`);
  }

  private attach(c: ClientConn, sessionId: bigint, timeOut: number, oldClient: boolean): void {
    const session = this.sessions.get(sessionId);
    if (!session) {
      this.closeClient(c, 'session vanished before the handshake finished');
      return;
    }
    session.connId = c.conn.id;
    c.conn.session = session;
    c.conn.established = this.now();
    const response = { protocolVersion: 0, timeOut, sessionId, passwd: this.sessions.passwordFor(sessionId), readOnly: oldClient ? undefined : false };
    this.send(c, encodeConnectResponse(response));
  }

  private onRequest(c: ClientConn, body: Buffer): void {
    const startedAt = this.now();
    const session = c.conn.session as NonNullable<Connection['session']>;
    this.touched.add(session.sessionId);
    let decoded;
    try {
      decoded = decodeRequest(body, this.config.frameBytesMax);
    } catch (e) {
      if (e instanceof ProtocolError && e.kind === 'body' && e.header && !(e instanceof UnknownOpcodeError)) {
        this.enqueueDone(c, e.header.xid, e.header.type, ErrorCode.MARSHALLINGERROR, startedAt);
      } else {
        this.closeClient(c, `malformed request (${(e as Error).message})`);
      }
      return;
    }
    const { header, request } = decoded;
    const type = request.type;
    if (type === OpCode.ping) {
      c.queue.push({ kind: 'ping', startedAt });
    } else if (type === OpCode.auth) {
      this.onAuth(c, header.xid, request.body);
      return;
    } else if (type === OpCode.closeSession) {
      c.queue.push({ kind: 'write', xid: header.xid, opcode: type, request, startedAt, done: false });
      const payload = encodeRequest({ kind: 'closeSession', origin: this.config.serverId, sessionId: session.sessionId, cxid: header.xid });
      if (!this.io.submit(payload)) this.closeClient(c, 'not serving');
    } else if (type === OpCode.sync) {
      const syncId = this.io.sync();
      if (syncId === null) {
        this.closeClient(c, 'not serving');
        return;
      }
      c.queue.push({ kind: 'sync', xid: header.xid, syncId, path: request.body.path, startedAt, done: false });
    } else if (isWrite(type)) {
      c.queue.push({ kind: 'write', xid: header.xid, opcode: type, request, startedAt, done: false });
      const payload = encodeRequest({ kind: 'write', origin: this.config.serverId, sessionId: session.sessionId, ids: c.conn.ids, frame: body });
      if (!this.io.submit(payload)) this.closeClient(c, 'not serving');
      this.log.debug(() => `write path: client 0x${hex(session.sessionId)} xid ${header.xid} op ${type} -> forwarded to the leader`);
    } else {
      c.queue.push({ kind: 'read', xid: header.xid, request, startedAt });
    }
    this.flushQueue(c);
  }

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
    if (err !== 0) this.closeClient(c, 'authentication failed');
  }

  private enqueueDone(c: ClientConn, xid: number, opcode: number, err: number, startedAt: number): void {
    c.queue.push({ kind: 'write', xid, opcode, request: null, startedAt, done: true });
    (c.queue[c.queue.length - 1] as { reply?: Buffer }).reply = encodeReply({ xid, zxid: this.appliedZxid, err }, opcode, null);
    this.flushQueue(c);
  }

  /** Answers the queue's head while it can: reads run now, writes and syncs once they are done. */
  private flushQueue(c: ClientConn): void {
    while (c.queue.length > 0 && !c.closed) {
      const head = c.queue[0];
      if (head.kind === 'ping') {
        this.send(c, encodeReply({ xid: Xid.ping, zxid: this.appliedZxid, err: 0 }, OpCode.ping, null));
      } else if (head.kind === 'read') {
        this.runRead(c, head.xid, head.request, head.startedAt);
      } else if (head.done) {
        const reply = (head as { reply?: Buffer }).reply;
        if (reply) this.sendReply(c, reply, head.kind === 'write' ? head.opcode : OpCode.sync, head.xid, head.startedAt);
        if (head.kind === 'write' && head.opcode === OpCode.closeSession) {
          c.queue.shift();
          this.closeClient(c, 'session closed');
          return;
        }
      } else {
        return;
      }
      c.queue.shift();
    }
  }

  private runRead(c: ClientConn, xid: number, request: Request, startedAt: number): void {
    const session = c.conn.session as NonNullable<Connection['session']>;
    const ctx = { tree: this.tree, connId: c.conn.id, sessionId: session.sessionId, ids: c.conn.ids, existsChecksRead: this.config.existsChecksRead };
    const out = runRead(ctx, request);
    if (out.events) for (const ev of out.events) this.notify(c.conn.id, ev.type, ev.path, -1);
    this.sendReply(c, encodeReply({ xid, zxid: this.appliedZxid, err: out.err }, request.type, out.err === 0 ? out.body : null), request.type, xid, startedAt);
  }

  /** A committed txn, in zxid order, on every member. `origin` is the member that answers. */
  apply(origin: number, txn: Txn): void {
    const { result, events } = this.tree.applyTxn(txn);
    this.appliedZxid = txn.zxid;
    const op = txn.op;
    if (op.type === 'createSession') this.sessions.add(txn.sessionId, op.timeOut, this.now());
    for (const ev of events) this.notify(ev.watcher, ev.type, ev.path, ev.zxid);
    const local = origin === this.config.serverId;
    if (op.type === 'createSession') {
      if (!local) return;
      for (const c of this.clients.values()) {
        if (c.connecting?.sessionId === txn.sessionId) {
          const { timeOut, oldClient } = c.connecting;
          c.connecting = null;
          this.attach(c, txn.sessionId, timeOut, oldClient);
          this.log.info(`Established session 0x${hex(txn.sessionId)} with negotiated timeout ${timeOut} for client ${c.conn.describe()}`);
        }
      }
      return;
    }
    const session = this.sessions.get(txn.sessionId);
    const c = session && session.connId !== null ? this.clients.get(session.connId) : undefined;
    if (op.type === 'closeSession') {
      this.sessions.remove(txn.sessionId);
      if (!local && c) this.closeClient(c, 'session closed or expired');
    }
    if (!local || !c) return;
    const pending = c.queue.find((p) => p.kind === 'write' && !p.done && p.xid === txn.cxid) as Extract<Pending, { kind: 'write' }> | undefined;
    if (!pending) {
      if (op.type === 'closeSession') this.closeClient(c, 'session expired');
      return;
    }
    pending.done = true;
    (pending as { reply?: Buffer }).reply = this.replyFor(pending, txn.zxid, result);
    this.log.debug(() => `write path: applied 0x${hex(txn.zxid)} -> reply to client 0x${hex(txn.sessionId)} xid ${txn.cxid}`);
    this.flushQueue(c);
  }

  private replyFor(p: Extract<Pending, { kind: 'write' }>, zxid: number, result: OpResult): Buffer {
    const header = { xid: p.xid, zxid, err: 0 };
    if (result.type === 'error') return encodeReply({ ...header, err: result.err }, p.opcode, null);
    if (result.type === 'multi' && p.request?.type === OpCode.multi) {
      const req = p.request.body as MultiRequest;
      const results = result.results.map((r, i) => multiResultOf(req.ops[i].type, r));
      return encodeReply(header, OpCode.multi, { results });
    }
    return encodeReply(header, p.opcode, responseOf(p.opcode, result) as ResponseBody);
  }

  /** The sync started by `syncId` is done: every txn committed before it has been applied here. */
  syncDone(syncId: number): void {
    for (const c of this.clients.values()) {
      const p = c.queue.find((q) => q.kind === 'sync' && q.syncId === syncId) as Extract<Pending, { kind: 'sync' }> | undefined;
      if (!p) continue;
      p.done = true;
      (p as { reply?: Buffer }).reply = encodeReply({ xid: p.xid, zxid: this.appliedZxid, err: 0 }, OpCode.sync, { path: p.path });
      this.flushQueue(c);
      return;
    }
  }

  private notify(connId: number, type: number, path: string, zxid: number): void {
    const c = this.clients.get(connId);
    if (!c || c.closed) return;
    this.send(c, encodeNotification(zxid, { type, state: KeeperState.SyncConnected, path }));
  }

  private sendReply(c: ClientConn, frame: Buffer, opcode: number, xid: number, startedAt: number): void {
    this.send(c, frame);
    const now = this.now();
    c.conn.replied(opcode, xid, this.appliedZxid, now, now - startedAt);
  }

  private send(c: ClientConn, frame: Buffer): void {
    if (c.closed) return;
    c.conn.sent++;
    this.counters.packetsSent++;
    this.io.send(c.conn.id, frame);
  }

  private closeClient(c: ClientConn, reason: string): void {
    if (c.closed) return;
    this.log.debug(() => `Closing connection ${c.conn.describe()}: ${reason}`);
    this.connectionClosed(c.conn.id);
    this.io.close(c.conn.id, reason);
  }
}

