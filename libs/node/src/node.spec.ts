import * as net from 'node:net';
// node-zookeeper-client ships no types.
const zookeeper = require('node-zookeeper-client');
import { encodeConnectRequest, encodeRequest } from '@coord/protocol';
import { createLogger } from './ops';
import { RunningNode, startNode } from './node';

const quiet = createLogger('test', { sink: () => undefined });

function connectClient(node: RunningNode): Promise<any> {
  return new Promise((resolve, reject) => {
    const client = zookeeper.createClient(`127.0.0.1:${node.port}`, { sessionTimeout: 4000, retries: 0 });
    const timer = setTimeout(() => reject(new Error('connect timeout')), 5000);
    client.once('connected', () => {
      clearTimeout(timer);
      resolve(client);
    });
    client.connect();
  });
}

const call = <T>(fn: (cb: (err: any, ...rest: any[]) => void) => void): Promise<T[]> =>
  new Promise((resolve, reject) => fn((err, ...rest) => (err ? reject(err) : resolve(rest as T[]))));

/** Sends raw bytes on a fresh socket and collects everything until the server closes. */
function raw(node: RunningNode, bytes: Buffer, waitMs = 2000): Promise<Buffer> {
  return new Promise((resolve) => {
    const socket = net.connect(node.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), waitMs);
    socket.on('data', (c) => chunks.push(c));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    socket.on('error', () => undefined);
    socket.write(bytes);
  });
}

describe('coord-node over TCP', () => {
  let node: RunningNode;
  beforeAll(async () => {
    node = await startNode({ port: 0, host: '127.0.0.1', tickTime: 200, logger: quiet, fourLetterWhitelist: ['*'] });
  });
  afterAll(async () => {
    await node.close();
  });

  it('serves create/get/set/watch with node-zookeeper-client', async () => {
    const client = await connectClient(node);
    try {
      const [path] = await call<string>((cb) => client.create('/n1', Buffer.from('v1'), cb));
      expect(path).toBe('/n1');
      const [data, stat] = await call<any>((cb) => client.getData('/n1', cb));
      expect(data.toString()).toBe('v1');
      expect(stat.version).toBe(0);
      const event = new Promise<any>((resolve) => client.getData('/n1', (e: any) => resolve(e), () => undefined));
      await new Promise((r) => setTimeout(r, 50));
      const [setStat] = await call<any>((cb) => client.setData('/n1', Buffer.from('v2'), 0, cb));
      expect(setStat.version).toBe(1);
      const ev = await event;
      expect(ev.getName()).toBe('NODE_DATA_CHANGED');
      expect(ev.getPath()).toBe('/n1');
      await expect(call((cb) => client.create('/n1', null, cb))).rejects.toMatchObject({ code: -110 });
      await expect(call((cb) => client.setData('/n1', Buffer.from('z'), 7, cb))).rejects.toMatchObject({ code: -103 });
    } finally {
      client.close();
    }
  });

  it('deletes ephemerals when the session closes and notifies watchers', async () => {
    const owner = await connectClient(node);
    const watcher = await connectClient(node);
    await call((cb) => owner.create('/eph', Buffer.from('x'), zookeeper.CreateMode.EPHEMERAL, cb));
    const deleted = new Promise<any>((resolve) => watcher.exists('/eph', (e: any) => resolve(e), () => undefined));
    await new Promise((r) => setTimeout(r, 50));
    owner.close();
    const ev = await deleted;
    expect(ev.getName()).toBe('NODE_DELETED');
    const [stat] = await call<any>((cb) => watcher.exists('/eph', cb));
    expect(stat).toBeNull();
    watcher.close();
  });

  it('answers four-letter words on a fresh connection', async () => {
    expect((await raw(node, Buffer.from('ruok'))).toString()).toBe('imok');
    const srvr = (await raw(node, Buffer.from('srvr'))).toString();
    expect(srvr).toMatch(/^Zookeeper version: 3\.9\.5/);
    expect(srvr).toMatch(/Mode: standalone/);
    expect(srvr).toMatch(/Node count: \d+/);
  });

  it('survives hostile input and keeps serving other sessions', async () => {
    const client = await connectClient(node);
    // Oversized and negative lengths: silent close.
    expect((await raw(node, Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2]))).length).toBe(0);
    expect((await raw(node, Buffer.from([0xff, 0xff, 0xff, 0xfe]))).length).toBe(0);
    // Garbage ConnectRequest: close without reply.
    const garbage = Buffer.alloc(14);
    garbage.writeInt32BE(10, 0);
    expect((await raw(node, garbage)).length).toBe(0);
    // Unknown opcode after a valid handshake: a -6 reply, then close.
    const hello = encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0, timeOut: 4000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false });
    const unknown = Buffer.alloc(12);
    unknown.writeInt32BE(8, 0);
    unknown.writeInt32BE(5, 4);
    unknown.writeInt32BE(999, 8);
    const answer = await raw(node, Buffer.concat([hello, unknown]));
    expect(answer.length).toBe(4 + 37 + 4 + 16);
    expect(answer.readInt32BE(41 + 4)).toBe(5);
    expect(answer.readInt32BE(41 + 4 + 12)).toBe(-6);
    // A bad path gets BADARGUMENTS and the connection stays usable.
    const bad = encodeRequest(1, { type: 1, body: { path: '/.', data: null, acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], flags: 0 } });
    const ping = encodeRequest(-2, { type: 11, body: null });
    const answer2 = await raw(node, Buffer.concat([hello, bad, ping]), 500);
    expect(answer2.readInt32BE(41 + 4 + 12)).toBe(-8);
    expect(answer2.readInt32BE(41 + 20 + 4)).toBe(-2);
    const [stat] = await call<any>((cb) => client.exists('/', cb));
    expect(stat.numChildren).toBeGreaterThan(0);
    client.close();
  });
});

describe('coord-node maxClientCnxns', () => {
  it('refuses one connection too many from an address, logging why, and admits again after one closes', async () => {
    const lines: string[] = [];
    const logger = createLogger('test', { sink: (line: string) => lines.push(line) });
    const node = await startNode({ port: 0, host: '127.0.0.1', tickTime: 200, logger, maxClientCnxns: 2 });
    const open = () =>
      new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect(node.port, '127.0.0.1', () => resolve(s));
        s.on('error', reject);
      });
    const closed = (s: net.Socket) => new Promise<void>((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));
    try {
      const a = await open();
      const b = await open();
      const c = await open();
      await closed(c); // the server drops the third at once
      expect(lines.some((l) => l.includes('Too many connections from 127.0.0.1 - max is 2'))).toBe(true);
      expect(a.destroyed || b.destroyed).toBe(false);
      a.destroy();
      await closed(a);
      await new Promise((r) => setTimeout(r, 50)); // the server sees the close
      const d = await open();
      const refusedD = await Promise.race([closed(d).then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 300))]);
      expect(refusedD).toBe(false);
      b.destroy();
      d.destroy();
    } finally {
      await node.close();
    }
  });
});
