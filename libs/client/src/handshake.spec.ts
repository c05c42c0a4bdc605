/**
 * Wire details checked against a scripted fake server (no real ZooKeeper needed): the first frame is a
 * 45-byte ConnectRequest; a 36-byte ConnectResponse (no readOnly byte) is accepted; a readOnly reply gives
 * the 'read-only' state; xids start at 1 and pings use -2; notification zxids pass through; a reply
 * whose xid does not match the oldest request drops the connection; an expired session reports 'lost'.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { FrameParser, decodeConnectRequest, decodeRequest, encodeConnectResponse, encodeNotification, encodeReply, type ConnectRequest, type Stat } from '@coord/protocol';
import { createClient, type ZkClient } from './index';
import { eventually } from './testing/helpers';

const stat: Stat = { czxid: 1, mzxid: 1, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, dataLength: 1, numChildren: 0, pzxid: 1 };

interface Script {
  connect(req: ConnectRequest, reqBytes: number): Buffer;
  request?(socket: Socket, xid: number, type: number): void;
}

class FakeServer {
  private server: Server | null = null;
  readonly sockets: Socket[] = [];
  readonly requests: { xid: number; type: number }[] = [];
  port = 0;
  constructor(private readonly script: Script) {}

  async start(): Promise<this> {
    this.server = createServer((socket) => {
      this.sockets.push(socket);
      const parser = new FrameParser();
      let first = true;
      socket.on('error', () => {});
      socket.on('data', (chunk) => {
        for (const body of parser.push(chunk)) {
          if (first) {
            first = false;
            socket.write(this.script.connect(decodeConnectRequest(body), body.length));
            continue;
          }
          const { header } = decodeRequest(body);
          this.requests.push(header);
          if (header.xid === -2) socket.write(encodeReply({ xid: -2, zxid: 5, err: 0 }, 11, null));
          else if (header.type === -11) socket.end(encodeReply({ xid: header.xid, zxid: 5, err: 0 }, -11, null));
          else this.script.request?.(socket, header.xid, header.type);
        }
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server!.close(() => r()));
  }
}

const passwd = Buffer.alloc(16, 7);
const session = (readOnly?: boolean) => (req: ConnectRequest) =>
  encodeConnectResponse({ protocolVersion: 0, timeOut: req.timeOut, sessionId: 0x1234n, passwd, ...(readOnly === undefined ? {} : { readOnly }) });

describe('handshake and framing against a scripted server', () => {
  const clients: ZkClient[] = [];
  const servers: FakeServer[] = [];
  const start = async (script: Script, opts = {}) => {
    const server = await new FakeServer(script).start();
    servers.push(server);
    const zk = createClient(`127.0.0.1:${server.port}`, { sessionTimeoutMs: 3000, ...opts });
    clients.push(zk);
    return { server, zk };
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  test('a 45-byte ConnectRequest; a 36-byte ConnectResponse is accepted; xids from 1; data round trip', async () => {
    let requestBytes = 0;
    const { server, zk } = await start({
      connect: (req, bytes) => {
        requestBytes = bytes;
        expect(req).toMatchObject({ protocolVersion: 0, lastZxidSeen: 0, timeOut: 3000, sessionId: 0n, readOnly: false });
        const frame = session()(req);
        expect(frame.length - 4).toBe(36);
        return frame;
      },
      request: (socket, xid, type) => socket.write(encodeReply({ xid, zxid: 9, err: 0 }, type, { data: Buffer.from('v'), stat })),
    });
    await zk.connect();
    expect(requestBytes).toBe(45);
    expect(zk.sessionId).toBe(0x1234n);
    expect(zk.sessionPassword).toEqual(passwd);
    expect(zk.state).toBe('connected');
    const [a, b] = await Promise.all([zk.getData('/x'), zk.getData('/y')]);
    expect([a.data!.toString(), b.data!.toString()]).toEqual(['v', 'v']);
    expect(server.requests.map((r) => r.xid)).toEqual([1, 2]);
    expect(zk.lastZxid).toBe(9);
  });

  test('a read-only server gives the read-only state', async () => {
    const { zk } = await start({ connect: session(true) }, { readOnly: true });
    const states: string[] = [];
    zk.on('state', (s) => states.push(s));
    await zk.connect();
    expect(states).toEqual(['read-only']);
  });

  test('pings are sent while idle (xid -2), and notification zxids reach the watcher', async () => {
    const { server, zk } = await start({
      connect: session(false),
      request: (socket, xid, type) => {
        socket.write(encodeReply({ xid, zxid: 9, err: 0 }, type, { stat }));
        setTimeout(() => socket.write(encodeNotification(77, { type: 3, state: 3, path: '/w' })), 20);
      },
    });
    await zk.connect();
    const events: { zxid: number; type: string }[] = [];
    await zk.exists('/w', { watch: (e) => events.push(e) });
    await eventually(() => events.length === 1);
    expect(events[0]).toMatchObject({ type: 'NodeDataChanged', zxid: 77 });
    // The session timeout is 3000 ms: readTimeout 2000 ms, so an idle client pings within 1000 ms.
    await eventually(() => server.requests.some((r) => r.xid === -2 && r.type === 11), 2500, 'a ping');
  });

  test('a reply with the wrong xid drops the connection and fails the call with CONNECTIONLOSS', async () => {
    const { zk } = await start({
      connect: session(false),
      request: (socket, xid, type) => socket.write(encodeReply({ xid: xid + 100, zxid: 9, err: 0 }, type, { stat })),
    });
    await zk.connect();
    const states: string[] = [];
    zk.on('state', (s) => states.push(s));
    await expect(zk.exists('/x')).rejects.toMatchObject({ code: 'CONNECTIONLOSS' });
    await eventually(() => states.includes('reconnected'));
    expect(states[0]).toBe('suspended');
  });

  test('timeOut 0 in the ConnectResponse means the session expired: lost, then a new session', async () => {
    let connects = 0;
    const { server, zk } = await start({
      connect: (req) => {
        connects++;
        if (connects === 2) return encodeConnectResponse({ protocolVersion: 0, timeOut: 0, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false });
        return encodeConnectResponse({ protocolVersion: 0, timeOut: req.timeOut, sessionId: BigInt(connects), passwd, readOnly: false });
      },
    });
    await zk.connect();
    const states: string[] = [];
    zk.on('state', (s) => states.push(s));
    server.sockets[0].destroy();
    await eventually(() => states.includes('connected'), 5000, 'new session');
    expect(states).toEqual(['suspended', 'lost', 'connected']);
    expect(zk.sessionId).toBe(3n);
  });
});
