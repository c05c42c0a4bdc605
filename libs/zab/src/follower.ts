// The learner's side (ZooKeeper's Learner and Follower): connect to the elected leader with
// FOLLOWERINFO, accept its epoch (ACKEPOCH after fsync), take DIFF/TRUNC/SNAP, make it durable before
// acking NEWLEADER, start serving on UPTODATE; then log each PROPOSAL and ACK it only after the fsync.
// Any gap on the connection or silence beyond the limits sends the follower back to election.

import type { Link, PeerContext } from './peer-context';
import { startElection } from './election';
import type { QuorumMessage, ServerId, Snapshot, ZabTxn } from './messages';
import type { Zxid } from './zxid';

export type FollowerPhase = 'CONNECTING' | 'EPOCH_ACKED' | 'SYNCING' | 'BROADCAST';

export interface FollowerState {
  readonly leader: ServerId;
  link: Link;
  phase: FollowerPhase;
  lastHeardTick: number;
  retryAtTick: number;
  /** The last ACK sent while broadcasting: cumulative, so a later one may replace it while both wait for the fsync. */
  lastCumulativeAck: object | null;
}

export function becomeFollower<P>(core: PeerContext<P>, leader: ServerId): void {
  core.state = 'FOLLOWING';
  core.phase = 'DISCOVERY';
  core.leaderId = leader;
  core.leader = null;
  core.follower = { leader, link: newLink(core, leader), phase: 'CONNECTING', lastHeardTick: core.ticks, retryAtTick: 0, lastCumulativeAck: null };
  core.publishSoftState();
  sendFollowerInfo(core);
}

function newLink<P>(core: PeerContext<P>, leader: ServerId): Link {
  return { peer: leader, conn: core.newConnId(), sendSeq: 0, recvSeq: 0 };
}

function followerOf<P>(core: PeerContext<P>): FollowerState {
  if (core.follower === null) throw new Error('not following');
  return core.follower;
}

function sendFollowerInfo<P>(core: PeerContext<P>): void {
  const f = followerOf(core);
  core.sendOn(f.link, { type: 'FOLLOWERINFO', acceptedEpoch: core.acceptedEpoch, lastZxid: core.log.lastZxid });
  f.retryAtTick = core.ticks + core.limits.connectRetryTicks;
}

export function followerTick<P>(core: PeerContext<P>): void {
  const f = followerOf(core);
  const limit = f.phase === 'BROADCAST' ? core.limits.syncLimitTicks : core.limits.initLimitTicks;
  if (core.ticks - f.lastHeardTick > limit) {
    startElection(core, 'leader silent beyond the limit');
    return;
  }
  if (f.phase === 'CONNECTING' && core.ticks >= f.retryAtTick) {
    // No LEADERINFO yet: the leader may not be leading yet, or the packet was lost. Reconnect.
    f.link = newLink(core, f.leader);
    sendFollowerInfo(core);
  }
}

/**
 * The driver's connection to member `peer` closed. When that member is the leader, look for a new one
 * now rather than after syncLimit of silence (a leader killed with -9 closes its sockets at once).
 */
export function followerLinkDown<P>(core: PeerContext<P>, peer: ServerId): void {
  if (followerOf(core).leader === peer) startElection(core, 'connection to the leader closed');
}

export function onLeaderMessage<P>(core: PeerContext<P>, m: QuorumMessage<P> & { from: ServerId }): void {
  const f = followerOf(core);
  if (m.from !== f.leader || m.conn !== f.link.conn) return;
  const verdict = core.receiveOn(f.link, m.seq);
  if (verdict === 'duplicate') return;
  if (verdict === 'broken') {
    startElection(core, 'gap on the leader connection');
    return;
  }
  f.lastHeardTick = core.ticks;
  switch (m.type) {
    case 'LEADERINFO':
      return onLeaderInfo(core, f, m.epoch);
    case 'DIFF':
    case 'TRUNC':
    case 'SNAP':
      if (f.phase !== 'EPOCH_ACKED') return startElection(core, 'sync payload out of phase');
      if (m.type === 'TRUNC') core.truncateLog(m.truncZxid);
      if (m.type === 'SNAP') installSnapshot(core, m.snapshot);
      return onSyncPayload(core, f, m.entries, m.committedZxid);
    case 'NEWLEADER':
      if (m.epoch !== core.acceptedEpoch || f.phase !== 'SYNCING') return startElection(core, 'unexpected NEWLEADER');
      // The synced txns are in this batch's entries, which the driver writes before currentEpoch,
      // and the ACK waits for the fsync of both (the ZOOKEEPER-3911/4643 ordering).
      core.setCurrentEpoch(m.epoch);
      core.sendOn(f.link, { type: 'ACK', zxid: m.zxid }, true);
      return;
    case 'UPTODATE':
      if (m.committedZxid > core.log.lastZxid) return startElection(core, 'UPTODATE beyond the log');
      core.commitTo(m.committedZxid);
      f.phase = 'BROADCAST';
      core.phase = 'BROADCAST';
      core.publishSoftState();
      return;
    case 'PROPOSAL':
      return onProposal(core, f, m.txn);
    case 'COMMIT':
      if (m.zxid > core.log.lastZxid) return startElection(core, 'COMMIT beyond the log');
      core.commitTo(m.zxid);
      return;
    case 'PING':
      core.sendOn(f.link, { type: 'PING', round: m.round });
      return;
    case 'SYNC':
      core.localSyncs.push({ syncId: m.syncId, zxid: m.zxid });
      core.flushLocalSyncs();
      return;
    default:
      return;
  }
}

function onLeaderInfo<P>(core: PeerContext<P>, f: FollowerState, epoch: number): void {
  if (f.phase !== 'CONNECTING') return;
  if (epoch < core.acceptedEpoch) {
    startElection(core, 'leader epoch older than acceptedEpoch'); // we already promised a newer leader
    return;
  }
  // An epoch we already accepted is acknowledged with -1, which the leader does not count towards its
  // quorum: one peer must never help two leaders establish the same epoch.
  const currentEpoch = epoch > core.acceptedEpoch ? core.currentEpoch : -1;
  if (epoch > core.acceptedEpoch) core.setAcceptedEpoch(epoch);
  core.sendOn(f.link, { type: 'ACKEPOCH', currentEpoch, lastZxid: core.log.lastZxid }, true);
  f.phase = 'EPOCH_ACKED';
}

function installSnapshot<P>(core: PeerContext<P>, snapshot: Snapshot): void {
  // The leader sends SNAP only to a learner whose last zxid is below the snapshot, so nothing this
  // peer has delivered can be newer than it: a state machine never moves backwards.
  if (snapshot.zxid < core.commitZxid) {
    throw new Error(`peer ${core.id}: SNAP at ${snapshot.zxid} is older than the commit point ${core.commitZxid}`);
  }
  core.log.reset(snapshot);
  core.out.installSnapshot(snapshot);
  core.commitZxid = snapshot.zxid;
  core.snapshotCompacted();
}

function onSyncPayload<P>(core: PeerContext<P>, f: FollowerState, entries: readonly ZabTxn<P>[], committedZxid: Zxid): void {
  f.phase = 'SYNCING';
  core.phase = 'SYNCHRONIZATION';
  core.publishSoftState();
  for (const txn of entries) if (txn.zxid > core.log.lastZxid) core.appendTxn(txn);
  core.commitTo(Math.min(committedZxid, core.log.lastZxid));
}

function onProposal<P>(core: PeerContext<P>, f: FollowerState, txn: ZabTxn<P>): void {
  if (f.phase !== 'SYNCING' && f.phase !== 'BROADCAST') return;
  if (txn.zxid <= core.log.lastZxid) {
    startElection(core, 'proposal out of order'); // out of order: this connection cannot be trusted
    return;
  }
  core.appendTxn(txn);
  const ack = { type: 'ACK', zxid: txn.zxid } as const;
  const held = core.out.linkAfterPersist;
  const last = held[held.length - 1];
  if (f.phase === 'BROADCAST' && !core.bugs.ackBeforePersist && last !== undefined && last.link === f.link && last.body === f.lastCumulativeAck) {
    // Broadcasting, an ACK is cumulative: the log is written in zxid order and the leader keeps each
    // follower's highest ACK as its watermark. So a batch's proposals need one ACK, for the last one.
    held[held.length - 1] = { link: f.link, body: ack };
  } else {
    core.sendOn(f.link, ack, !core.bugs.ackBeforePersist);
  }
  // Not the NEWLEADER ACK of the sync phase, which the leader matches exactly.
  if (f.phase === 'BROADCAST') f.lastCumulativeAck = ack;
}

export function followerSubmit<P>(core: PeerContext<P>, request: P): boolean {
  const f = core.follower;
  if (f === null || f.phase !== 'BROADCAST') return false;
  core.sendOn(f.link, { type: 'REQUEST', request });
  return true;
}

export function followerSync<P>(core: PeerContext<P>): number | null {
  const f = core.follower;
  if (f === null || f.phase !== 'BROADCAST') return null;
  const syncId = core.nextSyncId++;
  core.sendOn(f.link, { type: 'SYNC', syncId, zxid: 0 });
  return syncId;
}
