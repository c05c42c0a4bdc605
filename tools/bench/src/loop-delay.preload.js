/**
 * Preloaded into a server process by bench:scale-sessions (NODE_OPTIONS=--require): watches the event
 * loop with perf_hooks.monitorEventLoopDelay and, on SIGUSR2, writes the largest delay seen since the
 * last signal (the longest stall) and the longest garbage-collection pause to $COORD_LOOP_DELAY_FILE,
 * then starts a new window. The node's own code is not touched, so the figures cost the node nothing
 * when the bench does not ask for them.
 */
'use strict';
const file = process.env.COORD_LOOP_DELAY_FILE;
if (file) {
  const { monitorEventLoopDelay, PerformanceObserver } = require('node:perf_hooks');
  const { renameSync, writeFileSync } = require('node:fs');
  /** The sampling timer's period (ms): a stall shorter than this can go unseen. */
  const resolutionMs = 5;
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  let window = 0;
  /** Garbage-collection pauses in the window: how much of a stall the collector explains. */
  let gcMaxMs = 0;
  let gcTotalMs = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMaxMs = Math.max(gcMaxMs, entry.duration);
      gcTotalMs += entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  process.on('SIGUSR2', () => {
    window++;
    const nsPerMs = 1e6;
    const figures = { window, maxMs: histogram.max / nsPerMs, p99Ms: histogram.percentile(99) / nsPerMs, samples: histogram.count, gcMaxMs, gcTotalMs };
    gcMaxMs = 0;
    gcTotalMs = 0;
    // Written aside and renamed, so the bench never reads half a file.
    writeFileSync(`${file}.tmp`, JSON.stringify(figures));
    renameSync(`${file}.tmp`, file);
    histogram.reset();
  });
}
