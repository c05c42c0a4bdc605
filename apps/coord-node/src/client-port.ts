/**
 * The client port of every role (ZooKeeper's one ServerCnxnFactory): accepts connections, applies the
 * per-address limit, tells a four-letter word from a session in the first bytes, cuts frames for the
 * pipeline (ServerCore), and writes what the pipeline sends: one socket write per connection per pump,
 * notifications in their own write ahead of the reply that follows them. Backpressure, output limits
 * and the close grace live here once; the role's driver owns the pump and says what `stats` shows.
 */
import * as net from 'node:net';
import { FrameParser } from '@coord/protocol';
import type { Effect, ServerCore } from '@coord/server';
import { ConnectionsPerAddress } from './connection-limit';
import { takeFirstBytes } from './first-bytes';
import { collectEnvInfo, fourLetterWordAction, Logger, NodeConfig, runFourLetterWord, ServerStats } from './ops';

/** Stop reading from a client while this much output waits in its socket (bytes). */
const outputPauseBytes = 1 << 20;
/** Drop a client that lets this much output pile up (notifications keep coming while paused). */
const outputBytesMax = 64 << 20;
/** After the node decides to close a connection, how long the peer gets to drain before a hard close (ms). */
export const closeGraceMs = 2000;

interface ClientSocket {
  id: number;
  socket: net.Socket;
  address: string;
  parser: FrameParser;
  /** Bytes seen before we know whether this is a four-letter word (fewer than 4). */
  head: Buffer | null;
  fresh: boolean;
  closing: boolean;
  out: Buffer[];
}

export interface ClientPortHooks {
  /** What the four-letter words print, as seen by connection `askingConnId`. */
  stats(askingConnId: number): ServerStats;
  /** Input reached the pipeline: the driver should pump soon. */
  onInput(): void;
}

export class ClientPort {
  host = '';
  port = 0;
  private readonly server: net.Server;
  private readonly clients = new Map<number, ClientSocket>();
  private readonly perAddress: ConnectionsPerAddress;
  private readonly dirty = new Set<ClientSocket>();
  /** Clients paused because too many requests are outstanding in the pipeline (globalOutstandingLimit). */
  private readonly throttled = new Set<ClientSocket>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly config: NodeConfig,
    private readonly log: Logger,
    private readonly core: () => ServerCore,
    private readonly hooks: ClientPortHooks,
  ) {
    this.perAddress = new ConnectionsPerAddress(config.maxClientCnxns, log);
    this.server = net.createServer({ noDelay: true }, (socket) => this.onSocket(socket));
    this.server.on('error', (err) => this.log.error('client port error', err));
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
    if (this.closed) return;
    this.closed = true;
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const client of this.clients.values()) client.socket.destroy();
    await done;
  }

  /** Queues the pipeline's effects; sends leave at the next `flush`, a close flushes its client first. */
  deliver(effects: readonly Effect[]): void {
    for (const e of effects) {
      const client = this.clients.get(e.connId);
      if (!client || client.closing) continue;
      if (e.kind === 'send') {
        client.out.push(e.frame);
        this.dirty.add(client);
        continue;
      }
      this.flushClient(client);
      client.closing = true;
      this.log.debug(() => `Closing connection ${client.id}: ${e.reason}`);
      client.socket.end();
      // A peer that never reads or closes must not pin the socket: give the FIN a moment, then cut.
      setTimeout(() => client.socket.destroy(), closeGraceMs).unref();
    }
  }

  /** Writes one buffer per dirty connection and resumes throttled clients once the pipeline has room. */
  flush(): void {
    for (const client of this.dirty) this.flushClient(client);
    this.dirty.clear();
    if (this.throttled.size > 0 && this.core().outstanding <= this.config.globalOutstandingLimit) {
      for (const client of this.throttled) if (client.socket.writableLength <= outputPauseBytes) client.socket.resume();
      this.throttled.clear();
    }
  }

  private onSocket(socket: net.Socket): void {
    const address = socket.remoteAddress ?? '?';
    if (this.closed || !this.perAddress.admit(address)) {
      socket.destroy();
      return;
    }
    const client: ClientSocket = {
      id: this.nextId++,
      socket,
      address,
      parser: new FrameParser({ frameBytesMax: this.config.juteMaxBuffer }),
      head: null,
      fresh: true,
      closing: false,
      out: [],
    };
    this.clients.set(client.id, client);
    this.core().connectionOpened({ id: client.id, remoteAddress: address, remotePort: socket.remotePort ?? 0 });
    this.log.debug(() => `Accepted connection ${client.id} from ${address}:${socket.remotePort}`);
    socket.on('data', (chunk) => this.onData(client, chunk));
    socket.on('drain', () => {
      if (!this.throttled.has(client)) socket.resume();
    });
    socket.on('error', (err) => this.log.debug(() => `connection ${client.id}: ${err.message}`));
    socket.on('close', () => this.onSocketClosed(client));
  }

  private onSocketClosed(client: ClientSocket): void {
    if (!this.clients.delete(client.id)) return;
    this.perAddress.release(client.address);
    this.dirty.delete(client);
    this.throttled.delete(client);
    this.core().connectionClosed(client.id);
    this.log.debug(() => `Connection ${client.id} closed`);
    this.hooks.onInput();
  }

  private onData(client: ClientSocket, chunk: Buffer): void {
    if (client.closing) return;
    const core = this.core();
    try {
      const first = takeFirstBytes(client, chunk);
      if (first === null) return;
      if ('word' in first) {
        this.onFourLetterWord(client, first.word);
        return;
      }
      for (const frame of client.parser.push(first.bytes)) core.receive(client.id, frame);
      if (core.outstanding > this.config.globalOutstandingLimit) {
        // globalOutstandingLimit: stop reading until the pipeline catches up, so queued requests stay bounded.
        client.socket.pause();
        this.throttled.add(client);
      }
    } catch (e) {
      // One bad client must never take the node down or disturb other sessions.
      this.log.warn(`Closing connection from ${client.address}:${client.socket.remotePort}: ${(e as Error).message}`);
      client.closing = true;
      client.socket.destroy();
    }
    this.hooks.onInput();
  }

  private onFourLetterWord(client: ClientSocket, word: string): void {
    client.closing = true;
    const core = this.core();
    const action = fourLetterWordAction(word, this.config);
    if (action === 'resetServerStats') core.resetStats();
    if (action === 'resetConnectionStats') core.resetConnectionStats();
    // ZooKeeper counts the word as a packet received, and its answer (after the fact) as one sent.
    core.counters.packetsReceived++;
    const text = runFourLetterWord(word, this.hooks.stats(client.id), this.config, collectEnvInfo());
    core.counters.packetsSent++;
    this.log.debug(() => `Four-letter word ${word} from ${client.address}`);
    client.socket.end(text);
    setTimeout(() => client.socket.destroy(), closeGraceMs).unref();
  }

  private flushClient(client: ClientSocket): void {
    const out = client.out;
    if (out.length === 0) return;
    client.out = [];
    const socket = client.socket;
    if (socket.destroyed) return;
    // Notifications go out in their own write ahead of the reply that follows them, as ZooKeeper's
    // separate sends do: clients such as zkCli then print the event before the reply's output.
    let start = 0;
    for (let i = 0; i < out.length; i++) {
      const isLast = i === out.length - 1;
      if (isLast || (isNotification(out[i]) && !isNotification(out[i + 1]))) {
        socket.write(i === start ? out[i] : Buffer.concat(out.slice(start, i + 1)));
        start = i + 1;
      }
    }
    if (socket.writableLength > outputBytesMax) {
      this.log.warn(`Dropping connection ${client.id} from ${client.address}: ${socket.writableLength} bytes of unread output`);
      client.closing = true;
      socket.destroy();
    } else if (socket.writableLength > outputPauseBytes) {
      socket.pause();
    }
  }
}

/** A notification frame: length, then xid -1. */
function isNotification(frame: Buffer): boolean {
  return frame.length >= 8 && frame.readInt32BE(4) === -1;
}
