import { connect, type Socket } from 'node:net';

/**
 * A deliberately low-level client for hostile-input tests: it writes whatever bytes it is given and
 * reads length-prefixed frames back, so tests can send what no well-behaved client would.
 */
export class RawConnection {
  private buffered = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static open(host: string, port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port }, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  write(bytes: Buffer): void {
    if (!this.closed) this.socket.write(bytes);
  }

  /** The next frame body, or null if the server closed the connection first (or nothing came in time). */
  async readFrame(timeoutMs = 3000): Promise<Buffer | null> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (this.buffered.length >= 4) {
        const len = this.buffered.readInt32BE(0);
        if (this.buffered.length >= 4 + len) {
          const body = this.buffered.subarray(4, 4 + len);
          this.buffered = this.buffered.subarray(4 + len);
          return body;
        }
      }
      if (this.closed || Date.now() >= until) return null;
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.max(1, until - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Resolves true once the server has closed the connection, false if it is still open after the wait. */
  async waitClosed(timeoutMs = 3000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export function frame(body: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeInt32BE(body.length);
  return Buffer.concat([len, body]);
}

/** A 3.4+ ConnectRequest (45-byte body) asking for a new session, or to resume `session`. */
export function connectRequest(timeoutMs = 10000, session?: { sessionId: bigint; passwd: Buffer }): Buffer {
  const body = Buffer.alloc(45);
  body.writeInt32BE(0, 0); // protocolVersion
  body.writeBigInt64BE(0n, 4); // lastZxidSeen
  body.writeInt32BE(timeoutMs, 12);
  body.writeBigInt64BE(session?.sessionId ?? 0n, 16);
  body.writeInt32BE(16, 24); // passwd length, 16 bytes follow (zeros for a new session)
  session?.passwd.copy(body, 28, 0, 16);
  body.writeUInt8(0, 44); // readOnly
  return frame(body);
}

/** A ConnectResponse body: timeOut 0 means the session is expired or the password wrong. */
export function connectResponse(body: Buffer): { timeOut: number; sessionId: bigint; passwd: Buffer } {
  const passwdLength = body.readInt32BE(16);
  return { timeOut: body.readInt32BE(4), sessionId: body.readBigInt64BE(8), passwd: Buffer.from(body.subarray(20, 20 + passwdLength)) };
}

export function ustring(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(4);
  len.writeInt32BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

export function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

export function request(xid: number, type: number, body: Buffer): Buffer {
  return frame(Buffer.concat([int32(xid), int32(type), body]));
}

/** getData(path, watch=false). */
export function getDataRequest(xid: number, path: string): Buffer {
  return request(xid, 4, Buffer.concat([ustring(path), Buffer.from([0])]));
}

/** create(path, data, OPEN_ACL_UNSAFE, flags). */
export function createRequest(xid: number, path: string, data: string, flags = 0): Buffer {
  const acl = Buffer.concat([int32(1), int32(31), ustring('world'), ustring('anyone')]);
  return request(xid, 1, Buffer.concat([ustring(path), ustring(data), acl, int32(flags)]));
}

export function replyHeader(body: Buffer): { xid: number; zxid: bigint; err: number } {
  return { xid: body.readInt32BE(0), zxid: body.readBigInt64BE(4), err: body.readInt32BE(12) };
}

/** Opens a connection and completes the handshake; returns it ready for requests. */
export async function openSession(host: string, port: number): Promise<RawConnection> {
  return (await handshake(host, port)).conn;
}

/** Opens a connection and sends a ConnectRequest (new session, or resuming `session`); returns the answer. */
export async function handshake(
  host: string,
  port: number,
  session?: { sessionId: bigint; passwd: Buffer },
): Promise<{ conn: RawConnection; response: ReturnType<typeof connectResponse> }> {
  const conn = await RawConnection.open(host, port);
  conn.write(connectRequest(10000, session));
  const reply = await conn.readFrame();
  if (!reply || reply.length < 20) throw new Error(`handshake with ${host}:${port} failed${conn.closed ? ' (closed)' : ''}`);
  return { conn, response: connectResponse(reply) };
}

/** auth(type 0, scheme, credentials) with the given xid: ZooKeeper answers with the same xid. */
export function authRequest(xid: number, scheme: string, auth: string): Buffer {
  return request(xid, 100, Buffer.concat([int32(0), ustring(scheme), ustring(auth)]));
}

/** getData(path, watch). */
export function getDataWatchRequest(xid: number, path: string, watch: boolean): Buffer {
  return request(xid, 4, Buffer.concat([ustring(path), Buffer.from([watch ? 1 : 0])]));
}

/** setData(path, data, version). */
export function setDataRequest(xid: number, path: string, data: string, version = -1): Buffer {
  return request(xid, 5, Buffer.concat([ustring(path), ustring(data), int32(version)]));
}

/** A notification frame (xid -1): its header and the WatcherEvent (type, state, path). */
export function notification(body: Buffer): { xid: number; zxid: bigint; err: number; type: number; state: number; path: string } {
  const pathLength = body.readInt32BE(24);
  return { ...replyHeader(body), type: body.readInt32BE(16), state: body.readInt32BE(20), path: body.subarray(28, 28 + pathLength).toString('utf8') };
}
