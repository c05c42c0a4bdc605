/**
 * Peer links over TCP, as ZooKeeper lays them out: election notifications on each member's election
 * port, everything else on its quorum port. Each member dials one connection per peer and channel and
 * only sends on it; what it receives arrives on connections the peers dialled. So every direction is
 * one TCP stream (FIFO), which is what the ZAB core expects. A frame is a 4-byte length + the
 * @coord/zab binary message. A dropped link is redialled after `redialMs`; messages meant for it in
 * between are dropped: the core sees the gap (or silence) and reacts, as after a TCP reset.
 *
 * Who may talk: every inbound message must come from a configured member other than this one, be
 * addressed to this one, and keep the sender id its connection started with; anything else drops the
 * connection (a hostile or confused peer never reaches the ZAB core). With sslQuorum=true both
 * directions are mutual TLS (ssl.quorum.* stores): a process without a certificate the quorum trust
 * store vouches for cannot connect, hence cannot join, vote or feed txns; with
 * ssl.quorum.hostnameVerification the certificate must also name the peer's address.
 */
import { X509Certificate } from 'node:crypto';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { ByteWriter } from '@coord/bytes';
import { decodeMessage, writeFrame, type Message } from '@coord/zab';
import type { Logger } from '../ops';

export interface MemberAddress {
  id: number;
  host: string;
  quorumPort: number;
  electionPort: number;
}

/** A sync (DIFF/SNAP) may carry many txns; anything larger is a corrupt or hostile frame (bytes). */
export const peerFrameBytesMax = 512 << 20;
/** Wait before dialling a peer again after a failed or dropped link (ms). */
export const redialMs = 100;
const lengthBytes = 4;
const emptyBuffer = Buffer.alloc(0);
/** A turn's frames for one peer start in a buffer this big (it grows as needed). */
const outgoingBytesInitial = 4096;
/** A turn's buffer is kept for the next turn when its frames took at most this much. */
const spareBytesMax = 64 << 10;

type Channel = 'quorum' | 'election';

/** sslQuorum: the TLS material (ssl.quorum.keyStore/trustStore) and whether certificates must name the peer's address. */
export interface PeerTls {
  context: tls.SecureContextOptions;
  hostnameVerification: boolean;
  /** A TLS handshake with a peer must finish within this time (ms). */
  handshakeMs?: number;
}

const peerHandshakeMsDefault = 5000;

interface Link {
  socket: net.Socket | null;
  retryAt: number;
}

export class PeerTransport {
  private readonly servers: net.Server[] = [];
  private readonly links = new Map<string, Link>();
  private readonly inbound = new Set<net.Socket>();
  /** Frames sent this turn, per socket, not yet written: one write per socket per flush. */
  private readonly outgoing = new Map<net.Socket, ByteWriter>();
  /**
   * Per socket, the buffer of its last turn once the kernel took all of it: reused, so a busy ensemble
   * does not allocate a fresh ArrayBuffer per peer per turn (at one write in flight, those allocations
   * alone made V8 run a major collection every second or so).
   */
  private readonly spare = new Map<net.Socket, ByteWriter>();
  private closed = false;

  constructor(
    private readonly myId: number,
    private readonly members: readonly MemberAddress[],
    private readonly onMessage: (m: Message<Uint8Array>) => void,
    private readonly log: Logger,
    private readonly listenHost?: string,
    private readonly tls?: PeerTls,
    /** A quorum connection to or from member `id` closed (not called once the transport is closing). */
    private readonly onLinkDown: (id: number) => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    const me = this.members.find((m) => m.id === this.myId);
    if (!me) throw new Error(`server id ${this.myId} is not among the server.N lines`);
    for (const [port, channel] of [[me.quorumPort, 'quorum'], [me.electionPort, 'election']] as const) {
      const server = this.tls ? this.secureServer(this.tls, channel) : net.createServer({ noDelay: true }, (s) => this.onInbound(s, channel));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, this.listenHost ?? me.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      server.on('error', (e) => this.log.error('peer listener error', e));
      this.servers.push(server);
    }
  }

  private secureServer(t: PeerTls, channel: Channel): tls.Server {
    const server = tls.createServer({
      ...t.context,
      requestCert: true,
      rejectUnauthorized: true,
      handshakeTimeout: t.handshakeMs ?? peerHandshakeMsDefault,
      noDelay: true,
    });
    server.on('secureConnection', (socket) => {
      const address = normalize(socket.remoteAddress ?? '');
      const cert = socket.getPeerX509Certificate();
      if (t.hostnameVerification && !(cert && certificateNames(cert, address))) {
        this.log.warn(`refusing peer connection from ${address}:${socket.remotePort}: its certificate does not name ${address} (ssl.quorum.hostnameVerification)`);
        socket.destroy();
        return;
      }
      this.onInbound(socket, channel);
    });
    server.on('tlsClientError', (err: Error & { code?: string }, socket) => {
      this.log.warn(`refusing peer connection from ${socket.remoteAddress}:${socket.remotePort}: TLS handshake failed (${err.code ?? err.message})`);
      socket.destroy();
    });
    return server;
  }

  send(m: Message<Uint8Array>): void {
    if (this.closed) return;
    const channel: Channel = m.type === 'NOTIFICATION' ? 'election' : 'quorum';
    const socket = this.linkTo(m.to, channel);
    if (!socket) return;
    // Messages of one turn go out together: framed into the socket's writer now, written at flush()
    // (or at the end of this turn) as one buffer, one write call for all of them.
    let w = this.outgoing.get(socket);
    if (!w) {
      w = this.spare.get(socket) ?? new ByteWriter(outgoingBytesInitial);
      this.spare.delete(socket);
      this.outgoing.set(socket, w);
      if (this.outgoing.size === 1) process.nextTick(() => this.flush());
    }
    writeFrame(w, m);
  }

  /** Puts what was sent so far on the wire (the driver calls it at the end of each ZabReady). */
  flush(): void {
    for (const [socket, w] of this.outgoing) {
      if (socket.destroyed) continue;
      socket.write(w.view());
      // Nothing left queued: the kernel has every byte, so the buffer is free for the next turn.
      if (socket.writableLength === 0 && w.length <= spareBytesMax) {
        w.reset();
        this.spare.set(socket, w);
      }
    }
    this.outgoing.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const link of this.links.values()) link.socket?.destroy();
    for (const s of this.inbound) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  private linkTo(id: number, channel: Channel): net.Socket | null {
    const key = `${id}/${channel}`;
    let link = this.links.get(key);
    if (!link) this.links.set(key, (link = { socket: null, retryAt: 0 }));
    if (link.socket) return link.socket;
    const now = Date.now();
    if (now < link.retryAt) return null;
    const peer = this.members.find((m) => m.id === id);
    if (!peer) return null;
    const port = channel === 'election' ? peer.electionPort : peer.quorumPort;
    // Writes before 'connect' (or the TLS handshake) are buffered by the socket, so the message that caused the dial goes out.
    const t = this.tls;
    const socket = t
      ? tls.connect({
          host: peer.host,
          port,
          ...t.context,
          ...(net.isIP(peer.host) === 0 && { servername: peer.host }),
          ...(!t.hostnameVerification && { checkServerIdentity: () => undefined }),
        })
      : net.connect({ host: peer.host, port });
    socket.setNoDelay(true);
    const l = link;
    l.socket = socket;
    socket.on('error', (e) => this.log.debug(() => `link to ${id} (${channel}): ${e.message}`));
    socket.on('close', () => {
      this.spare.delete(socket);
      if (l.socket === socket) {
        l.socket = null;
        l.retryAt = Date.now() + redialMs;
      }
      if (channel === 'quorum' && !this.closed) this.onLinkDown(id);
    });
    socket.on('data', () => undefined);
    return socket;
  }

  private onInbound(socket: net.Socket, channel: Channel): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.inbound.add(socket);
    let buffered: Buffer = emptyBuffer;
    /** The member this connection speaks for, fixed by its first message. */
    let sender: number | null = null;
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      try {
        // Every whole frame of the chunk is decoded where it lies; only a partial tail is kept.
        let at = 0;
        while (buffered.length - at >= lengthBytes) {
          const n = buffered.readUInt32BE(at);
          if (n > peerFrameBytesMax) throw new Error(`peer frame of ${n} bytes`);
          if (buffered.length - at < lengthBytes + n) break;
          const m = decodeMessage(buffered, at + lengthBytes, at + lengthBytes + n);
          at += lengthBytes + n;
          this.admit(m, sender);
          sender = m.from;
          this.onMessage(m);
        }
        buffered = at === buffered.length ? emptyBuffer : buffered.subarray(at);
      } catch (e) {
        this.log.warn(`dropping peer connection from ${socket.remoteAddress}:${socket.remotePort}: ${(e as Error).message}`);
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.inbound.delete(socket);
      if (channel === 'quorum' && sender !== null && !this.closed) this.onLinkDown(sender);
    });
  }

  /** Throws (dropping the connection) unless `m` comes from a configured member, to this one, on its own connection. */
  private admit(m: Message<Uint8Array>, sender: number | null): void {
    if (m.from === this.myId || !this.members.some((p) => p.id === m.from)) throw new Error(`message from ${m.from}, which is not a configured member`);
    if (m.to !== this.myId) throw new Error(`message for ${m.to} (this member is ${this.myId})`);
    if (sender !== null && m.from !== sender) throw new Error(`message from ${m.from} on the connection of member ${sender}`);
  }
}

function normalize(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** True when the certificate's subjectAltName (or CN) names `address`. */
function certificateNames(cert: X509Certificate, address: string): boolean {
  return net.isIP(address) !== 0 ? cert.checkIP(address) !== undefined : cert.checkHost(address) !== undefined;
}
