/**
 * The standalone node: TCP sockets around the pure ServerCore. Per connection a FrameParser cuts
 * frames; the first 4 bytes of a fresh connection may be a four-letter word instead. After each
 * batch of input the node drains the core (setImmediate, so one socket write per connection per
 * loop turn), appends txns to the log and releases replies once the log has them.
 */
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { FrameParser } from '@coord/protocol';
import { takeFirstBytes } from './first-bytes';
import { ConnectionsPerAddress } from './connection-limit';
import { ServerCore, ServerConfig } from '@coord/server';
import {
  collectEnvInfo,
  createLogger,
  fourLetterWordAction,
  loadNodeConfig,
  Logger,
  NodeConfig,
  runFourLetterWord,
} from './ops';
import { toServerStats } from './stats-adapter';
import { MemoryTxnLog, TxnLog } from './txn-log';

/** Stop reading from a client while this much output waits in its socket (bytes). */
const outputPauseBytes = 1 << 20;
/** Drop a client that lets this much output pile up (notifications keep coming while paused). */
const outputBytesMax = 64 << 20;
/** The core's tick runs this often at most (ms); finer than tickTime so expiry is on time. */
const tickIntervalMsMax = 500;
const tickIntervalMsMin = 10;
/** After the node decides to close a connection, how long the peer gets to drain before a hard close (ms). */
const closeGraceMs = 2000;

export interface StartNodeOptions extends Partial<NodeConfig> {
  logger?: Logger;
  txnLog?: TxnLog;
  /** Loads persisted state into the core before the node listens (the durable store's recovery). */
  restore?: (core: ServerCore) => Promise<void> | void;
  /** Extra core settings (notificationZxid, containerCheckIntervalMs, ...). */
  core?: Partial<ServerConfig>;
}

export interface RunningNode {
  host: string;
  port: number;
  core: ServerCore;
  config: NodeConfig;
  close(): Promise<void>;
}

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

export async function startNode(options: StartNodeOptions = {}): Promise<RunningNode> {
  const { logger: givenLogger, txnLog: givenLog, core: coreOverrides, restore, ...overrides } = options;
  const config: NodeConfig = { ...loadNodeConfig([], {}).config, ...overrides };
  const log = givenLogger ?? createLogger('coord-node', { level: config.logLevel });
  const txnLog = givenLog ?? new MemoryTxnLog();
  const core = new ServerCore(
    {
      tickTimeMs: config.tickTime,
      minSessionTimeoutMs: config.minSessionTimeout,
      maxSessionTimeoutMs: config.maxSessionTimeout,
      serverId: config.serverId > 0 ? config.serverId : 1,
      superDigest: config.superDigest,
      extendedTypesEnabled: config.extendedTypesEnabled,
      frameBytesMax: config.juteMaxBuffer,
      ...coreOverrides,
    },
    { now: Date.now, randomBytes, logger: log.child('server') },
  );
  if (restore) await restore(core);
  const node = new NodeServer(core, config, txnLog, log);
  await node.listen();
  return node;
}

class NodeServer implements RunningNode {
  host = '';
  port = 0;
  private readonly server: net.Server;
  private readonly clients = new Map<number, ClientSocket>();
  private readonly perAddress: ConnectionsPerAddress;
  private readonly dirty = new Set<ClientSocket>();
  /** Clients paused because too many replies are held in the pipeline. */
  private readonly throttled = new Set<ClientSocket>();
  private nextId = 1;
  private pumpScheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    readonly core: ServerCore,
    readonly config: NodeConfig,
    private readonly txnLog: TxnLog,
    private readonly log: Logger,
  ) {
    this.perAddress = new ConnectionsPerAddress(config.maxClientCnxns, log);
    this.server = net.createServer({ noDelay: true }, (socket) => this.onSocket(socket));
    this.server.on('error', (err) => this.log.error('server socket error', err));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.port, this.config.host, () => {
        this.server.off('error', reject);
        const address = this.server.address() as net.AddressInfo;
        this.host = this.config.host;
        this.port = address.port;
        const interval = Math.max(tickIntervalMsMin, Math.min(tickIntervalMsMax, Math.floor(this.config.tickTime / 4)));
        this.timer = setInterval(() => this.onTick(), interval);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const client of this.clients.values()) client.socket.destroy();
    await done;
    await this.txnLog.close?.();
  }

  private onTick(): void {
    try {
      this.core.tick();
    } catch (e) {
      this.log.error('tick failed', e);
    }
    this.schedulePump();
  }

  private onSocket(socket: net.Socket): void {
    const address = socket.remoteAddress ?? '?';
    if (this.closed) {
      socket.destroy();
      return;
    }
    if (!this.perAddress.admit(address)) {
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
    this.core.connectionOpened({ id: client.id, remoteAddress: address, remotePort: socket.remotePort ?? 0 });
    this.log.debug(() => `Accepted connection ${client.id} from ${address}:${socket.remotePort}`);
    socket.on('data', (chunk) => this.onData(client, chunk));
    socket.on('drain', () => socket.resume());
    socket.on('error', (err) => this.log.debug(() => `connection ${client.id}: ${err.message}`));
    socket.on('close', () => this.onSocketClosed(client));
  }

  private onSocketClosed(client: ClientSocket): void {
    if (!this.clients.delete(client.id)) return;
    this.perAddress.release(client.address);
    this.dirty.delete(client);
    this.throttled.delete(client);
    this.core.connectionClosed(client.id);
    this.log.debug(() => `Connection ${client.id} closed`);
    this.schedulePump();
  }

  private onData(client: ClientSocket, chunk: Buffer): void {
    if (client.closing) return;
    try {
      const first = takeFirstBytes(client, chunk);
      if (first === null) return;
      if ('word' in first) {
        this.onFourLetterWord(client, first.word);
        return;
      }
      for (const frame of client.parser.push(first.bytes)) this.core.receive(client.id, frame);
      if (this.core.outstanding > this.config.globalOutstandingLimit) {
        // globalOutstandingLimit: stop reading until the log catches up, so held replies stay bounded.
        client.socket.pause();
        this.throttled.add(client);
      }
    } catch (e) {
      // One bad client must never take the node down or disturb other sessions.
      this.log.warn(`Closing connection from ${client.address}:${client.socket.remotePort}: ${(e as Error).message}`);
      client.closing = true;
      client.socket.destroy();
    }
    this.schedulePump();
  }

  private onFourLetterWord(client: ClientSocket, word: string): void {
    client.closing = true;
    const action = fourLetterWordAction(word, this.config);
    if (action === 'resetServerStats') this.core.resetStats();
    if (action === 'resetConnectionStats') this.core.resetConnectionStats();
    // ZooKeeper counts the word as a packet received, and its answer (after the fact) as one sent.
    this.core.counters.packetsReceived++;
    const text = runFourLetterWord(word, toServerStats(this.core.stats(), client.id), this.config, collectEnvInfo());
    this.core.counters.packetsSent++;
    this.log.debug(() => `Four-letter word ${word} from ${client.address}`);
    client.socket.end(text);
    setTimeout(() => client.socket.destroy(), closeGraceMs).unref();
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.closed) return;
    this.pumpScheduled = true;
    setImmediate(() => this.pump());
  }

  /** Drains the core: persists txns, releases effects, writes one buffer per dirty connection. */
  private pump(): void {
    this.pumpScheduled = false;
    for (;;) {
      const { toPersist, effects } = this.core.ready();
      for (const e of effects) {
        const client = this.clients.get(e.connId);
        if (!client) continue;
        if (e.kind === 'send') {
          client.out.push(e.frame);
          this.dirty.add(client);
        } else {
          this.flushClient(client);
          client.closing = true;
          this.log.debug(() => `Closing connection ${client.id}: ${e.reason}`);
          client.socket.end();
          // A peer that never reads or closes must not pin the socket: give the FIN a moment, then cut.
          setTimeout(() => client.socket.destroy(), closeGraceMs).unref();
        }
      }
      if (toPersist.length === 0) break;
      const lastZxid = toPersist[toPersist.length - 1].zxid;
      const pending = this.txnLog.append(toPersist);
      if (pending === undefined) {
        this.core.advance(lastZxid);
        continue;
      }
      pending.then(
        () => {
          this.core.advance(lastZxid);
          // Release at once (not a loop turn later): the replies were only waiting for this.
          if (!this.closed) this.pump();
        },
        (err) => {
          // Without a durable log the node must not acknowledge anything more: stop loudly.
          this.log.error('txn log append failed; shutting down', err);
          void this.close();
        },
      );
      break;
    }
    for (const client of this.dirty) this.flushClient(client);
    this.dirty.clear();
    if (this.throttled.size > 0 && this.core.outstanding <= this.config.globalOutstandingLimit) {
      for (const client of this.throttled) if (client.socket.writableLength <= outputPauseBytes) client.socket.resume();
      this.throttled.clear();
    }
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
