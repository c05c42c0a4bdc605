// The driver of one simulated peer: the same loop a real node runs (persist, send, apply, advance),
// with an fsync that takes simulated time, plus the leader's session-expiry duty. Everything it
// learns (applies, syncs, role changes) is reported to the world through `hooks`.

import { Peer, type Ready, type ServerId, type SoftState, type Txn, type Zxid } from '@coord/zab';
import { SimDisk } from './disk';
import type { SimOptions } from './options';
import type { Rng } from './rng';
import { StateMachine, type Op } from './state-machine';

export interface NodeHooks {
  now(): number;
  send(ready: Ready<Op>, afterPersist: boolean): void;
  scheduleFsync(node: SimNode, units: number, done: () => void): void;
  applied(node: SimNode, previous: Zxid, txn: Txn<Op>, ok: boolean): void;
  restored(node: SimNode, zxid: Zxid): void;
  syncDone(node: SimNode, syncId: number): void;
  roleChanged(node: SimNode, soft: SoftState): void;
}

export class SimNode {
  peer: Peer<Op> | null = null;
  readonly disk = new SimDisk();
  readonly sm = new StateMachine();
  soft: SoftState | null = null;
  incarnation = 0;
  private inflight = false;
  /** Leader duty: last activity per session (in ticks), and sessions whose close is proposed. */
  private readonly sessionSeenTick = new Map<number, number>();
  private readonly closing = new Set<number>();
  private tickCount = 0;
  private closeOps = 0;

  constructor(readonly id: ServerId, private readonly voters: readonly ServerId[], private readonly options: SimOptions,
    private readonly rng: Rng, private readonly hooks: NodeHooks) {}

  get up(): boolean {
    return this.peer !== null;
  }

  start(): void {
    this.incarnation++;
    const d = this.disk.durable;
    this.peer = new Peer<Op>({
      id: this.id, voters: this.voters, rand: this.rng.fork(), checkInvariants: true, snapCount: this.options.snapCount,
      initLimitTicks: this.options.initLimitTicks, syncLimitTicks: this.options.syncLimitTicks, unsafeBugs: this.options.bugs,
      storage: { acceptedEpoch: d.acceptedEpoch, currentEpoch: d.currentEpoch, snapshot: d.snapshot, log: [...d.log] },
    });
    // The state machine comes back from the snapshot; the core re-delivers committed txns after it.
    this.sm.restore(d.snapshot.data);
    this.hooks.restored(this, d.snapshot.zxid);
    this.soft = null;
    this.inflight = false;
    this.sessionSeenTick.clear();
    this.closing.clear();
    this.pump();
  }

  crash(): void {
    this.peer = null;
    this.soft = null;
    this.inflight = false;
    this.disk.crash(this.rng);
  }

  tick(): void {
    if (this.peer === null) return;
    this.tickCount++;
    this.peer.tick();
    this.expireSessions();
    this.pump();
  }

  /** The leader owns session expiry: a session nobody touched for sessionTimeout ticks is closed by a txn. */
  touch(session: number): void {
    this.sessionSeenTick.set(session, this.tickCount);
  }

  pump(): void {
    while (this.peer !== null && !this.inflight && this.peer.hasReady()) {
      const peer = this.peer;
      const incarnation = this.incarnation;
      const ready = peer.ready();
      this.inflight = true;
      this.hooks.send(ready, false);
      this.disk.write(ready.persist);
      if (!ready.mustSync) {
        this.finish(ready);
        continue;
      }
      const units = this.rng.intBelow(this.options.fsyncUnitsMax + 1);
      const done = (): void => {
        if (this.incarnation !== incarnation || this.peer !== peer) return; // crashed meanwhile
        this.disk.fsync();
        this.finish(ready);
        this.pump();
      };
      if (units === 0) done();
      else this.hooks.scheduleFsync(this, units, done);
    }
  }

  private finish(ready: Ready<Op>): void {
    const peer = this.peer as Peer<Op>;
    this.hooks.send(ready, true);
    if (ready.persist.snapshot !== undefined) {
      this.sm.restore(ready.persist.snapshot.data);
      this.hooks.restored(this, ready.persist.snapshot.zxid);
    }
    for (const txn of ready.committed) {
      const previous = this.sm.appliedZxid;
      const ok = this.sm.apply(txn.zxid, txn.payload);
      this.hooks.applied(this, previous, txn, ok);
    }
    if (ready.softState !== undefined) {
      this.soft = ready.softState;
      if (ready.softState.state === 'LEADING') {
        this.sessionSeenTick.clear(); // a new leader gives every session a fresh timeout, as ZooKeeper does
        this.closing.clear();
      }
      this.hooks.roleChanged(this, ready.softState);
    }
    for (const done of ready.syncsDone) this.hooks.syncDone(this, done.syncId);
    for (const { request } of ready.requests) {
      if (request.t === 'touch') this.touch(request.session);
      else peer.propose(request); // our "prep" is the identity: the state machine validates on apply
    }
    if (ready.snapshotWanted) {
      const snapshot = this.sm.snapshot();
      this.disk.saveSnapshot(snapshot);
      peer.compact(snapshot);
    }
    peer.advance(ready);
    this.inflight = false;
  }

  private expireSessions(): void {
    const peer = this.peer;
    if (peer === null || this.soft?.state !== 'LEADING' || this.soft.phase !== 'BROADCAST') return;
    for (const session of this.sm.openSessions()) {
      const seen = this.sessionSeenTick.get(session);
      if (seen === undefined) this.sessionSeenTick.set(session, this.tickCount);
      else if (this.tickCount - seen > this.options.sessionTimeoutTicks && !this.closing.has(session)) {
        if (peer.propose({ t: 'close', session, client: -this.id, op: this.incarnation * 1_000_000 + ++this.closeOps }) !== null) this.closing.add(session);
      }
    }
  }
}
