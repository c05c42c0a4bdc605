// Multi-Paxos with a stable leader: the seed's cure for the livelock. Only the leader proposes; other
// servers forward their values to it. The leader runs phase 1 (prepare/promise) once, for every slot
// at the same time, and after that each value costs one round trip (accept/accepted). ZAB's leader
// works the same way: elect once, then PROPOSAL/ACK per write.
import { compareProposal, formatProposal, majorityOf, ProposalNumber } from './ballot';
import { FatePolicy, Simulator } from './sim';
import { Trace, TraceRecorder } from './trace';

interface SlotValue {
  readonly slot: number;
  readonly n: ProposalNumber;
  readonly value: string;
}

export type MultiPaxosMessage =
  | { readonly type: 'request'; readonly value: string }
  | { readonly type: 'prepare'; readonly n: ProposalNumber }
  | { readonly type: 'promise'; readonly n: ProposalNumber; readonly accepted: readonly SlotValue[] }
  | { readonly type: 'accept'; readonly n: ProposalNumber; readonly slot: number; readonly value: string }
  | { readonly type: 'accepted'; readonly n: ProposalNumber; readonly slot: number }
  | { readonly type: 'nack'; readonly n: ProposalNumber; readonly promised: ProposalNumber };

export function describeMultiPaxosMessage(m: MultiPaxosMessage): { kind: string; label: string } {
  if (m.type === 'request') return { kind: m.type, label: `request(${m.value})` };
  const n = formatProposal(m.n);
  switch (m.type) {
    case 'prepare':
      return { kind: m.type, label: `prepare(${n}, all slots)` };
    case 'promise':
      return { kind: m.type, label: `promise(${n}, ${m.accepted.length} accepted)` };
    case 'accept':
      return { kind: m.type, label: `accept(${n}, slot ${m.slot}, ${m.value})` };
    case 'accepted':
      return { kind: m.type, label: `accepted(${n}, slot ${m.slot})` };
    case 'nack':
      return { kind: m.type, label: `nack(${n}, promised ${formatProposal(m.promised)})` };
  }
}

export interface ClientValue {
  /** The server a client handed the value to; a non-leader forwards it. */
  readonly at: string;
  readonly value: string;
  readonly atTicks: number;
}

export interface MultiPaxosConfig {
  readonly title: string;
  readonly acceptors: readonly string[];
  readonly leader: { readonly id: string; readonly serverId: number };
  readonly followers: readonly string[];
  readonly values: readonly ClientValue[];
  readonly network: FatePolicy<MultiPaxosMessage>;
  readonly runTicksMax: number;
}

export interface MultiPaxosResult {
  readonly trace: Trace;
  /** slot -> chosen value, as the acceptors decided it. */
  readonly log: readonly string[];
  readonly prepareRounds: number;
  /** Round trips the leader spent on each slot, prepare included (slot 1 pays for phase 1). */
  readonly roundTripsPerSlot: readonly number[];
  readonly nacks: number;
  readonly safe: boolean;
}

class SlotAcceptor {
  promised?: ProposalNumber;
  readonly accepted = new Map<number, SlotValue>();
}

export function runMultiPaxos(config: MultiPaxosConfig): MultiPaxosResult {
  const leaderId = config.leader.id;
  const lanes = [leaderId, ...config.acceptors, ...config.followers];
  const recorder = new TraceRecorder(config.title, lanes, 'ms');
  const sim = new Simulator<MultiPaxosMessage>(config.network, recorder, describeMultiPaxosMessage);
  const majority = majorityOf(config.acceptors.length);
  const acceptors = new Map(config.acceptors.map((id) => [id, new SlotAcceptor()]));
  const votes = new Map<string, Set<string>>();
  const chosen = new Map<number, Set<string>>();
  let nacks = 0;

  // Leader state: one ballot for all slots, a queue of values, one accept round at a time.
  const n: ProposalNumber = { round: 1, serverId: config.leader.serverId };
  let prepared = false;
  let prepareRounds = 0;
  const promises = new Map<string, readonly SlotValue[]>();
  const queue: { value: string; slot?: number }[] = [];
  const roundTrips: number[] = [];
  let inProgress: { slot: number; value: string; acks: Set<string> } | undefined;
  let nextSlot = 1;

  const note = (node: string, text: string, tone?: 'info' | 'outcome' | 'warn') => recorder.note(sim.now, node, text, tone);
  const broadcast = (m: MultiPaxosMessage) => config.acceptors.forEach((a) => sim.send(leaderId, a, m));

  const proposeNext = () => {
    if (!prepared || inProgress) return;
    const item = queue.shift();
    if (item === undefined) return;
    const { value } = item;
    const slot = item.slot ?? nextSlot++;
    inProgress = { slot, value, acks: new Set() };
    roundTrips[slot - 1] = (roundTrips[slot - 1] ?? 0) + 1;
    note(leaderId, `slot ${slot}: accept ${value} (no prepare needed, phase 1 already covers it)`);
    broadcast({ type: 'accept', n, slot, value });
  };

  const onLeaderMessage = (from: string, m: MultiPaxosMessage) => {
    if (m.type === 'request') {
      queue.push({ value: m.value });
      return proposeNext();
    }
    if (m.type === 'nack') {
      nacks++;
      return note(leaderId, `nack from ${from}: another leader? (not expected with a stable leader)`, 'warn');
    }
    if (m.type === 'promise' && !prepared) {
      promises.set(from, m.accepted);
      if (promises.size < majority) return;
      prepared = true;
      // Values accepted in earlier ballots must be finished first, as in Basic Paxos.
      const carried = highestPerSlot([...promises.values()].flat());
      queue.unshift(...carried.map((sv) => ({ value: sv.value, slot: sv.slot })));
      nextSlot = Math.max(nextSlot, ...carried.map((sv) => sv.slot + 1));
      note(leaderId, `phase 1 done for every slot with ${majority} promises; from now on one round trip per value`, 'outcome');
      return proposeNext();
    }
    if (m.type === 'accepted' && inProgress && m.slot === inProgress.slot) {
      inProgress.acks.add(from);
      if (inProgress.acks.size < majority) return;
      note(leaderId, `slot ${inProgress.slot} = ${inProgress.value} committed (${majority} accepted)`, 'outcome');
      inProgress = undefined;
      proposeNext();
    }
  };

  const onAcceptorMessage = (id: string, state: SlotAcceptor, from: string, m: MultiPaxosMessage) => {
    if (m.type === 'prepare') {
      if (state.promised && compareProposal(m.n, state.promised) <= 0) return sim.send(id, from, { type: 'nack', n: m.n, promised: state.promised });
      state.promised = m.n;
      return sim.send(id, from, { type: 'promise', n: m.n, accepted: [...state.accepted.values()] });
    }
    if (m.type !== 'accept') return;
    if (state.promised && compareProposal(m.n, state.promised) < 0) return sim.send(id, from, { type: 'nack', n: m.n, promised: state.promised });
    state.promised = m.n;
    state.accepted.set(m.slot, { slot: m.slot, n: m.n, value: m.value });
    sim.send(id, from, { type: 'accepted', n: m.n, slot: m.slot });
    const key = `${m.slot}/${formatProposal(m.n)}`;
    const voters = votes.get(key) ?? new Set<string>();
    votes.set(key, voters.add(id));
    if (voters.size === majority) {
      const values = chosen.get(m.slot) ?? new Set<string>();
      chosen.set(m.slot, values.add(m.value));
      // The observer's verdict (a majority accepted), not something acceptor `id` knows.
      recorder.verdict(sim.now, `slot ${m.slot}: ${m.value} is chosen (accepted by ${[...voters].sort().join(', ')})`, 'outcome');
    }
  };

  sim.attach({
    onMessage({ from, to, body }) {
      const acceptor = acceptors.get(to);
      if (acceptor) return onAcceptorMessage(to, acceptor, from, body);
      if (to === leaderId) onLeaderMessage(from, body);
    },
    onTimer(node, tag) {
      if (tag === 'start') {
        prepareRounds++;
        note(leaderId, `elected leader; prepare(${formatProposal(n)}) once for all slots`);
        return broadcast({ type: 'prepare', n });
      }
      const value = tag.slice('value:'.length);
      if (node === leaderId) {
        queue.push({ value });
        return proposeNext();
      }
      note(node, `not the leader: forwards ${value} to ${leaderId}`);
      sim.send(node, leaderId, { type: 'request', value });
    },
  });
  sim.setTimer(leaderId, 'start', 0);
  for (const v of config.values) sim.setTimer(v.at, `value:${v.value}`, v.atTicks);
  sim.run(config.runTicksMax);
  sim.abandonInFlight();

  const slots = [...chosen.keys()].sort((a, b) => a - b);
  return {
    trace: recorder.finish(),
    log: slots.map((s) => [...chosen.get(s)!][0]),
    prepareRounds,
    roundTripsPerSlot: roundTrips.map((r, i) => (i === 0 ? r + prepareRounds : r)),
    nacks,
    safe: [...chosen.values()].every((values) => values.size === 1),
  };
}

function highestPerSlot(accepted: readonly SlotValue[]): SlotValue[] {
  const best = new Map<number, SlotValue>();
  for (const sv of accepted) {
    const current = best.get(sv.slot);
    if (!current || compareProposal(sv.n, current.n) > 0) best.set(sv.slot, sv);
  }
  return [...best.values()].sort((a, b) => a.slot - b.slot);
}
