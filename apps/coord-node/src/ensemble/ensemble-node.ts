/**
 * The ensemble member's driver: the ZAB peer (@coord/zab), its TCP links (peer-transport.ts), the
 * client side (ensemble-core.ts), the leader's prep (leader-prep.ts) and the client listener. It runs
 * the Ready loop of docs/zab.md §3: persist, send, apply, answer syncs, prep the leader's requests,
 * react to role changes, advance. Time is the tick timer (tickTime); randomness is seeded from crypto.
 *
 * With a dataDir, the ZAB log and epochs are durable (zab-disk.ts): a restarted member starts from
 * them, and its tree is rebuilt as the ensemble confirms the logged txns. Without one they live in
 * memory and a restarted member rejoins empty (the leader sends it everything).
 */
import { randomInt } from 'node:crypto';
import { Peer, seededRand, formatMessage, formatZxid, type Message, type Ready, type SoftState } from '@coord/zab';
import { containerCheckIntervalMsDefault, containerMaxPerMinuteDefault, serverVersionDefault } from '@coord/server';
import { collectEnvInfo, emptyServerStats, formatZooKeeperVersion, Logger, NodeConfig, runFourLetterWord, ServerStats, lastOpName } from '../ops';
import { ClientListener } from './client-listener';
import { EnsembleCore } from './ensemble-core';
import { decodeRequest, decodeTxnPayload, encodeRequest, encodeTxnPayload, isTxnPayload } from './envelope';
import { LeaderPrep, PreppedTxn } from './leader-prep';
import { MemberAddress, PeerTransport } from './peer-transport';
import { ZabDisk } from './zab-disk';

const builtOnMs = Date.UTC(2026, 10, 25, 0, 0);

export interface RunningEnsembleNode {
  host: string;
  port: number;
  readonly mode: 'leader' | 'follower' | 'looking';
  close(): Promise<void>;
}

export async function startEnsembleNode(config: NodeConfig, log: Logger): Promise<RunningEnsembleNode> {
  const node = new EnsembleNode(config, log);
  await node.start();
  return node;
}

class EnsembleNode implements RunningEnsembleNode {
  host = '';
  port = 0;
  private readonly peer: Peer<Uint8Array>;
  private readonly core: EnsembleCore;
  private readonly prep: LeaderPrep;
  private readonly transport: PeerTransport;
  private readonly listener: ClientListener;
  private readonly zabLog: Logger;
  private readonly disk: ZabDisk | null;
  private soft: SoftState = { state: 'LOOKING', leader: null, phase: 'ELECTION', epoch: 0 };
  private timer: NodeJS.Timeout | null = null;
  private pumpScheduled = false;
  private closed = false;
  private readonly startedAt = Date.now();
  private nextContainerCheckAt = Date.now() + containerCheckIntervalMsDefault;

  constructor(
    private readonly config: NodeConfig,
    private readonly log: Logger,
  ) {
    const id = config.serverId;
    const voters = config.members.filter((m) => m.role === 'participant').map((m) => m.id);
    this.zabLog = log.child('zab');
    this.disk = config.dataDir ? new ZabDisk(config.dataDir, config.forceSync) : null;
    const storage = this.disk?.recover();
    if (storage) {
      this.zabLog.info(
        `recovered acceptedEpoch=${storage.acceptedEpoch} currentEpoch=${storage.currentEpoch} with ${storage.log.length} logged txns` +
          (storage.cutBytes > 0 ? ` (cut a torn tail of ${storage.cutBytes} bytes)` : ''),
      );
    }
    this.peer = new Peer<Uint8Array>({
      id,
      voters,
      ...(storage && { storage: { acceptedEpoch: storage.acceptedEpoch, currentEpoch: storage.currentEpoch, snapshot: storage.snapshot, log: storage.log } }),
      rand: seededRand(randomInt(2 ** 31)),
      initLimitTicks: config.initLimit,
      syncLimitTicks: config.syncLimit,
      // Without a data directory there is nowhere to keep snapshots: the log stays whole, in memory.
      snapCount: this.disk ? config.snapCount : Number.MAX_SAFE_INTEGER,
    });
    this.core = new EnsembleCore(
      {
        serverId: id,
        tickTimeMs: config.tickTime,
        minSessionTimeoutMs: config.minSessionTimeout,
        maxSessionTimeoutMs: config.maxSessionTimeout,
        frameBytesMax: config.juteMaxBuffer,
        existsChecksRead: true,
        superDigest: config.superDigest,
        // The member ids only: members may reach each other through different addresses.
        ensembleName: config.members.map((m) => m.id).join(','),
      },
      {
        send: (connId, frame) => this.listener.send(connId, frame),
        close: (connId, reason) => this.listener.closeClient(connId, reason),
        submit: (payload) => {
          const ok = this.peer.submit(payload);
          this.schedulePump();
          return ok;
        },
        serving: () => this.soft.phase === 'BROADCAST',
        sync: () => {
          const id = this.peer.sync();
          this.schedulePump();
          return id;
        },
      },
      Date.now,
      log.child('server'),
    );
    if (storage?.snapshot.data) {
      this.core.restore(storage.snapshot.data as Uint8Array, storage.snapshot.zxid);
      this.zabLog.info(`restored snapshot ${formatZxid(storage.snapshot.zxid)}: ${this.core.tree.size} znodes`);
    }
    this.prep = new LeaderPrep(() => this.core.tree, this.core.sessions, {
      extendedTypesEnabled: config.extendedTypesEnabled,
      frameBytesMax: config.juteMaxBuffer,
      now: Date.now,
    });
    const members: MemberAddress[] = config.members.map((m) => ({ id: m.id, host: m.host, quorumPort: m.quorumPort, electionPort: m.electionPort }));
    this.transport = new PeerTransport(id, members, (m) => this.onPeerMessage(m), log.child('peers'));
    this.listener = new ClientListener(config, log, this.core, (word, connId) => this.fourLetterWord(word, connId), () => this.schedulePump());
  }

  get mode(): 'leader' | 'follower' | 'looking' {
    if (this.soft.phase !== 'BROADCAST') return 'looking';
    return this.soft.state === 'LEADING' ? 'leader' : 'follower';
  }

  async start(): Promise<void> {
    await this.transport.start();
    await this.listener.listen();
    this.host = this.listener.host;
    this.port = this.listener.port;
    this.timer = setInterval(() => this.onTick(), this.config.tickTime);
    this.log.info(`ensemble member ${this.config.serverId} of [${this.config.members.map((m) => m.id).join(',')}], tickTime=${this.config.tickTime}`);
    this.schedulePump();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all([this.listener.close(), this.transport.close()]);
    this.disk?.close();
  }

  private onPeerMessage(m: Message<Uint8Array>): void {
    if (this.closed) return;
    if (m.type !== 'PING' && m.type !== 'NOTIFICATION') this.zabLog.debug(() => `recv ${formatMessage(m, payloadText)}`);
    this.peer.step(m);
    this.schedulePump();
  }

  private onTick(): void {
    try {
      this.peer.tick();
      if (this.soft.state === 'LEADING' && this.soft.phase === 'BROADCAST') {
        const now = Date.now();
        for (const id of this.core.takeTouched()) {
          const s = this.core.sessions.get(id);
          if (s) this.core.sessions.touch(s, now);
        }
        if (now >= this.nextContainerCheckAt) {
          // Container and TTL cleanup is the leader's, as in ZooKeeper (ContainerManager runs there).
          this.nextContainerCheckAt = now + containerCheckIntervalMsDefault;
          const perSweepMax = Math.max(1, Math.floor((containerMaxPerMinuteDefault * containerCheckIntervalMsDefault) / 60_000));
          for (const path of this.core.tree.cleanupCandidates(now, 0).slice(0, perSweepMax)) this.prep.offer({ kind: 'deleteContainer', path });
        }
        for (const s of this.core.sessions.takeExpired(now)) {
          this.log.info(`Expiring session 0x${BigInt.asUintN(64, s.sessionId).toString(16)}, timeout of ${s.timeoutMs}ms exceeded`);
          this.prep.offer({ kind: 'closeSession', origin: 0, sessionId: s.sessionId, cxid: 0 });
        }
      } else if (this.soft.phase === 'BROADCAST') {
        const touched = this.core.takeTouched();
        if (touched.length > 0) this.peer.submit(encodeRequest({ kind: 'touch', origin: this.config.serverId, sessionIds: touched }));
      }
    } catch (e) {
      this.log.error('tick failed', e);
    }
    this.schedulePump();
  }

  private proposeTxn(p: PreppedTxn): number | null {
    const zxid = this.peer.propose(encodeTxnPayload(p.origin, p.txn));
    if (zxid !== null) {
      this.log.debug(() => `write path: leader proposes ${formatZxid(zxid)} ${p.txn.op.type} for session 0x${BigInt.asUintN(64, p.txn.sessionId).toString(16)} xid ${p.txn.cxid} from server ${p.origin}`);
    }
    return zxid;
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.closed) return;
    this.pumpScheduled = true;
    setImmediate(() => this.pump());
  }

  /** One Ready at a time, as docs/zab.md §3 orders it. Persisting is synchronous (see zab-disk.ts). */
  private pump(): void {
    this.pumpScheduled = false;
    if (this.closed) return;
    let rounds = 0;
    const leading = () => this.soft.state === 'LEADING' && this.soft.phase === 'BROADCAST';
    if (leading()) this.prep.drain((p) => this.proposeTxn(p));
    while (this.peer.hasReady() && rounds++ < readyRoundsPerTurnMax) {
      const ready = this.peer.ready();
      this.execute(ready);
      this.peer.advance(ready);
      if (leading()) this.prep.drain((p) => this.proposeTxn(p));
    }
    this.listener.flush();
    if (this.peer.hasReady()) this.schedulePump();
  }

  private execute(ready: Ready<Uint8Array>): void {
    // Messages may leave before the fsync; ACKs and the rest of messagesAfterPersist only after it.
    for (const m of ready.messages) this.sendPeer(m);
    // PROPOSALs reach the followers while this member fsyncs, so the two fsyncs overlap.
    this.transport.flush();
    this.disk?.persist(ready.persist, ready.mustSync);
    const snap = ready.persist.snapshot;
    if (snap) {
      this.core.restore(snap.data as Uint8Array, snap.zxid);
      this.prep.reset();
      this.zabLog.info(`installed the leader's snapshot ${formatZxid(snap.zxid)}: ${this.core.tree.size} znodes`);
    }
    for (const m of ready.messagesAfterPersist) this.sendPeer(m);
    for (const t of ready.committed) {
      const { origin, txn } = decodeTxnPayload(t.payload, t.zxid);
      this.core.apply(origin, txn);
      this.zabLog.debug(() => `applied ${formatZxid(t.zxid)} ${txn.op.type}`);
    }
    if (ready.committed.length > 0) this.prep.applied(this.core.lastApplied);
    for (const s of ready.syncsDone) this.core.syncDone(s.syncId);
    for (const r of ready.requests) {
      let request;
      try {
        request = decodeRequest(r.request);
      } catch (e) {
        // A peer running a different envelope version: drop the request (its client times out).
        this.log.warn(`dropping a malformed request from server ${r.from}: ${(e as Error).message}`);
        continue;
      }
      if (request.kind === 'touch') {
        const now = Date.now();
        for (const id of request.sessionIds) {
          const s = this.core.sessions.get(id);
          if (s) this.core.sessions.touch(s, now);
        }
      } else {
        this.prep.offer(request);
      }
    }
    if (ready.snapshotWanted && this.disk) this.takeSnapshot();
    if (ready.softState) this.roleChange(ready.softState);
  }

  /** snapCount txns since the last snapshot: snapshot the applied state, then let ZAB and the disk forget the log it covers. */
  private takeSnapshot(): void {
    const started = Date.now();
    const zxid = this.core.lastApplied;
    const data = this.core.snapshot();
    (this.disk as ZabDisk).compact(zxid, data);
    this.peer.compact({ zxid, data });
    this.zabLog.info(`snapshot ${formatZxid(zxid)}: ${this.core.tree.size} znodes, ${data.length} bytes in ${Date.now() - started} ms`);
  }

  private roleChange(next: SoftState): void {
    const prev = this.soft;
    this.soft = next;
    const wasServing = prev.phase === 'BROADCAST';
    const serving = next.phase === 'BROADCAST';
    if (wasServing && (!serving || prev.state !== next.state || prev.epoch !== next.epoch)) {
      this.core.dropAllClients(`left ${prev.state} (epoch ${prev.epoch})`);
    }
    if (prev.state !== next.state || prev.epoch !== next.epoch) this.prep.reset();
    if (serving && !wasServing) {
      this.log.info(`serving as ${next.state === 'LEADING' ? 'leader' : 'follower'} of epoch ${next.epoch} (leader ${next.leader})`);
      if (next.state === 'LEADING') {
        // A new leader starts every session's clock afresh: it cannot know how long they were idle.
        const now = Date.now();
        for (const s of this.core.sessions.all()) {
          s.closing = false;
          this.core.sessions.touch(s, now);
        }
      }
    } else if (!serving && wasServing) {
      this.log.info(`stopped serving: ${this.peer.status().lastElectionReason}`);
    }
  }

  private sendPeer(m: Message<Uint8Array>): void {
    if (m.type !== 'PING' && m.type !== 'NOTIFICATION') this.zabLog.debug(() => `send ${formatMessage(m, payloadText)}`);
    this.transport.send(m);
  }

  private fourLetterWord(word: string, askingConnId: number): string {
    return runFourLetterWord(word, this.stats(askingConnId), this.config, collectEnvInfo());
  }

  private stats(askingConnId: number): ServerStats {
    const stats = emptyServerStats(formatZooKeeperVersion(serverVersionDefault, builtOnMs));
    const status = this.peer.status();
    stats.serving = this.soft.phase === 'BROADCAST';
    stats.mode = this.soft.state === 'LEADING' ? 'leader' : 'follower';
    stats.zxid = this.core.lastApplied;
    stats.nodeCount = this.core.tree.nodeCount;
    stats.approximateDataSize = this.core.tree.approximateDataSize;
    stats.packetsReceived = this.core.counters.packetsReceived;
    stats.packetsSent = this.core.counters.packetsSent;
    stats.globalSessions = this.core.sessions.size;
    stats.uptimeMs = Date.now() - this.startedAt;
    stats.clientPort = this.port;
    stats.connections = this.core.connections().map((c) => ({
      remoteAddress: c.remoteAddress,
      remotePort: c.remotePort,
      interestOps: c.id === askingConnId ? 0 : 1,
      queued: this.core.queued(c.id),
      received: c.received,
      sent: c.sent,
      sessionId: c.session?.sessionId,
      lastOp: lastOpName(c.lastOp),
      established: c.established,
      timeout: c.session?.timeoutMs,
      lastCxid: c.lastCxid,
      lastZxid: c.lastZxid,
      lastResponse: c.lastResponse,
      lastLatency: c.latency.lastMs,
      minLatency: c.latency.count === 0 ? 0 : c.latency.minMs,
      avgLatency: c.latency.count === 0 ? 0 : Math.floor(c.latency.totalMs / c.latency.count),
      maxLatency: c.latency.maxMs,
    }));
    if (this.soft.state === 'LEADING') {
      const synced = status.learners.filter((l) => l.phase === 'SYNCED').length;
      stats.leader = {
        proposalSizeLast: -1, proposalSizeMin: -1, proposalSizeMax: -1,
        learners: status.learners.length, syncedFollowers: synced, syncedNonVotingFollowers: 0, syncedObservers: 0, pendingSyncs: 0,
      };
    }
    return stats;
  }
}

/** Ready batches handled per event-loop turn before yielding to sockets and timers. */
const readyRoundsPerTurnMax = 64;

/** Debug-log text for a payload: the txn's op and path, or the forwarded request's kind. */
function payloadText(p: Uint8Array): string {
  try {
    if (!isTxnPayload(p)) {
      const r = decodeRequest(p);
      return `${r.kind} from server ${r.origin}`;
    }
    const { origin, txn } = decodeTxnPayload(p, 0);
    const op = txn.op as { type: string; path?: string };
    return `${op.type}${op.path ? ' ' + op.path : ''} (session 0x${BigInt.asUintN(64, txn.sessionId).toString(16)} xid ${txn.cxid} via server ${origin})`;
  } catch {
    return `${p.length}B`;
  }
}
