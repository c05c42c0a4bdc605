/**
 * A lean ZooKeeper session for benchmarks that hold thousands of them: one socket, @coord/protocol's
 * codecs and frame parser, replies matched to requests in order (the server answers a session's
 * requests in the order it sent them), notifications counted. No reconnect, no watch bookkeeping,
 * no promise per request unless asked for: @coord/client does all that and costs more per session.
 */
import { connect, type Socket } from 'node:net';
import { decodeConnectResponse, encodeConnectRequest, encodeRequest, FrameParser, OpCode, Xid, type Request } from '@coord/protocol';

/** Bytes of a reply header: xid, zxid, err. */
const replyHeaderBytes = 16;
const sessionPasswdZero = Buffer.alloc(16);

export type ReplyHandler = (err: number, body: Buffer) => void;

export class WireSession {
  sessionId = 0n;
  timeOutMs = 0;
  /** Last time anything was written (ms since epoch): the pinger skips sessions that were busy. */
  lastSentAt = 0;
  inFlight = 0;
  closed = false;
  /** Called for every watch notification (xid -1). */
  onNotification: ((body: Buffer) => void) | null = null;
  private readonly parser = new FrameParser();
  private readonly handlers: (ReplyHandler | null)[] = [];
  private handlersHead = 0;
  private xid = 0;
  private connected = false;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  /** Connects and completes the handshake; rejects when the server refuses or `deadlineMs` passes. */
  static open(host: string, port: number, timeOutMs: number, deadlineMs = 10_000): Promise<WireSession> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const session = new WireSession(socket);
      const fail = (why: string) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new Error(why));
      };
      const timer = setTimeout(() => fail(`no ConnectResponse within ${deadlineMs} ms`), deadlineMs);
      socket.once('error', (e) => fail(e.message));
      socket.once('close', () => fail('closed during the handshake'));
      socket.on('connect', () => {
        socket.write(encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0, timeOut: timeOutMs, sessionId: 0n, passwd: sessionPasswdZero, readOnly: false }));
        session.lastSentAt = Date.now();
      });
      socket.on('data', (chunk: Buffer) => {
        for (const frame of session.parser.push(chunk)) {
          if (session.connected) {
            session.onFrame(frame);
            continue;
          }
          const response = decodeConnectResponse(frame);
          if (response.timeOut <= 0) return fail('session refused');
          session.sessionId = response.sessionId;
          session.timeOutMs = response.timeOut;
          session.connected = true;
          clearTimeout(timer);
          socket.removeAllListeners('error');
          socket.removeAllListeners('close');
          socket.on('error', () => undefined);
          socket.on('close', () => (session.closed = true));
          resolve(session);
        }
      });
    });
  }

  /** Sends one request; `handler` (if any) gets its error code and the reply body after the header. */
  send(request: Request, handler: ReplyHandler | null = null): void {
    this.sendMany([request], handler);
  }

  /** Sends requests in one write; `handler` is called once per reply. */
  sendMany(requests: readonly Request[], handler: ReplyHandler | null = null): void {
    if (this.closed) return;
    const frames = requests.map((r) => encodeRequest(++this.xid, r));
    for (let i = 0; i < requests.length; i++) this.handlers.push(handler);
    this.inFlight += requests.length;
    this.socket.write(frames.length === 1 ? frames[0] : Buffer.concat(frames));
    this.lastSentAt = Date.now();
  }

  /** One request as a promise (for the few calls whose answer matters). */
  call(request: Request): Promise<{ err: number; body: Buffer }> {
    return new Promise((resolve) => this.send(request, (err, body) => resolve({ err, body })));
  }

  ping(handler: (() => void) | null = null): void {
    if (this.closed) return;
    this.pingHandlers.push(handler);
    this.socket.write(encodeRequest(Xid.ping, { type: OpCode.ping, body: null } as Request));
    this.lastSentAt = Date.now();
  }

  private readonly pingHandlers: ((() => void) | null)[] = [];

  /** Drops the socket at once (no closeSession): the session lives on at the server until it expires. */
  destroy(): void {
    this.socket.destroy();
    this.closed = true;
  }

  private onFrame(frame: Buffer): void {
    const xid = frame.readInt32BE(0);
    if (xid === Xid.notification) {
      this.onNotification?.(frame);
      return;
    }
    if (xid === Xid.ping) {
      this.pingHandlers.shift()?.();
      return;
    }
    const handler = this.handlers[this.handlersHead];
    this.handlers[this.handlersHead++] = null;
    if (this.handlersHead === this.handlers.length) {
      this.handlers.length = 0;
      this.handlersHead = 0;
    }
    this.inFlight--;
    handler?.(frame.readInt32BE(12), frame.subarray(replyHeaderBytes));
  }
}
