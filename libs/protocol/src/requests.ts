/**
 * Client -> server frames after the handshake: RequestHeader{xid, type} + the record for `type`.
 */
import { ProtocolError, UnknownOpcodeError } from './errors';
import { ByteReader, ByteWriter } from '@coord/bytes';
import { juteReader } from './jute';
import { frameBytesMaxDefault, requestHeaderBytes, writerInitialBytes } from './limits';
import { readMultiRequest, writeMultiRequest } from './multi';
import * as rec from './request-records';
import type { Request, RequestHeader } from './types';

type AnyBody = NonNullable<Request['body']>;
interface RequestCodec {
  write(w: ByteWriter, body: never): void;
  read(r: ByteReader): AnyBody;
}

const none = null;
const createCodec: RequestCodec = { write: rec.writeCreate, read: rec.readCreate };
const pathWatchCodec: RequestCodec = { write: rec.writePathWatch, read: rec.readPathWatch };
const pathCodec: RequestCodec = { write: rec.writePath, read: rec.readPath };
const pathVersionCodec: RequestCodec = { write: rec.writePathVersion, read: rec.readPathVersion };
const watchesCodec: RequestCodec = { write: rec.writeWatches, read: rec.readWatches };
const multiCodec: RequestCodec = { write: writeMultiRequest, read: readMultiRequest };

/**
 * The record each opcode carries. `null` means the request is the header alone (ping, closeSession, whoAmI).
 * Opcodes missing from this table are unknown: decodeRequest throws UnknownOpcodeError for them.
 */
const requestCodecs = new Map<number, RequestCodec | null>([
  [1, createCodec],
  [15, createCodec],
  [19, createCodec],
  [21, { write: rec.writeCreateTTL, read: rec.readCreateTTL }],
  [2, pathVersionCodec],
  [3, pathWatchCodec],
  [4, pathWatchCodec],
  [8, pathWatchCodec],
  [12, pathWatchCodec],
  [5, { write: rec.writeSetData, read: rec.readSetData }],
  [6, pathCodec],
  [9, pathCodec],
  [20, pathCodec],
  [103, pathCodec],
  [104, pathCodec],
  [7, { write: rec.writeSetACL, read: rec.readSetACL }],
  [13, pathVersionCodec],
  [14, multiCodec],
  [22, multiCodec],
  [16, { write: rec.writeReconfig, read: rec.readReconfig }],
  [17, watchesCodec],
  [18, watchesCodec],
  [100, { write: rec.writeAuth, read: rec.readAuth }],
  [101, { write: rec.writeSetWatches, read: rec.readSetWatches }],
  [102, { write: rec.writeSasl, read: rec.readSasl }],
  [105, { write: rec.writeSetWatches2, read: rec.readSetWatches2 }],
  [106, { write: rec.writeAddWatch, read: rec.readAddWatch }],
  [11, none],
  [-11, none],
  [107, none],
]);

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
