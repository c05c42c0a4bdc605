// Proposal numbers: (round, serverId), compared round first. Two servers never build the same number,
// and a server that hears of a higher round jumps past it. Written "round.serverId" as in the classic
// Paxos lecture figures ("3.1", "4.5").

export interface ProposalNumber {
  readonly round: number;
  readonly serverId: number;
}

export function compareProposal(a: ProposalNumber, b: ProposalNumber): number {
  return a.round !== b.round ? a.round - b.round : a.serverId - b.serverId;
}

export function formatProposal(n: ProposalNumber): string {
  return `${n.round}.${n.serverId}`;
}

export function majorityOf(count: number): number {
  return Math.floor(count / 2) + 1;
}
