// A flush writes for at most flushSliceMs, and flushes in one event-loop turn share the slice: with a
// clock that moves a fixed step per reading, the counts of connections written are exact. The rest
// leave in later turns, each connection's frames whole and in order. A client's EOF closes its
// connection at once, except that a four-letter word's answer still goes out whole.
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { RequestPipeline } from '@coord/server';
import { ClientPort, flushSliceMs } from './client-port';
import { coreConfigOf } from './node';
import { createLogger, loadNodeConfig } from './ops';
import { eventually } from './testing/test-node';

const quiet = createLogger('test', { sink: () => undefined });

/** A client port with `n` connected sockets, each sent two frames; its clock moves `stepMs` per reading. */
async function portWithOutput(n: number, stepMs: number) {
  const { config } = loadNodeConfig(['--port=0', '--host=127.0.0.1'], {});
  const core = new RequestPipeline(coreConfigOf(config), { now: Date.now, randomBytes, logger: quiet });
  let clock = 0;
  const port = new ClientPort(config, quiet, () => core, { stats: (id) => core.stats(id), onInput: () => undefined, now: () => (clock += stepMs) });
  await port.listen();
  const received: Buffer[] = Array.from({ length: n }, () => Buffer.alloc(0));
  const sockets: net.Socket[] = [];
  for (let i = 0; i < n; i++) {
    const s = net.connect(port.port, '127.0.0.1');
    s.on('data', (d: Buffer) => (received[i] = Buffer.concat([received[i], d])));
    await new Promise<void>((r) => s.once('connect', () => r()));
    sockets.push(s);
  }
  await eventually(() => core.stats(0).connections.length === n);
  // Connection ids are handed out from 1 in accept order: the i-th socket is connection i + 1.
  const frame = (i: number, k: number) => Buffer.from(`c${i}:${k};`);
  port.deliver(Array.from({ length: n }, (_, i) => [{ kind: 'send' as const, connId: i + 1, frame: frame(i, 0) }, { kind: 'send' as const, connId: i + 1, frame: frame(i, 1) }]).flat());
  return {
    port,
    allArrived: () => eventually(() => received.every((r, i) => r.toString() === `c${i}:0;c${i}:1;`)),
    close: async () => {
      for (const s of sockets) s.destroy();
      await port.close();
    },
  };
}

describe('client port flush', () => {
  it('stops writing after flushSliceMs and writes the rest in later turns, in order', async () => {
    const n = 40;
    const t = await portWithOutput(n, flushSliceMs / 2);
    try {
      t.port.flush();
      // Readings at 10 and 20 ms: one fresh connection written, then the time is up; 16 backlogged ones
      // still go (the backlog's minimum), the remaining 23 wait.
      expect(t.port.backlogged).toBe(n - 1 - 16);
      await t.allArrived();
      expect(t.port.backlogged).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('gives two flushes of one turn one slice between them', async () => {
    const n = 60;
    const t = await portWithOutput(n, 1);
    try {
      t.port.flush();
      // 19 fresh connections within the slice (readings 2..20 after the start at 1), then the backlog's 16.
      expect(t.port.backlogged).toBe(n - 19 - 16);
      t.port.flush();
      // Same turn, the slice is spent: only the backlog's minimum of 16 (a fresh slice would write all 25).
      expect(t.port.backlogged).toBe(n - 19 - 16 - 16);
      await t.allArrived();
      expect(t.port.backlogged).toBe(0);
    } finally {
      await t.close();
    }
  });
});

describe('client port, a client that closes its side (EOF)', () => {
  /** `fakeConnections` pads what stats report, so a `cons` answer outgrows the kernel's socket buffers. */
  async function startPort(fakeConnections = 0) {
    const loaded = loadNodeConfig(['--port=0', '--host=127.0.0.1'], {}).config;
    const config = { ...loaded, fourLetterWhitelist: ['cons'] };
    const core = new RequestPipeline(coreConfigOf(config), { now: Date.now, randomBytes, logger: quiet });
    const stats = (id: number) => {
      const s = core.stats(id);
      const one = s.connections[0];
      return { ...s, connections: [...s.connections, ...Array.from({ length: fakeConnections }, (_, i) => ({ ...one, remotePort: i % 65536 }))] };
    };
    const port = new ClientPort(config, quiet, () => core, { stats, onInput: () => undefined });
    await port.listen();
    return { core, port };
  }

  it('gets the whole of a long four-letter-word answer it reads only after half-closing', async () => {
    const { port } = await startPort(200_000);
    try {
      const s = net.connect(port.port, '127.0.0.1');
      await new Promise<void>((r) => s.once('connect', () => r()));
      s.pause();
      s.end('cons');
      // Unread, the answer fills the kernel's buffers and the rest waits in the server's socket while the EOF arrives.
      await new Promise((r) => setTimeout(r, 300));
      const chunks: Buffer[] = [];
      s.on('data', (d: Buffer) => chunks.push(d));
      s.resume();
      await new Promise<void>((r) => s.once('close', () => r()));
      const lines = Buffer.concat(chunks).toString().split('\n');
      // One line per connection (ours and the padding), then the empty line that ends the answer.
      expect(lines.length).toBe(200_001 + 2);
      expect(lines.at(-2)).toBe('');
    } finally {
      await port.close();
    }
  });

  it('is dropped at once: the server closes its side and forgets the connection', async () => {
    const { core, port } = await startPort();
    try {
      const s = net.connect({ port: port.port, host: '127.0.0.1', allowHalfOpen: true });
      await new Promise<void>((r) => s.once('connect', () => r()));
      await eventually(() => core.stats(0).connections.length === 1);
      const serverEnded = new Promise<void>((r) => s.once('end', () => r()));
      // Half a ConnectRequest frame, then EOF: ZooKeeper closes such a connection (a read of -1).
      s.end(Buffer.from([0, 0, 0, 44, 0, 0]));
      await serverEnded;
      await eventually(() => core.stats(0).connections.length === 0);
      s.destroy();
    } finally {
      await port.close();
    }
  });
});
