// One line per message, for traces and debug logs: `2->1 PROPOSAL 1.3 "x=1"`. Payloads go through the
// caller's formatter (the core cannot know what they mean).

import type { Message, ZabTxn } from './messages';
import { formatZxid } from './zxid';

export function formatMessage<P>(m: Message<P>, payload: (p: P) => string = (p) => String(p)): string {
  const head = `${m.from}->${m.to} ${m.type}`;
  const txns = (entries: readonly ZabTxn<P>[]): string => `[${entries.map((t) => `${formatZxid(t.zxid)} ${payload(t.payload)}`).join(', ')}]`;
  switch (m.type) {
    case 'NOTIFICATION':
      return `${head} vote=(leader ${m.vote.leader}, zxid ${formatZxid(m.vote.zxid)}, epoch ${m.vote.peerEpoch}) round=${m.electionEpoch} ${m.state}`;
    case 'FOLLOWERINFO':
      return `${head} acceptedEpoch=${m.acceptedEpoch} lastZxid=${formatZxid(m.lastZxid)}`;
    case 'LEADERINFO':
      return `${head} epoch=${m.epoch}`;
    case 'ACKEPOCH':
      return `${head} currentEpoch=${m.currentEpoch} lastZxid=${formatZxid(m.lastZxid)}`;
    case 'DIFF':
      return `${head} ${txns(m.entries)} committed=${formatZxid(m.committedZxid)}`;
    case 'TRUNC':
      return `${head} to=${formatZxid(m.truncZxid)} ${txns(m.entries)} committed=${formatZxid(m.committedZxid)}`;
    case 'SNAP':
      return `${head} snapshot@${formatZxid(m.snapshot.zxid)} ${txns(m.entries)} committed=${formatZxid(m.committedZxid)}`;
    case 'NEWLEADER':
      return `${head} epoch=${m.epoch} zxid=${formatZxid(m.zxid)}`;
    case 'ACK':
    case 'COMMIT':
      return `${head} ${formatZxid(m.zxid)}`;
    case 'UPTODATE':
      return `${head} committed=${formatZxid(m.committedZxid)}`;
    case 'PROPOSAL':
      return `${head} ${formatZxid(m.txn.zxid)} ${payload(m.txn.payload)}`;
    case 'PING':
      return `${head} round=${m.round}`;
    case 'REQUEST':
      return `${head} ${payload(m.request)}`;
    case 'SYNC':
      return m.zxid === 0 ? `${head} id=${m.syncId}` : `${head} id=${m.syncId} zxid=${formatZxid(m.zxid)}`;
  }
}
