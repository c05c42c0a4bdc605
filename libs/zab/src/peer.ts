// The public face of the ZAB core, shaped like etcd raft's RawNode: inputs are step (a message), tick
// (time), propose/submit/sync (clients) and compact (snapshots); the output is a ZabReady batch that the
// driver executes and then acknowledges with advance. Nothing in here does I/O or reads a clock.

import type { PeerConfig } from './config';
import { PeerContext, type LinkMessage } from './peer-context';
import { electionTick, initialElection, onNotification, startElection } from './election';
import { followerLinkDown, followerSubmit, followerSync, followerTick, onLeaderMessage } from './follower';
import { leaderLinkDown, leaderPersisted, leaderPropose, leaderSync, leaderTick, onLearnerMessage } from './leader';
import type { Message, ServerId, ServerState, Snapshot, ZabTxn } from './messages';
import { Outbox } from './outbox';
import type { ZabReady, ZabPhase } from './ready';
import type { Zxid } from './zxid';

export interface PeerStatus {
  readonly id: ServerId;
  readonly state: ServerState;
  readonly phase: ZabPhase;
  readonly leader: ServerId | null;
  readonly acceptedEpoch: number;
  readonly currentEpoch: number;
  readonly lastZxid: Zxid;
  readonly commitZxid: Zxid;
  readonly electionEpoch: number;
  /** Why the peer last went LOOKING (startup, a timeout, a broken connection, a lost quorum, ...). */
  readonly lastElectionReason: string;
  /** Leader only: learners by id with their phase and acknowledged zxid (for `mntr`). */
  readonly learners: readonly { id: ServerId; phase: string; ackedZxid: Zxid }[];
}

export class Peer<P = Uint8Array> {
  private readonly core: PeerContext<P>;
  /** With asyncPersist: each ZabReady's messages that wait for its fsync, unnumbered until `persisted`. */
  private readonly held = new WeakMap<ZabReady<P>, LinkMessage<P>[]>();

  constructor(config: PeerConfig<P>) {
    this.core = new PeerContext<P>(config);
    this.core.election = initialElection(this.core);
    startElection(this.core, 'startup');
  }

  get id(): ServerId {
    return this.core.id;
  }

  /** Feeds one message from another peer. Messages for another peer, or from strangers, are ignored. */
  step(message: Message<P>): void {
    const core = this.core;
    if (message.to !== core.id || message.from === core.id) return;
    if (message.type === 'NOTIFICATION') onNotification(core, message);
    else if (core.state === 'LEADING') onLearnerMessage(core, message);
    else if (core.state === 'FOLLOWING') onLeaderMessage(core, message);
    this.afterInput();
  }

  /**
   * The driver's quorum connection to member `peer` closed (TCP told it: the process died or the network
   * cut the connection). A follower of that leader starts an election at once; a leader drops that
   * learner (and steps down without a quorum). Silence past the limits still catches what TCP does not.
   */
  linkDown(peer: ServerId): void {
    const core = this.core;
    if (core.state === 'LEADING') leaderLinkDown(core, peer);
    else if (core.state === 'FOLLOWING') followerLinkDown(core, peer);
    this.afterInput();
  }

  /** Advances time by one tick (the driver's tickTime). */
  tick(): void {
    const core = this.core;
    core.ticks++;
    if (core.state === 'LOOKING') electionTick(core);
    else if (core.state === 'LEADING') leaderTick(core);
    else followerTick(core);
    this.afterInput();
  }

  /**
   * Leader only, in broadcast: assigns the next zxid to a prepared txn and proposes it. Returns the zxid,
   * or null when this peer cannot propose now (the driver answers the client with an error).
   */
  propose(payload: P): Zxid | null {
    const zxid = leaderPropose(this.core, payload);
    this.afterInput();
    return zxid;
  }

  /**
   * A client request that may change state. The leader's driver receives every request, its own and
   * the followers' forwarded REQUESTs, in ZabReady.requests, preps it and calls `propose`. Returns false when
   * this peer is not serving (the client should try another member).
   */
  submit(request: P): boolean {
    const core = this.core;
    let accepted = false;
    if (core.state === 'LEADING' && core.phase === 'BROADCAST') {
      core.out.requests.push({ from: core.id, request });
      accepted = true;
    } else {
      accepted = followerSubmit(core, request);
    }
    this.afterInput();
    return accepted;
  }

  /**
   * Starts a sync: ZabReady.syncsDone reports the id once every txn committed before the sync began has
   * been handed out in `committed`, so a read served after it sees them. Returns null when not serving.
   */
  sync(): number | null {
    const core = this.core;
    let syncId: number | null = null;
    if (core.state === 'LEADING' && core.phase === 'BROADCAST') {
      syncId = core.nextSyncId++;
      leaderSync(core, core.id, syncId);
    } else {
      syncId = followerSync(core);
    }
    this.afterInput();
    return syncId;
  }

  /** The logged txns with zxid in (after, through], in order (what the driver wrote, still held here). */
  logged(after: Zxid, through: Zxid): ZabTxn<P>[] {
    return this.core.log.slice(after, through);
  }

  /** The driver took `snapshot` of its applied state: forget the txns it covers. */
  compact(snapshot: Snapshot): void {
    const core = this.core;
    if (snapshot.zxid > core.commitZxid) throw new Error(`snapshot at ${snapshot.zxid} is past the commit point ${core.commitZxid}`);
    if (snapshot.zxid <= core.log.snapshot.zxid) return;
    core.log.compact(snapshot);
    core.snapshotCompacted();
  }

  hasReady(): boolean {
    return !this.core.out.isEmpty();
  }

  /** Takes the pending batch. Call `advance` with it before asking for the next one. */
  ready(): ZabReady<P> {
    const core = this.core;
    if (core.readyOutstanding) throw new Error('ready() called again before advance()');
    const out = core.out;
    core.out = new Outbox<P>();
    core.readyOutstanding = true;
    const { messages, messagesAfterPersist, held } = core.stampLinks(out);
    const ready: ZabReady<P> = {
      softState: out.softState, persist: { ...out.persist }, mustSync: out.mustSync, messages,
      messagesAfterPersist, committed: out.committed, syncsDone: out.syncsDone,
      requests: out.requests, snapshotWanted: out.snapshotWanted,
    };
    if (held.length > 0) this.held.set(ready, held);
    return ready;
  }

  /**
   * The driver has persisted, sent and applied `ready`. With `asyncPersist`, returns the messages that
   * waited for the fsync (numbered now), to send at once.
   */
  advance(ready: ZabReady<P>): Message<P>[] {
    this.advanceBeforePersist(ready);
    return this.persisted(ready);
  }

  /**
   * For a driver whose disk is asynchronous: it has sent `ready.messages`, handed `ready.persist` to a
   * log that writes in call order, and applied `ready.committed` (a committed txn is on a quorum's disks
   * already); the next ZabReady may be taken while that write runs. It must hold `messagesAfterPersist`
   * and call `persisted(ready)` once the write is durable, in the order the ZabReadys were taken. A ZabReady
   * that installs a snapshot, truncates the log or changes the soft state should be finished with
   * `advance` before the next one is taken.
   */
  advanceBeforePersist(_ready: ZabReady<P>): void {
    const core = this.core;
    if (!core.readyOutstanding) throw new Error('advance() without an outstanding ready()');
    core.readyOutstanding = false;
    this.afterInput();
  }

  /**
   * `ready.persist` is durable: the leader counts its own acknowledgement of those entries now. With
   * `asyncPersist`, returns the ZabReady's held messages (ACKs) numbered now, to send at once.
   */
  persisted(ready: ZabReady<P>): Message<P>[] {
    const core = this.core;
    const held = this.held.get(ready);
    this.held.delete(ready);
    const out = held ? core.stampHeld(held) : [];
    if (ready.mustSync && core.state === 'LEADING') leaderPersisted(core, ready);
    this.afterInput();
    return out;
  }

  status(): PeerStatus {
    const core = this.core;
    const learners = core.leader === null ? [] : [...core.leader.learners.entries()]
      .map(([id, h]) => ({ id, phase: h.phase, ackedZxid: h.ackedZxid }))
      .sort((a, b) => a.id - b.id);
    return {
      id: core.id, state: core.state, phase: core.phase, leader: core.leaderId, acceptedEpoch: core.acceptedEpoch,
      currentEpoch: core.currentEpoch, lastZxid: core.log.lastZxid, commitZxid: core.commitZxid,
      electionEpoch: core.election.logicalClock, lastElectionReason: core.lastElectionReason, learners,
    };
  }

  private afterInput(): void {
    if (this.core.checking) this.core.checkInvariants();
  }
}
