/**
 * The handshake: the first frame each way is a bare ConnectRequest / ConnectResponse with no header.
 *
 * The trailing readOnly byte is optional in both directions: 3.4+ clients (Java, C, kazoo) send it,
 * pre-3.4 clients and node-zookeeper-client do not, and the server echoes it only to clients that sent
 * it. So a request body is 44 or 45 bytes and a response body 36 or 37 bytes (with a 16-byte passwd).
 */
import { ByteWriter } from '@coord/bytes';
import { juteReader } from './jute';
import { frameBytesMaxDefault } from './limits';
import type { ConnectRequest, ConnectResponse } from './types';

/** A whole frame. Writes the readOnly byte iff `req.readOnly !== undefined`. */
export function encodeConnectRequest(req: ConnectRequest): Buffer {
  const w = new ByteWriter(64 + req.passwd.length);
  w.beginFrame();
  w.writeInt(req.protocolVersion);
  w.writeLong(req.lastZxidSeen);
  w.writeInt(req.timeOut);
  w.writeLong(req.sessionId);
  w.writeBuffer(req.passwd);
  if (req.readOnly !== undefined) w.writeBool(req.readOnly);
  return w.finishFrame();
}

/**
 * Decodes a frame body. `readOnly` is undefined when the byte is absent. A null passwd reads as an
 * empty buffer. Throws ProtocolError('body') when truncated: there is no header to answer, so the
 * server closes the connection.
 */
export function decodeConnectRequest(body: Buffer, frameBytesMax: number = frameBytesMaxDefault): ConnectRequest {
  const r = juteReader(body, 0, frameBytesMax);
  const protocolVersion = r.readInt();
  const lastZxidSeen = r.readLong();
  const timeOut = r.readInt();
  const sessionId = r.readBigLong();
  const passwd = r.readBuffer() ?? Buffer.alloc(0);
  const req: ConnectRequest = { protocolVersion, lastZxidSeen, timeOut, sessionId, passwd };
  if (r.remaining > 0) req.readOnly = r.readBool();
  return req;
}

/** A whole frame. Writes the readOnly byte iff `res.readOnly !== undefined`. */
export function encodeConnectResponse(res: ConnectResponse): Buffer {
  const w = new ByteWriter(64 + res.passwd.length);
  w.beginFrame();
  w.writeInt(res.protocolVersion);
  w.writeInt(res.timeOut);
  w.writeLong(res.sessionId);
  w.writeBuffer(res.passwd);
  if (res.readOnly !== undefined) w.writeBool(res.readOnly);
  return w.finishFrame();
}

/** Decodes a frame body of 36 (no readOnly byte) or 37 bytes. */
export function decodeConnectResponse(body: Buffer, frameBytesMax: number = frameBytesMaxDefault): ConnectResponse {
  const r = juteReader(body, 0, frameBytesMax);
  const protocolVersion = r.readInt();
  const timeOut = r.readInt();
  const sessionId = r.readBigLong();
  const passwd = r.readBuffer() ?? Buffer.alloc(0);
  const res: ConnectResponse = { protocolVersion, timeOut, sessionId, passwd };
  if (r.remaining > 0) res.readOnly = r.readBool();
  return res;
}
