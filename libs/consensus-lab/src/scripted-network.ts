// A network that follows a script instead of dice: named scenarios need exact timing to show one
// specific interleaving. Rules are tried in order; the first match decides; otherwise the message
// takes the default latency of its kind.
import { Envelope, Fate, FatePolicy } from './sim';

export interface LinkRule {
  readonly from?: string;
  readonly to?: string;
  readonly kind?: string;
  /** Matches only the given proposal round (for Paxos messages), e.g. the first round's accepts. */
  readonly round?: number;
  readonly delayTicks?: number;
  readonly lost?: boolean;
}

export interface ScriptedNetworkOptions<M> {
  readonly latencyTicksByKind: Readonly<Record<string, number>>;
  readonly latencyTicksDefault: number;
  readonly rules?: readonly LinkRule[];
  readonly kindOf: (body: M) => string;
  readonly roundOf?: (body: M) => number | undefined;
}

export function scriptedNetwork<M>(options: ScriptedNetworkOptions<M>): FatePolicy<M> {
  return (envelope: Envelope<M>): Fate => {
    const kind = options.kindOf(envelope.body);
    const round = options.roundOf?.(envelope.body);
    const rule = (options.rules ?? []).find(
      (r) =>
        (r.from === undefined || r.from === envelope.from) &&
        (r.to === undefined || r.to === envelope.to) &&
        (r.kind === undefined || r.kind === kind) &&
        (r.round === undefined || r.round === round),
    );
    if (rule?.lost) return 'lost';
    return { delayTicks: rule?.delayTicks ?? options.latencyTicksByKind[kind] ?? options.latencyTicksDefault };
  };
}
