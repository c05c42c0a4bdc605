// Named Byzantine generals runs. With three generals and one traitor a loyal lieutenant cannot tell
// "the commander is lying" from "the other lieutenant is lying" — its view is identical — so any
// decision rule fails in one of the two cases. With four generals OM(1) always works.
import { OmResult, Order, runOralMessages, traitorStrategies, lieutenantNames, commanderName } from './byzantine';
import { createRng } from './rng';

/** Case A: loyal commander orders attack; traitor L2 tells L1 "C said retreat". OM's rule makes L1 retreat. */
export function threeGeneralsLieutenantTraitor(): OmResult {
  return runOralMessages({
    title: 'Byzantine generals: 3 generals, traitor L2 - loyal L1 disobeys a loyal commander (IC2 fails)',
    generals: 3,
    m: 1,
    commanderOrder: 'attack',
    traitors: ['L2'],
    strategy: traitorStrategies.flip,
    seed: 0,
  });
}

/**
 * Case B: the commander is the traitor and tells L1 "attack", L2 "retreat". L1 hears exactly what it
 * heard in case A. A rule that fixes case A (on a tie, trust the commander) splits L1 and L2 here.
 */
export function threeGeneralsCommanderTraitor(): OmResult {
  return runOralMessages({
    title: 'Byzantine generals: 3 generals, traitor commander - L1 and L2 disagree (IC1 fails)',
    generals: 3,
    m: 1,
    commanderOrder: 'attack',
    traitors: [commanderName],
    strategy: traitorStrategies.split,
    seed: 0,
    rule: 'trust-commander',
  });
}

export function fourGeneralsLieutenantTraitor(): OmResult {
  return runOralMessages({
    title: 'Byzantine generals: 4 generals, OM(1), traitor L3 - loyal lieutenants follow the commander',
    generals: 4,
    m: 1,
    commanderOrder: 'attack',
    traitors: ['L3'],
    strategy: traitorStrategies.flip,
    seed: 0,
  });
}

export function fourGeneralsCommanderTraitor(): OmResult {
  return runOralMessages({
    title: 'Byzantine generals: 4 generals, OM(1), traitor commander splits its orders - loyal lieutenants still agree',
    generals: 4,
    m: 1,
    commanderOrder: 'attack',
    traitors: [commanderName],
    strategy: traitorStrategies.split,
    seed: 0,
  });
}

export interface RandomOmOptions {
  readonly generals: number;
  readonly m: number;
  readonly traitorCount: number;
}

/** A seeded run: which generals betray, what the commander means and how each traitor lies are all random. */
export function randomOralMessages(seed: number, options: RandomOmOptions): OmResult {
  if (options.traitorCount > options.generals) throw new RangeError(`${options.traitorCount} traitors among ${options.generals} generals`);
  const rng = createRng(seed);
  const everyone = [commanderName, ...lieutenantNames(options.generals)];
  const traitors: string[] = [];
  while (traitors.length < options.traitorCount) {
    const g = rng.pick(everyone);
    if (!traitors.includes(g)) traitors.push(g);
  }
  const names = Object.keys(traitorStrategies);
  const perTraitor = new Map(traitors.map((t) => [t, rng.pick(names)]));
  const commanderOrder: Order = rng.chance(0.5) ? 'attack' : 'retreat';
  const strategies = [...perTraitor].map(([t, s]) => `${t} ${s}`).join(', ');
  return runOralMessages({
    title: `Byzantine generals: ${options.generals} generals, OM(${options.m}), traitors ${strategies} (seed ${seed})`,
    generals: options.generals,
    m: options.m,
    commanderOrder,
    traitors,
    strategy: (from, to, order, r) => traitorStrategies[perTraitor.get(from)!](from, to, order, r),
    seed: rng.intBetween(0, 0x7fffffff),
  });
}

export interface OmCheckReport {
  readonly seedsRun: number;
  readonly failures: readonly { seed: number; ic1: boolean; ic2: boolean }[];
}

/** Runs many seeds and lists every seed where IC1 or IC2 failed. */
export function checkOralMessages(firstSeed: number, seedCount: number, options: RandomOmOptions): OmCheckReport {
  const failures: { seed: number; ic1: boolean; ic2: boolean }[] = [];
  for (let seed = firstSeed; seed < firstSeed + seedCount; seed++) {
    const r = randomOralMessages(seed, options);
    if (!r.ic1 || !r.ic2) failures.push({ seed, ic1: r.ic1, ic2: r.ic2 });
  }
  return { seedsRun: seedCount, failures };
}
