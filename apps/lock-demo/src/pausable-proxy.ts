import * as net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A loopback TCP proxy that can freeze: while paused nothing passes in either direction (new connections
 * wait too). Put between one client and the node, it makes that client look exactly like a process
 * stopped by a long GC pause: no heartbeats reach the server, so its session expires.
 */
export class PausableProxy {
  private paused = false;
  private readonly sockets = new Set<net.Socket>();
  private readonly held: (() => void)[] = [];
  private readonly flushers = new Set<() => void>();
  private server: net.Server | null = null;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async listen(): Promise<string> {
    const server = net.createServer((downstream) => this.onConnection(downstream));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    for (const flush of this.flushers) flush();
    for (const start of this.held.splice(0)) start();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private onConnection(downstream: net.Socket): void {
    this.track(downstream);
    const early: Buffer[] = [];
    downstream.on('data', (c: Buffer) => early.push(c));
    const start = () => {
      downstream.removeAllListeners('data');
      const upstream = net.connect(this.targetPort, this.targetHost);
      this.track(upstream);
      this.forward(downstream, upstream, early);
      this.forward(upstream, downstream, []);
      downstream.on('close', () => upstream.destroy());
      upstream.on('close', () => downstream.destroy());
    };
    if (this.paused) this.held.push(start);
    else start();
  }

  /** Copies from -> to, holding chunks back while paused. */
  private forward(from: net.Socket, to: net.Socket, pending: Buffer[]): void {
    const flush = () => {
      while (pending.length > 0 && !this.paused) to.write(pending.shift()!);
    };
    this.flushers.add(flush);
    from.on('close', () => this.flushers.delete(flush));
    from.on('data', (c: Buffer) => {
      pending.push(c);
      flush();
    });
    flush();
  }

  private track(s: net.Socket): void {
    this.sockets.add(s);
    s.on('error', () => s.destroy());
    s.on('close', () => this.sockets.delete(s));
  }
}
