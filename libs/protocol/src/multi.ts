/**
 * multi (14) and multiRead (22): a sequence of MultiHeader{type, done, err} + record pairs,
 * terminated by MultiHeader{-1, true, -1}. The same framing carries the request ops and the results.
 */
import { ProtocolError } from './errors';
import type { ByteReader, ByteWriter } from '@coord/bytes';
import {
  readCreate,
  readCreateTTL,
  readPathVersion,
  readPathWatch,
  readSetData,
  writeCreate,
  writeCreateTTL,
  writePathVersion,
  writePathWatch,
  writeSetData,
} from './request-records';
import {
  readChildrenResponse,
  readCreate2Response,
  readErrorResponse,
  readGetDataResponse,
  readPathResponse,
  readStatResponse,
  writeChildrenResponse,
  writeCreate2Response,
  writeErrorResponse,
  writeGetDataResponse,
  writePathResponse,
  writeStatResponse,
} from './response-records';
import type { MultiOp, MultiRequest, MultiResponse, MultiResult } from './types';

/** MultiHeader { int type; boolean done; int err }. */
function writeMultiHeader(w: ByteWriter, type: number, done: boolean, err: number): void {
  w.writeInt(type);
  w.writeBool(done);
  w.writeInt(err);
}

function writeDone(w: ByteWriter): void {
  writeMultiHeader(w, -1, true, -1);
}

export function writeMultiRequest(w: ByteWriter, req: MultiRequest): void {
  for (const op of req.ops) {
    writeMultiHeader(w, op.type, false, -1);
    writeMultiOp(w, op);
  }
  writeDone(w);
}

function writeMultiOp(w: ByteWriter, op: MultiOp): void {
  switch (op.type) {
    case 1:
    case 15:
    case 19:
      return writeCreate(w, op.request);
    case 21:
      return writeCreateTTL(w, op.request);
    case 2:
    case 13:
      return writePathVersion(w, op.request);
    case 5:
      return writeSetData(w, op.request);
    case 4:
    case 8:
      return writePathWatch(w, op.request);
    default:
      throw new Error(`op type ${(op as { type: number }).type} cannot appear in a multi request`);
  }
}

/** Read ops (getData, getChildren) may not be mixed with write ops in one record, as in ZooKeeper. */
function isReadOp(type: number): boolean {
  return type === 4 || type === 8;
}

/**
 * Reads ops until the done marker. Unknown op types and mixing read with write ops are body errors
 * (ZooKeeper's MultiOperationRecord throws IOException, which the server answers with MARSHALLINGERROR).
 */
export function readMultiRequest(r: ByteReader): MultiRequest {
  const ops: MultiOp[] = [];
  let sawRead = false;
  let sawWrite = false;
  for (;;) {
    const type = r.readInt();
    const done = r.readBool();
    r.readInt(); // err: always -1 in requests, carries nothing
    if (done) return { ops };
    const op = readMultiOp(r, type);
    if (isReadOp(type)) sawRead = true;
    else sawWrite = true;
    if (sawRead && sawWrite) throw new ProtocolError('body', 'multi mixes read and write operations');
    ops.push(op);
  }
}

function readMultiOp(r: ByteReader, type: number): MultiOp {
  switch (type) {
    case 1:
    case 15:
    case 19:
      return { type, request: readCreate(r) };
    case 21:
      return { type, request: readCreateTTL(r) };
    case 2:
    case 13:
      return { type, request: readPathVersion(r) };
    case 5:
      return { type, request: readSetData(r) };
    case 4:
    case 8:
      return { type, request: readPathWatch(r) };
    default:
      throw new ProtocolError('body', `invalid op type ${type} in multi`);
  }
}

export function writeMultiResponse(w: ByteWriter, res: MultiResponse): void {
  for (const result of res.results) {
    // The header's err mirrors an ErrorResult's code and is 0 for every other result.
    const err = result.type === -1 ? result.response.err : 0;
    writeMultiHeader(w, result.type, false, err);
    writeMultiResult(w, result);
  }
  writeDone(w);
}

function writeMultiResult(w: ByteWriter, result: MultiResult): void {
  switch (result.type) {
    case 1:
      return writePathResponse(w, result.response);
    case 15:
      return writeCreate2Response(w, result.response);
    case 2:
    case 13:
      return;
    case 5:
      return writeStatResponse(w, result.response);
    case 4:
      return writeGetDataResponse(w, result.response);
    case 8:
      return writeChildrenResponse(w, result.response);
    case -1:
      return writeErrorResponse(w, result.response);
    default:
      throw new Error(`result type ${(result as { type: number }).type} cannot appear in a multi response`);
  }
}

export function readMultiResponse(r: ByteReader): MultiResponse {
  const results: MultiResult[] = [];
  for (;;) {
    const type = r.readInt();
    const done = r.readBool();
    r.readInt(); // err: repeated in the ErrorResponse record of an error result
    if (done) return { results };
    results.push(readMultiResult(r, type));
  }
}

function readMultiResult(r: ByteReader, type: number): MultiResult {
  switch (type) {
    case 1:
      return { type, response: readPathResponse(r) };
    case 15:
      return { type, response: readCreate2Response(r) };
    case 2:
    case 13:
      return { type, response: null };
    case 5:
      return { type, response: readStatResponse(r) };
    case 4:
      return { type, response: readGetDataResponse(r) };
    case 8:
      return { type, response: readChildrenResponse(r) };
    case -1:
      return { type, response: readErrorResponse(r) };
    default:
      throw new ProtocolError('body', `invalid result type ${type} in multi response`);
  }
}
