// Simulated clients that speak the ZooKeeper protocol (the frames of @coord/protocol) to the members'
// pipelines, as a real client library does: a ConnectRequest with the last zxid seen, then pipelined
// requests (up to `pipelineMax` outstanding), pings when idle, and on a lost connection a reconnect to
// another member with the same session id and password. Every invocation and answer is recorded for
// the checkers. The client itself checks what a single connection promises: replies in request order,
// and a view of the tree that never goes back in time.

import {
  CreateFlag, decodeConnectResponse, decodeNotification, decodeReplyBody, EventType, decodeReplyHeader, encodeConnectRequest, encodeRequest, ErrorCode,
  OpCode, Perms, sessionPasswdBytes, Xid, type ACL, type CreateResponse, type GetChildrenResponse, type GetDataResponse, type MultiResponse, type Request,
} from '@coord/protocol';
import type { ServerId, Zxid } from '@coord/zab';
import { SimFailure } from './failure';
import type { SimOptions } from './options';
import type { Rng } from './rng';

/** A write a client sent (its key in the txn log is sessionId:xid). */
export interface WriteRecord {
  readonly client: number;
  readonly sessionId: bigint;
  readonly xid: number;
  readonly desc: string;
  readonly member: ServerId;
  /** The connection it was sent on: order is promised per connection. */
  readonly connId: number;
  readonly invokeAt: number;
  /** answered: a reply came (ok or an error); unknown: the connection went first. */
  outcome: 'pending' | 'answered' | 'unknown';
  ackAt?: number;
  zxid?: Zxid;
  err?: number;
  /** The write took effect (err 0, and for multi no failed op). */
  ok?: boolean;
}

/** A read that was answered. `afterSync`: a sync was sent right before it, on the same connection, at `invokeAt`. */
export interface ReadRecord {
  readonly client: number;
  readonly sessionId: bigint;
  readonly member: ServerId;
  readonly kind: 'data' | 'children';
  readonly path: string;
  readonly afterSync: boolean;
  readonly invokeAt: number;
  doneAt: number;
  zxid: Zxid;
  err: number;
  data: string | null;
  children: string[] | null;
}

/**
 * A watch a read left on its connection: armed at the zxid the read carried; fired by a notification
 * (its zxid), or not. `seenBefore`: the highest zxid of a reply on the connection before the
 * notification arrived (or, unfired, before the connection went).
 */
export interface WatchRecord {
  readonly client: number;
  readonly member: ServerId;
  readonly kind: 'data' | 'children';
  readonly path: string;
  readonly armedZxid: Zxid;
  firedZxid: Zxid | null;
  eventType: number | null;
  seenBefore: Zxid;
}

/** What a client needs from the simulated world. */
export interface ClientWorld {
  now(): number;
  readonly memberIds: readonly ServerId[];
  /** Opens a connection to `member` (it fails soon if the member is down). */
  open(client: SimClient, member: ServerId): SimConn;
  send(conn: SimConn, body: Buffer): void;
  /** The client closes its side. */
  close(conn: SimConn): void;
  recordWrite(record: WriteRecord): void;
  recordRead(record: ReadRecord): void;
  recordWatch(record: WatchRecord): void;
  /** A line for the run's trace. */
  note(line: string): void;
}

export interface SimConn {
  readonly id: number;
  readonly member: ServerId;
  readonly memberIncarnation: number;
  open: boolean;
}

type Inflight =
  | { readonly kind: 'write'; readonly xid: number; readonly opcode: number; readonly record: WriteRecord; readonly ephemeral?: boolean }
  | { readonly kind: 'read'; readonly xid: number; readonly record: ReadRecord; readonly watch: boolean }
  | { readonly kind: 'sync'; readonly xid: number }
  | { readonly kind: 'ping' };

/** Paths clients write and read: few, so that writes contend. */
export const registerPaths = ['/k0', '/k1', '/k2'];
const openAcl: ACL[] = [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }];
/** Units a client waits before reconnecting (at most), and for a ConnectResponse. */
const reconnectDelayUnitsMax = 6;
const connectTimeoutUnits = 60;
/** Share of reads that leave a watch. */
const watchProbability = 0.4;

export class SimClient {
  conn: SimConn | null = null;
  private handshaking = false;
  session: { id: bigint; passwd: Buffer; timeOutUnits: number } | null = null;
  private xid = 0;
  private readonly inflight: Inflight[] = [];
  private lastZxidSeen = 0;
  /** Watches armed on the current connection, by kind and path. */
  private watches = new Map<string, WatchRecord>();
  /** The highest zxid of a reply on the current connection. */
  private connZxid = 0;
  private lastSeenFrom = '';
  private connectedAt = 0;
  private lastSentAt = 0;
  private lastHeardAt = 0;
  private reconnectAt = 0;
  private writes = 0;
  /** Ephemerals this client created in its current session (to delete some of them). */
  private ephemerals: string[] = [];
  /** Issues no new operations (the end of a run); keeps its session alive. */
  active = true;
  /** A probe client makes one write and stops once it is answered ok. */
  probeDone = false;
  readonly sessionsStarted: bigint[] = [];
  reconnects = 0;

  constructor(
    readonly id: number,
    private readonly rng: Rng,
    private readonly options: SimOptions,
    private readonly world: ClientWorld,
    private readonly msPerUnit: number,
    readonly probe = false,
  ) {}

  step(): void {
    const now = this.world.now();
    const conn = this.conn;
    if (conn === null) {
      if (now >= this.reconnectAt && (this.active || this.session !== null)) this.connect();
      return;
    }
    if (this.handshaking) {
      if (now - this.connectedAt > connectTimeoutUnits) this.abandon();
      return;
    }
    const session = this.session;
    if (session === null) {
      this.abandon(); // closed: the member closes too
      return;
    }
    // As ZooKeeper's client: nothing heard for 2/3 of the timeout means the server is gone; ping after 1/3 idle.
    if (this.inflight.length > 0 && now - this.lastHeardAt > (session.timeOutUnits * 2) / 3) {
      this.abandon();
      return;
    }
    if (now - this.lastSentAt >= session.timeOutUnits / 3) this.sendPing();
    if (this.active && !this.probeDone && this.inflight.length < this.options.pipelineMax && this.rng.chance(this.probe ? 1 : this.options.opProbability)) {
      if (this.probe) {
        if (this.inflight.length === 0) this.write(OpCode.create, { path: `/probe-${now}`, data: null, acl: openAcl, flags: CreateFlag.PERSISTENT }, `probe create`);
      } else {
        this.act();
      }
    }
  }

  private connect(): void {
    const member = this.rng.pick(this.world.memberIds);
    const conn = this.world.open(this, member);
    this.conn = conn;
    this.handshaking = true;
    this.connectedAt = this.lastHeardAt = this.world.now();
    const timeOut = this.options.sessionTimeoutTicks * this.options.tickUnits * this.msPerUnit;
    const s = this.session;
    const frame = encodeConnectRequest({
      protocolVersion: 0, lastZxidSeen: this.lastZxidSeen, timeOut, sessionId: s?.id ?? 0n, passwd: s?.passwd ?? Buffer.alloc(sessionPasswdBytes), readOnly: false,
    });
    this.sendFrame(frame);
  }

  private sendFrame(frame: Buffer): void {
    this.lastSentAt = this.world.now();
    this.world.send(this.conn as SimConn, frame.subarray(4));
  }

  private sendPing(): void {
    this.inflight.push({ kind: 'ping' });
    this.sendFrame(encodeRequest(Xid.ping, { type: OpCode.ping, body: null }));
  }

  /** Picks and sends the next operation. */
  private act(): void {
    const r = this.rng.next();
    const key = this.rng.pick(registerPaths);
    const value = `${this.id}.${++this.writes}`;
    if (r < 0.34) this.write(OpCode.setData, { path: key, data: Buffer.from(value), version: -1 }, `setData ${key}=${value}`);
    else if (r < 0.42) this.write(OpCode.create, { path: key, data: Buffer.from(value), acl: openAcl, flags: CreateFlag.PERSISTENT }, `create ${key}=${value}`);
    else if (r < 0.46) this.write(OpCode.delete, { path: key, version: -1 }, `delete ${key}`);
    else if (r < 0.56) {
      // Some sequential: the member names them from the parent's counter, which must agree everywhere.
      const sequential = this.rng.chance(0.3);
      const path = `/e-${this.id}-${this.writes}${sequential ? '-' : ''}`;
      const flags = sequential ? CreateFlag.EPHEMERAL_SEQUENTIAL : CreateFlag.EPHEMERAL;
      this.write(OpCode.create, { path, data: null, acl: openAcl, flags }, `create ephemeral${sequential ? ' sequential' : ''} ${path}`, true);
    } else if (r < 0.6 && this.ephemerals.length > 0) {
      const path = this.ephemerals.splice(this.rng.intBelow(this.ephemerals.length), 1)[0];
      this.write(OpCode.delete, { path, version: -1 }, `delete ${path}`);
    } else if (r < 0.63) {
      const second = this.rng.pick(registerPaths.filter((p) => p !== key));
      const ops = [
        { type: OpCode.setData, request: { path: key, data: Buffer.from(value), version: -1 } },
        { type: OpCode.setData, request: { path: second, data: Buffer.from(value), version: -1 } },
      ];
      this.write(OpCode.multi, { ops }, `multi setData ${key},${second}=${value}`);
    } else if (r < 0.66) {
      // Replace: all or nothing (fails whole when the node is absent).
      const ops = [
        { type: OpCode.check, request: { path: key, version: -1 } },
        { type: OpCode.delete, request: { path: key, version: -1 } },
        { type: OpCode.create, request: { path: key, data: Buffer.from(value), acl: openAcl, flags: CreateFlag.PERSISTENT } },
      ];
      this.write(OpCode.multi, { ops }, `multi replace ${key}=${value}`);
    } else if (r < 0.78) this.read('data', key, true);
    else if (r < 0.83) this.read('children', '/', true);
    else if (r < 0.9) this.read('data', key, false);
    else if (r < 0.93) this.read('children', '/', false);
    else if (r < 0.945 && this.inflight.length === 0) this.write(OpCode.closeSession, null, 'closeSession');
    else if (r < 0.955 && this.inflight.length === 0) this.walkAway();
  }

  private write(opcode: number, body: unknown, desc: string, ephemeral?: boolean): void {
    const xid = ++this.xid;
    const now = this.world.now();
    const record: WriteRecord = {
      client: this.id, sessionId: (this.session as NonNullable<SimClient['session']>).id, xid, desc, member: (this.conn as SimConn).member, connId: (this.conn as SimConn).id, invokeAt: now, outcome: 'pending',
    };
    this.world.recordWrite(record);
    this.inflight.push({ kind: 'write', xid, opcode, record, ...(ephemeral !== undefined && { ephemeral }) });
    this.sendFrame(encodeRequest(xid, { type: opcode, body } as Request));
  }

  /** A read, right behind a sync on the same connection when `afterSync` (as a client does for a fresh read). */
  private read(kind: 'data' | 'children', path: string, afterSync: boolean): void {
    const now = this.world.now();
    if (afterSync) {
      const xid = ++this.xid;
      this.inflight.push({ kind: 'sync', xid });
      this.sendFrame(encodeRequest(xid, { type: OpCode.sync, body: { path } }));
    }
    const xid = ++this.xid;
    const record: ReadRecord = {
      client: this.id, sessionId: (this.session as NonNullable<SimClient['session']>).id, member: (this.conn as SimConn).member, kind, path, afterSync,
      invokeAt: now, doneAt: 0, zxid: 0, err: 0, data: null, children: null,
    };
    const watch = this.rng.chance(watchProbability);
    this.inflight.push({ kind: 'read', xid, record, watch });
    const opcode = kind === 'data' ? OpCode.getData : OpCode.getChildren;
    this.sendFrame(encodeRequest(xid, { type: opcode, body: { path, watch } }));
  }

  /** Leaves without closing the session: only its expiry can end it (and remove its ephemerals). */
  private walkAway(): void {
    this.session = null;
    this.ephemerals = [];
    this.abandon();
  }

  onFrame(conn: SimConn, body: Buffer): void {
    if (conn !== this.conn) return;
    const now = this.world.now();
    this.lastHeardAt = now;
    if (this.handshaking) {
      this.onConnectResponse(body);
      return;
    }
    const header = decodeReplyHeader(body);
    if (header.xid === Xid.notification) {
      this.onNotification(conn, body);
      return;
    }
    const head = this.inflight.shift();
    const expected = head === undefined ? 'none' : head.kind === 'ping' ? Xid.ping : head.xid;
    if (header.xid !== expected) {
      throw new SimFailure('correctness', `client ${this.id} on member ${conn.member}: reply xid ${header.xid} but the oldest outstanding request is xid ${expected} (per-connection order broken)`);
    }
    if (header.zxid < this.lastZxidSeen) {
      throw new SimFailure('correctness', `client ${this.id} on member ${conn.member}: reply to xid ${header.xid} at zxid 0x${header.zxid.toString(16)} after it saw 0x${this.lastZxidSeen.toString(16)} (its view went back in time; ${(head as Inflight).kind} after ${this.lastSeenFrom})`);
    }
    this.lastZxidSeen = header.zxid;
    this.connZxid = Math.max(this.connZxid, header.zxid);
    const item = head as Inflight;
    this.lastSeenFrom = `${item.kind}${item.kind === 'read' && item.record.afterSync ? ' after sync' : ''} xid ${header.xid} on member ${conn.member}`;
    if (item.kind === 'write') this.onWriteReply(item, header.zxid, header.err, body);
    else if (item.kind === 'read') {
      this.onReadReply(item.record, header.zxid, header.err, body);
      if (item.watch && header.err === 0) this.arm(item.record, header.zxid);
    }
  }

  /** A read with a watch succeeded: one watch per kind and path on a connection, as ZooKeeper keeps them. */
  private arm(r: ReadRecord, zxid: Zxid): void {
    const key = `${r.kind} ${r.path}`;
    if (this.watches.has(key)) return;
    const w: WatchRecord = { client: this.id, member: r.member, kind: r.kind, path: r.path, armedZxid: zxid, firedZxid: null, eventType: null, seenBefore: 0 };
    this.watches.set(key, w);
    this.world.recordWatch(w);
  }

  private onNotification(conn: SimConn, body: Buffer): void {
    const { header, event } = decodeNotification(body);
    const kind = event.type === EventType.NodeChildrenChanged ? 'children' : 'data';
    const key = `${kind} ${event.path}`;
    const w = this.watches.get(key);
    if (w === undefined) {
      throw new SimFailure('correctness', `client ${this.id} on member ${conn.member}: notification ${event.type} for ${event.path} at 0x${header.zxid.toString(16)} without a watch`);
    }
    this.watches.delete(key);
    w.firedZxid = header.zxid;
    w.eventType = event.type;
    w.seenBefore = this.connZxid;
  }

  private onConnectResponse(body: Buffer): void {
    const res = decodeConnectResponse(body);
    this.handshaking = false;
    if (res.sessionId === 0n) {
      // Expired (or unknown here): start over with a new session.
      if (this.session !== null) this.world.note(`client ${this.id}: session 0x${this.session.id.toString(16)} refused by member ${(this.conn as SimConn).member} (expired)`);
      this.session = null;
      this.ephemerals = [];
      this.abandon();
      return;
    }
    const timeOutUnits = res.timeOut / this.msPerUnit;
    const member = (this.conn as SimConn).member;
    if (this.session === null) {
      this.sessionsStarted.push(res.sessionId);
      this.world.note(`client ${this.id}: session 0x${res.sessionId.toString(16)} established on member ${member}`);
    } else {
      this.world.note(`client ${this.id}: session 0x${res.sessionId.toString(16)} resumed on member ${member}`);
      if (this.session.id !== res.sessionId) throw new SimFailure('correctness', `client ${this.id}: resumed session 0x${this.session.id.toString(16)} but got 0x${res.sessionId.toString(16)}`);
      this.reconnects++;
    }
    this.session = { id: res.sessionId, passwd: res.passwd, timeOutUnits };
  }

  private onWriteReply(item: Extract<Inflight, { kind: 'write' }>, zxid: Zxid, err: number, body: Buffer): void {
    const r = item.record;
    r.outcome = 'answered';
    r.ackAt = this.world.now();
    r.zxid = zxid;
    r.err = err;
    r.ok = err === 0 && (item.opcode !== OpCode.multi || !(decodeReplyBody(body, OpCode.multi) as MultiResponse).results.some((x) => x.type === OpCode.error));
    // The path the member created (a sequential one carries its counter).
    if (r.ok && item.ephemeral === true) this.ephemerals.push((decodeReplyBody(body, OpCode.create) as CreateResponse).path);
    if (item.opcode === OpCode.closeSession) {
      this.session = null; // the member closes the connection after this reply
      this.ephemerals = [];
    } else if (this.probe && r.ok) {
      this.probeDone = true;
    }
  }

  private onReadReply(r: ReadRecord, zxid: Zxid, err: number, body: Buffer): void {
    r.doneAt = this.world.now();
    r.zxid = zxid;
    r.err = err;
    if (err === 0 && r.kind === 'data') r.data = ((decodeReplyBody(body, OpCode.getData) as GetDataResponse).data ?? Buffer.alloc(0)).toString();
    if (err === 0 && r.kind === 'children') r.children = [...(decodeReplyBody(body, OpCode.getChildren) as GetChildrenResponse).children].sort();
    if (err !== 0 && err !== ErrorCode.NONODE && err !== ErrorCode.SESSIONEXPIRED) {
      throw new SimFailure('correctness', `client ${this.id}: read of ${r.path} answered error ${err}`);
    }
    this.world.recordRead(r);
  }

  /** The member closed the connection (or went down). */
  onClosed(conn: SimConn): void {
    if (conn !== this.conn) return;
    this.dropConnection();
  }

  /** The client gives up on its connection. */
  private abandon(): void {
    const conn = this.conn;
    if (conn === null) return;
    this.world.close(conn);
    this.dropConnection();
  }

  private dropConnection(): void {
    // Whatever was outstanding may or may not have happened.
    for (const item of this.inflight) if (item.kind === 'write') item.record.outcome = 'unknown';
    this.inflight.length = 0;
    // Watches die with the connection (this client does not re-register them with SetWatches).
    for (const w of this.watches.values()) w.seenBefore = this.connZxid;
    this.watches.clear();
    this.connZxid = 0;
    this.conn = null;
    this.handshaking = false;
    this.reconnectAt = this.world.now() + 1 + this.rng.intBelow(reconnectDelayUnitsMax);
  }
}
