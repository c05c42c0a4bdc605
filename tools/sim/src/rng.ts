// The simulator's only source of randomness: one seed, split into independent streams so that adding
// a draw in one place (say, the network) does not shift every other decision of the run.

import { seededRand } from '@coord/zab';

export class Rng {
  private readonly source: { next(): number };

  constructor(seed: number) {
    this.source = seededRand(seed);
  }

  next(): number {
    return this.source.next();
  }

  intBelow(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.intBelow(max - min + 1);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.intBelow(items.length)];
  }

  /** A new stream whose values depend only on this one's next draw. */
  fork(): Rng {
    return new Rng(Math.floor(this.next() * 4294967296));
  }
}
