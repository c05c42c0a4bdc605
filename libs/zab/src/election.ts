// FastLeaderElection as ZooKeeper runs it: a peer votes for itself, adopts any better vote it hears
// (ordered by peerEpoch, then zxid, then server id), and decides once a quorum of its round agrees and
// no better vote arrives within finalizeWait. A peer that rejoins a running ensemble learns the leader
// from the votes of members that are already FOLLOWING or LEADING ("out of election").

import { notificationTicksMin } from './config';
import type { PeerContext } from './peer-context';
import { becomeFollower } from './follower';
import { becomeLeader } from './leader';
import type { Message, Notification, ServerId, ServerState, Vote } from './messages';

interface SeenVote {
  readonly vote: Vote;
  readonly electionEpoch: number;
  readonly state: ServerState;
}

export interface ElectionState {
  /** The election round (ZooKeeper's logicalclock); not persisted. */
  logicalClock: number;
  /** Our current proposal; once decided, the vote we answer LOOKING peers with. */
  vote: Vote;
  /** Votes of LOOKING peers in our round, keyed by sender. */
  recvSet: Map<ServerId, SeenVote>;
  /** Votes of peers that already FOLLOW or LEAD, whatever their round. */
  outOfElection: Map<ServerId, SeenVote>;
  /** Tick at which we decide, set while a quorum agrees with our proposal. */
  decideAtTick: number | null;
  /** Tick of the next resend of our notification, and the backoff interval. */
  resendAtTick: number;
  resendTicks: number;
}

/** ZooKeeper's totalOrderPredicate: is `a` a better leader than `b`? */
export function isBetterVote(a: Vote, b: Vote): boolean {
  if (a.peerEpoch !== b.peerEpoch) return a.peerEpoch > b.peerEpoch;
  if (a.zxid !== b.zxid) return a.zxid > b.zxid;
  return a.leader > b.leader;
}

function sameVote(a: Vote, b: Vote): boolean {
  return a.leader === b.leader && a.zxid === b.zxid && a.peerEpoch === b.peerEpoch;
}

function selfVote<P>(core: PeerContext<P>): Vote {
  return { leader: core.id, zxid: core.log.lastZxid, peerEpoch: core.currentEpoch };
}

export function initialElection<P>(core: PeerContext<P>): ElectionState {
  return {
    logicalClock: 0, vote: selfVote(core), recvSet: new Map(), outOfElection: new Map(),
    decideAtTick: null, resendAtTick: 0, resendTicks: notificationTicksMin,
  };
}

/** Leaves any role and starts a new round (ZooKeeper: QuorumPeer back to LOOKING, lookForLeader). */
export function startElection<P>(core: PeerContext<P>, reason: string): void {
  core.lastElectionReason = reason;
  core.leader = null;
  core.follower = null;
  core.state = 'LOOKING';
  core.phase = 'ELECTION';
  core.leaderId = null;
  core.localSyncs = [];
  const e = core.election;
  e.logicalClock++;
  e.vote = selfVote(core);
  e.recvSet = new Map([[core.id, { vote: e.vote, electionEpoch: e.logicalClock, state: 'LOOKING' }]]);
  e.outOfElection = new Map();
  e.decideAtTick = null;
  e.resendTicks = notificationTicksMin;
  core.publishSoftState();
  broadcastVote(core);
  checkQuorumAgrees(core);
}

function notification<P>(core: PeerContext<P>): Notification {
  const e = core.election;
  return { type: 'NOTIFICATION', vote: e.vote, electionEpoch: e.logicalClock, state: core.state };
}

function broadcastVote<P>(core: PeerContext<P>): void {
  const e = core.election;
  for (const sid of core.others()) core.sendNotification(sid, notification(core));
  // Jitter keeps peers that started together from resending in lockstep forever.
  e.resendAtTick = core.ticks + e.resendTicks + core.rand.intBelow(e.resendTicks + 1);
}

function adopt<P>(core: PeerContext<P>, vote: Vote): void {
  const e = core.election;
  e.vote = vote;
  e.recvSet.set(core.id, { vote, electionEpoch: e.logicalClock, state: 'LOOKING' });
  broadcastVote(core);
}

export function onNotification<P>(core: PeerContext<P>, m: Message<P> & Notification): void {
  if (!core.voters.includes(m.from)) return;
  const e = core.election;
  if (core.state !== 'LOOKING') {
    // A LOOKING peer asks; we answer with the vote we decided on, so it can find the leader.
    if (m.state === 'LOOKING') core.sendNotification(m.from, notification(core));
    return;
  }
  const seen: SeenVote = { vote: m.vote, electionEpoch: m.electionEpoch, state: m.state };
  if (m.state === 'LOOKING') {
    if (m.electionEpoch > e.logicalClock) {
      e.logicalClock = m.electionEpoch;
      e.recvSet = new Map();
      adopt(core, isBetterVote(m.vote, selfVote(core)) ? m.vote : selfVote(core));
    } else if (m.electionEpoch < e.logicalClock) {
      core.sendNotification(m.from, notification(core));
      return;
    } else if (isBetterVote(m.vote, e.vote)) {
      adopt(core, m.vote);
    }
    e.recvSet.set(m.from, seen);
    checkQuorumAgrees(core);
    return;
  }
  // The sender already follows or leads: count it in our round if the rounds match, and out of election.
  if (m.electionEpoch === e.logicalClock) {
    e.recvSet.set(m.from, seen);
    if (core.isQuorum(agreeing(e.recvSet, m.vote)) && leaderConfirmed(core, e.recvSet, m.vote.leader, m.electionEpoch)) {
      decide(core, m.vote);
      return;
    }
  }
  e.outOfElection.set(m.from, seen);
  if (agreeingOnLeader(core, e.outOfElection, m.vote.leader) && leaderConfirmed(core, e.outOfElection, m.vote.leader, m.electionEpoch)) {
    e.logicalClock = m.electionEpoch;
    decide(core, m.vote);
  }
}

function agreeing(votes: Map<ServerId, SeenVote>, vote: Vote): number {
  let count = 0;
  for (const seen of votes.values()) if (sameVote(seen.vote, vote)) count++;
  return count;
}

function agreeingOnLeader<P>(core: PeerContext<P>, votes: Map<ServerId, SeenVote>, leader: ServerId): boolean {
  let count = 0;
  for (const seen of votes.values()) if (seen.vote.leader === leader) count++;
  return core.isQuorum(count);
}

/** ZooKeeper's checkLeader: never follow a leader we have not heard claim LEADING. */
function leaderConfirmed<P>(core: PeerContext<P>, votes: Map<ServerId, SeenVote>, leader: ServerId, electionEpoch: number): boolean {
  if (leader === core.id) return electionEpoch === core.election.logicalClock;
  return votes.get(leader)?.state === 'LEADING';
}

function checkQuorumAgrees<P>(core: PeerContext<P>): void {
  const e = core.election;
  if (core.isQuorum(agreeing(e.recvSet, e.vote))) {
    if (e.decideAtTick === null) e.decideAtTick = core.ticks + core.limits.finalizeWaitTicks;
  } else {
    e.decideAtTick = null;
  }
  if (core.voters.length === 1) decide(core, e.vote);
}

function decide<P>(core: PeerContext<P>, vote: Vote): void {
  core.election.vote = vote;
  core.election.decideAtTick = null;
  if (vote.leader === core.id) becomeLeader(core);
  else becomeFollower(core, vote.leader);
}

export function electionTick<P>(core: PeerContext<P>): void {
  const e = core.election;
  if (e.decideAtTick !== null && core.ticks >= e.decideAtTick) {
    decide(core, e.vote);
    return;
  }
  if (core.ticks >= e.resendAtTick) {
    e.resendTicks = Math.min(e.resendTicks * 2, core.limits.notificationTicksMax);
    broadcastVote(core);
  }
}
