/**
 * What the operator surface costs: two of our standalone nodes started in the same run, one with the
 * AdminServer, web console and Prometheus endpoint on (10 headless chromium pages hold its console
 * open on its views, five of them with the live event stream, and /metrics is scraped once a second), the other with all of
 * it off. get and set at C=8 K=16 against each, in interleaved rounds; the browsers stay open for the
 * whole run, so both nodes share the same machine load and the difference is the node's own cost.
 * The issue's bar: console on may not lower throughput by more than 5 %.
 * Both nodes run with forceSync=no, so disk jitter on a shared machine does not hide the CPU cost.
 * Flags: --rounds=5 --duration-ms=3000 --pin=on|off --browsers=10 --browser-nice=19 --browser-frames=off (on: pages paint frames) --streams=0 (extra plain event-stream readers) --views=overview,events,... (page i opens views[i % n])
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { spawnCoordinode, type SpawnedNode } from '@coord/testing';
import { runLoad, type BenchOp } from './load';
import { populate } from './populate';
import { processCpuMicros } from './proc-cpu';

const valueBytes = 100;
const connections = 8;
const inflight = 16;
const scrapeEveryMs = 1000;
const chromiumPath = process.env['COORD_CHROMIUM'] ?? '/usr/bin/chromium';

function flag(name: string, fallback: string): string {
  const hit = process.argv.slice(2).flatMap((a) => a.split(' ')).find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}
/**
 * The browsers stand for operators' machines, not the server's: on this bench's one machine they run at
 * the lowest CPU priority (nice 19, inherited by every renderer), so what the run compares is what
 * serving them costs the node, not how much CPU chromium's renderers take from it. `--browser-nice=0`
 * runs them as equals.
 */
function nicedChromium(nice: number, browserCpus: string | null): { path: string; cleanup: () => void } {
  if (nice === 0 && browserCpus === null) return { path: chromiumPath, cleanup: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'console-bench-'));
  const path = join(dir, 'chromium');
  // SCHED_IDLE (chrt --idle) on top of nice: a renderer runs only on a core nothing else wants, and yields it
  // at once when the node or the load generator wakes up.
  const idle = existsSync('/usr/bin/chrt') ? 'chrt --idle 0 ' : '';
  const cpus = browserCpus === null ? '' : `taskset -c ${browserCpus} `;
  writeFileSync(path, `#!/bin/sh\nexec ${cpus}${idle}nice -n ${nice} ${JSON.stringify(chromiumPath)} "$@"\n`);
  chmodSync(path, 0o755);
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
/**
 * `--pin=on` (the default on a machine of 2 or more CPUs): both nodes run on CPU 0, this process (the
 * load generator and the scraper) and the browsers on the others, as operators' browsers would run on
 * their own machines; every thread of a process is pinned (`taskset -a`). `--pin=off` shares every CPU.
 */
function pinning(): { nodes: string; rest: string } | null {
  if (flag('pin', cpus().length >= 2 ? 'on' : 'off') !== 'on') return null;
  return { nodes: '0', rest: `1-${cpus().length - 1}` };
}
function pin(pid: number | undefined, list: string): void {
  if (pid !== undefined) execFileSync('taskset', ['-a', '-p', '-c', list, String(pid)], { stdio: 'ignore' });
}

/** CPU (µs) used so far by the chromium processes playwright started (their profile dirs name them). */
function browsersCpuMicros(): number {
  let pids: string[] = [];
  try {
    pids = execFileSync('pgrep', ['-f', 'playwright_chromiumdev_profile'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return 0; // pgrep exits 1 when nothing matches
  }
  return pids.reduce((sum, pid) => sum + (processCpuMicros(Number(pid)) || 0), 0);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function urlFromLog(node: SpawnedNode, what: RegExp): Promise<string> {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const m = what.exec(node.log());
    if (m) return m[1];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not in the node's log: ${what}`);
}

function scrape(url: string): Promise<number> {
  return new Promise((resolve) => {
    http
      .get(url, (res) => {
        let n = 0;
        res.on('data', (c: Buffer) => (n += c.length));
        res.on('end', () => resolve(n));
      })
      .on('error', () => resolve(0));
  });
}

async function main(): Promise<void> {
  const rounds = Number(flag('rounds', '5'));
  const durationMs = Number(flag('duration-ms', '3000'));
  const browsers = Number(flag('browsers', '10'));
  if (!existsSync(chromiumPath)) throw new Error(`chromium not found at ${chromiumPath} (apt-get install chromium)`);
  // forceSync=no on both: the shared disk's fsync jitter would swamp the CPU cost this measures.
  const on = await spawnCoordinode({
    config: {
      forceSync: 'no',
      'admin.enableServer': 'true', 'admin.serverPort': '0',
      'metricsProvider.className': 'org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider', 'metricsProvider.httpPort': '0',
    },
  });
  const off = await spawnCoordinode({ config: { forceSync: 'no' } });
  let browser: Browser | undefined;
  const cleanups: Array<() => void> = [];
  let scraper: NodeJS.Timeout | undefined;
  try {
    const consoleUrl = await urlFromLog(on, /AdminServer on (http:\/\/\S+)/);
    const metricsUrl = await urlFromLog(on, /Prometheus metrics on (http:\/\/\S+)/);
    for (const node of [on, off]) {
      const { errors } = await populate(node.host, node.port, ['/bench', ...Array.from({ length: connections }, (_, i) => `/bench/n${i}`)], valueBytes);
      if (errors > 0) throw new Error(`populate failed on ${node.connectString}`);
    }
    const pins = pinning();
    if (pins) {
      pin(on.pid, pins.nodes);
      pin(off.pid, pins.nodes);
      pin(process.pid, pins.rest);
    }
    const launcher = nicedChromium(Number(flag('browser-nice', '19')), pins?.rest ?? null);
    cleanups.push(launcher.cleanup);
    // Headless chromium draws ~60 frames a second per page even on about:blank (10 idle blank pages: ~420 ms of
    // CPU a second here); with begin-frame control it draws none while the pages' scripts, fetches and event
    // streams run as usual (~100 ms/s), so the run compares what serving them costs, not their painting.
    const frames = flag('browser-frames', 'off') === 'on' ? [] : ['--enable-begin-frame-control'];
    browser = await chromium.launch({ executablePath: launcher.path, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', ...frames] });
    // People look at different views: the cluster, the live events, the tree (both with the event stream), the locks.
    const views = flag('views', 'overview,events,tree,events,overview,locks,tree,events,sessions,overview').split(',');
    for (let i = 0; i < browsers; i++) {
      const page = await browser.newPage();
      await page.goto(`${consoleUrl}/#${views[i % views.length]}`);
    }
    // Plain HTTP event-stream readers (no browser): the node's own cost of streaming, without chromium's CPU.
    const streams: http.ClientRequest[] = [];
    for (let i = 0; i < Number(flag('streams', '0')); i++) streams.push(http.get(`${consoleUrl}/api/events`, (res) => res.resume()));
    cleanups.push(() => streams.forEach((r) => r.destroy()));
    // Let the pages load and settle (first fetches, JIT) before the first round.
    await new Promise((r) => setTimeout(r, 3000));
    let scraped = 0;
    scraper = setInterval(() => void scrape(metricsUrl).then((n) => (scraped += n > 0 ? 1 : 0)), scrapeEveryMs);
    process.stdout.write(`console on: ${consoleUrl} with ${browsers} browser pages and /metrics every ${scrapeEveryMs} ms; console off: ${off.connectString}\n`);
    process.stdout.write(pins ? `pinned: both nodes on CPU ${pins.nodes}; load generator, scraper and browsers on CPU ${pins.rest}\n` : 'not pinned: nodes, load generator and browsers share every CPU\n');
    const results: Record<string, number[]> = {};
    for (let r = 1; r <= rounds; r++) {
      for (const op of ['get', 'set'] as BenchOp[]) {
        for (const [name, node] of r % 2 === 1 ? ([['on', on], ['off', off]] as const) : ([['off', off], ['on', on]] as const)) {
          const cpu0 = processCpuMicros(node.pid);
          const browsers0 = browsersCpuMicros();
          const started = Date.now();
          const res = await runLoad(
            { host: node.host, port: node.port, op, connections, inflight, durationMs, warmupMs: 500, valueBytes },
            (lane) => `/bench/n${lane}`,
          );
          // The node's CPU per op over the whole run (warm-up included): robust to a busy machine, unlike ops/s.
          const cpuPerOp = (processCpuMicros(node.pid) - cpu0) / res.ops;
          // What the browsers took meanwhile (ms of CPU per second): chromium shares this machine's cores.
          const browsersMsPerSec = (browsersCpuMicros() - browsers0) / (Date.now() - started);
          (results[`${op} ${name} browsers`] ??= []).push(browsersMsPerSec);
          (results[`${op} ${name}`] ??= []).push(res.opsPerSec);
          (results[`${op} ${name} cpu`] ??= []).push(cpuPerOp);
          process.stdout.write(`round ${r} ${op} console ${name}: ${Math.round(res.opsPerSec)} ops/s, p99 ${res.p99Ms.toFixed(2)} ms, node CPU ${cpuPerOp.toFixed(1)} µs/op, browsers ${browsersMsPerSec.toFixed(0)} ms/s, errors ${res.errors}\n`);
        }
      }
    }
    process.stdout.write(`\n/metrics scrapes answered: ${scraped}\n`);
    process.stdout.write(`op   console off ops/s   console on ops/s   change   node CPU µs/op off / on   change   (median of ${rounds} rounds, C=${connections} K=${inflight})\n`);
    let worst = 0;
    for (const op of ['get', 'set']) {
      const offOps = median(results[`${op} off`]);
      const onOps = median(results[`${op} on`]);
      const change = (onOps - offOps) / offOps;
      const offCpu = median(results[`${op} off cpu`]);
      const onCpu = median(results[`${op} on cpu`]);
      worst = Math.min(worst, change);
      process.stdout.write(
        `${op.padEnd(4)} ${String(Math.round(offOps)).padStart(17)}   ${String(Math.round(onOps)).padStart(16)}   ${(change * 100).toFixed(1).padStart(5)} %` +
          `   ${offCpu.toFixed(1).padStart(9)} / ${onCpu.toFixed(1).padEnd(9)}   ${(((onCpu - offCpu) / offCpu) * 100).toFixed(1).padStart(5)} %\n`,
      );
    }
    for (const op of ['get', 'set']) {
      process.stdout.write(`browsers' CPU during ${op}: ${median(results[`${op} on browsers`]).toFixed(0)} ms/s (console on) / ${median(results[`${op} off browsers`]).toFixed(0)} ms/s (console off)\n`);
    }
    process.stdout.write(`verdict: ${worst >= -0.05 ? 'OK' : 'OVER BUDGET'} (largest drop ${(-worst * 100).toFixed(1)} %, budget 5 %)\n`);
  } finally {
    if (scraper) clearInterval(scraper);
    for (const c of cleanups) c();
    await browser?.close();
    await Promise.all([on.stop(), off.stop()]);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`console-bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
