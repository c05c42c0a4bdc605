import { commanderName, lieutenantNames, Order, runOralMessages, TraitorStrategy, traitorStrategies } from './byzantine';
import {
  checkOralMessages, fourGeneralsCommanderTraitor, fourGeneralsLieutenantTraitor, randomOralMessages,
  threeGeneralsCommanderTraitor, threeGeneralsLieutenantTraitor,
} from './byzantine-scenarios';

type Choice = Order | undefined;
const choices: Choice[] = ['attack', 'retreat', undefined];

/** Every way of filling `slots` with attack / retreat / silence. */
function* lieTables(slots: readonly string[]): Generator<Map<string, Choice>> {
  const total = choices.length ** slots.length;
  for (let code = 0; code < total; code++) {
    const table = new Map<string, Choice>();
    let rest = code;
    for (const slot of slots) {
      table.set(slot, choices[rest % choices.length]);
      rest = Math.floor(rest / choices.length);
    }
    yield table;
  }
}

const fromTable = (table: Map<string, Choice>): TraitorStrategy => (from, to) => table.get(`${from}>${to}`);

describe('Byzantine generals with three generals and one traitor', () => {
  it('a traitor lieutenant makes loyal L1 disobey a loyal commander (IC2 fails)', () => {
    const r = threeGeneralsLieutenantTraitor();
    expect(r.decisions).toEqual(new Map([['L1', 'retreat']]));
    expect(r.ic2).toBe(false);
    expect(r.trace.messages).toHaveLength(4);
  });

  it('a traitor commander gives L1 the very same view, and trusting the commander splits L1 and L2 (IC1 fails)', () => {
    const a = threeGeneralsLieutenantTraitor();
    const b = threeGeneralsCommanderTraitor();
    expect(b.views.get('L1')).toEqual(a.views.get('L1'));
    expect(b.decisions).toEqual(new Map([['L1', 'attack'], ['L2', 'retreat']]));
    expect(b.ic1).toBe(false);
  });

  it('whatever the tie rule, some traitor behaviour breaks IC1 or IC2', () => {
    for (const rule of ['majority', 'trust-commander'] as const) {
      let broken = 0;
      for (const traitor of [commanderName, 'L1', 'L2']) {
        const slots = traitor === commanderName ? ['C>L1', 'C>L2'] : [`${traitor}>${traitor === 'L1' ? 'L2' : 'L1'}`];
        for (const table of lieTables(slots)) {
          const r = runOralMessages({ title: 't', generals: 3, m: 1, commanderOrder: 'attack', traitors: [traitor], strategy: fromTable(table), seed: 0, rule });
          if (!r.ic1 || !r.ic2) broken++;
        }
      }
      expect({ rule, broken: broken > 0 }).toEqual({ rule, broken: true });
    }
  });

  it('random traitors fail some of many seeds', () => {
    const report = checkOralMessages(1, 200, { generals: 3, m: 1, traitorCount: 1 });
    expect(report.failures.length).toBeGreaterThan(0);
  });
});

describe('Byzantine generals with four generals and one traitor: OM(1)', () => {
  it('the named runs agree', () => {
    const lt = fourGeneralsLieutenantTraitor();
    expect(lt.decisions).toEqual(new Map([['L1', 'attack'], ['L2', 'attack']]));
    expect([lt.ic1, lt.ic2]).toEqual([true, true]);
    const ct = fourGeneralsCommanderTraitor();
    expect(new Set(ct.decisions.values()).size).toBe(1);
    expect(ct.ic1).toBe(true);
    // OM(1) with n generals: n-1 orders plus (n-1)(n-2) relays.
    expect(ct.trace.messages).toHaveLength(3 + 3 * 2);
  });

  it('IC1 and IC2 hold for every traitor, every order and every possible lie (exhaustive)', () => {
    let runs = 0;
    for (const commanderOrder of ['attack', 'retreat'] as const) {
      for (const traitor of [commanderName, ...lieutenantNames(4)]) {
        const receivers = lieutenantNames(4).filter((l) => l !== traitor);
        for (const table of lieTables(receivers.map((to) => `${traitor}>${to}`))) {
          const r = runOralMessages({ title: 't', generals: 4, m: 1, commanderOrder, traitors: [traitor], strategy: fromTable(table), seed: 0 });
          runs++;
          if (!r.ic1 || !r.ic2) throw new Error(`violated: traitor ${traitor}, order ${commanderOrder}, lies ${[...table]}`);
        }
      }
    }
    expect(runs).toBe(2 * (27 + 3 * 9));
  });

  it('holds over many random seeds and strategies', () => {
    expect(checkOralMessages(1, 300, { generals: 4, m: 1, traitorCount: 1 }).failures).toEqual([]);
  });

  it('two traitors are too many for four generals', () => {
    expect(checkOralMessages(1, 200, { generals: 4, m: 1, traitorCount: 2 }).failures.length).toBeGreaterThan(0);
  });
});

describe('OM(2) with seven generals and two traitors', () => {
  it('holds over many random seeds, with n^(m+1)-order message counts', () => {
    expect(checkOralMessages(1, 60, { generals: 7, m: 2, traitorCount: 2 }).failures).toEqual([]);
    expect(randomOralMessages(1, { generals: 7, m: 2, traitorCount: 2 }).trace.messages.length).toBe(6 + 6 * 5 + 6 * 5 * 4);
  });

  it('every named strategy is exercised and silence falls back to retreat', () => {
    const r = runOralMessages({ title: 't', generals: 4, m: 1, commanderOrder: 'attack', traitors: ['C'], strategy: traitorStrategies.silent, seed: 0 });
    expect([...r.decisions.values()]).toEqual(['retreat', 'retreat', 'retreat']);
    expect(r.trace.messages.filter((m) => m.kind === 'silent')).toHaveLength(3);
    expect(Object.keys(traitorStrategies).sort()).toEqual(['always-attack', 'always-retreat', 'flip', 'random', 'silent', 'split']);
  });

  it('refuses runs that would send an absurd number of messages', () => {
    expect(() => runOralMessages({ title: 't', generals: 12, m: 4, commanderOrder: 'attack', traitors: [], strategy: traitorStrategies.flip, seed: 0 })).toThrow(RangeError);
  });
});
