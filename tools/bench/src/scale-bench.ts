/**
 * Scale benchmark, side by side with Apache ZooKeeper (Debian package): for each size, fill one server
 * at a time with N persistent znodes (pipelined creates over a few connections), then report its
 * resident memory after an idle settle, the snapshot size on disk, the restart time (process spawn to
 * serving, recovering from that snapshot and log), and get / set throughput on the loaded tree.
 * Prints a markdown table with ratios (ours / Apache).
 *   node -r @swc-node/register tools/bench/src/scale-bench.ts [--sizes=10000,100000,1000000]
 *     [--value-bytes=100] [--deep] [--only=apache|ours] [--load-ms=2000] [--force-sync=no] [--no-snapshot-runs]
 * Unless --no-snapshot-runs, two more restarts measure set p99 at a light load (C=4, K=1) with
 * snapshots off and with snapCount 2000, so snapshots of the whole tree run one after another.
 * --deep builds a 4-ary tree 10 levels deep (created level by level) instead of one flat parent.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { freePort, spawnCoordinode, startApacheZooKeeper, tempDir, workspaceRoot, type RunningServer } from '@coord/testing';
import { runLoad } from './load';
import { populate } from './populate';

const flags = new Map(
  process.argv
    .slice(2)
    .flatMap((a) => a.split(' '))
    .filter((a) => a.startsWith('--'))
    .map((a) => {
      const [k, ...v] = a.slice(2).split('=');
      return [k, v.join('=')] as [string, string];
    }),
);
/** Nx splits `--args` on commas too, so sizes may also come as `--sizes=10000 100000`. */
const sizes = (flags.get('sizes') || '10000,100000,1000000').split(/[,:]/).map(Number).filter((n) => n > 0);
const valueBytes = Number(flags.get('value-bytes') || 100);
const deep = flags.has('deep');
const only = flags.get('only');
const loadMs = Number(flags.get('load-ms') || 2000);
const forceSync = flags.get('force-sync') || 'no';
/** --no-snapshot-runs skips the two extra restarts that measure set latency while snapshots run. */
const snapshotRuns = !flags.has('no-snapshot-runs');
/** Connections the fill spreads its creates over (each keeps `fillInflight` outstanding). */
const fillConnections = 4;
const fillInflight = 256;
/** How long a loaded server idles before its memory is read (background snapshot, collector). */
const settleMs = 8000;
const deepFanout = 4;

type Kind = 'apache' | 'ours';

interface Figures {
  fillMs: number;
  rssMiB: number;
  snapshotMB: number;
  /** Znodes in that snapshot, when the format says. */
  snapshotNodes?: number;
  restartMs: number;
  rssAfterRestartMiB: number;
  getOps: number;
  setOps: number;
  /** set p99 at a light load (C=4, K=1) with snapshots off, and with snapCount small enough that snapshots of the whole tree run throughout. */
  setP99NoSnapshotMs?: number;
  setP99SnapshottingMs?: number;
  /** Snapshot files completed during that second run. */
  snapshotsDuringLoad?: number;
}

/** The tree to build, as levels: every path of a level has its parent in an earlier one. */
function levels(n: number): string[][] {
  if (!deep) return [['/s'], Array.from({ length: n }, (_, i) => `/s/n${String(i).padStart(7, '0')}`)];
  const out: string[][] = [['/s']];
  let made = 0;
  while (made < n) {
    const level: string[] = [];
    for (const parent of out[out.length - 1]) {
      for (let c = 0; c < deepFanout && made < n; c++, made++) level.push(`${parent}/n${c}`);
    }
    out.push(level);
  }
  return out;
}

function rssMiB(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return kb / 1024;
}

/** The lowest RSS seen while the server idles: what it keeps, not a transient peak. */
async function settledRss(pid: number): Promise<number> {
  let low = Infinity;
  const end = Date.now() + settleMs;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 500));
    low = Math.min(low, rssMiB(pid));
  }
  return low;
}

/**
 * Bytes of the newest complete snapshot under `dir` (Apache keeps them in version-2/ and writes one
 * at every start, so it holds the whole tree), and for ours the znodes in it (its footer's count:
 * a fuzzy snapshot taken during the fill may hold fewer than the tree).
 */
function newestSnapshot(dir: string): { bytes: number; nodes: number | undefined } {
  let best = { mtime: 0, size: 0, path: '' };
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/^snapshot\./.test(e.name) && !e.name.endsWith('.partial')) {
        const s = fs.statSync(p);
        if (s.mtimeMs >= best.mtime) best = { mtime: s.mtimeMs, size: s.size, path: p };
      }
    }
  };
  walk(dir);
  if (!best.path) return { bytes: 0, nodes: 0 };
  const buf = readFileSync(best.path);
  // Our footer: endZxid:u64 nodeCount:u32 crc:u32 "CNSE".
  const ours = buf.length >= 20 && buf.readUInt32BE(buf.length - 4) === 0x434e5345;
  return { bytes: best.size, nodes: ours ? buf.readUInt32BE(buf.length - 12) : undefined };
}

/**
 * Brings dist/ up to date before a start, outside the timed span: the launcher rebuilds it first when a
 * source changed since (others edit the tree while a run lasts), and a restart must not time a compile.
 */
function prebuild(kind: Kind): void {
  if (kind !== 'ours') return;
  const r = spawnSync(process.execPath, [join(workspaceRoot, 'tools/prebuilt/build.js')], { cwd: workspaceRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) console.error(`prebuild failed (the launcher will retry): ${String(r.stderr).split('\n')[0]}`);
}

/** Loading 1M znodes takes Apache 24–31 s here under load, past the harness's default start deadline. */
const apacheStartDeadlineMs = 180_000;
function startApache(dataDir: string, port: number, extra: Record<string, string>): Promise<RunningServer> {
  return startApacheZooKeeper({ dataDir, clientPort: String(port), ...extra }, [], { startDeadlineMs: apacheStartDeadlineMs });
}

/**
 * snapCount n/2: both servers snapshot at least once during the fill, so a restart loads a snapshot.
 * `snapCountOverride` sets it for the snapshot-latency runs.
 */
async function start(kind: Kind, dataDir: string, port: number, n: number, snapCountOverride?: number): Promise<RunningServer> {
  const snapCount = String(snapCountOverride ?? Math.max(1000, Math.floor(n / 2)));
  if (kind === 'apache') return startApache(dataDir, port, { forceSync, snapCount });
  return spawnCoordinode({ dataDir, args: [`--port=${port}`], config: { forceSync, snapCount } });
}

async function fill(server: RunningServer, n: number): Promise<number> {
  const t0 = Date.now();
  for (const level of levels(n)) {
    const share = Math.ceil(level.length / fillConnections);
    const parts = Array.from({ length: fillConnections }, (_, i) => level.slice(i * share, (i + 1) * share)).filter((p) => p.length > 0);
    const results = await Promise.all(parts.map((paths) => populate(server.host, server.port, paths, paths.length === 1 && paths[0] === '/s' ? 0 : valueBytes, fillInflight)));
    const errors = results.reduce((e, r) => e + r.errors, 0);
    if (errors) throw new Error(`${server.name}: ${errors} creates failed`);
  }
  return Date.now() - t0;
}

async function throughput(server: RunningServer, op: 'get' | 'set', n: number): Promise<number> {
  const paths = levels(n).flat().slice(-1000);
  const r = await runLoad(
    { host: server.host, port: server.port, op, connections: 8, inflight: 16, durationMs: loadMs, warmupMs: 500, valueBytes },
    (lane) => paths[(lane * 97) % paths.length],
  );
  return r.opsPerSec;
}

/** Snapshot files (complete ones) under `dir`, Apache's version-2/ included. */
function snapshotFiles(dir: string): number {
  let n = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (/^snapshot\./.test(e.name) && !e.name.endsWith('.partial')) n++;
    }
  };
  walk(dir);
  return n;
}

/** No snapshot can start within a run (Apache parses snapCount as an int). */
const snapCountNever = 1_000_000_000;
/** Small enough that one snapshot of the whole tree follows another throughout a run. */
const snapCountAlways = 2000;
const latencyRunMs = 6000;
/** After the run, how long to wait for a snapshot begun during it to complete. */
const snapshotSettleMs = 20_000;

/** set p99 at a light load (4 connections, 1 request each), not queueing behind a saturated server. */
async function setP99(server: RunningServer, n: number): Promise<number> {
  const paths = levels(n).flat().slice(-1000);
  const r = await runLoad(
    { host: server.host, port: server.port, op: 'set', connections: 4, inflight: 1, durationMs: latencyRunMs, warmupMs: 500, valueBytes },
    (lane) => paths[(lane * 97) % paths.length],
  );
  return r.p99Ms;
}

/** Restarts twice: set p99 with snapshots off, then with snapshots of the whole tree running. */
async function snapshotLatency(kind: Kind, dataDir: string, port: number, n: number): Promise<Pick<Figures, 'setP99NoSnapshotMs' | 'setP99SnapshottingMs' | 'snapshotsDuringLoad'>> {
  let server = await start(kind, dataDir, port, n, snapCountNever);
  const quiet = await setP99(server, n);
  await server.stop();
  server = await start(kind, dataDir, port, n, snapCountAlways);
  const before = snapshotFiles(dataDir);
  const busy = await setP99(server, n);
  // A snapshot still being written when the run ends counts once it completes (ours are paced, see
  // snapshot.bytesPerSecond: one of 1M znodes takes ~8 s); purge may drop old files meanwhile.
  const waitUntil = Date.now() + snapshotSettleMs;
  let after = snapshotFiles(dataDir);
  while (after <= before && Date.now() < waitUntil) {
    await new Promise((r) => setTimeout(r, 250));
    after = snapshotFiles(dataDir);
  }
  await server.stop();
  return { setP99NoSnapshotMs: quiet, setP99SnapshottingMs: busy, snapshotsDuringLoad: Math.max(0, after - before) };
}

async function measure(kind: Kind, n: number): Promise<Figures> {
  const dir = await tempDir(`scale-${kind}-`);
  const dataDir = join(dir.path, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  const port = await freePort();
  try {
    prebuild(kind);
    let server = await start(kind, dataDir, port, n);
    const fillMs = await fill(server, n);
    const rss = await settledRss(server.pid!);
    const getOps = await throughput(server, 'get', n);
    const setOps = await throughput(server, 'set', n);
    await server.stop();
    prebuild(kind);
    const t0 = Date.now();
    let restartMs = NaN;
    let rssAfterRestart = NaN;
    try {
      server = await start(kind, dataDir, port, n);
      restartMs = Date.now() - t0;
      rssAfterRestart = await settledRss(server.pid!);
      await server.stop();
    } catch (err) {
      // Past the start deadline (ours: the harness's 30 s) the row says so instead of aborting the run.
      console.error(`${kind} ${n}: restart failed after ${Date.now() - t0} ms: ${String(err).split('\n')[0]}`);
    }
    const snap = newestSnapshot(dataDir);
    const latency = snapshotRuns ? await snapshotLatency(kind, dataDir, port, n).catch((err) => {
      console.error(`${kind} ${n}: snapshot latency runs failed: ${String(err).split('\n')[0]}`);
      return {};
    }) : {};
    return { fillMs, rssMiB: rss, snapshotMB: snap.bytes / 1e6, snapshotNodes: snap.nodes, restartMs, rssAfterRestartMiB: rssAfterRestart, getOps, setOps, ...latency };
  } finally {
    await dir.remove();
  }
}

const ratio = (o: number | undefined, a: number | undefined) => (o === undefined || a === undefined ? '' : (o / a).toFixed(2));
const fmt = (x: number | undefined, digits = 0) => (x === undefined ? '' : x.toFixed(digits));

async function main(): Promise<void> {
  const shape = deep ? `a ${deepFanout}-ary tree (${levels(sizes[sizes.length - 1]).length - 1} levels)` : 'one parent';
  console.log(`# Scale, ${new Date().toISOString()}, node ${process.version}, znodes of ${valueBytes} B under ${shape}, forceSync=${forceSync}`);
  console.log('\n| znodes | figure | Apache | ours | ours / Apache |');
  console.log('|---|---|---|---|---|');
  for (const n of sizes) {
    const got: Partial<Record<Kind, Figures>> = {};
    for (const kind of ['apache', 'ours'] as const) {
      if (only && only !== kind) continue;
      got[kind] = await measure(kind, n);
      console.error(`${kind} ${n}: ${JSON.stringify(got[kind])}`);
    }
    const a = got.apache;
    const o = got.ours;
    const rows: [string, keyof Figures, number][] = [
      ['resident memory MiB (after fill, settled)', 'rssMiB', 0],
      ['resident memory MiB (after restart)', 'rssAfterRestartMiB', 0],
      ['snapshot MB (newest file)', 'snapshotMB', 1],
      ['znodes in that snapshot (ours: footer count)', 'snapshotNodes', 0],
      ['restart ms (spawn to serving)', 'restartMs', 0],
      ['fill ms', 'fillMs', 0],
      ['get ops/s C=8 K=16', 'getOps', 0],
      ['set ops/s C=8 K=16', 'setOps', 0],
      ['set p99 ms C=4 K=1, no snapshot', 'setP99NoSnapshotMs', 1],
      [`set p99 ms C=4 K=1, snapshots running (snapCount ${snapCountAlways})`, 'setP99SnapshottingMs', 1],
      ['snapshots completed (during that run, or within 20 s after it)', 'snapshotsDuringLoad', 0],
    ];
    for (const [label, key, digits] of rows) console.log(`| ${n} | ${label} | ${fmt(a?.[key], digits)} | ${fmt(o?.[key], digits)} | ${ratio(o?.[key], a?.[key])} |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
