/** The live view shows what is happening: the holder while it holds, in place on a terminal and in pipes. */
import type { LockBackend, WorkerLock } from './backend';
import { runContention } from './contention';
import { handoffBreakdown, wakeUpStats } from './metrics';
import { createView, redrawIntervalMs } from './view';

/** A FIFO lock in this process with a token per acquisition: enough to drive the view with real timing. */
function memoryBackend(): LockBackend {
  let held = false;
  let token = 0;
  const queue: (() => void)[] = [];
  const grant = () => {
    held = true;
    return { fencingToken: token++, release: async () => void (queue.length > 0 ? queue.shift()!() : (held = false)) };
  };
  return {
    description: 'in-memory FIFO lock',
    wakeUpLabel: 'wake-ups',
    queued: true,
    async worker(): Promise<WorkerLock> {
      let wakeUps = 0;
      return {
        acquire: () =>
          held
            ? new Promise((resolve) =>
                queue.push(() => {
                  wakeUps++;
                  resolve(grant());
                }),
              )
            : Promise.resolve(grant()),
        wakeUps: () => wakeUps,
        close: async () => undefined,
      };
    },
    close: async () => undefined,
  };
}

function recorder(isTTY: boolean) {
  const chunks: string[] = [];
  return { out: { isTTY, write: (c: string) => (chunks.push(c), true) } as unknown as NodeJS.WritableStream & { isTTY?: boolean }, chunks };
}

describe('live view', () => {
  it('on a terminal, every holder is on screen with its fencing token while it holds (hold 250 ms > redraw interval)', async () => {
    const { out, chunks } = recorder(true);
    const view = createView(out, true);
    const tokensOnScreen: string[] = [];
    const report = await runContention(memoryBackend(), { workers: 3, rounds: 2, holdMs: 2.5 * redrawIntervalMs }, (s) => {
      view.update(s);
      if (s.holder !== null) tokensOnScreen.push(`worker-${s.holder} (fencing token ${s.holderToken})`);
    });
    view.finish(null);
    expect(report.acquisitions).toBe(6);
    const frames = chunks.join('');
    for (const holder of new Set(tokensOnScreen)) expect(frames).toContain(`holder   ${holder}`);
    // Six different tokens (0..5), each drawn.
    for (let t = 0; t < 6; t++) expect(frames).toMatch(new RegExp(`holder   worker-\\d \\(fencing token ${t}\\)`));
  });

  it('on a terminal, an update inside the redraw interval is drawn when the interval ends', async () => {
    const { out, chunks } = recorder(true);
    let t = 1_000;
    const view = createView(out, true, () => t);
    const base = { done: 0, acquired: 0, total: 2, holder: null, waiting: [1], counter: 0, overlaps: 0 };
    view.update({ ...base });
    expect(chunks.join('')).toContain('holder   (free)');
    view.update({ ...base, acquired: 1, holder: 1, holderToken: 7, waiting: [] });
    expect(chunks.join('')).not.toContain('worker-1 (fencing token 7)');
    t += redrawIntervalMs;
    await new Promise((r) => setTimeout(r, redrawIntervalMs + 20));
    expect(chunks.join('')).toContain('holder   worker-1 (fencing token 7)');
  });

  it('in a pipe, each progress line names the worker holding the lock at that moment', async () => {
    const { out, chunks } = recorder(false);
    const view = createView(out, true);
    const report = await runContention(memoryBackend(), { workers: 4, rounds: 5, holdMs: 1 }, (s) => view.update(s));
    expect(report.acquisitions).toBe(20);
    const lines = chunks.join('').trim().split('\n');
    expect(lines).toHaveLength(10);
    lines.forEach((line, i) => expect(line).toMatch(new RegExp(`^acquisition ${(i + 1) * 2}/20: worker-\\d \\(fencing token ${(i + 1) * 2 - 1}\\) holds the lock; `)));
    expect(chunks.join('')).not.toContain('(free)');
  });
});

describe('report figures', () => {
  it('the mean wake-ups per acquisition never exceeds the maximum (same samples)', () => {
    expect(wakeUpStats([0, 7, 9, 7])).toEqual({ mean: 5.75, max: 9, samples: 4 });
    expect(wakeUpStats([])).toEqual({ mean: 0, max: 0, samples: 0 });
  });

  it('a run counts wake-ups per acquisition with mean <= max', async () => {
    const report = await runContention(memoryBackend(), { workers: 4, rounds: 3, holdMs: 1 });
    expect(report.wakeUpsPerAcquisition).toBeLessThanOrEqual(report.wakeUpsMaxPerAcquisition);
    expect(report.wakeUpsMaxPerAcquisition).toBe(1);
  });

  it('the handoff line accounts for every acquisition', () => {
    expect(handoffBreakdown({ acquisitions: 100, handoffSamples: 4, reacquiredBySelf: 90 })).toBe(
      '4 of 100 acquisitions were such handoffs; 90 went back to the worker that had just released: it asked again after its release and got the lock first; 5 went to a worker that asked after the release; 1 was the first',
    );
    expect(handoffBreakdown({ acquisitions: 10, handoffSamples: 9, reacquiredBySelf: 0 })).toBe('9 of 10 acquisitions were such handoffs; 1 was the first');
  });
});
