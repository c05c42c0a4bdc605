import type { LockBackend } from './backend';
import { fairness, percentile, wakeUpStats, type ContentionReport } from './metrics';

export interface ContentionOptions {
  workers: number;
  /** Acquisitions per worker. */
  rounds: number;
  /** How long a holder keeps the lock (ms); the shared counter's read and write straddle it. */
  holdMs: number;
  now?: () => number;
}

/** What the live view shows, updated as the run goes. */
export interface ContentionState {
  done: number;
  total: number;
  /** Acquisitions so far (the holder's is included). */
  acquired: number;
  holder: number | null;
  holderToken?: number;
  /** Waiting workers in request order (a queue for our lock; just a set for Redis). */
  waiting: number[];
  counter: number;
  overlaps: number;
}

/**
 * N workers, one lock. Inside the critical section each worker reads a shared counter, waits holdMs and
 * writes counter+1: any overlap loses an increment, and a holder count checks the same directly.
 */
export async function runContention(backend: LockBackend, opts: ContentionOptions, onUpdate: (s: ContentionState) => void = () => undefined): Promise<ContentionReport> {
  const now = opts.now ?? (() => performance.now());
  const locks = await Promise.all(Array.from({ length: opts.workers }, (_, i) => backend.worker(i)));
  const state: ContentionState = { done: 0, acquired: 0, total: opts.workers * opts.rounds, holder: null, waiting: [], counter: 0, overlaps: 0 };
  const requestOf = new Map<number, number>();
  const order: number[] = [];
  const handoffs: number[] = [];
  let requests = 0;
  let holders = 0;
  let maxHolders = 0;
  let lastReleaseAt = -Infinity;
  let lastReleasedBy: number | null = null;
  let reacquiredBySelf = 0;
  // Wake-ups per acquisition: all a worker received from one request until its next one (or the end of
  // the run), so that notifications arriving after an acquisition (a herd lock's leftover watch) count too
  // and the mean is taken over the same samples as the maximum.
  const wakeUpSamples: number[] = [];

  const worker = async (id: number) => {
    const lock = locks[id];
    let wakeUpsAt = 0;
    for (let round = 0; round < opts.rounds; round++) {
      const request = requests++;
      const requestedAt = now();
      requestOf.set(id, request);
      state.waiting.push(id);
      onUpdate(state);
      if (round > 0) wakeUpSamples.push(lock.wakeUps() - wakeUpsAt);
      wakeUpsAt = lock.wakeUps();
      const held = await lock.acquire();
      const acquiredAt = now();
      // A handoff: this worker was already waiting when the previous holder let go.
      if (requestedAt < lastReleaseAt) handoffs.push(acquiredAt - lastReleaseAt);
      else if (lastReleasedBy === id) reacquiredBySelf++;
      state.acquired++;
      order.push(request);
      state.waiting.splice(state.waiting.indexOf(id), 1);
      holders++;
      maxHolders = Math.max(maxHolders, holders);
      if (holders > 1) state.overlaps++;
      state.holder = id;
      state.holderToken = held.fencingToken;
      onUpdate(state);
      const read = state.counter;
      await new Promise((r) => setTimeout(r, opts.holdMs));
      state.counter = read + 1;
      holders--;
      if (state.holder === id) state.holder = null;
      state.done++;
      lastReleaseAt = now();
      lastReleasedBy = id;
      await held.release();
      onUpdate(state);
    }
    return () => wakeUpSamples.push(lock.wakeUps() - wakeUpsAt);
  };

  const started = now();
  let elapsedMs: number;
  try {
    const lastSamples = await Promise.all(locks.map((_, id) => worker(id)));
    elapsedMs = now() - started;
    for (const take of lastSamples) take();
  } finally {
    await Promise.all(locks.map((l) => l.close()));
  }
  const wakeUps = wakeUpStats(wakeUpSamples);
  return {
    backend: backend.description,
    workers: opts.workers,
    acquisitions: state.total,
    elapsedMs,
    acquisitionsPerSec: state.total / (elapsedMs / 1000),
    handoffP50Ms: percentile(handoffs, 50),
    handoffP99Ms: percentile(handoffs, 99),
    handoffSamples: handoffs.length,
    reacquiredBySelf,
    fairness: fairness(order),
    wakeUpsPerAcquisition: wakeUps.mean,
    wakeUpsMaxPerAcquisition: wakeUps.max,
    wakeUpLabel: backend.wakeUpLabel,
    counter: state.counter,
    overlaps: state.overlaps,
    maxHolders,
  };
}
