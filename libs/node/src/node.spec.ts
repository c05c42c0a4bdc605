import * as net from 'node:net';
// node-zookeeper-client ships no types.
const zookeeper = require('node-zookeeper-client');
import { decodeNotification, decodeReplyHeader, encodeConnectRequest, encodeRequest, FrameParser, type Request } from '@coord/protocol';
import { flushConnectionsMax } from './client-port';
import { createLogger } from './ops';
import { RunningNode, startNode } from './node';
import { eventually } from './testing/test-node';

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

/** A session on a raw socket: every frame it receives, in order (the ConnectResponse first). */
async function rawSession(node: RunningNode): Promise<{ socket: net.Socket; frames: Buffer[]; send: (xid: number, r: Request) => void }> {
  const socket = net.connect(node.port, '127.0.0.1');
  const frames: Buffer[] = [];
  const parser = new FrameParser();
  socket.on('data', (chunk) => frames.push(...parser.push(chunk)));
  socket.on('error', () => undefined);
  socket.write(encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0, timeOut: 10000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false }));
  await eventually(() => frames.length > 0, 10_000);
  return { socket, frames, send: (xid, r) => socket.write(encodeRequest(xid, r)) };
}

describe('coord-node watch fan-out', () => {
  it('tells every connection once per event, each notification ahead of the replies after it, over more connections than one flush writes', async () => {
    const node = await startNode({ port: 0, host: '127.0.0.1', tickTime: 2000, logger: quiet, maxClientCnxns: 0, fourLetterWhitelist: ['*'] });
    const sessions: Awaited<ReturnType<typeof rawSession>>[] = [];
    const acl = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
    try {
      const n = flushConnectionsMax + 50;
      for (let i = 0; i < n; i++) sessions.push(await rawSession(node));
      const [control] = sessions;
      for (const [xid, path] of ['/fan', '/fan/a', '/fan/a/b'].entries()) control.send(xid + 1, { type: 1, body: { path, data: null, acl, flags: 0 } });
      await eventually(() => control.frames.length === 4, 10_000);
      // Each session: a one-shot data watch on the leaf, recursive watches on both ancestors.
      for (const s of sessions) {
        s.send(1, { type: 4, body: { path: '/fan/a/b', watch: true } });
        s.send(2, { type: 106, body: { path: '/fan', mode: 1 } });
        s.send(3, { type: 106, body: { path: '/fan/a', mode: 1 } });
      }
      await eventually(() => sessions.every((s) => s.frames.length >= (s === control ? 7 : 4)), 10_000);
      expect((await raw(node, Buffer.from('wchs'))).toString()).toContain(`Total watches:${3 * n}`);
      for (const s of sessions) s.frames.length = 0;
      // 20 sessions create a child each, all at once: every session hears of every create (the recursive
      // watches) and gets its own reply after the event of its own create, never before an older one.
      const writers = sessions.slice(0, 20);
      for (const [i, s] of writers.entries()) s.send(10, { type: 1, body: { path: `/fan/a/b/c${i}`, data: null, acl, flags: 0 } });
      // Then one set on the leaf: one notification per session for its one-shot and both recursive watches.
      await eventually(() => writers.every((s) => s.frames.some((f) => decodeReplyHeader(f).xid === 10)), 10_000);
      control.send(11, { type: 5, body: { path: '/fan/a/b', data: Buffer.from('x'), version: -1 } });
      const expected = writers.length + 1;
      await eventually(() => sessions.every((s) => s.frames.filter((f) => f.readInt32BE(0) === -1).length >= expected), 10_000);
      await new Promise((r) => setTimeout(r, 100));
      for (const s of sessions) {
        let newest = 0;
        const seen: string[] = [];
        for (const f of s.frames) {
          const header = decodeReplyHeader(f);
          if (header.xid === -1) {
            // A notification never follows a reply that carries its zxid or a newer one.
            expect(header.zxid).toBeGreaterThan(newest);
            seen.push(decodeNotification(f).event.path);
          } else {
            newest = Math.max(newest, header.zxid);
          }
        }
        expect(seen.sort()).toEqual([...writers.map((_, i) => `/fan/a/b/c${i}`), '/fan/a/b'].sort());
      }
      // The one-shot watches were consumed, the recursive ones kept.
      expect((await raw(node, Buffer.from('wchs'))).toString()).toContain(`Total watches:${2 * n}`);
    } finally {
      for (const s of sessions) s.socket.destroy();
      await node.close();
    }
  }, 60_000);
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
