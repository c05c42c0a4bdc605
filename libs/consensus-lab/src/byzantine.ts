// Lamport, Shostak and Pease's oral-messages algorithm OM(m), in the synchronous model it assumes:
// messages are not lost, the receiver knows who sent each one, and a missing message is noticed
// (the receiver then uses the default order, retreat). Time is counted in rounds: OM(m) takes m+1.
import { createRng, Rng } from './rng';
import { Trace, TraceRecorder } from './trace';

export type Order = 'attack' | 'retreat';
export const defaultOrder: Order = 'retreat';

/** What a traitor sends when it should relay `order` to `to`; undefined means it stays silent. */
export type TraitorStrategy = (from: string, to: string, order: Order, rng: Rng) => Order | undefined;

const opposite = (o: Order): Order => (o === 'attack' ? 'retreat' : 'attack');
const lieutenantNumber = (name: string): number => Number(name.replace(/\D/g, '')) || 0;

export const traitorStrategies: Readonly<Record<string, TraitorStrategy>> = {
  'always-attack': () => 'attack',
  'always-retreat': () => 'retreat',
  /** Sends the opposite of what it received or decided. */
  flip: (_from, _to, order) => opposite(order),
  /** Tells odd-numbered lieutenants "attack" and even-numbered ones "retreat", to split the loyal. */
  split: (_from, to) => (lieutenantNumber(to) % 2 === 1 ? 'attack' : 'retreat'),
  silent: () => undefined,
  /** A fresh coin (or silence) for every message. */
  random: (_from, _to, _order, rng) => (rng.chance(0.1) ? undefined : rng.chance(0.5) ? 'attack' : 'retreat'),
};

/**
 * How a lieutenant turns its collected orders into a decision. "majority" is OM's rule (a tie gives
 * the default order). "trust-commander" breaks a tie with what the commander said directly; it is
 * here to show that with three generals every rule fails in some case.
 */
export type DecisionRule = 'majority' | 'trust-commander';

export interface OmConfig {
  readonly title: string;
  /** Total generals: the commander plus generals-1 lieutenants. */
  readonly generals: number;
  readonly m: number;
  readonly commanderOrder: Order;
  /** Names of traitors: "C" for the commander, "L1".."Ln" for lieutenants. */
  readonly traitors: readonly string[];
  readonly strategy: TraitorStrategy;
  readonly seed: number;
  readonly rule?: DecisionRule;
}

export interface OmResult {
  readonly trace: Trace;
  /** Decision of every loyal lieutenant. */
  readonly decisions: ReadonlyMap<string, Order>;
  /** IC1: all loyal lieutenants obey the same order. */
  readonly ic1: boolean;
  readonly commanderLoyal: boolean;
  /** IC2: if the commander is loyal, every loyal lieutenant obeys its order (vacuously true otherwise). */
  readonly ic2: boolean;
  /** What each lieutenant heard, as "path: order" lines, for comparing two runs' views. */
  readonly views: ReadonlyMap<string, readonly string[]>;
}

interface Sent {
  readonly round: number;
  readonly from: string;
  readonly to: string;
  readonly path: readonly string[];
  readonly order?: Order;
}

export const commanderName = 'C';
/** OM(m) sends on the order of n^(m+1) messages; beyond this the diagram is unreadable anyway. */
export const omMessagesMax = 5000;

export function lieutenantNames(generals: number): string[] {
  return Array.from({ length: generals - 1 }, (_, i) => `L${i + 1}`);
}

export function runOralMessages(config: OmConfig): OmResult {
  if (config.generals < 2 || config.m < 0) throw new RangeError('need at least 2 generals and m >= 0');
  const lieutenants = lieutenantNames(config.generals);
  const traitors = new Set(config.traitors);
  const rng = createRng(config.seed);
  const rule = config.rule ?? 'majority';
  const sent: Sent[] = [];
  const views = new Map<string, string[]>(lieutenants.map((l) => [l, []]));
  const topVotes = new Map<string, Order[]>();

  // om returns, for each receiving lieutenant, the order it attributes to `commander` on this path.
  const om = (m: number, commander: string, receivers: readonly string[], order: Order, path: readonly string[]): Map<string, Order> => {
    const heard = new Map<string, Order>();
    const chain = [...path, commander];
    for (const to of receivers) {
      const value = traitors.has(commander) ? config.strategy(commander, to, order, rng) : order;
      sent.push({ round: chain.length, from: commander, to, path: chain, order: value });
      if (sent.length > omMessagesMax) throw new RangeError(`OM(${config.m}) with ${config.generals} generals sends more than ${omMessagesMax} messages`);
      heard.set(to, value ?? defaultOrder);
      views.get(to)!.push(`${chain.join('>')}: ${value ?? `(silent, default ${defaultOrder})`}`);
    }
    if (m === 0) return heard;
    const relayed = new Map<string, Map<string, Order>>();
    for (const relay of receivers) {
      const others = receivers.filter((r) => r !== relay);
      relayed.set(relay, om(m - 1, relay, others, heard.get(relay)!, chain));
    }
    const decided = new Map<string, Order>();
    for (const j of receivers) {
      const votes = [heard.get(j)!, ...receivers.filter((i) => i !== j).map((i) => relayed.get(i)!.get(j)!)];
      decided.set(j, decide(votes, rule));
      if (path.length === 0) topVotes.set(j, votes);
    }
    return decided;
  };

  const outcome = om(config.m, commanderName, lieutenants, config.commanderOrder, []);
  return buildResult(config, lieutenants, traitors, sent, outcome, views, topVotes);
}

function tie(votes: readonly Order[]): boolean {
  return votes.filter((v) => v === 'attack').length * 2 === votes.length;
}

function decide(votes: readonly Order[], rule: DecisionRule): Order {
  const attack = votes.filter((v) => v === 'attack').length;
  const retreat = votes.length - attack;
  if (attack !== retreat) return attack > retreat ? 'attack' : 'retreat';
  return rule === 'trust-commander' ? votes[0] : defaultOrder;
}

function buildResult(
  config: OmConfig,
  lieutenants: readonly string[],
  traitors: ReadonlySet<string>,
  sent: readonly Sent[],
  outcome: ReadonlyMap<string, Order>,
  views: ReadonlyMap<string, readonly string[]>,
  topVotes: ReadonlyMap<string, readonly Order[]>,
): OmResult {
  const lanes = [commanderName, ...lieutenants];
  const recorder = new TraceRecorder(config.title, lanes, 'round');
  for (const name of lanes) {
    if (traitors.has(name)) recorder.note(0, name, 'is a TRAITOR', 'warn');
  }
  recorder.note(0, commanderName, `${traitors.has(commanderName) ? 'traitor commander, meant' : 'loyal commander orders'}: ${config.commanderOrder}`);
  // The recursion is depth-first; rounds run in parallel, so list each round's messages together.
  const byRound = [...sent].sort((a, b) => a.round - b.round);
  for (const s of byRound) {
    const about = s.path.slice(0, -1).join('>');
    const said = s.path.length === 1 ? `${s.order}` : `${about} said ${s.order}`;
    const m = s.order === undefined
      ? recorder.message({ from: s.from, to: s.to, kind: 'silent', label: s.path.length === 1 ? 'no order (silent)' : `nothing about ${about} (silent)`, sentAt: s.round - 1 })
      : recorder.message({ from: s.from, to: s.to, kind: s.path.length === 1 ? 'order' : 'relay', label: said, sentAt: s.round - 1, deliveredAt: s.round });
    if (m.deliveredAt !== undefined) recorder.delivered(m.id);
  }
  const decisions = new Map<string, Order>();
  const end = config.m + 1;
  for (const l of lieutenants) {
    if (traitors.has(l)) continue;
    decisions.set(l, outcome.get(l)!);
    const votes = topVotes.get(l);
    const why = votes ? ` (votes: ${votes.join(', ')}${tie(votes) ? `; a tie, so ${config.rule === 'trust-commander' ? 'what C said directly' : `the default ${defaultOrder}`}` : ''})` : '';
    recorder.note(end, l, `decides ${outcome.get(l)}${why}`, 'outcome');
  }
  const orders = new Set(decisions.values());
  const ic1 = orders.size <= 1;
  const ic2 = traitors.has(commanderName) || [...decisions.values()].every((o) => o === config.commanderOrder);
  const verdict = `IC1 (loyal lieutenants agree): ${ic1 ? 'holds' : 'VIOLATED'}; IC2 (they follow a loyal commander): ${
    traitors.has(commanderName) ? 'not applicable, the commander is a traitor' : ic2 ? 'holds' : 'VIOLATED'
  }`;
  recorder.verdict(end, verdict, ic1 && ic2 ? 'outcome' : 'warn');
  return { trace: recorder.finish(), decisions, ic1, ic2, views, commanderLoyal: !traitors.has(commanderName) };
}
