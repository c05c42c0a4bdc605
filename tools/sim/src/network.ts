// A seeded in-memory network between peers. Election notifications behave like datagrams: each gets
// its own delay, so they overtake one another. Quorum messages travel like a TCP stream, as they do in
// ZooKeeper: FIFO per direction, a delay spike holds back everything behind it (a retransmission), and
// a loss is a connection reset, which the core sees as a gap in the sequence numbers. Any message may
// be duplicated (the core must ignore the copy), and is dropped on delivery if a partition separates
// the two ends or the receiver is down.

import type { Message, ServerId } from '@coord/zab';
import type { SimOptions } from './options';
import type { Rng } from './rng';

/** How far a delay spike holds a message back, in time units. */
const spikeUnitsMax = 60;

export interface NetworkFaults {
  lossProbability: number;
  duplicateProbability: number;
  spikeProbability: number;
  delayUnitsMax: number;
}

export class SimNetwork {
  private readonly queue = new Map<number, Message<Uint8Array>[]>();
  /** Directed cuts: "a>b" means a's messages do not reach b. */
  private readonly cuts = new Set<string>();
  /** Per directed link, the last delivery time of a quorum message (FIFO). */
  private readonly streamTail = new Map<string, number>();
  faults: NetworkFaults;
  sent = 0;
  /** How followers were synchronised: DIFF, TRUNC and SNAP packets sent. */
  readonly syncKinds = { DIFF: 0, TRUNC: 0, SNAP: 0 };

  constructor(private readonly rng: Rng, options: SimOptions) {
    this.faults = {
      lossProbability: options.lossProbability, duplicateProbability: options.duplicateProbability,
      spikeProbability: options.spikeProbability, delayUnitsMax: options.delayUnitsMax,
    };
  }

  send(now: number, m: Message<Uint8Array>): void {
    this.sent++;
    if (m.type === 'DIFF' || m.type === 'TRUNC' || m.type === 'SNAP') this.syncKinds[m.type]++;
    if (this.rng.chance(this.faults.lossProbability)) return;
    this.schedule(now, m);
    if (this.rng.chance(this.faults.duplicateProbability)) this.schedule(now, m);
  }

  /** Messages due at `now`, in the order they were scheduled. */
  due(now: number): Message<Uint8Array>[] {
    const batch = this.queue.get(now);
    if (batch === undefined) return [];
    this.queue.delete(now);
    return batch.filter((m) => !this.cuts.has(`${m.from}>${m.to}`));
  }

  /** Splits the peers into two sides; with `oneWay`, only one direction is cut. */
  partition(peers: readonly ServerId[], oneWay: boolean): string {
    this.heal();
    const side = peers.filter(() => this.rng.chance(0.5));
    if (side.length === 0 || side.length === peers.length) return 'none';
    const other = peers.filter((p) => !side.includes(p));
    for (const a of side) {
      for (const b of other) {
        this.cuts.add(`${a}>${b}`);
        if (!oneWay) this.cuts.add(`${b}>${a}`);
      }
    }
    return `${side.join(',')}${oneWay ? ' -/> ' : ' | '}${other.join(',')}`;
  }

  heal(): void {
    this.cuts.clear();
  }

  private schedule(now: number, m: Message<Uint8Array>): void {
    let delay = 1 + this.rng.intBelow(this.faults.delayUnitsMax);
    if (this.rng.chance(this.faults.spikeProbability)) delay += this.rng.intBelow(spikeUnitsMax);
    let at = now + delay;
    if (m.type !== 'NOTIFICATION') {
      const link = `${m.from}>${m.to}`;
      at = Math.max(at, this.streamTail.get(link) ?? 0);
      this.streamTail.set(link, at);
    }
    const batch = this.queue.get(at);
    if (batch === undefined) this.queue.set(at, [m]);
    else batch.push(m);
  }
}
