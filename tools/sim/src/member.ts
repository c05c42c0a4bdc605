// One simulated ensemble member: the real pipeline (RequestPipeline of @coord/server, with its sequencer) on
// top of a real ZAB peer (@coord/zab), wired as the node's driver wires them
// (libs/node/src/ensemble/ensemble-node.ts): drain the pipeline into ZAB, and run each ZabReady as
// that driver does with its asynchronous disk (messages at once, ACKs numbered and sent when their write is durable,
// committed txns applied while the write runs unless the ZabReady is strict, several ZabReadys in flight),
// with the same payload bytes (@coord/envelope) and snapshot format (@coord/storage). Only the I/O
// differs: the network, disk, clock and randomness are the simulation's, and a write takes simulated
// time during which inputs gather.
//
// A driver bug can be switched on (SimBugs) to prove the checkers catch it; the pipeline and the ZAB
// core themselves are never altered.

import { restoreTree } from '@coord/data-tree';
import { Xid } from '@coord/protocol';
import { decodeRequestPayload, decodeTxnPayload, encodeRequestPayload, encodeTxnPayload } from '@coord/envelope';
import { RequestPipeline, type Effect, type Role, type SequencerRequest } from '@coord/server';
import { loadSnapshotData } from '@coord/storage';
import { Peer, type Message, type ZabReady, type ServerId, type Snapshot, type SoftState, type ZabTxn, type Zxid } from '@coord/zab';
import { SimDisk } from './disk';
import type { SimOptions } from './options';
import type { Rng } from './rng';
import { snapshotOf } from './snapshot';

/** ZabReadys on their way to disk at most, as the node's driver allows. */
const persistsInFlightMax = 8;

/** Milliseconds of the pipeline's clock per simulated time unit (a tick of tickUnits units is tickUnits * this). */
export const msPerUnit = 10;

export interface MemberHooks {
  /** Simulated time, in units. */
  now(): number;
  sendPeer(member: SimMember, m: Message<Uint8Array>): void;
  /** The pipeline's frames and closes for client connections, in order. */
  deliver(member: SimMember, effects: readonly Effect[]): void;
  scheduleFsync(member: SimMember, units: number, done: () => void): void;
  /** A committed txn reaches this member's pipeline (`previous`: the zxid applied before it). */
  applied(member: SimMember, previous: Zxid, txn: ZabTxn<Uint8Array>): void;
  restored(member: SimMember, zxid: Zxid): void;
  roleChanged(member: SimMember, soft: SoftState): void;
  /** The member went down: its client connections are gone. */
  crashed(member: SimMember): void;
}

export class SimMember {
  peer: Peer<Uint8Array> | null = null;
  core: RequestPipeline | null = null;
  readonly disk = new SimDisk();
  soft: SoftState | null = null;
  incarnation = 0;
  /** ZabReadys whose writes are on their way to disk, and the time the last of them becomes durable. */
  private persistsInFlight = 0;
  private lastDurableAt = 0;
  /** A ZabReady that installs a snapshot, truncates or changes role is finished whole before the next is taken. */
  private strictPending = false;
  /** A snapshot taken, waiting for the log to be durable up to its zxid. */
  private pendingSnapshot: Snapshot | null = null;
  private readonly syncTokens = new Map<number, number>();

  constructor(
    readonly id: ServerId,
    private readonly voters: readonly ServerId[],
    private readonly options: SimOptions,
    private readonly rng: Rng,
    private readonly hooks: MemberHooks,
  ) {}

  get up(): boolean {
    return this.peer !== null;
  }

  /** Starts (or restarts) from what survived on the disk. */
  start(): void {
    this.incarnation++;
    const d = this.disk.durable;
    const o = this.options;
    this.peer = new Peer<Uint8Array>({
      id: this.id, voters: this.voters, rand: this.rng.fork(), checkInvariants: true, snapCount: o.snapCount,
      initLimitTicks: o.initLimitTicks, syncLimitTicks: o.syncLimitTicks, unsafeBugs: zabBugsOf(o), asyncPersist: true,
      storage: { acceptedEpoch: d.acceptedEpoch, currentEpoch: d.currentEpoch, snapshot: d.snapshot, log: [...d.log] },
    });
    const randomRng = this.rng.fork();
    this.core = new RequestPipeline(
      { tickTimeMs: o.tickUnits * msPerUnit, serverId: this.id },
      { now: () => this.hooks.now() * msPerUnit, randomBytes: (n) => randomBytesOf(randomRng, n) },
    );
    this.core.setRole('looking');
    this.soft = null;
    this.resetDriver();
    this.syncTokens.clear();
    this.held = null;
    if (d.snapshot.data !== undefined) this.restoreSnapshot(d.snapshot.data as Uint8Array, d.snapshot.zxid);
    this.hooks.restored(this, d.snapshot.zxid);
    this.pump();
  }

  crash(): void {
    this.peer = null;
    this.core = null;
    this.soft = null;
    this.resetDriver();
    this.disk.crash(this.rng);
    this.hooks.crashed(this);
  }

  onPeerMessage(m: Message<Uint8Array>): void {
    this.peer?.step(m);
    this.pump();
  }

  /** A ZAB tick (tickTime). */
  tick(): void {
    this.peer?.tick();
    this.pump();
  }

  /** The pipeline's tick (handshake timeouts, session expiry, a follower's touches); the node runs it every tickTime/4. */
  coreTick(): void {
    if (this.held !== null && this.peer !== null) this.peer.submit(encodeRequestPayload(this.held));
    this.held = null;
    this.core?.tick();
    this.pump();
  }

  private resetDriver(): void {
    this.persistsInFlight = 0;
    this.lastDurableAt = 0;
    this.strictPending = false;
    this.pendingSnapshot = null;
  }

  /** The pipeline's requests go to ZAB; ZAB's ZabReadys are executed as the node's driver does. */
  pump(): void {
    if (this.peer === null) return;
    this.drainCore();
    while (this.canTakeReady()) {
      this.execute((this.peer as Peer<Uint8Array>).ready());
      this.drainCore();
    }
  }

  private canTakeReady(): boolean {
    return this.peer !== null && !this.strictPending && this.persistsInFlight < persistsInFlightMax && this.peer.hasReady();
  }

  private drainCore(): void {
    const peer = this.peer;
    const core = this.core;
    if (peer === null || core === null) return;
    do {
      if (!core.hasReady()) {
        // Nothing out of the pipeline: only the leader's sequencer may have requests waiting.
        if (core.currentRole === 'leader') core.sequence((p) => peer.propose(encodeTxnPayload(p.origin, p.txn)));
        continue;
      }
      const { effects, toSubmit, toSync } = core.ready();
      // Bug: notifications (xid -1, right after the 4-byte length) never leave.
      const out = this.options.bugs.loseNotifications === true ? effects.filter((e) => e.kind === 'close' || e.frame.readInt32BE(4) !== Xid.notification) : effects;
      if (out.length > 0) this.hooks.deliver(this, out);
      for (const request of toSubmit) this.submit(peer, request);
      for (const token of toSync) {
        // Bug: a follower answers a sync at once, without the quorum round that brings it up to date.
        if (this.options.bugs.syncEarly === true && core.currentRole === 'follower') {
          core.syncDone(token);
          continue;
        }
        const syncId = peer.sync();
        if (syncId !== null) this.syncTokens.set(syncId, token);
      }
      if (core.currentRole === 'leader') core.sequence((p) => peer.propose(encodeTxnPayload(p.origin, p.txn)));
    } while (core.hasReady());
  }

  /** Bug reorderRequests: a client write is held back and forwarded after the next request (order skipped). */
  private held: SequencerRequest | null = null;

  private submit(peer: Peer<Uint8Array>, request: SequencerRequest): void {
    if (this.options.bugs.reorderRequests !== true) {
      peer.submit(encodeRequestPayload(request));
      return;
    }
    if (request.kind === 'write' && this.held === null) {
      this.held = request;
      return;
    }
    peer.submit(encodeRequestPayload(request));
    if (this.held !== null) peer.submit(encodeRequestPayload(this.held));
    this.held = null;
  }

  /**
   * One ZabReady, as the node's driver runs it with its asynchronous disk: messages leave at once; unless
   * the ZabReady is strict (installs a snapshot, truncates, changes role), committed txns are applied at
   * once and the next ZabReady may be taken while this one's write runs (up to persistsInFlightMax); ACKs
   * and the leader's own acknowledgement wait for the fsync, which completes in call order after a
   * random time. A strict ZabReady is finished whole after its write.
   */
  private execute(ready: ZabReady<Uint8Array>): void {
    const peer = this.peer as Peer<Uint8Array>;
    for (const m of ready.messages) this.hooks.sendPeer(this, m);
    const mark = this.disk.write(ready.persist);
    // Bug: proposals reach the pipeline as soon as they are logged here, before a quorum commits them.
    if (this.options.bugs.applyBeforeCommit === true) for (const t of ready.persist.entries) this.applyTxn(t);
    const strict = ready.persist.snapshot !== undefined || ready.persist.truncateAfter !== undefined || ready.softState !== undefined;
    if (!ready.mustSync && this.persistsInFlight === 0) {
      this.finishStrict(ready);
      return;
    }
    if (strict) this.strictPending = true;
    else {
      this.applyCommitted(ready);
      peer.advanceBeforePersist(ready);
    }
    this.persistsInFlight++;
    const now = this.hooks.now();
    // The write completes later (the node's store is asynchronous), and in call order: no sooner than the one before.
    const units = 1 + (ready.mustSync ? this.rng.intBelow(this.options.fsyncUnitsMax + 1) : 0);
    const at = Math.max(now + units, this.lastDurableAt);
    this.lastDurableAt = at;
    const incarnation = this.incarnation;
    this.hooks.scheduleFsync(this, at - now, () => {
      if (this.incarnation !== incarnation || this.peer === null) return; // crashed meanwhile
      this.disk.syncThrough(mark);
      this.saveSnapshotWhenCovered();
      this.persistsInFlight--;
      if (strict) {
        this.strictPending = false;
        this.finishStrict(ready);
      } else {
        // ACKs are numbered by ZAB now, at their fsync, and leave at once.
        for (const m of peer.persisted(ready)) this.hooks.sendPeer(this, m);
        if (ready.snapshotWanted) this.takeSnapshot();
      }
      this.pump();
    });
  }

  /** A ZabReady handled whole once its write (if any) is durable: SNAP install, apply, snapshot, role, advance. */
  private finishStrict(ready: ZabReady<Uint8Array>): void {
    const snap = ready.persist.snapshot;
    if (snap !== undefined) {
      this.restoreSnapshot(snap.data as Uint8Array, snap.zxid);
      this.hooks.restored(this, snap.zxid);
    }
    this.applyCommitted(ready);
    if (ready.snapshotWanted) this.takeSnapshot();
    if (ready.softState !== undefined) this.roleChange(ready.softState);
    for (const m of (this.peer as Peer<Uint8Array>).advance(ready)) this.hooks.sendPeer(this, m);
  }

  /** Committed txns to the pipeline, finished syncs, and (leader) the requests to sequence. */
  private applyCommitted(ready: ZabReady<Uint8Array>): void {
    const core = this.core as RequestPipeline;
    for (const t of ready.committed) this.applyTxn(t);
    for (const s of ready.syncsDone) this.syncDone(s.syncId);
    for (const r of ready.requests) {
      let request: SequencerRequest;
      try {
        request = decodeRequestPayload(r.request);
      } catch (e) {
        throw new Error(`member ${this.id}: undecodable request from ${r.from}: ${(e as Error).message}`);
      }
      core.offer(request);
    }
  }

  private syncDone(syncId: number): void {
    const token = this.syncTokens.get(syncId);
    if (token === undefined) return;
    this.syncTokens.delete(syncId);
    (this.core as RequestPipeline).syncDone(token);
  }

  private applyTxn(t: ZabTxn<Uint8Array>): void {
    const core = this.core as RequestPipeline;
    const previous = core.lastProcessedZxid;
    if (t.zxid <= previous && this.options.bugs.applyBeforeCommit === true) return; // applied early already
    this.hooks.applied(this, previous, t);
    const { origin, txn } = decodeTxnPayload(t.payload, t.zxid);
    core.apply(origin, txn);
  }

  private restoreSnapshot(data: Uint8Array, zxid: Zxid): void {
    const { image, sessions, sessionSecret } = loadSnapshotData(data);
    (this.core as RequestPipeline).restore(
      (tree) => restoreTree(tree, image),
      [...sessions].map(([sessionId, timeOut]) => ({ sessionId, timeOut })),
      zxid,
      sessionSecret,
    );
  }

  /**
   * snapCount txns since the last snapshot: the node writes a fuzzy one in the background and compacts
   * when it is done; here it is taken at once (exact at the applied zxid), in the same format, and
   * counts once the log is durable up to it.
   */
  private takeSnapshot(): void {
    if (this.pendingSnapshot !== null) return; // one at a time, as the node's store
    const core = this.core as RequestPipeline;
    this.pendingSnapshot = snapshotOf(core.tree, core.sessions, core.lastProcessedZxid, this.hooks.now() * msPerUnit);
    this.saveSnapshotWhenCovered();
  }

  /** As the node's store: a snapshot counts (and ZAB may forget the log it covers) once the log holds every txn in it durably. */
  private saveSnapshotWhenCovered(): void {
    const snapshot = this.pendingSnapshot;
    if (snapshot === null || this.disk.durableZxid < snapshot.zxid) return;
    this.pendingSnapshot = null;
    if (snapshot.zxid <= this.disk.durable.snapshot.zxid) return; // superseded (a SNAP installed meanwhile)
    this.disk.saveSnapshot(snapshot);
    (this.peer as Peer<Uint8Array>).compact(snapshot);
  }

  /** As the node's driver: the pipeline's role follows ZAB's phase; a new term drops every client. */
  private roleChange(next: SoftState): void {
    const core = this.core as RequestPipeline;
    const prev = this.soft ?? initialSoft;
    this.soft = next;
    const role: Role = next.phase !== 'BROADCAST' ? 'looking' : next.state === 'LEADING' ? 'leader' : 'follower';
    const newTerm = prev.epoch !== next.epoch || prev.state !== next.state;
    if (role !== core.currentRole || newTerm) {
      core.setRole(role, newTerm ? `epoch ${next.epoch}` : '');
      this.syncTokens.clear();
    }
    this.hooks.roleChanged(this, next);
  }
}

/** What the node's driver assumes before ZAB's first soft state. */
const initialSoft: SoftState = { state: 'LOOKING', leader: null, phase: 'ELECTION', epoch: 0 };

function zabBugsOf(o: SimOptions): { commitWithoutQuorum?: boolean; ackBeforePersist?: boolean } {
  return { commitWithoutQuorum: o.bugs.commitWithoutQuorum, ackBeforePersist: o.bugs.ackBeforePersist };
}

function randomBytesOf(rng: Rng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = rng.intBelow(256);
  return b;
}
