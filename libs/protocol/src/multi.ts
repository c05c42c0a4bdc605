/**
 * multi (14) and multiRead (22): a sequence of MultiHeader{type, done, err} + record pairs,
 * terminated by MultiHeader{-1, true, -1}. The same framing carries the request ops and the results.
 */
import { ProtocolError } from './errors';
import type { ByteReader, ByteWriter } from '@coord/bytes';
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
import type { AnyRecordCodec } from './operations';
import { OpCode, type MultiOp, type MultiRequest, type MultiResponse, type MultiResult } from './types';

/** The type of the MultiHeader that ends the sequence (with done = true, err = -1). */
const doneMarkerType = -1;

/** MultiHeader { int type; boolean done; int err }. */
function writeMultiHeader(w: ByteWriter, type: number, done: boolean, err: number): void {
  w.writeInt(type);
  w.writeBool(done);
  w.writeInt(err);
}

function writeDone(w: ByteWriter): void {
  writeMultiHeader(w, doneMarkerType, true, -1);
}

/** How one op inside multi / multiRead is coded, from the opcode table (see operations.ts). */
export interface MultiOpCodec {
  codec: AnyRecordCodec;
  /** Read ops (getData, getChildren) may not be mixed with write ops in one record, as in ZooKeeper. */
  inMulti: 'write' | 'read';
}

export function writeMultiRequest(w: ByteWriter, req: MultiRequest, opOf: (type: number) => MultiOpCodec | undefined): void {
  for (const op of req.ops) {
    const coded = opOf(op.type);
    if (coded === undefined) throw new Error(`op type ${op.type} cannot appear in a multi request`);
    writeMultiHeader(w, op.type, false, -1);
    coded.codec.write(w, op.request as never);
  }
  writeDone(w);
}

/**
 * Reads ops until the done marker. Unknown op types and mixing read with write ops are body errors
 * (ZooKeeper's MultiOperationRecord throws IOException, which the server answers with MARSHALLINGERROR).
 */
export function readMultiRequest(r: ByteReader, opOf: (type: number) => MultiOpCodec | undefined): MultiRequest {
  const ops: MultiOp[] = [];
  let sawRead = false;
  let sawWrite = false;
  for (;;) {
    const type = r.readInt();
    const done = r.readBool();
    r.readInt(); // err: always -1 in requests, carries nothing
    if (done) return { ops };
    const coded = opOf(type);
    if (coded === undefined) throw new ProtocolError('body', `invalid op type ${type} in multi`);
    const op = { type, request: coded.codec.read(r) } as MultiOp;
    if (coded.inMulti === 'read') sawRead = true;
    else sawWrite = true;
    if (sawRead && sawWrite) throw new ProtocolError('body', 'multi mixes read and write operations');
    ops.push(op);
  }
}

export function writeMultiResponse(w: ByteWriter, res: MultiResponse): void {
  for (const result of res.results) {
    // The header's err mirrors an ErrorResult's code and is 0 for every other result.
    const err = result.type === OpCode.error ? result.response.err : 0;
    writeMultiHeader(w, result.type, false, err);
    writeMultiResult(w, result);
  }
  writeDone(w);
}

function writeMultiResult(w: ByteWriter, result: MultiResult): void {
  switch (result.type) {
    case OpCode.create:
      return writePathResponse(w, result.response);
    case OpCode.create2:
      return writeCreate2Response(w, result.response);
    case OpCode.delete:
    case OpCode.check:
      return;
    case OpCode.setData:
      return writeStatResponse(w, result.response);
    case OpCode.getData:
      return writeGetDataResponse(w, result.response);
    case OpCode.getChildren:
      return writeChildrenResponse(w, result.response);
    case OpCode.error:
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
    case OpCode.create:
      return { type, response: readPathResponse(r) };
    case OpCode.create2:
      return { type, response: readCreate2Response(r) };
    case OpCode.delete:
    case OpCode.check:
      return { type, response: null };
    case OpCode.setData:
      return { type, response: readStatResponse(r) };
    case OpCode.getData:
      return { type, response: readGetDataResponse(r) };
    case OpCode.getChildren:
      return { type, response: readChildrenResponse(r) };
    case OpCode.error:
      return { type, response: readErrorResponse(r) };
    default:
      throw new ProtocolError('body', `invalid result type ${type} in multi response`);
  }
}
