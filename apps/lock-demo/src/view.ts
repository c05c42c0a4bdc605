import type { ContentionState } from './contention';

/** Redraws at most this often on a terminal (ms); a state that arrives sooner is drawn when the interval ends. */
export const redrawIntervalMs = 100;
const barWidth = 30;

export interface View {
  update(state: ContentionState): void;
  /** Final redraw; the report follows below it. */
  finish(state: ContentionState | null): void;
}

const holderText = (s: ContentionState) => (s.holder === null ? '(free)' : `worker-${s.holder}${s.holderToken !== undefined ? ` (fencing token ${s.holderToken})` : ''}`);

/** The live lines: progress, who holds the lock, the queue, the counter. */
export function renderState(s: ContentionState, queued: boolean): string[] {
  const filled = s.total === 0 ? 0 : Math.round((s.done / s.total) * barWidth);
  const bar = '#'.repeat(filled) + '-'.repeat(barWidth - filled);
  const names = s.waiting.map((w) => `worker-${w}`);
  const waiting = names.length === 0 ? '(none)' : queued ? names.join(' -> ') : `${names.join(', ')} (no queue: whoever polls first wins)`;
  return [
    `progress [${bar}] ${s.done}/${s.total} released`,
    `holder   ${holderText(s)}`,
    `${queued ? 'queue   ' : 'waiting '} ${waiting}`,
    `counter  ${s.counter}   overlaps ${s.overlaps}`,
  ];
}

/** One line for logs and pipes, written as an acquisition happens, so the holder is the one holding now. */
export function renderAcquisitionLine(s: ContentionState, queued: boolean): string {
  const names = s.waiting.map((w) => `worker-${w}`);
  const waiting = names.length === 0 ? 'nobody waiting' : `${queued ? 'queue' : 'waiting'} ${names.join(queued ? ' -> ' : ', ')}`;
  return `acquisition ${s.acquired}/${s.total}: ${holderText(s)} holds the lock; ${waiting}; counter ${s.counter}, overlaps ${s.overlaps}`;
}

/**
 * On a terminal: the lines above, redrawn in place with ANSI cursor moves (no extra library), at most once
 * per redrawIntervalMs; an update that comes sooner is drawn when the interval ends, so the screen always
 * catches up with the latest state. Elsewhere (CI logs, pipes): one line at every tenth of the acquisitions.
 */
export function createView(out: NodeJS.WritableStream & { isTTY?: boolean }, queued: boolean, clock: () => number = Date.now): View {
  if (out.isTTY) {
    let drawn = 0;
    let latest: ContentionState | null = null;
    let last = -Infinity;
    let pending: ReturnType<typeof setTimeout> | undefined;
    const draw = () => {
      if (pending) clearTimeout(pending);
      pending = undefined;
      if (!latest) return;
      const lines = renderState(latest, queued);
      const up = drawn > 0 ? `\x1b[${drawn}A` : '';
      out.write(up + lines.map((l) => `\x1b[2K${l}`).join('\n') + '\n');
      drawn = lines.length;
      last = clock();
    };
    return {
      update(s) {
        latest = s;
        const wait = last + redrawIntervalMs - clock();
        if (wait <= 0) draw();
        else if (!pending) pending = setTimeout(draw, wait);
      },
      finish(s) {
        latest = s ?? latest;
        draw();
      },
    };
  }
  let nextTenth = 1;
  return {
    update(s) {
      // Acquisitions are the updates where the holder is set and the count just moved.
      if (s.holder === null || s.total === 0 || s.acquired < (nextTenth * s.total) / 10) return;
      while (s.acquired >= (nextTenth * s.total) / 10) nextTenth++;
      out.write(renderAcquisitionLine(s, queued) + '\n');
    },
    finish() {},
  };
}
