/** Pure statistics for the lock report. */

/** The p-th percentile (0..100) by nearest rank; NaN for no samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/**
 * Fairness: `order` lists, in acquisition order, the request number of each acquisition. A perfectly
 * fair (FIFO) lock gives an increasing list. Returns how many acquisitions came in request order (each
 * one served before every later request) and the number of inverted pairs (Kendall distance).
 */
export function fairness(order: number[]): { inOrder: number; inversions: number; total: number } {
  let inversions = 0;
  for (let i = 0; i < order.length; i++) for (let j = i + 1; j < order.length; j++) if (order[i] > order[j]) inversions++;
  let inOrder = 0;
  let minLater = Infinity;
  // An acquisition is "in order" when no request made before it is served after it.
  const ok: boolean[] = new Array(order.length).fill(false);
  for (let i = order.length - 1; i >= 0; i--) {
    ok[i] = order[i] < minLater;
    minLater = Math.min(minLater, order[i]);
  }
  for (const v of ok) if (v) inOrder++;
  return { inOrder, inversions, total: order.length };
}

/**
 * Mean and maximum of the wake-ups counted per acquisition. Both come from the same samples, so the mean
 * can never exceed the maximum.
 */
export function wakeUpStats(samples: number[]): { mean: number; max: number; samples: number } {
  if (samples.length === 0) return { mean: 0, max: 0, samples: 0 };
  return { mean: samples.reduce((a, b) => a + b, 0) / samples.length, max: Math.max(...samples), samples: samples.length };
}

export interface ContentionReport {
  backend: string;
  workers: number;
  acquisitions: number;
  elapsedMs: number;
  acquisitionsPerSec: number;
  handoffP50Ms: number;
  handoffP99Ms: number;
  handoffSamples: number;
  /** Acquisitions by the worker that had just released, asking again after its own release (no handoff). */
  reacquiredBySelf: number;
  fairness: { inOrder: number; inversions: number; total: number };
  /** Watch wake-ups (our lock) or failed polls (Redis) per acquisition: from one request to the worker's next. */
  wakeUpsPerAcquisition: number;
  /** The most wake-ups any single acquisition needed. */
  wakeUpsMaxPerAcquisition: number;
  wakeUpLabel: string;
  counter: number;
  overlaps: number;
  maxHolders: number;
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/** Where the acquisitions went: handed to a waiting worker, or taken by a worker that asked after the release. */
export function handoffBreakdown(r: Pick<ContentionReport, 'acquisitions' | 'handoffSamples' | 'reacquiredBySelf'>): string {
  const first = r.acquisitions > 0 ? 1 : 0;
  const others = r.acquisitions - first - r.handoffSamples - r.reacquiredBySelf;
  const parts = [`${r.handoffSamples} of ${r.acquisitions} acquisitions were such handoffs`];
  if (r.reacquiredBySelf > 0) parts.push(`${r.reacquiredBySelf} went back to the worker that had just released: it asked again after its release and got the lock first`);
  if (others > 0) parts.push(`${others} went to a worker that asked after the release`);
  if (first > 0) parts.push('1 was the first');
  return parts.join('; ');
}

/** The final report as plain lines. */
export function formatReport(r: ContentionReport): string[] {
  const ok = r.overlaps === 0 && r.counter === r.acquisitions;
  return [
    `backend                ${r.backend}`,
    `workers x acquisitions ${r.workers} x ${r.acquisitions / r.workers} = ${r.acquisitions} in ${fmt(r.elapsedMs / 1000, 2)} s`,
    `throughput             ${fmt(r.acquisitionsPerSec)} acquisitions/s`,
    `handoff latency        p50 ${fmt(r.handoffP50Ms, 2)} ms, p99 ${fmt(r.handoffP99Ms, 2)} ms, from a release to the next acquisition by a worker already waiting then`,
    `                       (${handoffBreakdown(r)})`,
    `fairness               ${r.fairness.inOrder}/${r.fairness.total} acquisitions in request order, ${r.fairness.inversions} inverted pairs`,
    `${r.wakeUpLabel.padEnd(22)} ${fmt(r.wakeUpsPerAcquisition, 2)} per acquisition (max ${r.wakeUpsMaxPerAcquisition} for one acquisition)`,
    `mutual exclusion       counter ${r.counter}/${r.acquisitions}, overlaps ${r.overlaps}, most holders at once ${r.maxHolders} -> ${ok ? 'OK' : 'VIOLATED'}`,
  ];
}
