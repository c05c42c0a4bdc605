/**
 * The client port of every role (ZooKeeper's one ServerCnxnFactory): accepts connections, applies the
 * per-address limit, tells a four-letter word from a session in the first bytes, cuts frames for the
 * pipeline (RequestPipeline), and writes what the pipeline sends: one socket write per connection per pump,
 * notifications in their own write ahead of the reply that follows them. Backpressure, output limits
 * and the close grace live here once; the role's driver owns the pump and says what `stats` shows.
 * With `secureClientPort` the same module serves a second, TLS listener: its connections are the same
 * clients after the handshake, plus the verified certificate's subject as an x509 id.
 */
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import { rfc2253Subject, tlsStoreOptions } from '@coord/client';
import { FrameParser } from '@coord/protocol';
import type { Effect, RequestPipeline, ServerStats } from '@coord/server';
import { ConnectionsPerAddress } from './connection-limit';
import { takeFirstBytes } from './first-bytes';
import { collectEnvInfo, fourLetterWordAction, Logger, NodeConfig, runFourLetterWord } from './ops';

/** Stop reading from a client while this much output waits in its socket (bytes). */
const outputPauseBytes = 1 << 20;
/** Drop a client that lets this much output pile up (notifications keep coming while paused). */
const outputBytesMax = 64 << 20;
/**
 * Connections written per flush (one event-loop turn). A fan-out to thousands of connections (a set
 * firing a watch each of them holds) is written over several turns, connections with fresh output
 * first, so the other clients never wait for the whole fan-out. A connection's frames stay in order:
 * they wait in its own buffer, written whole.
 */
export const flushConnectionsMax = 250;
/**
 * A flush also ends once it has run this long (ms): on a machine shared with the clients, each socket
 * write can hand the CPU to the client it wakes, so 250 writes took 70–180 ms with 10,000 receivers on
 * the same 2 cores (scale-sessions). What is left waits for the next turn, as above.
 */
export const flushSliceMs = 20;
/** Backlogged connections a flush writes whatever the time (so the backlog always moves). */
const backlogWritesMin = 16;
/** After the node decides to close a connection, how long the peer gets to drain before a hard close (ms). */
export const closeGraceMs = 2000;

/** A TLS handshake must finish within this time (ms). */
export const tlsHandshakeMsMax = 10_000;
/** The first two bytes of a TLS record carrying a handshake (ClientHello): content type 22, version 3.x. */
const tlsHandshakeRecordType = 0x16;
const tlsMajorVersion = 0x03;

interface ClientSocket {
  id: number;
  socket: net.Socket;
  secure: boolean;
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
  /** Milliseconds on a monotonic clock, for flushSliceMs (performance.now when absent; tests pass their own). */
  now?(): number;
}

export class ClientPort {
  host = '';
  port = 0;
  /** The TLS listener's port (secureClientPort), 0 when there is none. */
  securePort = 0;
  private readonly server: net.Server;
  private readonly secureServer: tls.Server | null = null;
  private readonly clients = new Map<number, ClientSocket>();
  private readonly perAddress: ConnectionsPerAddress;
  private readonly dirty = new Set<ClientSocket>();
  /** Connections with output that a flush left for a later turn (flushConnectionsMax), oldest first. */
  private readonly backlog = new Set<ClientSocket>();
  private backlogFlushScheduled = false;
  /** Clients paused because too many requests are outstanding in the pipeline (globalOutstandingLimit). */
  private readonly throttled = new Set<ClientSocket>();
  private nextId = 1;
  private closed = false;
  private readonly now: () => number;
  /** When the current flush slice started, and the timer whose firing ends it (see flush). */
  private sliceStartedAt = 0;
  private sliceTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: NodeConfig,
    private readonly log: Logger,
    private readonly core: () => RequestPipeline,
    private readonly hooks: ClientPortHooks,
  ) {
    this.now = hooks.now?.bind(hooks) ?? (() => performance.now());
    this.perAddress = new ConnectionsPerAddress(config.maxClientCnxns, log);
    // allowHalfOpen: a client's EOF is handled here (onPeerEnded), not by Node's automatic end().
    this.server = net.createServer({ noDelay: true, allowHalfOpen: true }, (socket) => this.onSocket(socket));
    this.server.on('error', (err) => this.log.error('client port error', err));
    if (config.security.secureClientPort !== undefined) this.secureServer = this.createSecureServer();
  }

  /** The TLS listener: ssl.keyStore / ssl.trustStore, ssl.clientAuth none|want|need. */
  private createSecureServer(): tls.Server {
    const t = this.config.security.clientTls;
    const server = tls.createServer({
      ...tlsStoreOptions(t, (p) => readFileSync(p)),
      requestCert: t.clientAuth !== 'none',
      // want: a client without a certificate is let in; one with a certificate that does not verify is not (as Java's trust manager).
      rejectUnauthorized: t.clientAuth === 'need',
      handshakeTimeout: tlsHandshakeMsMax,
      noDelay: true,
      allowHalfOpen: true,
      ...(t.minVersion && { minVersion: t.minVersion }),
    });
    server.on('secureConnection', (socket) => this.onSecureSocket(socket));
    server.on('tlsClientError', (err, socket) => this.onTlsClientError(err, socket));
    server.on('error', (err) => this.log.error('secure client port error', err));
    return server;
  }

  private onSecureSocket(socket: tls.TLSSocket): void {
    const address = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    const cert = socket.getPeerX509Certificate();
    if (cert && !socket.authorized) {
      this.core().counters.authFailed++;
      this.log.warn(`TLS client ${address} presented an untrusted certificate (${String(socket.authorizationError)}); closing`);
      socket.destroy();
      return;
    }
    this.onSocket(socket, cert ? rfc2253Subject(cert.subject) : undefined);
  }

  /** A handshake that failed: one line saying why (plaintext on the TLS port, no or an untrusted certificate, timeout). */
  private onTlsClientError(err: Error & { code?: string }, socket: tls.TLSSocket): void {
    this.core().counters.authFailed++;
    const address = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    const plaintext = err.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || err.code === 'ERR_SSL_HTTP_REQUEST' || /wrong version number|http request|unknown protocol/i.test(err.message);
    if (plaintext) this.log.warn(`Closing connection from ${address}: not TLS on the secure client port ${this.securePort} (use the plaintext port ${this.port})`);
    else this.log.warn(`Closing connection from ${address}: TLS handshake failed on the secure client port (${err.code ?? err.message})`);
    socket.destroy();
  }

  async listen(): Promise<void> {
    this.port = await listenOn(this.server, this.config.port, this.config.host);
    this.host = this.config.host;
    const security = this.config.security;
    if (this.secureServer && security.secureClientPort !== undefined) {
      const host = security.secureClientPortAddress ?? this.config.host;
      this.securePort = await listenOn(this.secureServer, security.secureClientPort, host);
      this.log.info(`secure client port ${host}:${this.securePort} (TLS, ssl.clientAuth=${security.clientTls.clientAuth})`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const done = [this.server, this.secureServer].map((s) => s && new Promise<void>((resolve) => s.close(() => resolve())));
    for (const client of this.clients.values()) client.socket.destroy();
    await Promise.all(done);
  }

  /**
   * Queues the pipeline's effects; sends leave at the next `flush`, a close flushes its client first.
   * A notification for many connections is queued on each of them in turn (one frame, shared), so it
   * still leaves every connection ahead of the frames queued after it.
   */
  deliver(effects: readonly Effect[]): void {
    for (const e of effects) {
      if (e.kind === 'notify') {
        for (const connId of e.connIds) {
          const client = this.clients.get(connId);
          if (!client || client.closing) continue;
          client.out.push(e.frame);
          this.dirty.add(client);
        }
        continue;
      }
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

  /**
   * Writes one buffer per dirty connection, at most flushConnectionsMax of them and for at most
   * flushSliceMs (the rest in a later turn), and resumes throttled clients once the pipeline has room.
   */
  flush(): void {
    const now = this.now;
    // Flushes in one event-loop turn (the driver's pump and the backlog's own immediate can both run in
    // one check phase) share one slice: a new one starts once the timers phase has run since.
    if (this.sliceTimer === null) {
      this.sliceStartedAt = now();
      this.sliceTimer = setTimeout(() => (this.sliceTimer = null), 0).unref();
    }
    const started = this.sliceStartedAt;
    let budget = flushConnectionsMax;
    for (const client of this.dirty) {
      if (budget > 0 && now() - started < flushSliceMs) {
        budget--;
        this.backlog.delete(client);
        this.flushClient(client);
      } else {
        budget = 0;
        this.backlog.add(client);
      }
    }
    this.dirty.clear();
    // The backlog always advances by a share of a flush, however much fresh output there is.
    budget = Math.max(budget, flushConnectionsMax / 4);
    let written = 0;
    for (const client of this.backlog) {
      if (budget-- <= 0 || (written >= backlogWritesMin && now() - started >= flushSliceMs)) break;
      written++;
      this.backlog.delete(client);
      this.flushClient(client);
    }
    if (this.backlog.size > 0) this.scheduleBacklogFlush();
    if (this.throttled.size > 0 && this.core().outstanding <= this.config.globalOutstandingLimit) {
      for (const client of this.throttled) if (client.socket.writableLength <= outputPauseBytes) client.socket.resume();
      this.throttled.clear();
    }
  }

  /** Connections whose output waits for a later flush (flushConnectionsMax, flushSliceMs). */
  get backlogged(): number {
    return this.backlog.size;
  }

  private scheduleBacklogFlush(): void {
    if (this.backlogFlushScheduled || this.closed) return;
    this.backlogFlushScheduled = true;
    setImmediate(() => {
      this.backlogFlushScheduled = false;
      if (!this.closed) this.flush();
    });
  }

  /** A connection ready for ZooKeeper frames: plaintext at once, TLS after a good handshake (`x509Subject` when it sent a certificate). */
  private onSocket(socket: net.Socket, x509Subject?: string): void {
    const address = socket.remoteAddress ?? '?';
    if (this.closed || !this.perAddress.admit(address)) {
      socket.destroy();
      return;
    }
    const client: ClientSocket = {
      id: this.nextId++,
      socket,
      secure: socket instanceof tls.TLSSocket,
      address,
      parser: new FrameParser({ frameBytesMax: this.config.juteMaxBuffer }),
      head: null,
      fresh: true,
      closing: false,
      out: [],
    };
    this.clients.set(client.id, client);
    this.core().connectionOpened({ id: client.id, remoteAddress: address, remotePort: socket.remotePort ?? 0, ...(x509Subject !== undefined && { x509Subject }) });
    this.log.debug(() => `Accepted connection ${client.id} from ${address}:${socket.remotePort}`);
    socket.on('data', (chunk) => this.onData(client, chunk));
    socket.on('drain', () => {
      if (!this.throttled.has(client)) socket.resume();
    });
    socket.on('error', (err) => this.log.debug(() => `connection ${client.id}: ${err.message}`));
    socket.on('end', () => this.onPeerEnded(client));
    socket.on('close', () => this.onSocketClosed(client));
  }

  /**
   * The client closed its side (EOF). ZooKeeper closes the connection then (a read of -1); so do we,
   * at once, with one close instead of Node's automatic end(): a shutdown, its completion, then the
   * close, a callback each. On this machine that is ~20 % less CPU per closed connection (10,000 peers
   * gone at once: ~470 -> ~380 ms in a bare Node server). A four-letter word's answer may still be on
   * its way out; its own end() and grace timer close that socket.
   */
  private onPeerEnded(client: ClientSocket): void {
    if (client.closing) return;
    client.closing = true;
    client.socket.destroy();
  }

  private onSocketClosed(client: ClientSocket): void {
    if (!this.clients.delete(client.id)) return;
    this.perAddress.release(client.address);
    this.dirty.delete(client);
    this.backlog.delete(client);
    this.throttled.delete(client);
    this.core().connectionClosed(client.id);
    this.log.debug(() => `Connection ${client.id} closed`);
    this.hooks.onInput();
  }

  private onData(client: ClientSocket, chunk: Buffer): void {
    if (client.closing) return;
    const core = this.core();
    if (client.fresh && !client.secure && chunk.length >= 2 && chunk[0] === tlsHandshakeRecordType && chunk[1] === tlsMajorVersion) {
      this.log.warn(
        `Closing connection from ${client.address}:${client.socket.remotePort}: a TLS handshake on the plaintext client port${this.securePort ? ` (the secure client port is ${this.securePort})` : ' (no secureClientPort is configured)'}`,
      );
      client.closing = true;
      client.socket.destroy();
      return;
    }
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

function listenOn(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/** A notification frame: length, then xid -1. */
function isNotification(frame: Buffer): boolean {
  return frame.length >= 8 && frame.readInt32BE(4) === -1;
}
