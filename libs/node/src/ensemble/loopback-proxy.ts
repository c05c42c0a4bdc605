/**
 * A TCP proxy on loopback for partition tests: forwards every connection to a target port until
 * `cut()`, which drops the open connections and refuses new ones until `heal()`.
 */
import * as net from 'node:net';

export class LoopbackProxy {
  port = 0;
  private readonly server: net.Server;
  private readonly open = new Set<net.Socket>();
  private isCut = false;

  constructor(private readonly targetPort: number) {
    this.server = net.createServer((inbound) => this.onConnection(inbound));
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.port = (this.server.address() as net.AddressInfo).port;
        resolve(this.port);
      });
    });
  }

  cut(): void {
    this.isCut = true;
    for (const s of this.open) s.destroy();
    this.open.clear();
  }

  heal(): void {
    this.isCut = false;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(inbound: net.Socket): void {
    if (this.isCut) {
      inbound.destroy();
      return;
    }
    const outbound = net.connect({ host: '127.0.0.1', port: this.targetPort });
    this.open.add(inbound);
    this.open.add(outbound);
    const drop = () => {
      inbound.destroy();
      outbound.destroy();
      this.open.delete(inbound);
      this.open.delete(outbound);
    };
    inbound.on('error', drop);
    outbound.on('error', drop);
    inbound.on('close', drop);
    outbound.on('close', drop);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  }
}
