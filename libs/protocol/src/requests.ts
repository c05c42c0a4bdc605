/**
 * Client -> server frames after the handshake: RequestHeader{xid, type} + the record for `type`.
 */
import { ProtocolError, UnknownOpcodeError } from './errors';
import { ByteWriter, writerInitialBytes } from '@coord/bytes';
import { juteReader } from './jute';
import { frameBytesMaxDefault, requestHeaderBytes } from './limits';
import { operationList, type AnyRecordCodec } from './operations';
import type { Request, RequestHeader } from './types';

/**
 * The record each opcode carries, from the opcode table. `null` means the request is the header alone
 * (ping, closeSession, whoAmI). Opcodes missing from this map are unknown or never sent by a client:
 * decodeRequest throws UnknownOpcodeError for them.
 */
const requestCodecs = new Map<number, AnyRecordCodec | null>(
  operationList.flatMap((o) => (o.request === undefined ? [] : [[o.code, o.request] as const])),
);

/** True if decodeRequest knows a record for this opcode. */
export function isKnownRequestOpcode(type: number): boolean {
  return requestCodecs.has(type);
}

/** A size hint so that create/setData with data write into one allocation. */
function sizeHint(req: Request): number {
  const body = req.body as { data?: Buffer | null } | null;
  const data = body !== null && body.data ? body.data.length : 0;
  return writerInitialBytes + data;
}

/** A whole frame (length prefix included) for one request. */
export function encodeRequest(xid: number, req: Request): Buffer {
  const codec = requestCodecs.get(req.type);
  if (codec === undefined) throw new Error(`cannot encode unknown opcode ${req.type}`);
  const w = new ByteWriter(sizeHint(req));
  w.beginFrame();
  w.writeInt(xid);
  w.writeInt(req.type);
  if (codec !== null) codec.write(w, req.body as never);
  return w.finishFrame();
}

/**
 * Decodes a frame body (no length prefix).
 * Throws ProtocolError('header') when the body is shorter than a RequestHeader,
 * UnknownOpcodeError (kind 'header', carries the header) for an opcode with no record,
 * and ProtocolError('body') carrying the header when the record is malformed.
 * Bytes after the record are ignored, as ZooKeeper does.
 */
export function decodeRequest(
  body: Buffer,
  frameBytesMax: number = frameBytesMaxDefault,
): { header: RequestHeader; request: Request } {
  if (body.length < requestHeaderBytes) {
    throw new ProtocolError('header', `request header needs ${requestHeaderBytes} bytes, got ${body.length}`);
  }
  const header: RequestHeader = { xid: body.readInt32BE(0), type: body.readInt32BE(4) };
  const codec = requestCodecs.get(header.type);
  if (codec === undefined) throw new UnknownOpcodeError(header);
  if (codec === null) return { header, request: { type: header.type, body: null } as Request };
  try {
    const r = juteReader(body, requestHeaderBytes, frameBytesMax);
    return { header, request: { type: header.type, body: codec.read(r) } as Request };
  } catch (e) {
    if (e instanceof ProtocolError) throw new ProtocolError('body', e.message, header);
    throw e;
  }
}
