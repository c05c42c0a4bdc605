/**
 * The ensemble roles' driver: the shared pipeline (RequestPipeline as leader or follower) and the shared
 * client port, plus what only a replicated member has: the ZAB peer (@coord/zab), its TCP links
 * (peer-transport.ts) and its durable store (zab-store.ts, in @coord/storage's formats). It runs the
 * ZabReady loop of docs/zab.md §3: send, persist (asynchronously: the event loop keeps serving while the
 * fsync runs, and inputs meanwhile gather in the next ZabReady), then the ACKs, apply, syncs, the leader's
 * requests, role changes, advance. Time is the tick timer; randomness is seeded from crypto.
 *
 * Without a dataDir the ZAB log lives in memory and a restarted member rejoins empty (the leader sends
 * it everything).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tlsStoreOptions } from '@coord/client';
import { restoreTree } from '@coord/data-tree';
import { PreparedTxn, RequestPipeline, type Role, type SequencerRequest, type ServerStats } from '@coord/server';
import { formatMessage, formatZxid, Peer, seededRand, type Message, type ZabReady, type SoftState } from '@coord/zab';
import type { RoleView } from '../admin/commands';
import { RoleDriver } from '../role-driver';
import type { Logger, NodeConfig } from '../ops';
import { coreConfigOf } from '../node';
import { decodeRequestPayload, decodeTxnPayload, encodeRequestPayload, encodeTxnPayload, isTxnPayload } from '@coord/envelope';
import { DecodedTxns } from './decoded-txns';
import { MemberAddress, PeerTransport } from './peer-transport';
import { decodeSnapshotData, ZabStore } from './zab-store';

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

/** ZabReady batches handled per event-loop turn before yielding to sockets and timers. */
const readyRoundsPerTurnMax = 64;
/** Proposals whose commit latency is being timed at most (the rest are not timed). */
const proposalsTimedMax = 10_000;
/** ZabReadys whose log writes may be queued at once (each one's ACKs wait for its fsync). */
const persistsInFlightMax = 64;

class EnsembleNode extends RoleDriver implements RunningEnsembleNode {
  private readonly peer: Peer<Uint8Array>;
  protected readonly core: RequestPipeline;
  private readonly transport: PeerTransport;
  private readonly zabLog: Logger;
  private readonly store: ZabStore | null;
  private soft: SoftState = { state: 'LOOKING', leader: null, phase: 'ELECTION', epoch: 0 };
  /** ZAB sync id -> the pipeline's sync token. */
  private readonly syncTokens = new Map<number, number>();
  /** ZabReadys applied early whose writes are on their way to disk (in call order). */
  private persistsInFlight = 0;
  /** A ZabReady to be finished whole after its write: no other is taken until then. */
  private strictPending = false;
  private snapshotting = false;
  /** When this member last started looking for a leader (start counts). */
  private lookingSince = Date.now();
  /** Leader: when each zxid still uncommitted was proposed (proposal_latency), bounded. */
  private readonly proposedAt = new Map<number, number>();
  /** Payloads decoded once: at logging (or proposing), used again when applied. */
  private readonly decoded = new DecodedTxns();
  /** When the last election ended (follower_sync_time runs from here to serving). */
  private electedAt = 0;

  constructor(config: NodeConfig, log: Logger) {
    super(config, log);
    const id = config.serverId;
    const voters = config.members.filter((m) => m.role === 'participant').map((m) => m.id);
    this.zabLog = log.child('zab');
    this.store = config.dataDir
      ? new ZabStore({
          dataDir: config.dataDir,
          dataLogDir: config.dataLogDir,
          forceSync: config.forceSync,
          snapRetainCount: config.autopurgeSnapRetainCount,
          snapshotBytesPerSecond: config.snapshotBytesPerSecond,
          log: log.child('storage'),
          now: Date.now,
        })
      : null;
    const storage = this.store?.recover();
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
      snapCount: this.store ? config.snapCount : Number.MAX_SAFE_INTEGER,
      // ACKs are numbered when their fsync is done (persisted/advance hand them out), not in the ZabReady.
      asyncPersist: true,
    });
    // randomBytes: the session secret, made once by the ensemble's first leader and replicated as a txn.
    this.core = new RequestPipeline({ ...coreConfigOf(config), serverId: id }, { now: Date.now, randomBytes, logger: log.child('server') });
    this.core.setRole('looking');
    if (storage?.snapshot.data) {
      this.restoreSnapshot(storage.snapshot.data as Uint8Array, storage.snapshot.zxid);
      this.zabLog.info(`restored snapshot ${formatZxid(storage.snapshot.zxid)}: ${this.core.tree.size} znodes`);
    }
    const members: MemberAddress[] = config.members.map((m) => ({ id: m.id, host: m.host, quorumPort: m.quorumPort, electionPort: m.electionPort }));
    // sslQuorum=true: mutual TLS on the quorum and election ports with the ssl.quorum.* stores.
    const q = config.security.quorumTls;
    const peerTls = config.security.sslQuorum ? { context: tlsStoreOptions(q, (p) => readFileSync(p)), hostnameVerification: q.hostnameVerification } : undefined;
    this.transport = new PeerTransport(id, members, (m) => this.onPeerMessage(m), log.child('peers'), undefined, peerTls, (peer) => this.onLinkDown(peer));
  }

  get mode(): 'leader' | 'follower' | 'looking' {
    const role = this.core.currentRole;
    return role === 'leader' || role === 'follower' ? role : 'looking';
  }

  async start(): Promise<void> {
    await this.transport.start();
    await this.listenForClients();
    this.every(this.config.tickTime, () => this.peer.tick());
    this.log.info(`ensemble member ${this.config.serverId} of [${this.config.members.map((m) => m.id).join(',')}], tickTime=${this.config.tickTime}`);
    this.schedulePump();
  }

  async close(): Promise<void> {
    if (!(await this.closeClients())) return;
    await this.transport.close();
    await this.store?.close();
  }

  private onPeerMessage(m: Message<Uint8Array>): void {
    if (this.closed) return;
    // Each per-message and per-txn debug line checks the level first: no closure per write when it is off.
    if (m.type !== 'PING' && m.type !== 'NOTIFICATION' && this.zabLog.enabled('debug')) this.zabLog.debug(`recv ${formatMessage(m, payloadText)}`);
    this.peer.step(m);
    this.schedulePump();
  }

  private onLinkDown(peer: number): void {
    if (this.closed) return;
    this.zabLog.debug(() => `quorum connection with server ${peer} closed`);
    this.peer.linkDown(peer);
    this.schedulePump();
  }

  /** The pipeline's requests go to ZAB; ZAB's ZabReadys are executed one at a time, as docs/zab.md §3 orders. */
  protected pump(): void {
    this.drainCore();
    let rounds = 0;
    while (this.canTakeReady() && rounds++ < readyRoundsPerTurnMax) {
      this.execute(this.peer.ready());
      this.drainCore();
    }
    // One write per peer and per client connection for the whole turn (a ZabReady's messages wait here,
    // after its log write was queued, which they never had to precede).
    this.transport.flush();
    this.clientPort.flush();
    if (this.canTakeReady()) this.schedulePump();
  }

  /** A ZabReady that replaces, cuts or re-roles must finish before the next; otherwise a few may be on their way to disk. */
  private canTakeReady(): boolean {
    return !this.strictPending && this.persistsInFlight < persistsInFlightMax && this.peer.hasReady();
  }

  /** Moves what the pipeline produced: frames to the client port, requests and syncs into ZAB, and (leader) prepares txns. */
  private drainCore(): void {
    const { effects, toSubmit, toSync } = this.core.ready();
    this.clientPort.deliver(effects);
    for (const request of toSubmit) this.peer.submit(encodeRequestPayload(request));
    for (const token of toSync) {
      const syncId = this.peer.sync();
      if (syncId !== null) this.syncTokens.set(syncId, token);
    }
    if (this.core.currentRole === 'leader') this.core.sequence((p) => this.propose(p));
  }

  private propose(p: PreparedTxn): number | null {
    const zxid = this.peer.propose(encodeTxnPayload(p.origin, p.txn));
    if (zxid !== null) {
      this.decoded.remember(zxid, { origin: p.origin, txn: { ...p.txn, zxid } });
      this.metrics.proposalCount++;
      if (this.proposedAt.size < proposalsTimedMax) this.proposedAt.set(zxid, Date.now());
      if (this.log.enabled('debug')) {
        this.log.debug(`write path: leader proposes ${formatZxid(zxid)} ${p.txn.op.type} for session 0x${BigInt.asUintN(64, p.txn.sessionId).toString(16)} xid ${p.txn.cxid} from server ${p.origin}`);
      }
    }
    return zxid;
  }

  /**
   * One ZabReady, as docs/zab.md §3 orders it, with an asynchronous disk: messages leave at once (PROPOSALs
   * reach the followers while this member fsyncs, so the fsyncs overlap); committed txns are applied at
   * once (they are on a quorum's disks already) and the next ZabReady may be taken while this one's write
   * runs; ACKs and the leader's own acknowledgement wait for the fsync. A ZabReady that installs a snapshot,
   * truncates the log or changes the role is finished whole after its write, before any other.
   */
  private execute(ready: ZabReady<Uint8Array>): void {
    for (const m of ready.messages) this.sendPeer(m);
    const strict = ready.persist.snapshot !== undefined || ready.persist.truncateAfter !== undefined || ready.softState !== undefined;
    if (strict) this.decoded.clear();
    const idle = this.persistsInFlight === 0;
    if (!this.store || (!ready.mustSync && idle)) {
      this.finishStrict(ready);
      return;
    }
    if (strict) this.strictPending = true;
    else {
      this.applyCommitted(ready);
      this.peer.advanceBeforePersist(ready);
    }
    this.persistsInFlight++;
    const persistStartedAt = Date.now();
    if (ready.persist.entries?.length) this.metrics.syncProcessorBatchSize.record(ready.persist.entries.length);
    this.store.persist(ready.persist, ready.mustSync).then(
      () => {
        this.persistsInFlight--;
        this.metrics.fsyncTime.record(Date.now() - persistStartedAt);
        if (this.closed) return;
        if (strict) {
          this.strictPending = false;
          this.finishStrict(ready);
        } else {
          this.afterPersist(ready);
        }
        // Writes finishing in the same poll phase share one pump (their ACKs have left already).
        this.schedulePump();
      },
      (err) => {
        // A member that cannot persist must not acknowledge anything: stop loudly, recover on restart.
        this.log.error('persisting the ZAB log failed; shutting down', err);
        void this.close().finally(() => process.exit(1));
      },
    );
  }

  /** The write of a ZabReady that was applied early is durable: its ACKs leave and the leader counts itself. */
  private afterPersist(ready: ZabReady<Uint8Array>): void {
    this.sendAll(this.peer.persisted(ready));
    if (ready.snapshotWanted) this.takeSnapshot();
  }

  /** A ZabReady handled whole once its write (if any) is durable: SNAP install, ACKs, apply, snapshot, role, advance. */
  private finishStrict(ready: ZabReady<Uint8Array>): void {
    const snap = ready.persist.snapshot;
    if (snap) {
      this.restoreSnapshot(snap.data as Uint8Array, snap.zxid);
      this.zabLog.info(`installed the leader's snapshot ${formatZxid(snap.zxid)}: ${this.core.tree.size} znodes`);
    }
    this.applyCommitted(ready);
    if (ready.snapshotWanted) this.takeSnapshot();
    if (ready.softState) this.roleChange(ready.softState);
    this.sendAll(this.peer.advance(ready));
  }

  /** Committed txns to the pipeline, finished syncs, and (leader) the requests to sequence. */
  private applyCommitted(ready: ZabReady<Uint8Array>): void {
    if (this.proposedAt.size > 0) {
      for (const t of ready.committed) {
        const at = this.proposedAt.get(t.zxid);
        if (at === undefined) continue;
        this.proposedAt.delete(t.zxid);
        this.metrics.proposalLatency.record(Date.now() - at);
      }
    }
    for (const t of ready.committed) {
      const { origin, txn } = this.decoded.take(t);
      this.core.apply(origin, txn);
      if (this.zabLog.enabled('debug')) this.zabLog.debug(`applied ${formatZxid(t.zxid)} ${txn.op.type}`);
    }
    for (const s of ready.syncsDone) {
      const token = this.syncTokens.get(s.syncId);
      if (token === undefined) continue;
      this.syncTokens.delete(s.syncId);
      this.core.syncDone(token);
    }
    for (const r of ready.requests) {
      let request: SequencerRequest;
      try {
        request = decodeRequestPayload(r.request);
      } catch (e) {
        // A peer running a different envelope version: drop the request (its client times out).
        this.log.warn(`dropping a malformed request from server ${r.from}: ${(e as Error).message}`);
        continue;
      }
      this.core.offer(request);
    }
  }

  private restoreSnapshot(data: Uint8Array, zxid: number): void {
    const { image, sessions, sessionSecret } = decodeSnapshotData(data);
    this.core.restore(
      (tree) => restoreTree(tree, image),
      [...sessions].map(([sessionId, timeOut]) => ({ sessionId, timeOut })),
      zxid,
      sessionSecret,
    );
  }

  /** snapCount txns since the last snapshot: snapshot the applied state in the background, then let ZAB forget the log it covers. */
  private takeSnapshot(): void {
    if (!this.store || this.snapshotting) return;
    this.snapshotting = true;
    const snapshotStartedAt = Date.now();
    const sessions = [...this.core.sessions.all()].map((s) => ({ sessionId: s.sessionId, timeOut: s.timeoutMs }));
    const logged = (after: number, through: number) => this.peer.logged(after, through).map((t) => decodeTxnPayload(t.payload, t.zxid).txn);
    this.store.snapshot(this.core.tree, sessions, this.core.lastProcessedZxid, this.core.sessions.currentSecret, logged).then(
      (snapshot) => {
        this.snapshotting = false;
        this.metrics.snapshotTime.record(Date.now() - snapshotStartedAt);
        this.metrics.snapCount++;
        this.lastSnapshotInfo = { zxid: snapshot.zxid, timestamp: Date.now() };
        if (this.closed) return;
        this.peer.compact(snapshot);
        this.zabLog.info(`snapshot ${formatZxid(snapshot.zxid)}: ${this.core.tree.size} znodes`);
      },
      (err) => {
        this.snapshotting = false;
        if (!this.closed) this.zabLog.warn(`snapshot not taken: ${(err as Error).message}`);
      },
    );
  }

  private roleChange(next: SoftState): void {
    const prev = this.soft;
    this.soft = next;
    const role: Role = next.phase !== 'BROADCAST' ? 'looking' : next.state === 'LEADING' ? 'leader' : 'follower';
    const newTerm = prev.epoch !== next.epoch || prev.state !== next.state;
    if (role !== this.core.currentRole || newTerm) {
      this.core.setRole(role, newTerm ? `epoch ${next.epoch}` : '');
      this.syncTokens.clear();
    }
    const wasServing = prev.phase === 'BROADCAST';
    const serving = next.phase === 'BROADCAST';
    this.timeRoleChange(prev, next);
    if (serving && !wasServing) {
      this.log.info(`serving as ${role} of epoch ${next.epoch} (leader ${next.leader})`);
    } else if (!serving && wasServing) {
      this.log.info(`stopped serving: ${this.peer.status().lastElectionReason}`);
    }
  }

  /** Messages that waited for an fsync (ACKs), numbered by ZAB just now. */
  private sendAll(messages: readonly Message<Uint8Array>[]): void {
    for (const m of messages) this.sendPeer(m);
  }

  private sendPeer(m: Message<Uint8Array>): void {
    if (m.type !== 'PING' && m.type !== 'NOTIFICATION' && this.zabLog.enabled('debug')) this.zabLog.debug(`send ${formatMessage(m, payloadText)}`);
    this.transport.send(m);
  }

  /** Election and unavailable time (mntr, /metrics): from going LOOKING to a leader, and to serving again. */
  private timeRoleChange(prev: SoftState, next: SoftState): void {
    const now = Date.now();
    if (next.phase === 'ELECTION' && prev.phase !== 'ELECTION') {
      this.lookingSince = now;
      this.metrics.lookingCount++;
    }
    if (prev.phase === 'ELECTION' && next.phase !== 'ELECTION') {
      this.electedAt = now;
      this.metrics.electionTime.record(now - this.lookingSince);
    }
    if (next.phase === 'BROADCAST' && prev.phase !== 'BROADCAST') {
      this.metrics.unavailableTime.record(now - this.lookingSince);
      if (next.state !== 'LEADING') this.metrics.followerSyncTime.record(now - this.electedAt);
    }
    if (next.phase !== 'BROADCAST' || next.state !== 'LEADING') this.proposedAt.clear();
    this.decoded.clear();
  }

  protected role(): RoleView {
    const self = this.config.members.find((m) => m.id === this.config.serverId);
    const leading = this.soft.state === 'LEADING' && this.soft.phase === 'BROADCAST';
    return {
      mode: this.soft.phase !== 'BROADCAST' ? 'looking' : leading ? 'leader' : 'follower',
      serverId: this.config.serverId,
      leaderId: this.soft.phase === 'BROADCAST' ? this.soft.leader : null,
      zabState: this.soft.phase.toLowerCase(),
      voting: self?.role !== 'observer',
      ...(leading && { learners: this.peer.status().learners.map((l) => ({ id: l.id, phase: l.phase })) }),
    };
  }

  protected roleMonitorValues(): [string, number][] {
    const voters = this.config.members.filter((m) => m.role === 'participant').length;
    return [['quorum_size', Math.floor(voters / 2) + 1]];
  }

  protected stats(askingConnId: number): ServerStats {
    const stats = this.core.stats(askingConnId);
    const status = this.peer.status();
    stats.serving = this.soft.phase === 'BROADCAST';
    stats.mode = this.soft.state === 'LEADING' ? 'leader' : 'follower';
    stats.clientPort = this.port;
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

/** Debug-log text for a payload: the txn's op and path, or the forwarded request's kind. */
function payloadText(p: Uint8Array): string {
  try {
    if (!isTxnPayload(p)) {
      const r = decodeRequestPayload(p);
      return `${r.kind} from server ${r.origin}`;
    }
    const { origin, txn } = decodeTxnPayload(p, 0);
    const op = txn.op as { type: string; path?: string };
    return `${op.type}${op.path ? ' ' + op.path : ''} (session 0x${BigInt.asUintN(64, txn.sessionId).toString(16)} xid ${txn.cxid} via server ${origin})`;
  } catch {
    return `${p.length}B`;
  }
}
