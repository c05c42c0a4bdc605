// A flush writes for at most flushSliceMs: with a clock that moves 10 ms per reading, one flush writes
// two of ten waiting connections (and the backlog's minimum share); the rest leave in later turns, each
// connection's frames whole and in order.
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { RequestPipeline } from '@coord/server';
import { ClientPort, flushSliceMs } from './client-port';
import { coreConfigOf } from './node';
import { createLogger, loadNodeConfig } from './ops';
import { eventually } from './testing/test-node';

const quiet = createLogger('test', { sink: () => undefined });

describe('client port flush', () => {
  it('stops writing after flushSliceMs and writes the rest in later turns, in order', async () => {
    const { config } = loadNodeConfig(['--port=0', '--host=127.0.0.1'], {});
    const core = new RequestPipeline(coreConfigOf(config), { now: Date.now, randomBytes, logger: quiet });
    let clock = 0;
    const stepMs = flushSliceMs / 2;
    const port = new ClientPort(config, quiet, () => core, { stats: (id) => core.stats(id), onInput: () => undefined, now: () => (clock += stepMs) });
    await port.listen();
    const n = 40;
    const received: Buffer[] = Array.from({ length: n }, () => Buffer.alloc(0));
    const sockets: net.Socket[] = [];
    try {
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
      port.flush();
      // Readings at 10 and 20 ms: one fresh connection written, then the time is up; 16 backlogged ones
      // still go (the backlog's minimum), the remaining 23 wait.
      expect(port.backlogged).toBe(n - 1 - 16);
      await eventually(() => received.every((r, i) => r.length === frame(i, 0).length + frame(i, 1).length));
      for (let i = 0; i < n; i++) expect(received[i].toString()).toBe(`c${i}:0;c${i}:1;`);
      expect(port.backlogged).toBe(0);
    } finally {
      for (const s of sockets) s.destroy();
      await port.close();
    }
  });
});
