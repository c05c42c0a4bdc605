import {
  decodeReplyBody,
  decodeReplyHeader,
  decodeRequest,
  encodeReply,
  encodeRequest,
  FrameParser,
  ProtocolError,
  responseKind,
  UnknownOpcodeError,
  type Request,
} from './index';
import { headerOnlyOpcodes, sampleMultiOps, sampleReadOps, sampleRequests, sampleResponses, sampleStat } from './fixtures';

/** The frame body (without the length prefix), checking the prefix on the way. */
function bodyOf(frame: Buffer): Buffer {
  expect(frame.readInt32BE(0)).toBe(frame.length - 4);
  return frame.subarray(4);
}

function expectProtocolError(fn: () => unknown, kind: string): ProtocolError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    expect((e as ProtocolError).kind).toBe(kind);
    return e as ProtocolError;
  }
  throw new Error('expected a ProtocolError');
}

const label = (r: Request, i: number) => `#${i} opcode ${r.type}`;

describe('requests', () => {
  it.each(sampleRequests.map((r, i) => [label(r, i), r] as const))('%s round-trips', (_name, req) => {
    const frame = encodeRequest(0x12345678, req);
    const { header, request } = decodeRequest(bodyOf(frame));
    expect(header).toEqual({ xid: 0x12345678, type: req.type });
    expect(request).toEqual(req);
    expect(encodeRequest(0x12345678, request)).toEqual(frame);
  });

  it('keeps null and empty data apart', () => {
    const nul = decodeRequest(bodyOf(encodeRequest(1, { type: 5, body: { path: '/a', data: null, version: 0 } })));
    const empty = decodeRequest(bodyOf(encodeRequest(1, { type: 5, body: { path: '/a', data: Buffer.alloc(0), version: 0 } })));
    expect((nul.request.body as { data: Buffer | null }).data).toBeNull();
    expect((empty.request.body as { data: Buffer | null }).data).toEqual(Buffer.alloc(0));
  });

  it('writes ping as the 8-byte header alone, with xid -2', () => {
    expect(encodeRequest(-2, { type: 11, body: null }).toString('hex')).toBe('00000008fffffffe0000000b');
  });

  it('writes getData byte for byte', () => {
    expect(encodeRequest(1, { type: 4, body: { path: '/a', watch: true } }).toString('hex')).toBe(
      '0000000f' + '00000001' + '00000004' + '00000002' + '2f61' + '01',
    );
  });

  it('frames multi ops with MultiHeader{type, false, -1} and ends with {-1, true, -1}', () => {
    const frame = encodeRequest(3, { type: 14, body: { ops: [{ type: 2, request: { path: '/d', version: -1 } }] } });
    expect(bodyOf(frame).subarray(8).toString('hex')).toBe(
      '00000002' + '00' + 'ffffffff' + '00000002' + '2f64' + 'ffffffff' + 'ffffffff' + '01' + 'ffffffff',
    );
  });

  it('decodes a null ustring as the empty string (kazoo sends "" as -1)', () => {
    const body = Buffer.from('00000001' + '00000006' + 'ffffffff', 'hex');
    expect(decodeRequest(body).request).toEqual({ type: 6, body: { path: '' } });
  });

  it('decodes a null vector as empty', () => {
    const body = Buffer.from('00000001' + '00000007' + '000000012f' + 'ffffffff' + '00000000', 'hex');
    expect(decodeRequest(body).request).toEqual({ type: 7, body: { path: '/', acl: [], version: 0 } });
  });

  it('throws ProtocolError(header) for a body shorter than a RequestHeader', () => {
    for (let n = 0; n < 8; n++) expectProtocolError(() => decodeRequest(Buffer.alloc(n)), 'header');
  });

  it('throws UnknownOpcodeError carrying the header for opcodes without a record', () => {
    for (const type of [0, 10, 23, 99, 108, -10, -1, 999]) {
      const body = Buffer.alloc(12);
      body.writeInt32BE(77, 0);
      body.writeInt32BE(type, 4);
      const e = expectProtocolError(() => decodeRequest(body), 'header');
      expect(e).toBeInstanceOf(UnknownOpcodeError);
      expect(e.header).toEqual({ xid: 77, type });
      expect((e as UnknownOpcodeError).code).toBe(-6);
    }
  });

  it.each(sampleRequests.filter((r) => r.body !== null).map((r, i) => [label(r, i), r] as const))(
    '%s truncated at every offset throws ProtocolError(body) with the header',
    (_name, req) => {
      const body = bodyOf(encodeRequest(9, req));
      for (let n = 8; n < body.length; n++) {
        const e = expectProtocolError(() => decodeRequest(body.subarray(0, n)), 'body');
        expect(e.header).toEqual({ xid: 9, type: req.type });
      }
    },
  );

  it('rejects unreasonable string and buffer lengths', () => {
    const negative = Buffer.from('00000001' + '00000006' + 'fffffffe', 'hex');
    expectProtocolError(() => decodeRequest(negative), 'body');
    const huge = Buffer.from('00000001' + '00000006' + '00100000', 'hex');
    expect(expectProtocolError(() => decodeRequest(huge), 'body').message).toMatch(/unreasonable/);
    const data = Buffer.from('00000001' + '00000005' + '000000012f' + '00000010' + '00', 'hex');
    expectProtocolError(() => decodeRequest(data, 8), 'body');
  });

  it('rejects an absurd vector count before allocating', () => {
    const body = Buffer.from('00000001' + '00000008' + '000000012f' + '00', 'hex');
    expect(decodeRequest(body).request.type).toBe(8);
    const setWatches = Buffer.from('00000001' + '00000065' + '0000000000000000' + '000fffff', 'hex');
    expectProtocolError(() => decodeRequest(setWatches), 'body');
  });

  it('rejects multi op types that ZooKeeper refuses, and mixed read/write ops', () => {
    const bad = bodyOf(encodeRequest(1, { type: 14, body: { ops: [] } }));
    bad.writeInt32BE(9, 8); // first MultiHeader.type = sync
    bad.writeUInt8(0, 12); // done = false
    expectProtocolError(() => decodeRequest(bad), 'body');
    const mixed = encodeRequest(1, { type: 14, body: { ops: [sampleMultiOps[4], sampleReadOps[0]] } });
    expect(expectProtocolError(() => decodeRequest(bodyOf(mixed)), 'body').header).toEqual({ xid: 1, type: 14 });
  });

  it('ignores bytes after the record, as ZooKeeper does', () => {
    const body = Buffer.concat([bodyOf(encodeRequest(1, { type: 9, body: { path: '/a' } })), Buffer.from([1, 2, 3])]);
    expect(decodeRequest(body).request).toEqual({ type: 9, body: { path: '/a' } });
  });

  it('copies buffer fields so decoded data does not alias the frame', () => {
    const body = bodyOf(encodeRequest(1, { type: 5, body: { path: '/a', data: Buffer.from('abc'), version: 0 } }));
    const data = (decodeRequest(body).request.body as { data: Buffer }).data;
    body.fill(0);
    expect(data.toString()).toBe('abc');
  });
});

describe('replies', () => {
  it.each(sampleResponses.map(([op, b], i) => [`#${i} opcode ${op}`, op, b] as const))(
    '%s round-trips',
    (_name, opcode, resBody) => {
      const header = { xid: 42, zxid: 0x3_0000_0010, err: 0 };
      const frame = encodeReply(header, opcode, resBody);
      const body = bodyOf(frame);
      expect(decodeReplyHeader(body)).toEqual(header);
      const decoded = decodeReplyBody(body, opcode);
      expect(decoded).toEqual(resBody);
      expect(encodeReply(header, opcode, decoded)).toEqual(frame);
    },
  );

  it.each(sampleResponses.map(([op, b], i) => [`#${i} opcode ${op}`, op, b] as const))(
    '%s truncated at every offset throws ProtocolError(body)',
    (_name, opcode, resBody) => {
      const body = bodyOf(encodeReply({ xid: 1, zxid: 1, err: 0 }, opcode, resBody));
      for (let n = 16; n < body.length; n++) expectProtocolError(() => decodeReplyBody(body.subarray(0, n), opcode), 'body');
      for (let n = 0; n < 16; n++) expectProtocolError(() => decodeReplyBody(body.subarray(0, n), opcode), 'header');
    },
  );

  it('writes no body on error, whatever body is given', () => {
    const frame = encodeReply({ xid: 5, zxid: -1, err: -101 }, 4, { data: Buffer.from('x'), stat: sampleStat });
    expect(frame.toString('hex')).toBe('00000010' + '00000005' + 'ffffffffffffffff' + 'ffffff9b');
    expect(decodeReplyBody(bodyOf(frame), 4)).toBeNull();
    expect(decodeReplyHeader(bodyOf(frame))).toEqual({ xid: 5, zxid: -1, err: -101 });
  });

  it.each(headerOnlyOpcodes)('opcode %i replies with the header alone', (opcode) => {
    expect(responseKind(opcode)).toBe('none');
    const frame = encodeReply({ xid: 1, zxid: 2, err: 0 }, opcode, null);
    expect(frame.length).toBe(20);
    expect(decodeReplyBody(bodyOf(frame), opcode)).toBeNull();
  });

  it('maps opcodes to response records as ZooKeeper does', () => {
    expect([1, 15, 19, 21, 3, 5, 7, 4, 16, 106].map(responseKind)).toEqual([
      'create', 'create2', 'create2', 'create2', 'stat', 'stat', 'stat', 'getData', 'getData', 'error',
    ]);
    expect(responseKind(999)).toBe('none');
  });

  it('writes addWatch success as a 4-byte ErrorResponse{0}', () => {
    const frame = encodeReply({ xid: 1, zxid: 2, err: 0 }, 106, { err: 0 });
    expect(frame.length).toBe(24);
  });

  it('writes ErrorResult headers with the error code and other results with 0', () => {
    const body = bodyOf(
      encodeReply({ xid: 1, zxid: 1, err: 0 }, 14, { results: [{ type: 2, response: null }, { type: -1, response: { err: -101 } }] }),
    );
    expect(body.subarray(16).toString('hex')).toBe(
      '00000002' + '00' + '00000000' + 'ffffffff' + '00' + 'ffffff9b' + 'ffffff9b' + 'ffffffff' + '01' + 'ffffffff',
    );
  });

  it('a reply stream of many frames parses back in order', () => {
    const frames = sampleResponses.map(([op, b], i) => encodeReply({ xid: i, zxid: i, err: 0 }, op, b));
    const bodies = new FrameParser().push(Buffer.concat(frames));
    expect(bodies.map((b, i) => decodeReplyBody(b, sampleResponses[i][0]))).toEqual(sampleResponses.map(([, b]) => b));
  });
});
