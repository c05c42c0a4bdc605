// Randomness is passed in. The core only needs small integers (election resend jitter, connection
// ids); a driver gives it a seeded source in tests and the simulator, and any source in production.

export interface Rand {
  /** An integer in [0, bound). */
  intBelow(bound: number): number;
}

/** mulberry32: 32 bits of state, good enough for jitter and simulation, and exactly replayable. */
export function seededRand(seed: number): Rand & { next(): number } {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, intBelow: (bound) => Math.floor(next() * bound) };
}
