/**
 * Server -> client frames after the handshake: ReplyHeader{xid, zxid, err} + the response record
 * for the request's opcode (only when err == 0), and notifications (xid -1 + WatcherEvent).
 */
import { ProtocolError } from './errors';
import { ByteReader, ByteWriter, writerInitialBytes } from '@coord/bytes';
import { juteReader } from './jute';
import { frameBytesMaxDefault, replyHeaderBytes } from './limits';
import { readMultiResponse, writeMultiResponse } from './multi';
import { readReplyHeader, readWatcherEvent, writeReplyHeader, writeWatcherEvent } from './records';
import * as rec from './response-records';
import { operationList, type ResponseKind } from './operations';
import { Xid, type ReplyHeader, type ResponseBody, type WatcherEvent } from './types';

export type { ResponseKind } from './operations';

const kindByOpcode = new Map<number, ResponseKind>(operationList.map((o) => [o.code, o.response]));

/**
 * The response record for a successful reply to `opcode`. 'none' for opcodes whose reply is the header
 * alone (delete, ping, check, checkWatches, removeWatches, deleteContainer, auth, setWatches*, closeSession)
 * and for unknown opcodes.
 */
export function responseKind(opcode: number): ResponseKind {
  return kindByOpcode.get(opcode) ?? 'none';
}

/** The name used in types.ts. */
export const responseKindFor = responseKind;

interface ResponseCodec {
  write(w: ByteWriter, body: never): void;
  read(r: ByteReader): ResponseBody;
}

const responseCodecs: Record<Exclude<ResponseKind, 'none'>, ResponseCodec> = {
  create: { write: rec.writePathResponse, read: rec.readPathResponse },
  create2: { write: rec.writeCreate2Response, read: rec.readCreate2Response },
  stat: { write: rec.writeStatResponse, read: rec.readStatResponse },
  getData: { write: rec.writeGetDataResponse, read: rec.readGetDataResponse },
  getACL: { write: rec.writeGetACLResponse, read: rec.readGetACLResponse },
  children: { write: rec.writeChildrenResponse, read: rec.readChildrenResponse },
  children2: { write: rec.writeChildren2Response, read: rec.readChildren2Response },
  path: { write: rec.writePathResponse, read: rec.readPathResponse },
  ephemerals: { write: rec.writeEphemeralsResponse, read: rec.readEphemeralsResponse },
  allChildrenNumber: { write: rec.writeAllChildrenNumberResponse, read: rec.readAllChildrenNumberResponse },
  error: { write: rec.writeErrorResponse, read: rec.readErrorResponse },
  whoAmI: { write: rec.writeWhoAmIResponse, read: rec.readWhoAmIResponse },
  sasl: { write: rec.writeSaslResponse, read: rec.readSaslResponse },
  multi: { write: writeMultiResponse, read: readMultiResponse },
};

function sizeHint(body: ResponseBody): number {
  const data = body !== null && 'data' in body && body.data ? body.data.length : 0;
  return writerInitialBytes + data;
}

/**
 * A whole frame (length prefix included). The body is written only when `header.err == 0` and the
 * opcode's kind has a record; it is ignored otherwise (error replies carry no body).
 */
export function encodeReply(header: ReplyHeader, opcode: number, body: ResponseBody): Buffer {
  const kind = header.err === 0 ? responseKind(opcode) : 'none';
  const w = new ByteWriter(kind === 'none' ? 32 : sizeHint(body));
  w.beginFrame();
  writeReplyHeader(w, header);
  if (kind !== 'none') {
    if (body === null) throw new Error(`reply to opcode ${opcode} needs a ${kind} record`);
    responseCodecs[kind].write(w, body as never);
  }
  return w.finishFrame();
}

/** The ReplyHeader at the start of a frame body. Throws ProtocolError('header') if it is shorter than 16 bytes. */
export function decodeReplyHeader(body: Buffer): ReplyHeader {
  if (body.length < replyHeaderBytes) {
    throw new ProtocolError('header', `reply header needs ${replyHeaderBytes} bytes, got ${body.length}`);
  }
  return readReplyHeader(juteReader(body));
}

/**
 * The response record of a whole frame body (header included) answering a request of `opcode`.
 * null when err != 0 or the opcode has no response record. Throws ProtocolError('body') when malformed.
 */
export function decodeReplyBody(
  body: Buffer,
  opcode: number,
  frameBytesMax: number = frameBytesMaxDefault,
): ResponseBody {
  const header = decodeReplyHeader(body);
  if (header.err !== 0) return null;
  const kind = responseKind(opcode);
  if (kind === 'none') return null;
  return responseCodecs[kind].read(juteReader(body, replyHeaderBytes, frameBytesMax));
}

/** A whole notification frame: ReplyHeader{xid -1, zxid, err 0} + WatcherEvent. */
export function encodeNotification(zxid: number, event: WatcherEvent): Buffer {
  const w = new ByteWriter(32 + event.path.length * 3);
  w.beginFrame();
  writeReplyHeader(w, { xid: Xid.notification, zxid, err: 0 });
  writeWatcherEvent(w, event);
  return w.finishFrame();
}

/** Decodes a notification frame body (xid -1). Throws ProtocolError('header' | 'body'). */
export function decodeNotification(body: Buffer): { header: ReplyHeader; event: WatcherEvent } {
  const header = decodeReplyHeader(body);
  const event = readWatcherEvent(juteReader(body, replyHeaderBytes));
  return { header, event };
}
