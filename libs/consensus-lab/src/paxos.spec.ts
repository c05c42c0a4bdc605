import { runPaxos, PaxosConfig } from './paxos';
import { PaxosMessage } from './paxos-messages';
import { createRng } from './rng';
import { randomNetwork } from './sim';
import { scriptedNetwork } from './scripted-network';

const oneMs = scriptedNetwork<PaxosMessage>({ latencyTicksByKind: {}, latencyTicksDefault: 1, kindOf: (m) => m.type });

function config(overrides: Partial<PaxosConfig>): PaxosConfig {
  return {
    title: 't',
    acceptors: ['A1', 'A2', 'A3'],
    proposers: [{ id: 'P1', serverId: 1, value: 'X', startAtTicks: 0 }],
    network: oneMs,
    roundsMax: 3,
    phaseTimeoutTicks: 10,
    runTicksMax: 1000,
    ...overrides,
  };
}

describe('runPaxos with other numbers of acceptors and proposers', () => {
  it('a lone proposer with seven acceptors needs one round: 4 x 7 messages', () => {
    const acceptors = ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7'];
    const r = runPaxos(config({ acceptors }));
    expect(r.chosenValues).toEqual(['X']);
    expect(r.choices[0].acceptors).toEqual(['A1', 'A2', 'A3', 'A4']);
    expect(r.proposers[0]).toMatchObject({ rounds: 1, learned: 'X' });
    expect(r.trace.messages).toHaveLength(4 * 7);
  });

  it('decides with one of three acceptors unreachable, but not with two', () => {
    const cut = (down: string[]) =>
      scriptedNetwork<PaxosMessage>({
        latencyTicksByKind: {},
        latencyTicksDefault: 1,
        kindOf: (m) => m.type,
        rules: down.map((to) => ({ to, lost: true })),
      });
    expect(runPaxos(config({ network: cut(['A3']) })).chosenValues).toEqual(['X']);
    const starved = runPaxos(config({ network: cut(['A2', 'A3']) }));
    expect(starved.chosenValues).toEqual([]);
    // No preemption happened, so this is not a livelock: the proposer just never heard a majority.
    expect(starved.livelock).toBe(false);
    expect(starved.proposers[0]).toMatchObject({ rounds: 3, gaveUp: true, preemptions: 0 });
  });

  it('a proposer that hears of a higher number jumps past it', () => {
    const r = runPaxos(
      config({
        proposers: [
          { id: 'P1', serverId: 1, value: 'X', startAtTicks: 3 },
          { id: 'P2', serverId: 2, value: 'Y', startAtTicks: 0 },
        ],
        acceptors: ['A1', 'A2', 'A3'],
      }),
    );
    // P2's 1.2 is chosen first; P1's prepare(1.1) is refused, and its next number is 2.1 (above 1.2).
    expect(r.chosenValues).toEqual(['Y']);
    expect(r.trace.messages.some((m) => m.label === 'nack(1.1, promised 1.2)')).toBe(true);
    expect(r.trace.messages.some((m) => m.label === 'prepare(2.1)')).toBe(true);
    expect(r.proposers.find((p) => p.id === 'P1')!.learned).toBe('Y');
  });

  it('stays safe with three acceptors and four proposers on a random network', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const rng = createRng(seed);
      const r = runPaxos(
        config({
          proposers: [1, 2, 3, 4].map((id) => ({ id: `P${id}`, serverId: id, value: `V${id}`, startAtTicks: rng.intBetween(0, 10), retryDelayTicks: () => rng.intBetween(0, 6) })),
          network: randomNetwork<PaxosMessage>(rng.fork(), { delayTicksMin: 1, delayTicksMax: 6, lossProbability: 0.15, duplicateProbability: 0.1 }),
          roundsMax: 6,
        }),
      );
      expect({ seed, chosen: r.chosenValues.length <= 1 }).toEqual({ seed, chosen: true });
    }
  });
});
