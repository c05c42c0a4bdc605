export { Peer, type PeerStatus } from './peer';
export type { PeerConfig, PeerStorage, UnsafeBugs } from './config';
export {
  initLimitTicksDefault, syncLimitTicksDefault, finalizeWaitTicksDefault, notificationTicksMaxDefault,
  connectRetryTicksDefault, snapCountDefault,
} from './config';
export type { Message, Notification, QuorumBody, QuorumMessage, ServerId, ServerState, Snapshot, ZabTxn, Vote } from './messages';
export type { ForwardedRequest, Persist, ZabReady, SoftState, SyncDone, ZabPhase } from './ready';
export { seededRand, type Rand } from './rand';
export { isBetterVote } from './election';
export { counterMax, counterOf, epochMax, epochOf, formatZxid, makeZxid, zxidToBigInt, type Zxid } from './zxid';
export { formatMessage } from './format';
export { decodeMessage, encodeMessage, writeFrame, ZabCodecError } from './codec';
