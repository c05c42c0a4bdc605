// Every runnable scenario, by group and name, as the CLI lists them. A scenario returns its trace
// (for the narration and the diagram) and a few summary lines that state its outcome.
import { OmResult } from './byzantine';
import {
  checkOralMessages, fourGeneralsCommanderTraitor, fourGeneralsLieutenantTraitor, randomOralMessages,
  threeGeneralsCommanderTraitor, threeGeneralsLieutenantTraitor,
} from './byzantine-scenarios';
import { MultiPaxosResult } from './multi-paxos';
import { livelockLine, PaxosResult } from './paxos';
import { checkPaxosSafety, randomPaxosDefaults, runRandomPaxos } from './paxos-safety';
import {
  livelockBoundTicks, multiPaxosStableLeader, paxosCase1, paxosCase2Adopted, paxosCase2Lost, paxosCase3,
  paxosLivelock, paxosLivelockBackoff,
} from './paxos-scenarios';
import { Trace } from './trace';

export interface RunOptions {
  readonly seed: number;
  /** Seeds to try, for the checkers. */
  readonly count: number;
  readonly generals?: number;
  readonly m?: number;
  readonly traitors?: number;
  /** Run Paxos with proposers that ignore accepted values, to watch the safety checker catch it. */
  readonly broken?: boolean;
  /** Proposers in the random Paxos runs. */
  readonly proposers?: number;
}

export interface ScenarioRun {
  readonly trace?: Trace;
  readonly summary: readonly string[];
  /**
   * A property the algorithm guarantees was broken (two values chosen, OM(m) disagreeing where it
   * must not): the CLI exits non-zero. Outcomes a scenario exists to show (three generals failing) are not.
   */
  readonly violated?: boolean;
}

export interface Scenario {
  readonly group: 'paxos' | 'multipaxos' | 'byzantine';
  readonly name: string;
  readonly summary: string;
  /** True when --seed changes the run. */
  readonly seeded: boolean;
  run(options: RunOptions): ScenarioRun;
}

export const checkerSeedCountDefault = 300;

export function summarizePaxos(r: PaxosResult): string[] {
  const lost = r.trace.messages.filter((m) => m.deliveredAt === undefined && !m.inFlight).length;
  const lines = [
    r.choices.length > 0
      ? `chosen: ${r.chosenValues.join(' AND ')} (first: ${r.choices[0].n}=${r.choices[0].value} accepted by ${r.choices[0].acceptors.join(', ')} at t=${r.choices[0].atTicks}ms)`
      : 'chosen: nothing',
    ...r.proposers.map(
      (p) => `${p.id}: ${p.rounds} round(s), ${p.preemptions} preempted, ${p.learned ? `learned ${p.learned}` : p.gaveUp ? 'gave up' : 'did not learn a value'}`,
    ),
    livelockLine(r),
    `safety: ${r.safe ? 'ok (at most one value chosen)' : 'VIOLATED'}; messages: ${r.trace.messages.length}, lost: ${lost}`,
  ];
  return lines;
}

function summarizeMulti(r: MultiPaxosResult): string[] {
  return [
    `log: ${r.log.map((v, i) => `slot ${i + 1}=${v}`).join(', ')}`,
    `prepare rounds: ${r.prepareRounds}; round trips per slot: ${r.roundTripsPerSlot.join(', ')} (slot 1 includes the one prepare)`,
    `nacks: ${r.nacks}; livelock: ${r.nacks === 0 ? 'no (no proposal was preempted)' : `${r.nacks} nacks (another proposer?)`}; safety: ${r.safe ? 'ok' : 'VIOLATED'}`,
  ];
}

export function summarizeOm(r: OmResult): string[] {
  return [
    `decisions of loyal lieutenants: ${[...r.decisions].map(([l, o]) => `${l}=${o}`).join(', ')}`,
    `IC1 (all loyal lieutenants agree): ${r.ic1 ? 'holds' : 'VIOLATED'}`,
    `IC2 (loyal lieutenants obey a loyal commander): ${!r.commanderLoyal ? 'not applicable, the commander is a traitor' : r.ic2 ? 'holds' : 'VIOLATED'}`,
  ];
}

const paxosRun = (r: PaxosResult): ScenarioRun => ({ trace: r.trace, summary: summarizePaxos(r), violated: !r.safe });

const paxos = (name: string, summary: string, run: () => PaxosResult): Scenario => ({
  group: 'paxos', name, summary, seeded: false,
  run: () => paxosRun(run()),
});

/** OM(m) promises IC1 and IC2 when m >= traitors and there are more than three times as many generals as traitors. */
export function omGuarantees(generals: number, m: number, traitors: number): boolean {
  return m >= traitors && generals > 3 * traitors;
}

const omRun = (r: OmResult, guaranteed: boolean): ScenarioRun => ({ trace: r.trace, summary: summarizeOm(r), violated: guaranteed && !(r.ic1 && r.ic2) });

const byzantine = (name: string, summary: string, run: () => OmResult, generals: number): Scenario => ({
  group: 'byzantine', name, summary, seeded: false,
  run: () => omRun(run(), omGuarantees(generals, 1, 1)),
});

export const scenarios: readonly Scenario[] = [
  paxos('case1', 'X is already chosen on A1-A3; the later proposer P5 learns it from A3 and proposes X too', paxosCase1),
  paxos('case2a', 'X accepted by a minority (A3 only); P5 sees it through A3 and X wins', paxosCase2Adopted),
  paxos('case2b', 'X accepted by a minority (A1 only); P5 does not see it and its own Y wins', paxosCase2Lost),
  paxos('case3', "P5's prepare reaches A3 before P1's accept: the later proposal blocks the earlier, Y wins", paxosCase3),
  paxos('livelock', `P1 and P5 (the seed's A1 and A5) preempt each other for as long as the run goes (bounded at ${livelockBoundTicks} ms)`, () => paxosLivelock()),
  {
    group: 'paxos', name: 'backoff', seeded: true,
    summary: 'the livelock timing, but proposers wait a random time before retrying (--seed)',
    run: ({ seed }) => {
      return paxosRun(paxosLivelockBackoff(seed));
    },
  },
  {
    group: 'paxos', name: 'random', seeded: true,
    summary: '3 proposers on a random network: delays 1-10 ms, 10% loss, duplicates (--seed, --proposers N, --broken)',
    run: ({ seed, broken, proposers }) => {
      return paxosRun(runRandomPaxos(seed, { ignoresAcceptedValues: broken, proposerCount: proposers ?? randomPaxosDefaults.proposerCount }));
    },
  },
  {
    group: 'paxos', name: 'safety', seeded: true,
    summary: `safety checker: --count random runs (default ${checkerSeedCountDefault}) from --seed; never two values chosen (--broken)`,
    run: ({ seed, count, broken, proposers }) => {
      const r = checkPaxosSafety(seed, count, { ignoresAcceptedValues: broken, proposerCount: proposers ?? randomPaxosDefaults.proposerCount });
      return {
        violated: r.violations.length > 0,
        summary: [
          `seeds ${seed}..${seed + count - 1}: ${r.seedsRun} runs, ${r.decided} decided a value, ${r.messages} messages`,
          r.violations.length === 0
            ? 'safety: ok, never two different values chosen'
            : `safety VIOLATED in ${r.violations.length} runs, e.g. seeds ${r.violations.slice(0, 8).map((v) => v.seed).join(', ')}${broken ? ' (--broken: proposers ignore accepted values)' : ''}`,
        ],
      };
    },
  },
  {
    group: 'multipaxos', name: 'leader', seeded: false,
    summary: 'stable leader P1 (P5 forwards): one prepare, then one accept round trip per value; no livelock',
    run: () => {
      const r = multiPaxosStableLeader();
      return { trace: r.trace, summary: summarizeMulti(r), violated: !r.safe };
    },
  },
  byzantine('three-generals', '3 generals, traitor lieutenant: loyal L1 retreats although the loyal commander said attack', threeGeneralsLieutenantTraitor, 3),
  byzantine('three-generals-traitor-commander', '3 generals, traitor commander: L1 sees the same as above; trusting the commander splits L1 and L2', threeGeneralsCommanderTraitor, 3),
  byzantine('four-generals', '4 generals, OM(1), traitor lieutenant: every loyal lieutenant attacks with the commander', fourGeneralsLieutenantTraitor, 4),
  byzantine('four-generals-traitor-commander', '4 generals, OM(1), traitor commander splits its orders: the loyal three still agree', fourGeneralsCommanderTraitor, 4),
  {
    group: 'byzantine', name: 'random', seeded: true,
    summary: 'random traitors and strategies (--seed; --generals 4 --m 1 --traitors 1 by default)',
    run: ({ seed, generals = 4, m = 1, traitors = 1 }) => {
      return omRun(randomOralMessages(seed, { generals, m, traitorCount: traitors }), omGuarantees(generals, m, traitors));
    },
  },
  {
    group: 'byzantine', name: 'seven-generals', seeded: true,
    summary: '7 generals, OM(2), two random traitors with random strategies (--seed)',
    run: ({ seed }) => {
      return omRun(randomOralMessages(seed, { generals: 7, m: 2, traitorCount: 2 }), omGuarantees(7, 2, 2));
    },
  },
  {
    group: 'byzantine', name: 'check', seeded: true,
    summary: `OM checker: --count random runs each for 3 generals/1 traitor and 4 generals/1 traitor`,
    run: ({ seed, count }) => {
      const three = checkOralMessages(seed, count, { generals: 3, m: 1, traitorCount: 1 });
      const four = checkOralMessages(seed, count, { generals: 4, m: 1, traitorCount: 1 });
      const show = (f: OmCheckFailures) => f.slice(0, 5).map((x) => x.seed).join(', ');
      return {
        // Three generals are expected to fail (that is the lesson); four with OM(1) must never.
        violated: four.failures.length > 0,
        summary: [
          `3 generals, 1 traitor, OM(1): ${three.failures.length} of ${count} runs violate IC1 or IC2${three.failures.length ? ` (e.g. seeds ${show(three.failures)}; try: byzantine random --generals 3 --seed ${three.failures[0].seed})` : ''}`,
          `4 generals, 1 traitor, OM(1): ${four.failures.length} of ${count} runs violate IC1 or IC2${four.failures.length ? ` (seeds ${show(four.failures)})` : ''}`,
        ],
      };
    },
  },
];

type OmCheckFailures = ReturnType<typeof checkOralMessages>['failures'];

export function findScenario(group: string, name: string): Scenario | undefined {
  return scenarios.find((s) => s.group === group && s.name === name);
}
