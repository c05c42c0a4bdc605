import {
  decodeConnectRequest,
  decodeConnectResponse,
  decodeNotification,
  encodeConnectRequest,
  encodeConnectResponse,
  encodeNotification,
  ProtocolError,
  type ConnectRequest,
  type ConnectResponse,
} from './index';

const passwd = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
const request: ConnectRequest = {
  protocolVersion: 0,
  lastZxidSeen: 0x1_0000_0002,
  timeOut: 30000,
  sessionId: 0x0100_0a1b_2c3d_0001n,
  passwd,
};
const response: ConnectResponse = { protocolVersion: 0, timeOut: 4000, sessionId: 0xff00_0000_0000_0001n, passwd };

describe('ConnectRequest', () => {
  it('is 44 bytes without readOnly (node-zookeeper-client) and 45 with it (Java, C, kazoo)', () => {
    const old = encodeConnectRequest(request);
    const current = encodeConnectRequest({ ...request, readOnly: false });
    expect(old.readInt32BE(0)).toBe(44);
    expect(current.readInt32BE(0)).toBe(45);
    expect(current.subarray(0, 48).subarray(4)).toEqual(old.subarray(4));
  });

  it('round-trips with and without the readOnly byte', () => {
    for (const req of [request, { ...request, readOnly: false }, { ...request, readOnly: true }]) {
      const frame = encodeConnectRequest(req);
      const decoded = decodeConnectRequest(frame.subarray(4));
      expect(decoded).toEqual(req);
      expect('readOnly' in decoded).toBe(req.readOnly !== undefined);
      expect(encodeConnectRequest(decoded)).toEqual(frame);
    }
  });

  it('matches the Java 3.9 example frame byte for byte', () => {
    const frame = encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0, timeOut: 30000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false });
    expect(frame.toString('hex')).toBe('0000002d' + '00000000' + '0'.repeat(16) + '00007530' + '0'.repeat(16) + '00000010' + '00'.repeat(16) + '00');
  });

  it('throws ProtocolError(body) when truncated before passwd ends', () => {
    const body = encodeConnectRequest(request).subarray(4);
    for (let n = 0; n < body.length; n++) {
      expect(() => decodeConnectRequest(body.subarray(0, n))).toThrow(ProtocolError);
    }
  });
});

describe('ConnectResponse', () => {
  it('is 36 bytes without readOnly and 37 with it', () => {
    expect(encodeConnectResponse(response).readInt32BE(0)).toBe(36);
    expect(encodeConnectResponse({ ...response, readOnly: false }).length).toBe(41);
  });

  it('round-trips with and without the readOnly byte, session ids above 2^63 included', () => {
    for (const res of [response, { ...response, readOnly: false }, { ...response, readOnly: true }]) {
      const frame = encodeConnectResponse(res);
      const decoded = decodeConnectResponse(frame.subarray(4));
      expect(decoded).toEqual(res);
      expect(encodeConnectResponse(decoded)).toEqual(frame);
    }
  });

  it('encodes the expired-session answer: timeOut 0, sessionId 0, 16 zero bytes', () => {
    const frame = encodeConnectResponse({ protocolVersion: 0, timeOut: 0, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false });
    expect(frame.toString('hex')).toBe('00000025' + '0'.repeat(16) + '0'.repeat(16) + '00000010' + '00'.repeat(17));
  });

  it('accepts a signed sessionId on encode and decodes it unsigned', () => {
    const frame = encodeConnectResponse({ ...response, sessionId: -1n });
    expect(decodeConnectResponse(frame.subarray(4)).sessionId).toBe(0xffff_ffff_ffff_ffffn);
  });
});

describe('notifications', () => {
  it('round-trips with xid -1 and the given zxid', () => {
    for (const zxid of [-1, 0x5_0000_0001]) {
      const frame = encodeNotification(zxid, { type: 4, state: 3, path: '/a/b' });
      const body = frame.subarray(4);
      expect(body.readInt32BE(0)).toBe(-1);
      expect(decodeNotification(body)).toEqual({ header: { xid: -1, zxid, err: 0 }, event: { type: 4, state: 3, path: '/a/b' } });
    }
  });

  it('throws ProtocolError on a truncated event', () => {
    const body = encodeNotification(1, { type: 1, state: 3, path: '/x' }).subarray(4);
    for (let n = 0; n < body.length; n++) expect(() => decodeNotification(body.subarray(0, n))).toThrow(ProtocolError);
  });
});
