/**
 * Golden frames captured from Apache ZooKeeper 3.8.0 and its Java and C clients by
 * tools/golden/capture.sh. Proves that FrameParser + decode* read real traffic into the records we
 * expect, and that encode* reproduces every captured frame byte for byte.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  decodeConnectRequest,
  decodeConnectResponse,
  decodeNotification,
  decodeReplyBody,
  decodeReplyHeader,
  decodeRequest,
  encodeConnectRequest,
  encodeConnectResponse,
  encodeNotification,
  encodeReply,
  encodeRequest,
  FrameParser,
  fourLetterWordOf,
  OpCode,
  Xid,
  type ConnectRequest,
  type ConnectResponse,
  type ReplyHeader,
  type Request,
  type ResponseBody,
  type WatcherEvent,
} from './index';

const goldenDir = path.join(__dirname, '..', 'test', 'golden');

interface Golden {
  name: string;
  command: string;
  c2s: string;
  s2c: string;
}

interface Reply {
  header: ReplyHeader;
  opcode: number;
  body: ResponseBody;
  event?: WatcherEvent;
}

interface Conversation {
  connectRequest: ConnectRequest;
  connectResponse: ConnectResponse;
  requests: { xid: number; request: Request }[];
  replies: Reply[];
}

function load(name: string): Golden {
  return JSON.parse(fs.readFileSync(path.join(goldenDir, `${name}.json`), 'utf8')) as Golden;
}

function withPrefix(body: Buffer): Buffer {
  const frame = Buffer.alloc(4 + body.length);
  frame.writeInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/** Decodes both directions and checks that re-encoding each record reproduces its frame exactly. */
function replay(g: Golden): Conversation {
  const c2s = new FrameParser().push(Buffer.from(g.c2s, 'hex'));
  const s2c = new FrameParser().push(Buffer.from(g.s2c, 'hex'));
  expect(Buffer.concat(c2s.map(withPrefix))).toEqual(Buffer.from(g.c2s, 'hex'));
  expect(Buffer.concat(s2c.map(withPrefix))).toEqual(Buffer.from(g.s2c, 'hex'));

  const connectRequest = decodeConnectRequest(c2s[0]);
  expect(encodeConnectRequest(connectRequest)).toEqual(withPrefix(c2s[0]));
  const connectResponse = decodeConnectResponse(s2c[0]);
  expect(encodeConnectResponse(connectResponse)).toEqual(withPrefix(s2c[0]));

  const opcodeByXid = new Map<number, number>([
    [Xid.ping, OpCode.ping],
    [Xid.auth, OpCode.auth],
  ]);
  const requests = c2s.slice(1).map((body) => {
    const { header, request } = decodeRequest(body);
    expect(encodeRequest(header.xid, request)).toEqual(withPrefix(body));
    opcodeByXid.set(header.xid, header.type);
    return { xid: header.xid, request };
  });

  const replies = s2c.slice(1).map((body): Reply => {
    const header = decodeReplyHeader(body);
    if (header.xid === Xid.notification) {
      const n = decodeNotification(body);
      expect(encodeNotification(n.header.zxid, n.event)).toEqual(withPrefix(body));
      return { header, opcode: OpCode.notification, body: null, event: n.event };
    }
    const opcode = opcodeByXid.get(header.xid);
    if (opcode === undefined) throw new Error(`${g.name}: reply to unknown xid ${header.xid}`);
    const decoded = decodeReplyBody(body, opcode);
    expect(encodeReply(header, opcode, decoded)).toEqual(withPrefix(body));
    return { header, opcode, body: decoded };
  });
  return { connectRequest, connectResponse, requests, replies };
}

const allConversations = fs
  .readdirSync(goldenDir)
  .filter((f) => f.endsWith('.json') && !f.startsWith('fourletter'))
  .map((f) => f.replace(/\.json$/, ''));

describe('golden frames from ZooKeeper 3.8.0', () => {
  it('has the captured conversations', () => {
    expect(allConversations.length).toBeGreaterThanOrEqual(14);
  });

  it.each(allConversations)('%s decodes and re-encodes byte for byte', (name) => {
    const conv = replay(load(name));
    // Every request except closeSession and ping gets exactly one reply, in order (notifications aside).
    const answered = conv.replies.filter((r) => r.header.xid !== Xid.notification);
    expect(answered.map((r) => r.header.xid)).toEqual(conv.requests.map((r) => r.xid).slice(0, answered.length));
  });

  it('Java client handshake: 45-byte request with readOnly, 37-byte response with 16-byte passwd', () => {
    const g = load('java-driver-1');
    const [req] = new FrameParser().push(Buffer.from(g.c2s, 'hex'));
    const [res] = new FrameParser().push(Buffer.from(g.s2c, 'hex'));
    expect(req.length).toBe(45);
    expect(res.length).toBe(37);
    const conv = replay(g);
    expect(conv.connectRequest).toMatchObject({ protocolVersion: 0, lastZxidSeen: 0, timeOut: 4000, sessionId: 0n, readOnly: false });
    expect(conv.connectRequest.passwd).toEqual(Buffer.alloc(16));
    expect(conv.connectResponse.timeOut).toBe(4000);
    expect(conv.connectResponse.sessionId).not.toBe(0n);
    expect(conv.connectResponse.passwd.length).toBe(16);
    expect(conv.connectResponse.readOnly).toBe(false);
  });

  it('Java client reconnect carries the session id, passwd and lastZxidSeen', () => {
    const first = replay(load('java-driver-1'));
    const second = replay(load('java-driver-2'));
    expect(second.connectRequest.sessionId).toBe(first.connectResponse.sessionId);
    expect(second.connectRequest.passwd).toEqual(first.connectResponse.passwd);
    const lastZxid = Math.max(...first.replies.map((r) => r.header.zxid));
    expect(second.connectRequest.lastZxidSeen).toBe(lastZxid);
  });

  it('first Java connection: creates of every kind and reads', () => {
    const conv = replay(load('java-driver-1'));
    const types = conv.requests.map((r) => r.request.type);
    expect(types).toEqual(expect.arrayContaining([1, 15, 19, 21, 3, 4, 8, 12, 6, 7]));
    const create = conv.requests.find((r) => r.request.type === 1)!.request;
    expect(create.body).toEqual({
      path: '/g',
      data: Buffer.from('hello'),
      acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }],
      flags: 0,
    });
    const create2 = conv.requests.find((r) => r.request.type === 15)!.request;
    expect(create2.body).toMatchObject({ path: '/g/c2', data: null });
    const ttl = conv.requests.find((r) => r.request.type === 21)!.request;
    expect(ttl.body).toMatchObject({ path: '/ttl', flags: 5, ttl: 60000 });
    const container = conv.requests.find((r) => r.request.type === 19)!.request;
    expect(container.body).toMatchObject({ path: '/cont', flags: 4 });

    const byOp = (op: number) => conv.replies.filter((r) => r.opcode === op);
    // createContainer and createTTL are answered with Create2Response.
    expect(byOp(19)[0].body).toMatchObject({ path: '/cont', stat: { dataLength: 1 } });
    expect(byOp(21)[0].body).toMatchObject({ path: '/ttl', stat: { dataLength: 1, ephemeralOwner: 0n } });
    const seq = byOp(1).find((r) => r.header.err === 0 && (r.body as { path: string }).path.startsWith('/g/e-'));
    expect((seq!.body as { path: string }).path).toBe('/g/e-0000000001');
    expect(byOp(1).some((r) => r.header.err === -110 && r.body === null)).toBe(true);
    expect(byOp(4).find((r) => r.header.err === 0)!.body).toMatchObject({ data: Buffer.from('hello') });
    expect(byOp(4).find((r) => r.header.err !== 0)!.header.err).toBe(-101);
    // exists on a missing node: NONODE with no body.
    expect(byOp(3).map((r) => r.header.err).sort()).toEqual([-101, 0]);
    expect(byOp(6)[0].body).toMatchObject({ acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }] });
    const children = (byOp(8)[0].body as { children: string[] }).children.sort();
    expect(children).toEqual(['c2', 'e-0000000001']);
  });

  it('second Java connection: SetWatches, notifications (zxid -1 in 3.8), multi and multiRead', () => {
    const conv = replay(load('java-driver-2'));
    const setWatches = conv.requests.find((r) => r.request.type === OpCode.setWatches)!.request;
    expect(setWatches.body).toMatchObject({ dataWatches: ['/g'], existWatches: ['/missing'], childWatches: ['/g'] });
    const events = conv.replies.filter((r) => r.event).map((r) => ({ zxid: r.header.zxid, ...r.event }));
    expect(events).toEqual([
      { zxid: -1, type: 3, state: 3, path: '/g' },
      { zxid: -1, type: 4, state: 3, path: '/g' },
    ]);

    const multis = conv.requests.filter((r) => r.request.type === OpCode.multi);
    expect(multis[0].request.body).toMatchObject({ ops: [{ type: 1 }, { type: 5 }, { type: 13 }, { type: 2 }, { type: 1 }] });
    const multiReplies = conv.replies.filter((r) => r.opcode === OpCode.multi);
    expect(multiReplies.map((r) => r.header.err)).toEqual([0, 0]);
    expect(multiReplies[0].body).toMatchObject({
      results: [{ type: 1, response: { path: '/m' } }, { type: 5 }, { type: 13, response: null }, { type: 2, response: null }, { type: 1 }],
    });
    // A failed multi: ErrorResult(0) before the failure, the code at it, RUNTIMEINCONSISTENCY after it.
    expect(multiReplies[1].body).toEqual({
      results: [
        { type: -1, response: { err: 0 } },
        { type: -1, response: { err: -103 } },
        { type: -1, response: { err: -2 } },
      ],
    });
    const multiRead = conv.replies.find((r) => r.opcode === OpCode.multiRead)!;
    expect(multiRead.body).toMatchObject({
      results: [{ type: 4, response: { data: Buffer.from('world') } }, { type: 8 }, { type: -1, response: { err: -101 } }],
    });
    const addWatch = conv.replies.filter((r) => r.opcode === OpCode.addWatch);
    expect(addWatch.map((r) => r.body)).toEqual([{ err: 0 }, { err: 0 }]);
  });

  it('third Java connection: SetWatches2, watch removal, auth, whoAmI, pings, closeSession', () => {
    const conv = replay(load('java-driver-3'));
    const setWatches2 = conv.requests.find((r) => r.request.type === OpCode.setWatches2)!.request;
    expect(setWatches2.body).toMatchObject({
      dataWatches: ['/g/n'],
      persistentWatches: ['/g'],
      persistentRecursiveWatches: ['/cont'],
    });
    const types = conv.requests.map((r) => r.request.type);
    expect(types).toEqual(expect.arrayContaining([17, 18, 103, 104, 100, 107, 11, -11]));
    const auth = conv.requests.find((r) => r.request.type === OpCode.auth)!;
    expect(auth.xid).toBe(Xid.auth);
    expect(auth.request.body).toEqual({ type: 0, scheme: 'digest', auth: Buffer.from('user:pass') });
    expect(conv.replies.find((r) => r.opcode === OpCode.removeWatches && r.header.err !== 0)!.header.err).toBe(-121);
    expect(conv.replies.find((r) => r.opcode === OpCode.getEphemerals)!.body).toEqual({ ephemerals: ['/g/e-0000000001'] });
    expect(conv.replies.find((r) => r.opcode === OpCode.getAllChildrenNumber)!.body).toMatchObject({ totalNumber: expect.any(Number) });
    expect(conv.replies.find((r) => r.opcode === OpCode.whoAmI)!.body).toEqual({
      clientInfo: [
        { authScheme: 'ip', user: '127.0.0.1' },
        { authScheme: 'digest', user: 'user' },
      ],
    });
    const pings = conv.replies.filter((r) => r.opcode === OpCode.ping);
    expect(pings.length).toBeGreaterThan(0);
    expect(pings.every((r) => r.header.xid === Xid.ping && r.body === null)).toBe(true);
    expect(conv.requests[conv.requests.length - 1].request).toEqual({ type: -11, body: null });
  });

  it('zkCli one-shot commands', () => {
    const create = replay(load('zkcli-create'));
    expect(create.requests[0].request).toEqual({
      type: 1,
      body: { path: '/x', data: Buffer.from('data'), acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], flags: 0 },
    });
    expect(create.replies[0].body).toEqual({ path: '/x' });
    const get = replay(load('zkcli-get'));
    expect(get.requests[0].request).toEqual({ type: 4, body: { path: '/x', watch: false } });
    expect(get.replies[0].body).toMatchObject({ data: Buffer.from('data'), stat: { dataLength: 4, version: 0 } });
    const set = replay(load('zkcli-set'));
    expect(set.replies[0].body).toMatchObject({ stat: { version: 1, dataLength: 3 } });
    const missing = replay(load('zkcli-get-missing'));
    expect(missing.replies[0].header.err).toBe(-101);
    expect(missing.replies[0].body).toBeNull();
  });

  it('C client: 45-byte ConnectRequest, 37-byte reply, getChildren', () => {
    const g = load('c-client-ls');
    const [req] = new FrameParser().push(Buffer.from(g.c2s, 'hex'));
    const [res] = new FrameParser().push(Buffer.from(g.s2c, 'hex'));
    expect([req.length, res.length]).toEqual([45, 37]);
    const conv = replay(g);
    expect(conv.connectRequest.readOnly).toBe(false);
    // cli_mt's ls leaves a child watch.
    expect(conv.requests[0].request).toEqual({ type: 8, body: { path: '/', watch: true } });
    expect((conv.replies[0].body as { children: string[] }).children).toContain('zookeeper');
  });

  it('node-zookeeper-client: 44-byte ConnectRequest without readOnly, 36-byte reply, xids from 0', () => {
    const g = load('node-client');
    const [req] = new FrameParser().push(Buffer.from(g.c2s, 'hex'));
    const [res] = new FrameParser().push(Buffer.from(g.s2c, 'hex'));
    expect([req.length, res.length]).toEqual([44, 36]);
    const conv = replay(g);
    expect('readOnly' in conv.connectRequest).toBe(false);
    expect(conv.connectResponse.readOnly).toBeUndefined();
    expect(conv.requests[0]).toMatchObject({ xid: 0, request: { type: 1, body: { path: '/nzc', data: Buffer.from('node') } } });
    const multi = conv.requests.find((r) => r.request.type === OpCode.multi)!;
    expect(multi.request.body).toMatchObject({ ops: [{ type: 1 }, { type: 5 }, { type: 2 }] });
    expect(conv.replies[conv.replies.length - 2].header.err).toBe(-101);
  });

  it('four-letter word on a fresh connection', () => {
    const g = load('fourletter-ruok');
    expect(fourLetterWordOf(Buffer.from(g.c2s, 'hex'))).toBe('ruok');
    expect(Buffer.from(g.s2c, 'hex').toString()).toBe('imok');
  });
});
