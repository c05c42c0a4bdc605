// The state every role shares: durable state (epochs, log), the commit point, the outbox, and the
// helpers that keep them consistent. Role logic lives in election.ts, leader.ts and follower.ts; the
// public face is peer.ts.

import { limitsOf, type Limits, type PeerConfig, type UnsafeBugs } from './config';
import { ZabLog } from './log';
import type { Message, Notification, QuorumBody, ServerId, ServerState, ZabTxn } from './messages';
import { Outbox } from './outbox';
import type { Rand } from './rand';
import type { ZabPhase } from './ready';
import type { Zxid } from './zxid';
import type { ElectionState } from './election';
import type { LeaderState } from './leader';
import type { FollowerState } from './follower';

/** One end of a learner connection: ZooKeeper gets FIFO from TCP, we number the messages. */
export interface Link {
  readonly peer: ServerId;
  readonly conn: number;
  sendSeq: number;
  recvSeq: number;
}

export type LinkVerdict = 'deliver' | 'duplicate' | 'broken';

/** A connection message and the link it goes on, before it is numbered. */
export interface LinkMessage<P> {
  link: Link;
  body: QuorumBody<P>;
}

export class PeerContext<P> {
  readonly id: ServerId;
  readonly voters: readonly ServerId[];
  readonly quorumSize: number;
  readonly asyncPersist: boolean;
  readonly limits: Limits;
  readonly rand: Rand;
  readonly bugs: UnsafeBugs;
  readonly checking: boolean;

  acceptedEpoch: number;
  currentEpoch: number;
  readonly log: ZabLog<P>;
  /** Every txn up to here has been handed to the driver in ZabReady.committed. */
  commitZxid: Zxid;

  state: ServerState = 'LOOKING';
  phase: ZabPhase = 'ELECTION';
  leaderId: ServerId | null = null;
  election!: ElectionState;
  leader: LeaderState<P> | null = null;
  follower: FollowerState | null = null;

  out = new Outbox<P>();
  readyOutstanding = false;
  /** Ticks since the peer started; only used to tell timers apart, never compared with a wall clock. */
  ticks = 0;
  nextSyncId = 1;
  /** The highest acceptedEpoch a learner has shown us; our next discovery picks an epoch above it. */
  epochFloor = 0;
  /** Why the peer last went LOOKING, for debug logs. */
  lastElectionReason = 'startup';
  /** Syncs this peer answers itself once its commit point reaches `zxid`. */
  localSyncs: { syncId: number; zxid: Zxid }[] = [];
  private entriesSinceSnapshot = 0;
  private lastSoftState = '';

  constructor(config: PeerConfig<P>) {
    if (!config.voters.includes(config.id)) throw new Error(`peer ${config.id} is not among the voters`);
    this.id = config.id;
    this.voters = [...config.voters].sort((a, b) => a - b);
    this.quorumSize = Math.floor(this.voters.length / 2) + 1;
    this.limits = limitsOf(config);
    this.rand = config.rand;
    this.bugs = config.unsafeBugs ?? {};
    this.checking = config.checkInvariants ?? false;
    this.asyncPersist = config.asyncPersist ?? false;
    const storage = config.storage;
    this.acceptedEpoch = storage?.acceptedEpoch ?? 0;
    this.currentEpoch = storage?.currentEpoch ?? 0;
    this.log = new ZabLog<P>(storage?.snapshot ?? { zxid: 0, data: undefined }, storage?.log ?? []);
    this.commitZxid = Math.max(this.log.snapshot.zxid, Math.min(storage?.appliedZxid ?? 0, this.log.lastZxid));
  }

  isQuorum(count: number): boolean {
    return count >= this.quorumSize;
  }

  others(): ServerId[] {
    return this.voters.filter((sid) => sid !== this.id);
  }

  sendNotification(to: ServerId, body: Notification): void {
    this.out.messages.push({ from: this.id, to, ...body });
  }

  /**
   * Sends on a learner connection. `afterPersist` holds the message until the batch is fsynced.
   * Sequence numbers are stamped when the batch is taken (`stampLinks`), in wire order: the batch's
   * immediate messages first, then the held ones. So a PING reply is not stuck behind an ACK waiting
   * for an fsync (in ZooKeeper the ACK is not on the socket yet either), while held messages keep
   * their order among themselves.
   */
  sendOn(link: Link, body: QuorumBody<P>, afterPersist = false): void {
    (afterPersist ? this.out.linkAfterPersist : this.out.linkNow).push({ link, body });
  }

  /**
   * Turns the batch's connection messages into numbered messages, in the order they will leave. With
   * `asyncPersist` the held ones stay unnumbered (`held`) until `stampHeld` at the fsync.
   */
  stampLinks(out: Outbox<P>): { messages: Message<P>[]; messagesAfterPersist: Message<P>[]; held: LinkMessage<P>[] } {
    const messages = [...out.messages, ...out.linkNow.map((m) => this.stamp(m))];
    if (this.asyncPersist) return { messages, messagesAfterPersist: [], held: out.linkAfterPersist };
    return { messages, messagesAfterPersist: out.linkAfterPersist.map((m) => this.stamp(m)), held: [] };
  }

  stampHeld(held: readonly LinkMessage<P>[]): Message<P>[] {
    return held.map((m) => this.stamp(m));
  }

  private stamp({ link, body }: LinkMessage<P>): Message<P> {
    return { from: this.id, to: link.peer, conn: link.conn, seq: link.sendSeq++, ...body } as Message<P>;
  }

  /** TCP's promise, checked: in order, no gaps. A gap means a message was lost, so the connection is dead. */
  receiveOn(link: Link, seq: number): LinkVerdict {
    if (seq < link.recvSeq) return 'duplicate';
    if (seq > link.recvSeq) return 'broken';
    link.recvSeq++;
    return 'deliver';
  }

  newConnId(): number {
    // Random so that a restarted learner does not reuse the ids of its previous life.
    return 1 + this.rand.intBelow(0x7fffffff);
  }

  appendTxn(txn: ZabTxn<P>): void {
    this.log.append(txn);
    this.out.appendEntry(txn);
    this.entriesSinceSnapshot++;
    if (this.entriesSinceSnapshot >= this.limits.snapCount) this.out.snapshotWanted = true;
  }

  truncateLog(zxid: Zxid): void {
    if (zxid < this.commitZxid) {
      throw new Error(`peer ${this.id}: truncation to ${zxid} would drop committed txns up to ${this.commitZxid}`);
    }
    if (zxid >= this.log.lastZxid) return;
    this.log.truncateAfter(zxid);
    this.out.truncateAfter(zxid);
  }

  setAcceptedEpoch(epoch: number): void {
    this.acceptedEpoch = epoch;
    this.out.persist.acceptedEpoch = epoch;
  }

  setCurrentEpoch(epoch: number): void {
    this.currentEpoch = epoch;
    this.out.persist.currentEpoch = epoch;
  }

  snapshotCompacted(): void {
    this.entriesSinceSnapshot = this.log.length;
  }

  /** Hands every logged txn up to `zxid` to the driver, in order, and completes syncs that waited for them. */
  commitTo(zxid: Zxid): void {
    if (zxid <= this.commitZxid) return;
    if (zxid > this.log.lastZxid) throw new Error(`peer ${this.id}: commit ${zxid} beyond last logged ${this.log.lastZxid}`);
    for (const txn of this.log.slice(this.commitZxid, zxid)) this.out.committed.push(txn);
    this.commitZxid = zxid;
    this.flushLocalSyncs();
  }

  flushLocalSyncs(): void {
    if (this.localSyncs.length === 0) return;
    const waiting: { syncId: number; zxid: Zxid }[] = [];
    for (const sync of this.localSyncs) {
      if (sync.zxid <= this.commitZxid) this.out.syncsDone.push({ syncId: sync.syncId, zxid: this.commitZxid });
      else waiting.push(sync);
    }
    this.localSyncs = waiting;
  }

  publishSoftState(): void {
    const soft = { state: this.state, leader: this.leaderId, phase: this.phase, epoch: this.currentEpoch };
    const key = JSON.stringify(soft);
    if (key === this.lastSoftState) return;
    this.lastSoftState = key;
    this.out.softState = soft;
  }

  checkInvariants(): void {
    const fail = (what: string): never => {
      throw new Error(`peer ${this.id} invariant: ${what}`);
    };
    if (this.commitZxid > this.log.lastZxid) fail(`commit ${this.commitZxid} > last ${this.log.lastZxid}`);
    if (this.commitZxid < this.log.snapshot.zxid) fail('commit below the snapshot');
    if (this.currentEpoch > this.acceptedEpoch) fail(`currentEpoch ${this.currentEpoch} > acceptedEpoch ${this.acceptedEpoch}`);
    if ((this.state === 'LEADING') !== (this.leader !== null)) fail('leader state without LEADING');
    if ((this.state === 'FOLLOWING') !== (this.follower !== null)) fail('follower state without FOLLOWING');
  }
}
