import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  answerChallenge,
  decodeReplyBody,
  errorName,
  parseDirectives,
  SaslError,
  saslNonceBytes,
  ErrorCode,
  OpCode,
  Xid,
  decodeConnectResponse,
  encodeConnectRequest,
  encodeRequest,
  frameBytesMaxDefault,
  sessionPasswdBytes,
} from '@coord/protocol';
import { shuffle, type HostAddress } from './connect-string';
import { ConnectTimeoutError, connectionLoss, zkError } from './errors';
import { Packet, PacketQueue, sessionExpired } from './packet';
import type { ClientOptions, ClientState, KeeperStateName, Logger, WatchedEvent, Watcher } from './types';
import { WatchRegistry } from './watch-registry';
import { setWatchesBatches } from './set-watches';
import { Dispatcher, awaitState } from './dispatch';
import { Connection, type ConnectionHandlers } from './connection';

export const sessionTimeoutMsDefault = 30_000;
export const connectTimeoutMsDefault = 10_000;
export const closeTimeoutMsDefault = 2_000;
/** A connect attempt to one host (TCP + handshake) never gets less than this. */
export const attemptTimeoutMsMin = 500;
/** Between full passes over the host list the client waits, doubling from min to max (with jitter). */
export const reconnectDelayMsMin = 20;
export const reconnectDelayMsMax = 1_000;

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * The session state machine over one connection at a time: handshake, pipelined requests matched FIFO
 * against replies, pings, read timeout, reconnect with the same session id and password, auth and
 * watch re-registration, the client-side expiry timer, and watch dispatch.
 */
export class Session extends EventEmitter {
  state: ClientState = 'connecting';
  sessionId = 0n;
  sessionPassword: Buffer = Buffer.alloc(sessionPasswdBytes);
  /** The negotiated timeout once connected; the requested one before. */
  sessionTimeoutMs: number;
  lastZxid = 0;
  connectedHost: string | null = null;
  readonly chroot: string;
  readonly watches = new WatchRegistry();
  readonly logger: Logger;
  private readonly dispatcher: Dispatcher;

  private readonly hosts: HostAddress[];
  private hostIndex = 0;
  private readonly opts: ClientOptions;
  private readonly random: () => number;
  private conn: Connection | null = null;
  /** True once the ConnectResponse of the current connection arrived and the session is usable. */
  private established = false;
  /** SASL runs on this connection: requests wait until it is done. */
  private authenticating = false;
  /** Why SASL failed; the client stops (as Java's AUTH_FAILED state). */
  private saslFailure: Error | null = null;
  private readonly pending = new PacketQueue();
  /** Packets created while no session is established, sent in order once one is. */
  private waiting: Packet[] = [];
  /** Auth packets (xid -4) awaiting their reply; null for credentials re-sent on reconnect. */
  private authWaiters: (Packet | null)[] = [];
  private readonly credentials: { scheme: string; auth: Buffer }[] = [];
  private nextXid = 1;
  private started = false;
  private closed = false;
  private closePromise: Promise<void> | null = null;
  /** connect() calls still waiting: the last one to give up stops the connect attempts. */
  private connectWaiters = 0;
  /** True when the next established session continues an existing one (so it is a 'reconnected'). */
  private hadSession = false;
  private failedAttempts = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private lostTimer: NodeJS.Timeout | undefined;

  constructor(hosts: HostAddress[], chroot: string, opts: ClientOptions) {
    super();
    this.opts = opts;
    this.chroot = chroot;
    this.random = opts.random ?? Math.random;
    this.hosts = opts.shuffleHosts === false ? hosts.slice() : shuffle(hosts, this.random);
    this.sessionTimeoutMs = opts.sessionTimeoutMs ?? sessionTimeoutMsDefault;
    this.logger = opts.logger ?? silentLogger;
    this.dispatcher = new Dispatcher(this, this.watches, chroot, this.logger);
    for (const c of opts.auth ?? []) this.credentials.push({ scheme: c.scheme, auth: Buffer.from(c.auth) });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Resolves once a session is established (connected, reconnected or read-only). */
  async connect(opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<void> {
    if (this.closed) throw sessionExpired('connect');
    this.start();
    if (this.established && !this.authenticating) return;
    const timeoutMs = opts.timeoutMs ?? this.opts.connectTimeoutMs ?? connectTimeoutMsDefault;
    this.connectWaiters++;
    try {
      await awaitState<ClientState>(this, () => this.state, ['connected', 'reconnected', 'read-only'], {
        signal: opts.signal,
        timeoutMs,
        onTimeout: () => new ConnectTimeoutError(ErrorCode.CONNECTIONLOSS, { op: 'connect', message: `could not connect within ${timeoutMs} ms` }),
        fail: (s) => (s === 'closed' ? (this.saslFailure ?? sessionExpired('connect')) : undefined),
      });
    } catch (err) {
      // Nobody else waits for this session: stop trying so that nothing runs in the background.
      if (--this.connectWaiters === 0 && !this.established && !this.hadSession) this.stopConnecting(err);
      throw err;
    }
    this.connectWaiters--;
  }

  /** Queues or writes a request; starts connecting if nothing has yet. */
  send(p: Packet): void {
    if (this.closed || this.closePromise !== null) {
      p.fail(sessionExpired());
      return;
    }
    if (!this.started) this.start();
    if (this.established && !this.authenticating) this.write(p);
    else this.waiting.push(p);
  }

  /** Removes a not-yet-sent packet (abort/timeout); a sent one stays in the FIFO to match its reply. */
  unqueue(p: Packet): void {
    const i = this.waiting.indexOf(p);
    if (i >= 0) this.waiting.splice(i, 1);
  }

  addCredential(scheme: string, auth: Buffer): void {
    if (!this.credentials.some((c) => c.scheme === scheme && c.auth.equals(auth))) this.credentials.push({ scheme, auth });
  }

  close(): Promise<void> {
    if (this.closePromise) return this.closePromise;
    this.closePromise = this.doClose();
    return this.closePromise;
  }

  private async doClose(): Promise<void> {
    const timeoutMs = this.opts.closeTimeoutMs ?? closeTimeoutMsDefault;
    if (this.established && this.conn) {
      const conn = this.conn;
      const p = new Packet(OpCode.closeSession, encodeRequest(0, { type: OpCode.closeSession, body: null }), undefined, () => undefined, null);
      const replied = new Promise<void>((resolve) => {
        p.resolve = () => resolve();
        p.reject = () => resolve();
        void conn.closed().then(() => resolve());
      });
      this.write(p);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([replied, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
    }
    this.closed = true;
    this.clearTimers();
    this.dropConnection();
    this.failAll(() => sessionExpired());
    this.setState('closed');
    this.deliverStateEvent('Closed');
    this.watches.clear();
  }

  // ---- connecting ----

  private start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.attempt();
  }

  private stopConnecting(err: unknown): void {
    this.started = false;
    clearTimeout(this.reconnectTimer);
    this.dropConnection();
    const waiting = this.waiting;
    this.waiting = [];
    for (const p of waiting) p.fail(err);
  }

  private attempt(): void {
    if (this.closed || !this.started) return;
    const { host, port } = this.hosts[this.hostIndex % this.hosts.length];
    this.hostIndex++;
    this.logger.debug(`connecting to ${host}:${port}`);
    this.established = false;
    this.conn = new Connection(
      {
        host,
        port,
        attemptTimeoutMs: Math.max(attemptTimeoutMsMin, Math.floor(this.sessionTimeoutMs / this.hosts.length)),
        frameBytesMax: this.opts.frameBytesMax ?? frameBytesMaxDefault,
        ...(this.opts.tls && { tls: this.opts.tls }),
        connectRequest: () =>
          encodeConnectRequest({
            protocolVersion: 0,
            lastZxidSeen: this.lastZxid,
            timeOut: this.opts.sessionTimeoutMs ?? sessionTimeoutMsDefault,
            sessionId: this.sessionId,
            passwd: this.sessionPassword,
            readOnly: this.opts.readOnly ?? false,
          }),
      },
      this.handlers,
    );
  }

  private readonly handlers: ConnectionHandlers = {
    onFrame: (conn, body) => {
      if (conn !== this.conn) return;
      if (this.established) this.onFrame(body);
      else this.onConnectResponse(conn, body);
    },
    onGone: (conn, err) => this.onConnectionGone(conn, err),
  };

  private onConnectResponse(conn: Connection, body: Buffer): void {
    conn.established();
    const res = decodeConnectResponse(body);
    if (res.timeOut <= 0) {
      // The server no longer knows the session (or the password is wrong): it is expired.
      this.logger.info(`session 0x${this.sessionId.toString(16)} expired (reported by ${conn.hostPort})`);
      this.expire();
      conn.destroy();
      this.onConnectionGone(conn, new Error('session expired'));
      return;
    }
    const continuing = this.hadSession && res.sessionId === this.sessionId;
    this.sessionId = res.sessionId;
    this.sessionPassword = res.passwd;
    this.sessionTimeoutMs = res.timeOut;
    this.connectedHost = conn.hostPort;
    this.established = true;
    this.hadSession = true;
    this.failedAttempts = 0;
    clearTimeout(this.lostTimer);
    this.lostTimer = undefined;
    conn.startTicks(this.sessionTimeoutMs);
    const ready = () => {
      this.prime();
      const readOnly = res.readOnly === true;
      this.setState(readOnly ? 'read-only' : continuing ? 'reconnected' : 'connected');
      this.deliverStateEvent(readOnly ? 'ConnectedReadOnly' : 'SyncConnected');
    };
    // As the Java client: SyncConnected, then SaslAuthenticated once the server accepted the credentials.
    if (this.opts.sasl) this.authenticateSasl(conn, this.opts.sasl, () => (ready(), this.deliverStateEvent('SaslAuthenticated')));
    else ready();
  }

  /**
   * SASL DIGEST-MD5 on a new connection, before any other request (as ZooKeeperSaslClient): an empty
   * token, the server's challenge answered, and the server's rspauth checked. A failure is final.
   */
  private authenticateSasl(conn: Connection, creds: { username: string; password: string }, ready: () => void): void {
    this.authenticating = true;
    const cnonce = randomBytes(saslNonceBytes).toString('base64');
    let expectedRspauth = '';
    const send = (token: Buffer, onReply: (token: Buffer) => void) => {
      const frame = encodeRequest(0, { type: OpCode.sasl, body: { token } });
      const finish = (_p: Packet, err: number, body: Buffer): undefined => {
        if (conn !== this.conn) return undefined;
        if (err !== 0) {
          this.failSasl(zkError(err, { op: 'sasl', message: `SASL authentication of ${creds.username} failed (${errorName(err)})` }));
          return undefined;
        }
        try {
          onReply((decodeReplyBody(body, OpCode.sasl) as { token: Buffer | null }).token ?? Buffer.alloc(0));
        } catch (e) {
          this.failSasl(e instanceof Error ? e : new Error(String(e)));
        }
        return undefined;
      };
      this.write(new Packet(OpCode.sasl, frame, undefined, finish, null));
    };
    send(Buffer.alloc(0), (challenge) => {
      const answer = answerChallenge(challenge.toString('utf8'), creds.username, creds.password, cnonce);
      expectedRspauth = answer.rspauth;
      send(Buffer.from(answer.response, 'utf8'), (final) => {
        const rspauth = parseDirectives(final.toString('utf8')).get('rspauth');
        if (rspauth !== expectedRspauth) throw new SaslError('the server did not prove it knows the password (rspauth mismatch)');
        this.authenticating = false;
        ready();
      });
    });
  }

  private failSasl(err: Error): void {
    this.logger.warn(err.message);
    this.authenticating = false;
    this.saslFailure = err;
    this.deliverStateEvent('AuthFailed');
    this.closed = true;
    this.stopConnecting(err);
    this.failAll(() => err);
    this.setState('closed');
  }

  /** After the handshake: credentials, then watch re-registration, then the requests that waited. */
  private prime(): void {
    for (const c of this.credentials) {
      this.conn!.write(encodeRequest(Xid.auth, { type: OpCode.auth, body: { type: 0, scheme: c.scheme, auth: c.auth } }));
      this.authWaiters.push(null);
    }
    if (!this.watches.isEmpty()) this.sendSetWatches();
    const waiting = this.waiting;
    this.waiting = [];
    for (const p of waiting) if (!p.settled) this.write(p);
  }

  private sendSetWatches(): void {
    for (const { opcode, body } of setWatchesBatches(this.watches, this.chroot, this.lastZxid)) {
      const frame = opcode === OpCode.setWatches2 ? encodeRequest(0, { type: opcode, body }) : encodeRequest(0, { type: opcode, body });
      this.write(new Packet(opcode, frame, undefined, logSetWatchesError, this));
    }
  }

  private onConnectionGone(conn: Connection, err: Error): void {
    if (conn !== this.conn) return;
    this.logger.debug(`connection lost: ${err.message}`);
    const wasEstablished = this.established;
    this.dropConnection();
    if (this.closed) return;
    if (wasEstablished) {
      this.failInFlight(() => connectionLoss(`connection lost: ${err.message}`));
      this.setState('suspended');
      this.deliverStateEvent('Disconnected');
      this.startLostTimer();
      this.attempt();
      return;
    }
    if (this.hadSession && this.lostTimer === undefined && this.state !== 'lost') this.startLostTimer();
    this.failedAttempts++;
    if (this.failedAttempts % this.hosts.length !== 0) return this.attempt();
    const cycles = this.failedAttempts / this.hosts.length;
    const delay = Math.min(reconnectDelayMsMax, reconnectDelayMsMin * 2 ** Math.min(cycles, 10));
    this.reconnectTimer = setTimeout(() => this.attempt(), Math.floor(delay * (0.5 + this.random() / 2)));
  }

  private dropConnection(): void {
    this.conn?.destroy();
    this.conn = null;
    this.established = false;
    this.connectedHost = null;
  }

  /** Curator's client-side expiry (TN12): disconnected for a whole session timeout means the session is gone. */
  private startLostTimer(): void {
    clearTimeout(this.lostTimer);
    this.lostTimer = setTimeout(() => {
      this.lostTimer = undefined;
      this.logger.info(`no server for ${this.sessionTimeoutMs} ms: treating session 0x${this.sessionId.toString(16)} as expired`);
      this.expire();
    }, this.sessionTimeoutMs);
  }

  /**
   * The session is gone: report 'lost', drop every watch (after telling it), fail what waits, and
   * continue with a brand-new session on the next connection.
   */
  private expire(): void {
    clearTimeout(this.lostTimer);
    this.lostTimer = undefined;
    if (!this.hadSession) return;
    this.hadSession = false;
    this.sessionId = 0n;
    this.sessionPassword = Buffer.alloc(sessionPasswdBytes);
    this.lastZxid = 0;
    this.failAll(() => sessionExpired());
    this.setState('lost');
    this.deliverStateEvent('Expired');
    this.watches.clear();
  }

  private failInFlight(error: () => unknown): void {
    for (const p of this.pending.drain()) p.fail(error());
    const auths = this.authWaiters;
    this.authWaiters = [];
    for (const p of auths) p?.fail(error());
  }

  private failAll(error: () => unknown): void {
    this.failInFlight(error);
    const waiting = this.waiting;
    this.waiting = [];
    for (const p of waiting) p.fail(error());
  }

  private clearTimers(): void {
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.lostTimer);
    this.lostTimer = undefined;
  }

  // ---- the established connection ----

  private write(p: Packet): void {
    if (p.opcode === OpCode.auth) {
      this.authWaiters.push(p);
    } else {
      p.xid = this.nextXid;
      this.nextXid = this.nextXid === 0x7fffffff ? 1 : this.nextXid + 1;
      p.frame.writeInt32BE(p.xid, 4);
      this.pending.push(p);
    }
    this.conn!.write(p.frame);
  }

  private onFrame(body: Buffer): void {
    const xid = body.readInt32BE(0);
    if (xid === Xid.notification) return this.dispatcher.notification(body);
    if (xid === Xid.ping) return;
    const err = body.readInt32BE(12);
    if (xid === Xid.auth) return this.onAuthReply(err);
    const p = this.pending.shift();
    if (p === undefined || p.xid !== xid) {
      const message = `xid out of order: got ${xid}, expected ${p === undefined ? 'nothing' : p.xid}`;
      p?.fail(connectionLoss(message));
      throw new Error(message);
    }
    const zxidHigh = body.readInt32BE(4);
    const zxid = zxidHigh * 0x1_0000_0000 + body.readUInt32BE(8);
    if (zxid > 0) this.lastZxid = zxid;
    p.complete(err, body);
  }

  private onAuthReply(err: number): void {
    const p = this.authWaiters.shift();
    if (err === 0) {
      if (p) this.addCredential((p.ctx as { scheme: string }).scheme, (p.ctx as { auth: Buffer }).auth);
      p?.complete(0, Buffer.alloc(0));
      return;
    }
    // The server closes the connection after AUTHFAILED; forget the bad credential so reconnects work.
    if (p) {
      const { scheme, auth } = p.ctx as { scheme: string; auth: Buffer };
      const i = this.credentials.findIndex((c) => c.scheme === scheme && c.auth.equals(auth));
      if (i >= 0) this.credentials.splice(i, 1);
      p.fail(zkError(err, { op: 'addAuth' }));
    } else {
      this.credentials.length = 0;
    }
    this.deliverStateEvent('AuthFailed');
  }

  // ---- events ----

  private setState(s: ClientState): void {
    if (this.state === s && s !== 'reconnected' && s !== 'connected') return;
    this.state = s;
    this.dispatcher.emit('state', s);
  }

  /** State changes reach the 'event' listeners and every registered watcher (Java's None events). */
  private deliverStateEvent(state: KeeperStateName): void {
    this.dispatcher.stateEvent(state);
  }

  callWatcher(w: Watcher, e: WatchedEvent): void {
    this.dispatcher.callWatcher(w, e);
  }
}

function logSetWatchesError(p: Packet, err: number): undefined {
  if (err !== 0) ((p.ctx as Session).logger ?? silentLogger).warn(`SetWatches failed with ${err}`);
  return undefined;
}
