import { narrate } from './narrate';
import {
  livelockBoundTicks, livelockLatencyTicksByKind, livelockRivalStartTicks, multiPaxosStableLeader, paxosCase1, paxosCase2Adopted,
  paxosCase2Lost, paxosCase3, paxosLivelock, paxosLivelockBackoff, seedAcceptors,
} from './paxos-scenarios';
import { livelockLine, PaxosResult, runPaxos } from './paxos';
import { PaxosMessage } from './paxos-messages';
import { scriptedNetwork } from './scripted-network';

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
    // "X is chosen" is an observer's fact about a majority, not one acceptor's statement.
    const chosenNotes = r.trace.notes.filter((n) => n.text.includes(' is chosen: '));
    expect(chosenNotes.length).toBe(2);
    for (const n of chosenNotes) expect(n.node).toBeUndefined();
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
  it('duels until the time bound, and every round open there is preempted just after it: a livelock', () => {
    const r = paxosLivelock();
    expect(r.livelock).toBe(true);
    expect(r.choices).toEqual([]);
    expect(r.stoppedAtTicks).toBe(livelockBoundTicks);
    // Nobody gave up: both were still trying when the bound stopped the run.
    expect(r.proposers.every((p) => !p.gaveUp)).toBe(true);
    expect(r.roundsEnded).toBeGreaterThanOrEqual(10);
    expect(r.roundsPreempted).toBe(r.roundsEnded);
    expect(r.openAtBound.length).toBeGreaterThan(0);
    for (const o of r.openAtBound) {
      expect(o.afterBound).toBe('preempted');
      expect(o.atTicks!).toBeGreaterThan(livelockBoundTicks);
    }
    // The trace stops at the bound: nothing delivered after it, the rest drawn as in flight.
    expect(r.trace.messages.every((m) => m.deliveredAt === undefined || m.deliveredAt <= livelockBoundTicks)).toBe(true);
    expect(r.trace.messages.filter((m) => m.inFlight).length).toBeGreaterThan(0);
    // The verdict is the run's, not a participant's.
    const verdict = r.trace.notes.find((n) => n.text.startsWith('LIVELOCK'))!;
    expect(verdict.node).toBeUndefined();
    expect(verdict.text).toContain(`within the ${livelockBoundTicks} ms bound`);
  });

  it('a proposer that gives up is not a livelock: the rival completes (the old bounded-by-rounds run)', () => {
    const r = runPaxos({
      title: 'rounds bound', acceptors: seedAcceptors,
      proposers: [
        { id: 'P1', serverId: 1, value: 'X', startAtTicks: 0, targets: ['A1', 'A2', 'A3'] },
        { id: 'P5', serverId: 5, value: 'Y', startAtTicks: livelockRivalStartTicks, targets: ['A3', 'A4', 'A5'] },
      ],
      network: scriptedNetwork<PaxosMessage>({ latencyTicksByKind: { ...livelockLatencyTicksByKind }, latencyTicksDefault: 1, kindOf: (m) => m.type }),
      roundsMax: 5, phaseTimeoutTicks: 20, runTicksMax: 500,
    });
    expect(proposer(r, 'P1').gaveUp).toBe(true);
    expect(r.chosenValues).toEqual(['Y']);
    expect(r.livelock).toBe(false);
  });

  it('no livelock is claimed when a round open at the bound would have completed', () => {
    // Find a backoff run that chooses a value, then bound it one tick before the choice.
    const decided = Array.from({ length: 20 }, (_, i) => ({ seed: i + 1, r: paxosLivelockBackoff(i + 1, 200) })).find(({ r }) => r.choices.length > 0)!;
    const cutAt = decided.r.choices[0].atTicks - 1;
    const cut = paxosLivelockBackoff(decided.seed, cutAt);
    expect(cut.choices).toEqual([]);
    expect(cut.livelock).toBe(false);
    expect(cut.openAtBound.some((o) => o.afterBound === 'chosen')).toBe(true);
    expect(cut.trace.notes.at(-1)!.text).toMatch(/^no value chosen within the \d+ ms bound; not a livelock: .* gets its value chosen at t=/);
    expect(livelockLine(cut)).toMatch(/^livelock: no - no value chosen within the \d+ ms bound, but /);
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
