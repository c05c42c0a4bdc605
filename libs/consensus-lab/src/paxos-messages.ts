// Basic Paxos messages, named as in "Paxos Made Simple": phase 1 is prepare/promise, phase 2 is
// accept/accepted. A nack carries the acceptor's promise so the proposer can pick a higher number.
import { formatProposal, ProposalNumber } from './ballot';

export interface AcceptedProposal {
  readonly n: ProposalNumber;
  readonly value: string;
}

export type PaxosMessage =
  | { readonly type: 'prepare'; readonly n: ProposalNumber }
  | { readonly type: 'promise'; readonly n: ProposalNumber; readonly accepted?: AcceptedProposal }
  | { readonly type: 'accept'; readonly n: ProposalNumber; readonly value: string }
  | { readonly type: 'accepted'; readonly n: ProposalNumber; readonly value: string }
  | { readonly type: 'nack'; readonly n: ProposalNumber; readonly promised: ProposalNumber };

export function describePaxosMessage(m: PaxosMessage): { kind: string; label: string } {
  const n = formatProposal(m.n);
  switch (m.type) {
    case 'prepare':
      return { kind: m.type, label: `prepare(${n})` };
    case 'promise':
      return {
        kind: m.type,
        label: m.accepted
          ? `promise(${n}, accepted ${formatProposal(m.accepted.n)}=${m.accepted.value})`
          : `promise(${n}, none accepted)`,
      };
    case 'accept':
      return { kind: m.type, label: `accept(${n}, ${m.value})` };
    case 'accepted':
      return { kind: m.type, label: `accepted(${n}, ${m.value})` };
    case 'nack':
      return { kind: m.type, label: `nack(${n}, promised ${formatProposal(m.promised)})` };
  }
}
