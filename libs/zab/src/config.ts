// Peer configuration. Every duration is in ticks: the driver decides how long a tick is (ZooKeeper's
// tickTime). Defaults follow ZooKeeper's sample zoo.cfg where one exists.

import type { ServerId, Snapshot, ZabTxn } from './messages';
import type { Rand } from './rand';

/** Ticks a leader or learner may spend in discovery and synchronisation (ZooKeeper initLimit=10 is common). */
export const initLimitTicksDefault = 10;
/** Ticks of silence after which a follower, or a learner at the leader, counts as gone (syncLimit). */
export const syncLimitTicksDefault = 5;
/** Ticks a peer keeps listening once a quorum agrees, for a better vote (finalizeWait, 200 ms in ZooKeeper). */
export const finalizeWaitTicksDefault = 1;
/** First and largest interval between election notification rounds (ZooKeeper backs off 200 ms .. 60 s). */
export const notificationTicksMin = 1;
export const notificationTicksMaxDefault = 8;
/** Ticks between FOLLOWERINFO attempts while the chosen leader has not answered. */
export const connectRetryTicksDefault = 2;
/** Log entries since the last snapshot after which the core asks for a snapshot (ZooKeeper snapCount). */
export const snapCountDefault = 100_000;
/** Connection ids a leader remembers per learner, to ignore late copies of an old FOLLOWERINFO. */
export const connsRememberedMax = 8;

/** The durable state a peer starts from (empty on a fresh member). */
export interface PeerStorage<P> {
  readonly acceptedEpoch: number;
  readonly currentEpoch: number;
  /** The latest snapshot; `{ zxid: 0, data: undefined }` when there is none. */
  readonly snapshot: Snapshot;
  /** Logged txns after the snapshot, in zxid order (committed or not). */
  readonly log: readonly ZabTxn<P>[];
  /** Optional: the driver's state machine has durably applied up to here (never past a commit). */
  readonly appliedZxid?: number;
}

/** Deliberate bugs, used only by tests that prove the simulator's checkers can fail. */
export interface UnsafeBugs {
  /** The leader commits (applies) a proposal as soon as it proposes it, without waiting for a quorum. */
  readonly commitWithoutQuorum?: boolean;
  /** Followers ACK proposals before the driver has fsynced them. */
  readonly ackBeforePersist?: boolean;
}

export interface PeerConfig<P> {
  readonly id: ServerId;
  /** Every voting member, including this one. */
  readonly voters: readonly ServerId[];
  readonly rand: Rand;
  readonly storage?: PeerStorage<P>;
  readonly initLimitTicks?: number;
  readonly syncLimitTicks?: number;
  readonly finalizeWaitTicks?: number;
  readonly notificationTicksMax?: number;
  readonly connectRetryTicks?: number;
  readonly snapCount?: number;
  /** Run `checkInvariants` after every input (tests and the simulator). */
  readonly checkInvariants?: boolean;
  /**
   * For a driver whose disk is asynchronous (advanceBeforePersist / persisted): the messages that must
   * wait for the fsync are numbered and handed out by `persisted` (or `advance`) instead of in the
   * ZabReady, so nothing sent meanwhile (a forwarded request, a PING reply) has to queue behind them.
   */
  readonly asyncPersist?: boolean;
  readonly unsafeBugs?: UnsafeBugs;
}

export interface Limits {
  readonly initLimitTicks: number;
  readonly syncLimitTicks: number;
  readonly finalizeWaitTicks: number;
  readonly notificationTicksMax: number;
  readonly connectRetryTicks: number;
  readonly snapCount: number;
}

export function limitsOf<P>(config: PeerConfig<P>): Limits {
  return {
    initLimitTicks: config.initLimitTicks ?? initLimitTicksDefault,
    syncLimitTicks: config.syncLimitTicks ?? syncLimitTicksDefault,
    finalizeWaitTicks: config.finalizeWaitTicks ?? finalizeWaitTicksDefault,
    notificationTicksMax: config.notificationTicksMax ?? notificationTicksMaxDefault,
    connectRetryTicks: config.connectRetryTicks ?? connectRetryTicksDefault,
    snapCount: config.snapCount ?? snapCountDefault,
  };
}
