import type { ContentionState } from './contention';

/** Redraws at most this often on a terminal (ms). */
export const redrawIntervalMs = 100;
const barWidth = 30;

export interface View {
  update(state: ContentionState): void;
  /** Final redraw; the report follows below it. */
  finish(state: ContentionState | null): void;
}

/** The live lines: progress, who holds the lock, the queue, the counter. */
export function renderState(s: ContentionState, queued: boolean): string[] {
  const filled = s.total === 0 ? 0 : Math.round((s.done / s.total) * barWidth);
  const bar = '#'.repeat(filled) + '-'.repeat(barWidth - filled);
  const token = s.holderToken !== undefined ? ` (fencing token ${s.holderToken})` : '';
  const holder = s.holder === null ? '(free)' : `worker-${s.holder}${token}`;
  const names = s.waiting.map((w) => `worker-${w}`);
  const waiting = names.length === 0 ? '(none)' : queued ? names.join(' -> ') : `${names.join(', ')} (no queue: whoever polls first wins)`;
  return [
    `progress [${bar}] ${s.done}/${s.total}`,
    `holder   ${holder}`,
    `${queued ? 'queue   ' : 'waiting '} ${waiting}`,
    `counter  ${s.counter}   overlaps ${s.overlaps}`,
  ];
}

/**
 * On a terminal: the lines above, redrawn in place with ANSI cursor moves (no extra library). Elsewhere
 * (CI logs, pipes): a plain progress line every 10%.
 */
export function createView(out: NodeJS.WritableStream & { isTTY?: boolean }, queued: boolean): View {
  if (out.isTTY) {
    let drawn = 0;
    let latest: ContentionState | null = null;
    let last = 0;
    const draw = () => {
      if (!latest) return;
      const lines = renderState(latest, queued);
      const up = drawn > 0 ? `\x1b[${drawn}A` : '';
      out.write(up + lines.map((l) => `\x1b[2K${l}`).join('\n') + '\n');
      drawn = lines.length;
      last = Date.now();
    };
    return {
      update(s) {
        latest = s;
        if (Date.now() - last >= redrawIntervalMs) draw();
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
      if (s.total > 0 && s.done >= (nextTenth * s.total) / 10) {
        while (s.done >= (nextTenth * s.total) / 10) nextTenth++;
        const holder = s.holder === null ? 'free' : `worker-${s.holder}`;
        out.write(`progress ${s.done}/${s.total}  holder ${holder}  waiting ${s.waiting.length}  counter ${s.counter}  overlaps ${s.overlaps}\n`);
      }
    },
    finish() {},
  };
}
