// A flush writes for at most flushSliceMs, and flushes in one event-loop turn share the slice: with a
// clock that moves a fixed step per reading, the counts of connections written are exact. The rest
// leave in later turns, each connection's frames whole and in order.
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
