// The opcode table covers every OpCode, and every map derived from it says what the table says:
// request records, reply records, multi membership, isWrite, the front's handling and the lop names.
import { ByteWriter } from '@coord/bytes';
import {
  decodeReplyBody,
  decodeRequest,
  encodeReply,
  encodeRequest,
  handlingOf,
  isKnownRequestOpcode,
  isWrite,
  lastOpName,
  OpCode,
  operationList,
  operationOf,
  operations,
  ProtocolError,
  responseKind,
  UnknownOpcodeError,
  type MultiOp,
  type OpCodeName,
  type Request,
} from './index';
import { sampleMultiOps, sampleReadOps, sampleRequests } from './fixtures';

const names = Object.keys(OpCode) as OpCodeName[];

describe('the opcode table', () => {
  it('has one row per OpCode, with its code, and no other', () => {
    expect(Object.keys(operations).sort()).toEqual([...names].sort());
    for (const name of names) expect(operations[name].code).toBe(OpCode[name]);
    expect(operationList.map((o) => o.name)).toEqual(Object.keys(operations));
    expect(new Set(operationList.map((o) => o.code)).size).toBe(names.length);
    for (const o of operationList) expect(operationOf(o.code)).toEqual(o);
    expect(operationOf(999)).toBeUndefined();
  });

  it('gives every operation a client sends a request record, and none to the others', () => {
    for (const o of operationList) {
      expect([o.name, isKnownRequestOpcode(o.code)]).toEqual([o.name, o.request !== undefined]);
      expect([o.name, o.request === undefined]).toEqual([o.name, o.handling === 'none']);
    }
    // The sample requests cover every operation a client sends.
    const sampled = new Set(sampleRequests.map((r) => r.type));
    expect(operationList.filter((o) => o.request !== undefined && !sampled.has(o.code as never)).map((o) => o.name)).toEqual([]);
  });

  it('decodes each request with the record its row names (encode -> decode is the identity)', () => {
    for (const req of sampleRequests) {
      const frame = encodeRequest(7, req);
      expect(decodeRequest(frame.subarray(4)).request).toEqual(req);
      const row = operationOf(req.type)!;
      if (row.request === null) expect(frame.length).toBe(12);
      else {
        const w = new ByteWriter();
        row.request!.write(w, req.body as never);
        expect(frame.subarray(12)).toEqual(w.view());
      }
    }
  });

  it('refuses the opcodes with no request record as unknown', () => {
    for (const o of operationList.filter((x) => x.request === undefined)) {
      const body = Buffer.alloc(8);
      body.writeInt32BE(1, 0);
      body.writeInt32BE(o.code, 4);
      expect(() => decodeRequest(body)).toThrow(UnknownOpcodeError);
    }
  });

  it('answers each opcode with the response record its row names', () => {
    for (const o of operationList) expect([o.name, responseKind(o.code)]).toEqual([o.name, o.response]);
    for (const o of operationList.filter((x) => x.response === 'none')) {
      expect(encodeReply({ xid: 1, zxid: 2, err: 0 }, o.code, null).length).toBe(20);
    }
    const frame = encodeReply({ xid: 1, zxid: 2, err: 0 }, OpCode.getAllChildrenNumber, { totalNumber: 3 });
    expect(decodeReplyBody(frame.subarray(4), OpCode.getAllChildrenNumber)).toEqual({ totalNumber: 3 });
  });

  it('lets exactly the inMulti ops into multi and multiRead, never mixed', () => {
    const inMulti = operationList.filter((o) => o.inMulti !== false);
    const sampled = new Set([...sampleMultiOps, ...sampleReadOps].map((op) => op.type));
    expect(inMulti.filter((o) => !sampled.has(o.code as never)).map((o) => o.name)).toEqual([]);
    for (const op of [...sampleMultiOps, ...sampleReadOps]) expect(operationOf(op.type)!.inMulti).not.toBe(false);
    const multi = (ops: MultiOp[]): Request => ({ type: OpCode.multi, body: { ops } });
    for (const op of sampleMultiOps) expect(decodeRequest(encodeRequest(1, multi([op])).subarray(4)).request).toEqual(multi([op]));
    const mixed = encodeRequest(1, multi([sampleMultiOps[0], sampleReadOps[0]]));
    expect(() => decodeRequest(mixed.subarray(4))).toThrow(ProtocolError);
    for (const o of operationList.filter((x) => x.inMulti === false)) {
      expect(() => encodeRequest(1, multi([{ type: o.code, request: { path: '/a' } } as never]))).toThrow(/cannot appear in a multi/);
    }
  });

  it('derives isWrite, the handling and the lop names from the rows', () => {
    for (const o of operationList) {
      expect([o.name, isWrite(o.code)]).toEqual([o.name, o.handling === 'write']);
      expect([o.name, handlingOf(o.code)]).toEqual([o.name, o.handling]);
      expect([o.name, lastOpName(o.code)]).toEqual([o.name, o.lastOp ?? 'NA']);
    }
    expect(operationList.filter((o) => isWrite(o.code)).map((o) => o.name).sort()).toEqual(
      ['create', 'create2', 'createContainer', 'createTTL', 'delete', 'deleteContainer', 'multi', 'reconfig', 'setACL', 'setData'],
    );
    expect([isWrite(999), handlingOf(999), lastOpName(999)]).toEqual([false, 'none', 'NA']);
  });

  // The `lop` column as ZooKeeper's FinalRequestProcessor names each opcode (cons, mntr).
  it.each([
    [11, 'PING'], [-10, 'SESS'], [14, 'MULT'], [22, 'MLTR'], [1, 'CREA'], [15, 'CREA'], [19, 'CREA'], [21, 'CREA'],
    [2, 'DELE'], [5, 'SETD'], [7, 'SETA'], [-11, 'CLOS'], [9, 'SYNC'], [13, 'CHEC'], [3, 'EXIS'], [4, 'GETD'],
    [101, 'SETW'], [105, 'STW2'], [106, 'ADDW'], [6, 'GETA'], [8, 'GETC'], [12, 'GETC'], [104, 'GETACN'], [17, 'CHKW'],
    [18, 'REMW'], [107, 'HOMI'], [103, 'GETE'], [100, 'NA'], [999, 'NA'],
  ])('lastOpName(%p) is %s', (op, name) => expect(lastOpName(op)).toBe(name));
});
