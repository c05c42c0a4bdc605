/**
 * Test-only: a loopback TCP proxy in front of a server, for fault injection.
 * - drop(): destroys every proxied connection (the client sees a disconnect and reconnects);
 * - stall(): keeps connections open but forwards nothing, and new connections hang too
 *   (the client times out reading, and its session expires on the server);
 * - resume(): forwards again (new connections only; stalled ones stay dead);
 * - slow(ms): delays every server reply by ms.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export class FaultProxy {
  private server: Server | null = null;
  private readonly pairs = new Set<[Socket, Socket]>();
  private stalled = false;
  /** Server-to-client bytes are held back this long (0: forwarded at once). */
  private delayMs = 0;
  port = 0;

  constructor(
    private targetHost: string,
    private targetPort: number,
  ) {}

  /** New connections go to another server from now on (for example the same server restarted elsewhere). */
  retarget(host: string, port: number): void {
    this.targetHost = host;
    this.targetPort = port;
  }

  get connectString(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((client) => this.onClient(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
    return this;
  }

  private onClient(client: Socket): void {
    client.on('error', () => {});
    if (this.stalled) {
      // Accept and say nothing: the client's connect attempt must time out.
      this.pairs.add([client, client]);
      return;
    }
    const upstream = connect({ host: this.targetHost, port: this.targetPort });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    client.on('data', (c) => {
      if (!this.stalled) upstream.write(c);
    });
    upstream.on('data', (c) => {
      if (this.stalled) return;
      if (this.delayMs > 0) setTimeout(() => client.writable && client.write(c), this.delayMs);
      else client.write(c);
    });
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
  }

  drop(): void {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
  }

  /** Delays every reply by `ms` (order kept): a slow server or network. */
  slow(ms: number): void {
    this.delayMs = ms;
  }

  stall(): void {
    this.stalled = true;
  }

  resume(): void {
    this.stalled = false;
    this.drop();
  }

  async stop(): Promise<void> {
    this.drop();
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }
}
