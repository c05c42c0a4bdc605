/**
 * The ensemble member's client port: accepts connections, cuts frames (or answers a four-letter
 * word), feeds the EnsembleCore and writes what it sends, one socket write per connection per pump.
 * The standalone node (node.ts) keeps its own listener; this one is the same shape without the
 * output-commit plumbing (an ensemble member answers only when a txn is committed and applied).
 */
import * as net from 'node:net';
import { FrameParser } from '@coord/protocol';
import { takeFirstBytes } from '../first-bytes';
import { ConnectionsPerAddress } from '../connection-limit';
import type { Logger, NodeConfig } from '../ops';
import type { EnsembleCore } from './ensemble-core';

/** How long a closing client gets to read what was sent before a hard close (ms). */
const closeGraceMs = 2000;
/**
 * Stop reading from a client with this many requests unanswered (ZooKeeper's per-connection
 * throttle); it resumes once they are answered. Bounds what one pipelining client can queue.
 */
export const clientQueuedMax = 1000;
/** Drop a client that lets this much output pile up unread (bytes). */
const outputBytesMax = 64 << 20;

interface ClientSocket {
  id: number;
  socket: net.Socket;
  parser: FrameParser;
  head: Buffer | null;
  fresh: boolean;
  closing: boolean;
  out: Buffer[];
}

export class ClientListener {
  host = '';
  port = 0;
  private readonly server: net.Server;
  private readonly clients = new Map<number, ClientSocket>();
  private readonly dirty = new Set<ClientSocket>();
  private readonly perAddress: ConnectionsPerAddress;
  private readonly paused = new Set<ClientSocket>();
  private nextId = 1;

  constructor(
    private readonly config: NodeConfig,
    private readonly log: Logger,
    private readonly core: EnsembleCore,
    private readonly fourLetterWord: (word: string, connId: number) => string,
    private readonly onInput: () => void,
  ) {
    this.perAddress = new ConnectionsPerAddress(config.maxClientCnxns, log);
    this.server = net.createServer({ noDelay: true }, (s) => this.onSocket(s));
    this.server.on('error', (e) => this.log.error('client listener error', e));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.port, this.config.host, () => {
        this.server.off('error', reject);
        this.host = this.config.host;
        this.port = (this.server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of this.clients.values()) c.socket.destroy();
    await done;
  }

  send(connId: number, frame: Buffer): void {
    const c = this.clients.get(connId);
    if (!c || c.closing) return;
    c.out.push(frame);
    this.dirty.add(c);
  }

  /** The core is done with this client: flush what it was sent, then close. */
  closeClient(connId: number, reason: string): void {
    const c = this.clients.get(connId);
    if (!c || c.closing) return;
    this.flushOne(c);
    c.closing = true;
    this.log.debug(() => `Closing client connection ${connId}: ${reason}`);
    c.socket.end();
    setTimeout(() => c.socket.destroy(), closeGraceMs).unref();
  }

  flush(): void {
    for (const c of this.dirty) this.flushOne(c);
    this.dirty.clear();
    for (const c of this.paused) {
      if (this.core.queued(c.id) < clientQueuedMax) {
        this.paused.delete(c);
        c.socket.resume();
      }
    }
  }

  private flushOne(c: ClientSocket): void {
    if (c.out.length === 0 || c.socket.destroyed) return;
    const out = c.out;
    c.out = [];
    c.socket.write(out.length === 1 ? out[0] : Buffer.concat(out));
    if (c.socket.writableLength > outputBytesMax) {
      this.log.warn(`Dropping client connection ${c.id}: ${c.socket.writableLength} bytes unread`);
      c.socket.destroy();
    }
  }

  private onSocket(socket: net.Socket): void {
    const address = socket.remoteAddress ?? '?';
    if (!this.perAddress.admit(address)) {
      socket.destroy();
      return;
    }
    const c: ClientSocket = {
      id: this.nextId++,
      socket,
      parser: new FrameParser({ frameBytesMax: this.config.juteMaxBuffer }),
      head: null,
      fresh: true,
      closing: false,
      out: [],
    };
    this.clients.set(c.id, c);
    this.core.connectionOpened(c.id, socket.remoteAddress ?? '?', socket.remotePort ?? 0);
    socket.on('data', (chunk) => this.onData(c, chunk));
    socket.on('error', (e) => this.log.debug(() => `client connection ${c.id}: ${e.message}`));
    socket.on('close', () => {
      this.perAddress.release(address);
      this.clients.delete(c.id);
      this.dirty.delete(c);
      this.paused.delete(c);
      this.core.connectionClosed(c.id);
    });
  }

  private onData(c: ClientSocket, chunk: Buffer): void {
    if (c.closing) return;
    try {
      const first = takeFirstBytes(c, chunk);
      if (first === null) return;
      if ('word' in first) {
        c.closing = true;
        c.socket.end(this.fourLetterWord(first.word, c.id));
        setTimeout(() => c.socket.destroy(), closeGraceMs).unref();
        return;
      }
      for (const frame of c.parser.push(first.bytes)) this.core.receive(c.id, frame);
      if (this.core.queued(c.id) >= clientQueuedMax && !this.paused.has(c)) {
        this.paused.add(c);
        c.socket.pause();
      }
    } catch (e) {
      this.log.warn(`Closing client connection ${c.id}: ${(e as Error).message}`);
      c.closing = true;
      c.socket.destroy();
    }
    this.onInput();
  }
}
