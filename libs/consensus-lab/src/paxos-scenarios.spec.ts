import { narrate } from './narrate';
import {
  livelockRoundsMax, multiPaxosStableLeader, paxosCase1, paxosCase2Adopted, paxosCase2Lost, paxosCase3,
  paxosLivelock, paxosLivelockBackoff,
} from './paxos-scenarios';
import { PaxosResult } from './paxos';

const proposer = (r: PaxosResult, id: string) => r.proposers.find((p) => p.id === id)!;
const acceptor = (r: PaxosResult, id: string) => r.acceptors.find((a) => a.id === id)!;
const sent = (r: PaxosResult, from: string, to: string, label: string) =>
  r.trace.messages.filter((m) => m.from === from && m.to === to && m.label === label);

describe('the seed\'s Paxos cases', () => {
  it('case 1: a value already chosen is adopted by the later proposer', () => {
    const r = paxosCase1();
    expect(r.chosenValues).toEqual(['X']);
    expect(r.choices[0]).toMatchObject({ value: 'X', n: '1.1', acceptors: ['A1', 'A2', 'A3'] });
    // X was chosen before P5 even started, and P5 still proposes X, not its own Y.
    expect(r.choices[0].atTicks).toBeLessThan(10);
    expect(proposer(r, 'P5')).toMatchObject({ rounds: 1, preemptions: 0, lastProposedValue: 'X', learned: 'X' });
    expect(sent(r, 'A3', 'P5', 'promise(1.5, accepted 1.1=X)')).toHaveLength(1);
    expect(r.livelock).toBe(false);
  });

  it('case 2a: X accepted only by a minority still wins when the new quorum sees it', () => {
    const r = paxosCase2Adopted();
    expect(r.chosenValues).toEqual(['X']);
    // When P5 prepared, only A3 had accepted X: the first choice is P5's own proposal 1.5 carrying X.
    expect(r.choices[0]).toMatchObject({ value: 'X', n: '1.5', acceptors: ['A3', 'A4', 'A5'] });
    expect(proposer(r, 'P5')).toMatchObject({ rounds: 1, lastProposedValue: 'X', learned: 'X' });
    expect(proposer(r, 'P1').learned).toBe('X');
  });

  it('case 2b: X accepted only by a minority loses when the new quorum does not see it', () => {
    const r = paxosCase2Lost();
    expect(r.chosenValues).toEqual(['Y']);
    expect(r.choices[0]).toMatchObject({ value: 'Y', n: '1.5', acceptors: ['A3', 'A4', 'A5'] });
    // X reached A1 (and later A2) but never a majority; P1 itself ends up adopting Y.
    expect(r.trace.messages.some((m) => m.label === 'accept(1.1, X)' && m.to === 'A3' && m.deliveredAt === undefined)).toBe(true);
    expect(proposer(r, 'P1')).toMatchObject({ rounds: 2, lastProposedValue: 'Y', learned: 'Y' });
    expect(acceptor(r, 'A4').accepted).toBe('1.5=Y');
  });

  it('case 3: the later proposal blocks the earlier one', () => {
    const r = paxosCase3();
    expect(r.chosenValues).toEqual(['Y']);
    // A3 promised 1.5 before P1's accept(1.1, X) arrived, so it refused it.
    const nack = sent(r, 'A3', 'P1', 'nack(1.1, promised 1.5)');
    expect(nack).toHaveLength(1);
    const promiseToP5 = sent(r, 'P5', 'A3', 'prepare(1.5)')[0];
    const blockedAccept = sent(r, 'P1', 'A3', 'accept(1.1, X)')[0];
    expect(promiseToP5.deliveredAt!).toBeLessThan(blockedAccept.deliveredAt!);
    expect(proposer(r, 'P1')).toMatchObject({ rounds: 2, preemptions: 1, learned: 'Y' });
    expect(proposer(r, 'P5')).toMatchObject({ rounds: 1, preemptions: 0, learned: 'Y' });
  });
});

describe('the livelock of two proposers', () => {
  it('never chooses a value and stops at the round bound, reporting a livelock', () => {
    const r = paxosLivelock();
    expect(r.livelock).toBe(true);
    expect(r.choices).toEqual([]);
    expect(r.proposers.map((p) => p.rounds)).toEqual([livelockRoundsMax, livelockRoundsMax]);
    // Every round but P5's last was preempted; that last one was cut off by the bound.
    expect(proposer(r, 'P1').preemptions).toBe(livelockRoundsMax);
    expect(proposer(r, 'P5').preemptions).toBe(livelockRoundsMax - 1);
    expect(r.trace.messages.filter((m) => m.kind === 'nack' && m.from === 'A3')).toHaveLength(2 * livelockRoundsMax - 1);
    expect(r.trace.messages.filter((m) => m.inFlight).map((m) => m.label)).toEqual(['accept(9.5, Y)', 'accept(9.5, Y)', 'accept(9.5, Y)']);
    expect(narrate(r.trace).some((l) => l.includes('LIVELOCK'))).toBe(true);
  });

  it('is deterministic: two runs narrate the same lines', () => {
    expect(narrate(paxosLivelock().trace)).toEqual(narrate(paxosLivelock().trace));
  });

  it('random backoff dissolves it for most seeds, and never at the cost of safety', () => {
    const runs = Array.from({ length: 50 }, (_, i) => paxosLivelockBackoff(i + 1));
    expect(runs.every((r) => r.safe)).toBe(true);
    expect(runs.filter((r) => r.chosenValues.length === 1).length).toBeGreaterThanOrEqual(45);
  });
});

describe('Multi-Paxos with a stable leader', () => {
  it('has no livelock under the same timing and needs one round trip per value after the first', () => {
    const r = multiPaxosStableLeader();
    expect(r.log).toEqual(['X', 'Y', 'Z']);
    expect(r.prepareRounds).toBe(1);
    expect(r.roundTripsPerSlot).toEqual([2, 1, 1]);
    expect(r.nacks).toBe(0);
    expect(r.safe).toBe(true);
    expect(r.trace.messages.filter((m) => m.kind === 'prepare')).toHaveLength(5);
    expect(r.trace.messages.filter((m) => m.kind === 'accept')).toHaveLength(15);
    expect(r.trace.messages.filter((m) => m.kind === 'request' && m.from === 'P5' && m.to === 'P1')).toHaveLength(1);
  });
});
