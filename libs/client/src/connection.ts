import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { FrameParser, OpCode, Xid, encodeRequest } from '@coord/protocol';

/** The Java client pings at least this often whatever the session timeout. */
export const pingIntervalMsMax = 10_000;

/** The ping frame never changes: RequestHeader{xid -2, type 11}. */
const pingFrame = encodeRequest(Xid.ping, { type: OpCode.ping, body: null });
const receiveBufferBytes = 64 * 1024;

export interface ConnectionHandlers {
  /** Every frame body in order; the first one is the ConnectResponse. Throwing drops the connection. */
  onFrame(conn: Connection, body: Buffer): void;
  /** The connection is gone (closed, failed, timed out, unparsable); called once, never after destroy(). */
  onGone(conn: Connection, err: Error): void;
}

export interface ConnectionOptions {
  host: string;
  port: number;
  /** TCP connect + handshake must finish within this time. */
  attemptTimeoutMs: number;
  frameBytesMax: number;
  /** The ConnectRequest frame, built when the TCP connection is up. */
  connectRequest: () => Buffer;
  /** Connect with TLS (ZooKeeper's secureClientPort) with these options: ca, key/cert or pfx, servername. */
  tls?: TlsConnectionOptions;
}

/**
 * One TCP connection to one server: the handshake timeout, framing, corked writes, pings and the read
 * timeout. What the frames mean is the session's business.
 */
export class Connection {
  readonly hostPort: string;
  private readonly socket: Socket;
  private readonly parser: FrameParser;
  private attemptTimer: NodeJS.Timeout | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private receivedSinceTick = false;
  private sentSinceTick = false;
  private corked = false;
  private dead = false;

  constructor(opts: ConnectionOptions, private readonly handlers: ConnectionHandlers) {
    this.hostPort = `${opts.host}:${opts.port}`;
    // One receive buffer per connection, reused for every read (no Readable stream, no allocation per
    // read): frames are decoded synchronously and everything a caller keeps is copied out of them.
    this.parser = new FrameParser({ frameBytesMax: opts.frameBytesMax, reusesChunks: !opts.tls });
    const received = Buffer.allocUnsafe(receiveBufferBytes);
    const socket = opts.tls ? this.connectTls(opts, opts.tls) : netConnect({
      host: opts.host,
      port: opts.port,
      noDelay: true,
      onread: {
        buffer: received,
        callback: (n) => {
          this.onData(received.subarray(0, n));
          return true;
        },
      },
    });
    this.socket = socket;
    this.attemptTimer = setTimeout(() => this.gone(new Error(`no session from ${this.hostPort} within ${opts.attemptTimeoutMs} ms`)), opts.attemptTimeoutMs);
    socket.on(opts.tls ? 'secureConnect' : 'connect', () => socket.write(opts.connectRequest()));
    socket.on('error', (err) => this.gone(err));
    socket.on('close', () => this.gone(new Error('connection closed')));
  }

  /** TLS: the socket's own 'data' chunks (a TLS socket cannot read into a caller's buffer). */
  private connectTls(opts: ConnectionOptions, tlsOptions: TlsConnectionOptions): Socket {
    const socket = tlsConnect({ host: opts.host, port: opts.port, servername: isIp(opts.host) ? undefined : opts.host, ...tlsOptions });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    return socket;
  }

  /** The handshake is done: no more attempt timeout. */
  established(): void {
    clearTimeout(this.attemptTimer);
  }

  /**
   * One timer per connection. Java pings after readTimeout/2 of send-idleness and drops the connection
   * after readTimeout (2/3 of the session timeout) without a byte from the server. A tick of readTimeout/4
   * does both without reading the clock on every packet: a ping goes out after one or two silent ticks
   * (at most readTimeout/2), and four ticks without a byte received drop the connection.
   */
  startTicks(sessionTimeoutMs: number): void {
    const readTimeoutMs = (sessionTimeoutMs * 2) / 3;
    const tickMs = Math.max(10, Math.min(pingIntervalMsMax / 2, Math.floor(readTimeoutMs / 4)));
    const idleTicksMax = Math.max(2, Math.ceil(readTimeoutMs / tickMs));
    let idleTicks = 0;
    this.receivedSinceTick = false;
    this.sentSinceTick = false;
    clearInterval(this.tickTimer);
    this.tickTimer = setInterval(() => {
      if (this.receivedSinceTick) idleTicks = 0;
      else if (++idleTicks >= idleTicksMax) return this.gone(new Error(`nothing heard for ${Math.round(readTimeoutMs)} ms`));
      if (!this.sentSinceTick) this.write(pingFrame);
      this.receivedSinceTick = false;
      this.sentSinceTick = false;
    }, tickMs);
  }

  /** Corks the socket on the first write of a tick so that a burst of requests leaves in one writev. */
  write(frame: Buffer): void {
    if (this.dead) return;
    this.sentSinceTick = true;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(frame);
  }

  /** Closes without calling onGone. Idempotent. */
  destroy(): void {
    if (this.dead) return;
    this.dead = true;
    clearTimeout(this.attemptTimer);
    clearInterval(this.tickTimer);
    this.socket.on('error', () => {});
    this.socket.destroy();
  }

  /** Resolves when the socket has closed (for close(): the server closes after closeSession). */
  closed(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  private gone(err: Error): void {
    if (this.dead) return;
    this.destroy();
    this.handlers.onGone(this, err);
  }

  private onData(chunk: Buffer): void {
    if (this.dead) return;
    this.receivedSinceTick = true;
    let frames: Buffer[];
    try {
      frames = this.parser.push(chunk);
    } catch (err) {
      return this.gone(err as Error);
    }
    for (let i = 0; i < frames.length; i++) {
      if (this.dead) return;
      try {
        this.handlers.onFrame(this, frames[i]);
      } catch (err) {
        return this.gone(err as Error);
      }
    }
  }
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
