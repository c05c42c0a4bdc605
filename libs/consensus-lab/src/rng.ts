// A small seeded pseudo-random generator (mulberry32). The lab never calls Math.random: every random
// choice comes from one of these, so a seed replays a run exactly.

export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both ends included. */
  intBetween(min: number, max: number): number;
  /** True with the given probability (0..1). */
  chance(probability: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** A new generator whose sequence depends only on this one's next value (for independent streams). */
  fork(): Rng;
}

const uint32Range = 4294967296;

export function createRng(seed: number): Rng {
  // mulberry32 keeps 32 bits of state; `>>> 0` folds any integer seed into that range.
  let state = seed >>> 0;
  const nextUint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const rng: Rng = {
    next: () => nextUint32() / uint32Range,
    intBetween(min, max) {
      if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
        throw new RangeError(`intBetween needs integers min <= max, got ${min}, ${max}`);
      }
      return min + Math.floor(rng.next() * (max - min + 1));
    },
    chance: (probability) => rng.next() < probability,
    pick(items) {
      if (items.length === 0) throw new RangeError('pick from an empty array');
      return items[Math.floor(rng.next() * items.length)];
    },
    fork: () => createRng(nextUint32()),
  };
  return rng;
}
