// The leader's side of discovery, synchronisation and broadcast (ZooKeeper's Leader and LearnerHandler).
// Discovery: a quorum of FOLLOWERINFO fixes the new epoch (max acceptedEpoch + 1), a quorum of ACKEPOCH
// confirms it. Synchronisation: each learner gets DIFF, TRUNC or SNAP and then NEWLEADER; a quorum of
// NEWLEADER ACKs commits the leader's history and opens broadcast. Broadcast: PROPOSAL, ACK after
// fsync, COMMIT once a quorum has acknowledged, always in zxid order.

import { connsRememberedMax } from './config';
import type { Link, PeerContext } from './peer-context';
import { startElection } from './election';
import type { QuorumMessage, ServerId } from './messages';
import type { ZabReady } from './ready';
import { counterMax, makeZxid, type Zxid } from './zxid';

export type LearnerPhase = 'INFO' | 'EPOCH_SENT' | 'EPOCH_ACKED' | 'SYNCING' | 'SYNCED';

export interface LearnerHandler {
  readonly link: Link;
  phase: LearnerPhase;
  acceptedEpoch: number;
  /** From ACKEPOCH; -1 when the learner had already accepted this epoch (it does not count then). */
  currentEpoch: number;
  lastZxid: Zxid;
  newLeaderZxid: Zxid;
  /** Highest zxid the learner has acknowledged as logged (cumulative: proposals arrive in order). */
  ackedZxid: Zxid;
  lastHeardTick: number;
  pingRound: number;
}

interface PendingSync {
  readonly from: ServerId;
  readonly syncId: number;
  readonly zxid: Zxid;
  readonly round: number;
}

export interface LeaderState<P> {
  readonly learners: Map<ServerId, LearnerHandler>;
  readonly retiredConns: Map<ServerId, number[]>;
  /** The epoch this leader establishes; null until a quorum of FOLLOWERINFO has been heard. */
  epoch: number | null;
  epochAckQuorum: boolean;
  phaseStartTick: number;
  newLeaderZxid: Zxid;
  /** The leader's own NEWLEADER ack: its currentEpoch (written after its log) has been fsynced. */
  selfNewLeaderAcked: boolean;
  persistedZxid: Zxid;
  counter: number;
  pingRound: number;
  pendingSyncs: PendingSync[];
}

export function becomeLeader<P>(core: PeerContext<P>): void {
  core.state = 'LEADING';
  core.phase = 'DISCOVERY';
  core.leaderId = core.id;
  core.follower = null;
  core.leader = {
    learners: new Map(), retiredConns: new Map(), epoch: null, epochAckQuorum: false,
    phaseStartTick: core.ticks, newLeaderZxid: 0, selfNewLeaderAcked: false, persistedZxid: 0,
    counter: 0, pingRound: 0, pendingSyncs: [],
  };
  core.publishSoftState();
  maybeChooseEpoch(core);
}

function leaderOf<P>(core: PeerContext<P>): LeaderState<P> {
  if (core.leader === null) throw new Error('not leading');
  return core.leader;
}

function countLearners<P>(core: PeerContext<P>, phases: readonly LearnerPhase[], extra: (h: LearnerHandler) => boolean = () => true): number {
  let count = 0;
  for (const h of leaderOf(core).learners.values()) if (phases.includes(h.phase) && extra(h)) count++;
  return count;
}

function maybeChooseEpoch<P>(core: PeerContext<P>): void {
  const leader = leaderOf(core);
  if (leader.epoch !== null || !core.isQuorum(1 + countLearners(core, ['INFO']))) return;
  let epoch = Math.max(core.acceptedEpoch, core.epochFloor);
  for (const h of leader.learners.values()) if (h.phase === 'INFO') epoch = Math.max(epoch, h.acceptedEpoch);
  leader.epoch = epoch + 1;
  core.setAcceptedEpoch(leader.epoch);
  for (const h of leader.learners.values()) sendLeaderInfo(core, h);
  maybeEpochQuorum(core);
}

function sendLeaderInfo<P>(core: PeerContext<P>, h: LearnerHandler): void {
  // After the fsync: the leader must not announce an epoch it could forget in a crash.
  core.sendOn(h.link, { type: 'LEADERINFO', epoch: leaderOf(core).epoch as number }, true);
  h.phase = 'EPOCH_SENT';
}

function isMoreRecent(epochA: number, zxidA: Zxid, epochB: number, zxidB: Zxid): boolean {
  return epochA > epochB || (epochA === epochB && zxidA > zxidB);
}

function maybeEpochQuorum<P>(core: PeerContext<P>): void {
  const leader = leaderOf(core);
  if (leader.epoch === null || leader.epochAckQuorum) return;
  const acked = [...leader.learners.values()].filter((h) => h.phase === 'EPOCH_ACKED' && h.currentEpoch >= 0);
  if (!core.isQuorum(1 + acked.length)) return;
  // A learner more recent than us means the election chose badly (ZooKeeper throws and re-elects).
  if (acked.some((h) => isMoreRecent(h.currentEpoch, h.lastZxid, core.currentEpoch, core.log.lastZxid))) {
    startElection(core, 'a learner is more recent than the leader');
    return;
  }
  leader.epochAckQuorum = true;
  core.setCurrentEpoch(leader.epoch);
  leader.newLeaderZxid = core.log.lastZxid;
  core.phase = 'SYNCHRONIZATION';
  leader.phaseStartTick = core.ticks;
  core.publishSoftState();
  for (const h of leader.learners.values()) if (h.phase === 'EPOCH_ACKED') syncLearner(core, h);
}

/** ZooKeeper's LearnerHandler.syncFollower, on a log that keeps every txn since the last snapshot. */
function syncLearner<P>(core: PeerContext<P>, h: LearnerHandler): void {
  const log = core.log;
  const peerZxid = h.lastZxid;
  const lastZxid = log.lastZxid;
  const committedZxid = core.commitZxid;
  if (peerZxid === lastZxid) {
    core.sendOn(h.link, { type: 'DIFF', entries: [], committedZxid });
  } else if (peerZxid > lastZxid) {
    core.sendOn(h.link, { type: 'TRUNC', truncZxid: lastZxid, entries: [], committedZxid });
  } else if (peerZxid < log.snapshot.zxid) {
    core.sendOn(h.link, { type: 'SNAP', snapshot: log.snapshot, entries: log.slice(log.snapshot.zxid), committedZxid });
  } else if (log.has(peerZxid)) {
    core.sendOn(h.link, { type: 'DIFF', entries: log.slice(peerZxid), committedZxid });
  } else {
    // The learner logged proposals we never saw (an old epoch's uncommitted tail): cut back to the last
    // zxid we share, then send what follows it.
    const common = log.floorBelow(peerZxid);
    core.sendOn(h.link, { type: 'TRUNC', truncZxid: common, entries: log.slice(common), committedZxid });
  }
  h.newLeaderZxid = lastZxid;
  core.sendOn(h.link, { type: 'NEWLEADER', epoch: leaderOf(core).epoch as number, zxid: lastZxid });
  h.phase = 'SYNCING';
}

function maybeStartBroadcast<P>(core: PeerContext<P>): void {
  const leader = leaderOf(core);
  if (core.phase !== 'SYNCHRONIZATION' || !leader.selfNewLeaderAcked) return;
  if (!core.isQuorum(1 + countLearners(core, ['SYNCED']))) return;
  core.phase = 'BROADCAST';
  core.publishSoftState();
  core.commitTo(leader.newLeaderZxid);
  for (const h of leader.learners.values()) {
    if (h.phase === 'SYNCED') core.sendOn(h.link, { type: 'UPTODATE', committedZxid: core.commitZxid });
  }
  tryCommit(core);
}

/** Commits the highest zxid that a quorum (the leader's own fsync included) has logged. */
function tryCommit<P>(core: PeerContext<P>): void {
  const leader = leaderOf(core);
  if (core.phase !== 'BROADCAST') return;
  const acked = [leader.persistedZxid];
  for (const h of leader.learners.values()) if (h.phase === 'SYNCED') acked.push(h.ackedZxid);
  if (!core.isQuorum(acked.length)) return;
  acked.sort((a, b) => b - a);
  const zxid = Math.min(acked[core.quorumSize - 1], core.log.lastZxid);
  if (zxid <= core.commitZxid) return;
  core.commitTo(zxid);
  broadcastToSynced(core, { type: 'COMMIT', zxid }, true);
}

function broadcastToSynced<P>(core: PeerContext<P>, body: Parameters<PeerContext<P>['sendOn']>[1], includeSyncing: boolean): void {
  for (const h of leaderOf(core).learners.values()) {
    if (h.phase === 'SYNCED' || (includeSyncing && h.phase === 'SYNCING')) core.sendOn(h.link, body);
  }
}

export function leaderPropose<P>(core: PeerContext<P>, payload: P): Zxid | null {
  const leader = core.leader;
  if (leader === null || core.phase !== 'BROADCAST') return null;
  if (leader.counter >= counterMax) {
    // The counter would wrap into the next epoch's zxids: re-elect, which starts a new epoch.
    startElection(core, 'zxid counter exhausted');
    return null;
  }
  const zxid = makeZxid(leader.epoch as number, ++leader.counter);
  const txn = { zxid, payload };
  core.appendTxn(txn);
  broadcastToSynced(core, { type: 'PROPOSAL', txn }, true);
  // The deliberate bug: the leader applies (and so answers its client) before any follower has the txn.
  if (core.bugs.commitWithoutQuorum) core.commitTo(zxid);
  return zxid;
}

/** A sync confirmed by a quorum ping round, so a deposed leader cannot answer it (unlike ZOOKEEPER-1675). */
export function leaderSync<P>(core: PeerContext<P>, from: ServerId, syncId: number): void {
  const leader = leaderOf(core);
  leader.pendingSyncs.push({ from, syncId, zxid: core.log.lastZxid, round: ++leader.pingRound });
  broadcastToSynced(core, { type: 'PING', round: leader.pingRound }, true);
  answerSyncs(core);
}

function answerSyncs<P>(core: PeerContext<P>): void {
  const leader = leaderOf(core);
  const waiting: PendingSync[] = [];
  for (const s of leader.pendingSyncs) {
    if (!core.isQuorum(1 + countLearners(core, ['SYNCED'], (h) => h.pingRound >= s.round))) {
      waiting.push(s);
    } else if (s.from === core.id) {
      core.localSyncs.push({ syncId: s.syncId, zxid: s.zxid });
      core.flushLocalSyncs();
    } else {
      const h = leader.learners.get(s.from);
      if (h !== undefined) core.sendOn(h.link, { type: 'SYNC', syncId: s.syncId, zxid: s.zxid });
    }
  }
  leader.pendingSyncs = waiting;
}

export function onLearnerMessage<P>(core: PeerContext<P>, m: QuorumMessage<P> & { from: ServerId }): void {
  const leader = leaderOf(core);
  if (m.type === 'FOLLOWERINFO') {
    onFollowerInfo(core, m.from, m.conn, m.seq, m.acceptedEpoch, m.lastZxid);
    return;
  }
  const h = leader.learners.get(m.from);
  if (h === undefined || h.link.conn !== m.conn) return;
  const verdict = core.receiveOn(h.link, m.seq);
  if (verdict === 'duplicate') return;
  if (verdict === 'broken') {
    dropLearner(core, m.from);
    return;
  }
  h.lastHeardTick = core.ticks;
  switch (m.type) {
    case 'ACKEPOCH':
      if (h.phase !== 'EPOCH_SENT') return;
      h.phase = 'EPOCH_ACKED';
      h.currentEpoch = m.currentEpoch;
      h.lastZxid = m.lastZxid;
      if (leader.epochAckQuorum) syncLearner(core, h);
      else maybeEpochQuorum(core);
      return;
    case 'ACK':
      onAck(core, h, m.zxid);
      return;
    case 'PING':
      h.pingRound = Math.max(h.pingRound, m.round);
      answerSyncs(core);
      return;
    case 'REQUEST':
      if (core.phase === 'BROADCAST' && h.phase === 'SYNCED') core.out.requests.push({ from: m.from, request: m.request });
      return;
    case 'SYNC':
      if (core.phase === 'BROADCAST' && h.phase === 'SYNCED') leaderSync(core, m.from, m.syncId);
      return;
    default:
      return; // Leader-to-learner packets arriving here are stale; ignore them.
  }
}

function onFollowerInfo<P>(core: PeerContext<P>, from: ServerId, conn: number, seq: number, acceptedEpoch: number, lastZxid: Zxid): void {
  const leader = leaderOf(core);
  if (seq !== 0 || !core.voters.includes(from) || from === core.id) return;
  if ((leader.retiredConns.get(from) ?? []).includes(conn)) return;
  const old = leader.learners.get(from);
  if (old !== undefined) {
    if (old.link.conn === conn) return; // a duplicate of the FOLLOWERINFO that opened this connection
    dropLearner(core, from);
  }
  const h: LearnerHandler = {
    link: { peer: from, conn, sendSeq: 0, recvSeq: 1 }, phase: 'INFO', acceptedEpoch, currentEpoch: -1,
    lastZxid, newLeaderZxid: 0, ackedZxid: 0, lastHeardTick: core.ticks, pingRound: 0,
  };
  if (leader.epoch !== null && acceptedEpoch > leader.epoch) {
    // The learner promised a newer epoch (to a candidate whose discovery failed) and can never follow
    // us; ZooKeeper leaves it out until the next election. We hold that election now, and remember
    // its epoch so that, if we lead again, we pick a newer one even if it misses our next discovery.
    core.epochFloor = Math.max(core.epochFloor, acceptedEpoch);
    startElection(core, 'a learner accepted a newer epoch');
    return;
  }
  leader.learners.set(from, h);
  if (leader.epoch === null) maybeChooseEpoch(core);
  else sendLeaderInfo(core, h);
}

function onAck<P>(core: PeerContext<P>, h: LearnerHandler, zxid: Zxid): void {
  if (h.phase === 'SYNCING') {
    if (zxid !== h.newLeaderZxid) return;
    h.phase = 'SYNCED';
    h.ackedZxid = zxid;
    if (core.phase === 'BROADCAST') core.sendOn(h.link, { type: 'UPTODATE', committedZxid: core.commitZxid });
    else maybeStartBroadcast(core);
  } else if (h.phase === 'SYNCED') {
    h.ackedZxid = Math.max(h.ackedZxid, zxid);
  }
  tryCommit(core);
}

function dropLearner<P>(core: PeerContext<P>, sid: ServerId): void {
  const leader = leaderOf(core);
  const h = leader.learners.get(sid);
  if (h === undefined) return;
  leader.learners.delete(sid);
  const retired = [...(leader.retiredConns.get(sid) ?? []), h.link.conn].slice(-connsRememberedMax);
  leader.retiredConns.set(sid, retired);
}

/**
 * The driver's connection to learner `sid` closed (its process died, or the network cut it): that
 * learner's link is gone, as when it stays silent past the limit, only sooner. Without a quorum of
 * synced followers left, the leader steps down at once.
 */
export function leaderLinkDown<P>(core: PeerContext<P>, sid: ServerId): void {
  const leader = leaderOf(core);
  if (!leader.learners.has(sid)) return;
  dropLearner(core, sid);
  if (core.phase === 'BROADCAST' && !core.isQuorum(1 + countLearners(core, ['SYNCED']))) startElection(core, 'lost the quorum of synced followers');
}

export function leaderTick<P>(core: PeerContext<P>): void {
  const leader = leaderOf(core);
  const limits = core.limits;
  if (core.phase !== 'BROADCAST' && core.ticks - leader.phaseStartTick > limits.initLimitTicks) {
    startElection(core, 'no quorum within initLimit'); // no quorum came to discovery or synchronisation in time
    return;
  }
  for (const [sid, h] of leader.learners) {
    const limit = h.phase === 'SYNCED' ? limits.syncLimitTicks : limits.initLimitTicks;
    if (core.ticks - h.lastHeardTick > limit) dropLearner(core, sid);
  }
  if (core.phase !== 'BROADCAST') return;
  // Leader.lead: without a quorum of synced learners the leader is stale and must step down.
  if (!core.isQuorum(1 + countLearners(core, ['SYNCED']))) {
    startElection(core, 'lost the quorum of synced followers');
    return;
  }
  leader.pingRound++;
  broadcastToSynced(core, { type: 'PING', round: leader.pingRound }, true);
}

/** The driver has fsynced `ready`: count the leader's own acknowledgement. */
export function leaderPersisted<P>(core: PeerContext<P>, ready: ZabReady<P>): void {
  const leader = core.leader;
  if (leader === null) return;
  const entries = ready.persist.entries;
  if (entries.length > 0) leader.persistedZxid = Math.max(leader.persistedZxid, entries[entries.length - 1].zxid);
  if (leader.epochAckQuorum && ready.persist.currentEpoch === leader.epoch && !leader.selfNewLeaderAcked) {
    leader.selfNewLeaderAcked = true;
    leader.persistedZxid = Math.max(leader.persistedZxid, leader.newLeaderZxid);
    maybeStartBroadcast(core);
  }
  tryCommit(core);
}
