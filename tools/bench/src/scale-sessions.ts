/**
 * Scale benchmark, part 3 (sessions and watches), side by side with Apache ZooKeeper 3.8, one server at
 * a time on loopback:
 *  - open 10,000 sessions (bounded handshakes in flight, a deadline) and register 1,000,000 watches over
 *    them: one-shot data watches (getData, exists), child watches (getChildren), persistent and
 *    persistent-recursive watches (addWatch), spread over 20,000 znodes; each session also holds an
 *    ephemeral znode, so expiry has work to do;
 *  - server RSS empty / with the sessions / with the watches, and `get` latency from a separate probe
 *    process (one small get every millisecond) at those counts;
 *  - (b) one `set` that fires 100,000 watches: every session holds a one-shot data watch on the hot
 *    znode and persistent-recursive watches on its 9 ancestors (ZooKeeper sends each connection one
 *    notification per event, so 10,000 notifications leave);
 *  - (c) 10,000 pings at once (every session's idle ping falls due in the same moment, as after a
 *    load that kept them all busy until the same instant);
 *  - (a) 10,000 sessions expiring at once: every session pings, then every socket is dropped; the
 *    server drops their watches at once and expires the sessions one timeout later;
 *  and for (a), (b) and (c) the longest gap between the probe's replies (a client-side stall) and, for our
 *    node, the longest event-loop stall (perf_hooks.monitorEventLoopDelay, preloaded into the node by
 *    loop-delay.preload.js and read on SIGUSR2).
 *   node -r @swc-node/register tools/bench/src/scale-sessions.ts [--sessions=10000] [--watches=1000000]
 *     [--znodes=20000] [--fires=3] [--only=apache|coordinode]
 * SCALE_NODE_OPTIONS adds node flags to our node's process (--cpu-prof, --trace-gc, ...).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AddWatchMode, CreateFlag, OpCode, type ACL, type Request } from '@coord/protocol';
import { fourLetterWord, spawnCoordinode, startApacheZooKeeper, tempDir } from '@coord/testing';
import { populate } from './populate';
import { SessionFleet } from './session-fleet';
import { WireSession } from './wire-session';

const flags = new Map(
  process.argv.slice(2).flatMap((a) => a.split(' ')).filter((a) => a.startsWith('--')).map((a) => {
    const [k, ...v] = a.slice(2).split('=');
    return [k, v.join('=')] as [string, string];
  }),
);
const flag = (name: string, fallback: string) => flags.get(name) || fallback;
const sessionCount = Number(flag('sessions', '10000'));
const watchCount = Number(flag('watches', '1000000'));
const znodeCount = Number(flag('znodes', '20000'));
const fires = Number(flag('fires', '3'));
const only = flags.get('only');

/** Short enough for the expiry scenario, long enough that 10,000 idle sessions ping at 3,000/s at most. */
const sessionTimeoutMs = 10_000;
const tickTimeMs = 2000;
const openDeadlineMs = 180_000;
const loadDeadlineMs = 600_000;
/** Requests unanswered at once while registering watches (both servers' globalOutstandingLimit is 1000). */
const loadWindow = 1000;
const probeEveryMs = 1;
const probeInFlightMax = 100;
/** How long the probe measures `get` at a given count (ms). */
const probeMeasureMs = 10_000;
const settleMs = 3000;
const warmUpMs = 15_000;
const notifyDeadlineMs = 60_000;
/** The stall budget of the issue: no other client waits longer than this (ms). */
const stallBudgetMs = 100;
/** /hot/l1/.../l9: a getData watch on it plus recursive watches on its 9 ancestors, per session. */
const hotDepth = 10;
const hotAncestors = Array.from({ length: hotDepth - 1 }, (_, i) => ['/hot', ...Array.from({ length: i }, (_, j) => `l${j + 1}`)].join('/'));
const hotPath = `${hotAncestors[hotAncestors.length - 1]}/l${hotDepth - 1}`;
const openAcl: ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const preload = join(__dirname, 'loop-delay.preload.js');

// ---- the probe: a separate process, so the fleet's own work never delays its replies ----

interface Samples {
  sent: number[];
  replied: number[];
}

async function probeMain(host: string, port: number): Promise<void> {
  const session = await WireSession.open(host, port, 30_000);
  const get: Request = { type: OpCode.getData, body: { path: '/probe', watch: false } };
  const now = () => performance.timeOrigin + performance.now();
  let samples: Samples = { sent: [], replied: [] };
  setInterval(() => {
    if (session.inFlight >= probeInFlightMax) return;
    const at = now();
    session.send(get, () => {
      samples.sent.push(at);
      samples.replied.push(now());
    });
  }, probeEveryMs);
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd !== 'take') return;
    process.send!({ kind: 'samples', samples });
    samples = { sent: [], replied: [] };
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({ kind: 'ready' });
}

class Probe {
  private constructor(private readonly child: ChildProcess) {}

  static start(host: string, port: number): Promise<Probe> {
    const child = fork(__filename, ['--probe', host, String(port)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      child.once('message', () => resolve(new Probe(child)));
      child.once('exit', (code) => reject(new Error(`probe exited (${code})`)));
    });
  }

  /** Every reply since the last take (send and reply times, ms since epoch). */
  take(): Promise<Samples> {
    return new Promise((resolve) => {
      this.child.once('message', (m: { samples: Samples }) => resolve(m.samples));
      this.child.send({ cmd: 'take' });
    });
  }

  stop(): void {
    this.child.disconnect();
  }
}

interface ProbeFigures {
  gets: number;
  p50Ms: number;
  p99Ms: number;
  /** The longest time between two consecutive replies (ms), and when it ended (ms since epoch). */
  maxGapMs: number;
  maxGapEndedAt: number;
}

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * Figures of the replies that arrived in [from, to); a finite `from` counts as a reply, so a window
 * with no reply at all shows its whole length as the gap.
 */
function probeFigures(s: Samples, from = -Infinity, to = Infinity): ProbeFigures {
  const latencies: number[] = [];
  let maxGapMs = 0;
  let maxGapEndedAt = 0;
  let prev = Number.isFinite(from) ? from : NaN;
  for (let i = 0; i < s.replied.length; i++) {
    const at = s.replied[i];
    if (at < from || at >= to) continue;
    latencies.push(at - s.sent[i]);
    if (at - prev > maxGapMs) {
      maxGapMs = at - prev;
      maxGapEndedAt = at;
    }
    prev = at;
  }
  latencies.sort((a, b) => a - b);
  return { gets: latencies.length, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99), maxGapMs, maxGapEndedAt };
}

// ---- the servers ----

interface LoopStall {
  maxMs: number;
  gcMaxMs: number;
}

interface Server {
  name: 'apache' | 'coordinode';
  host: string;
  port: number;
  pid: number;
  /** Our node: the longest event-loop stall and GC pause since the last call; null for Apache. */
  loopStall(): Promise<LoopStall | null>;
  stop(): Promise<void>;
}

async function startServer(name: Server['name']): Promise<Server> {
  const config = { tickTime: String(tickTimeMs), maxClientCnxns: '0', '4lw.commands.whitelist': '*' };
  if (name === 'apache') {
    const s = await startApacheZooKeeper(config);
    return { name, host: s.host, port: s.port, pid: s.pid!, loopStall: async () => null, stop: () => s.stop() };
  }
  const dir = await tempDir('scale-sessions-');
  const delayFile = join(dir.path, 'loop-delay.json');
  const node = await spawnCoordinode({ config, env: { NODE_OPTIONS: `--require ${preload} ${process.env['SCALE_NODE_OPTIONS'] ?? ''}`.trim(), COORD_LOOP_DELAY_FILE: delayFile } });
  let window = 0;
  const loopStall = async (): Promise<LoopStall> => {
    window++;
    process.kill(node.pid!, 'SIGUSR2');
    const until = Date.now() + 30_000;
    while (Date.now() < until) {
      if (existsSync(delayFile)) {
        const figures = JSON.parse(readFileSync(delayFile, 'utf8')) as { window: number } & LoopStall;
        if (figures.window === window) return { maxMs: figures.maxMs, gcMaxMs: figures.gcMaxMs };
      }
      await sleep(20);
    }
    throw new Error('the node did not report its event-loop delay');
  };
  await loopStall();
  return {
    name, host: node.host, port: node.port, pid: node.pid!, loopStall,
    stop: async () => {
      await node.stop();
      await dir.remove();
    },
  };
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The server's own count of watches: mntr's zk_watch_count (data and child tables). */
async function serverWatches(s: Server): Promise<number> {
  const m = /zk_watch_count\s+(\d+)/.exec(await fourLetterWord(s.host, s.port, 'mntr', 60_000));
  return m ? Number(m[1]) : NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- the workload ----

/** What session `i` registers: its ephemeral, its 10 watches on the hot chain, then its share spread over /w. */
function registrationsOf(i: number, watchesPerSession: number): Request[] {
  const out: Request[] = [
    { type: OpCode.create, body: { path: `/e/s${i}`, data: null, acl: openAcl, flags: CreateFlag.EPHEMERAL } },
    { type: OpCode.getData, body: { path: hotPath, watch: true } },
    ...hotAncestors.map((path): Request => ({ type: OpCode.addWatch, body: { path, mode: AddWatchMode.PERSISTENT_RECURSIVE } })),
  ];
  const spread = watchesPerSession - hotDepth;
  for (let j = 0; j < spread; j++) out.push(spreadWatch(j, `/w/n${(i * spread + j) % znodeCount}`));
  return out;
}

/** The mix over /w, by j mod 20: 30 % getData, 20 % exists, 25 % getChildren, 15 % persistent, 10 % persistent-recursive. */
function spreadWatch(j: number, path: string): Request {
  const k = j % 20;
  if (k < 6) return { type: OpCode.getData, body: { path, watch: true } };
  if (k < 10) return { type: OpCode.exists, body: { path, watch: true } };
  if (k < 15) return { type: OpCode.getChildren, body: { path, watch: true } };
  return { type: OpCode.addWatch, body: { path, mode: k < 18 ? AddWatchMode.PERSISTENT : AddWatchMode.PERSISTENT_RECURSIVE } };
}

interface FireFigures {
  setMs: number;
  deliveredMs: number;
  notifications: number;
  gap: ProbeFigures;
  loop: LoopStall | null;
}

interface HerdFigures {
  pinged: number;
  gap: ProbeFigures;
  loop: LoopStall | null;
}

interface Figures {
  name: string;
  opened: number;
  openMs: number;
  registrations: number;
  registrationErrors: number;
  registerMs: number;
  serverWatches: number;
  rss: { empty: number; sessions: number; watches: number };
  getEmpty: ProbeFigures;
  getFull: ProbeFigures;
  fires: FireFigures[];
  pings: HerdFigures;
  expiry: { expiredMs: number; remaining: number; close: ProbeFigures; expire: ProbeFigures; closeLoop: LoopStall | null; expireLoop: LoopStall | null };
}

const log = (s: string) => console.error(`[scale-sessions] ${s}`);

async function measureGets(probe: Probe): Promise<ProbeFigures> {
  await probe.take();
  await sleep(probeMeasureMs);
  return probeFigures(await probe.take());
}

/** Starts a measured window: the probe's samples and the node's loop-stall histogram so far are dropped. */
async function openWindow(s: Server, probe: Probe): Promise<number> {
  await probe.take();
  const start = Date.now();
  await s.loopStall();
  return start;
}

/** (b): one set on the hot znode; waits until every session has its notification. */
async function fireOnce(s: Server, fleet: SessionFleet, control: WireSession, probe: Probe, rearm: boolean): Promise<FireFigures> {
  if (rearm) await fleet.load(() => [{ type: OpCode.getData, body: { path: hotPath, watch: true } }], loadWindow, loadDeadlineMs);
  await sleep(settleMs);
  // The re-arm load left every session's last request at the same instant, so all their idle pings
  // would fall due together a third of the timeout later, inside this window: ping them all now, and
  // the window (the set, its notifications, a second) measures the set alone. (c) measures such a herd.
  await fleet.pingAll(30_000);
  const windowStart = await openWindow(s, probe);
  const before = fleet.notifications;
  const target = before + fleet.sessions.length;
  const t0 = Date.now();
  const reply = await control.call({ type: OpCode.setData, body: { path: hotPath, data: Buffer.from('x'), version: -1 } });
  if (reply.err !== 0) throw new Error(`${s.name}: set on the hot znode failed (${reply.err})`);
  const setMs = Date.now() - t0;
  const until = Date.now() + notifyDeadlineMs;
  while (fleet.notifications < target && Date.now() < until) await sleep(5);
  const deliveredMs = fleet.lastNotificationAt - t0;
  await sleep(1000);
  return { setMs, deliveredMs, notifications: fleet.notifications - before, gap: probeFigures(await probe.take(), windowStart), loop: await s.loopStall() };
}

/** (c): every session pings at once, as their idle pings do when their last requests were simultaneous. */
async function pingHerd(s: Server, fleet: SessionFleet, probe: Probe): Promise<HerdFigures> {
  await sleep(settleMs);
  const windowStart = await openWindow(s, probe);
  const pinged = await fleet.pingAll(30_000);
  await sleep(1000);
  return { pinged, gap: probeFigures(await probe.take(), windowStart), loop: await s.loopStall() };
}

/** (a): every session pings, every socket drops, and the sessions expire one timeout later. */
async function expireAll(s: Server, fleet: SessionFleet, control: WireSession, probe: Probe): Promise<Figures['expiry']> {
  await sleep(settleMs);
  await fleet.pingAll(30_000);
  fleet.stopPinging();
  const windowStart = await openWindow(s, probe);
  const killedAt = Date.now();
  fleet.destroyAll();
  const childrenOfE = async () => (await control.call({ type: OpCode.getAllChildrenNumber, body: { path: '/e' } })).body.readInt32BE(0);
  // The close phase (watches dropped with the sockets) ends well before the first session can expire.
  await sleep(sessionTimeoutMs / 2);
  const closeLoop = await s.loopStall();
  const closeEndedAt = Date.now();
  const until = Date.now() + sessionTimeoutMs + 60_000;
  let remaining = await childrenOfE();
  while (remaining > 0 && Date.now() < until) {
    await sleep(100);
    remaining = await childrenOfE();
  }
  const expiredMs = Date.now() - killedAt;
  await sleep(1000);
  const samples = await probe.take();
  return {
    expiredMs,
    remaining,
    close: probeFigures(samples, windowStart, closeEndedAt),
    expire: probeFigures(samples, closeEndedAt),
    closeLoop,
    expireLoop: await s.loopStall(),
  };
}

async function runServer(name: Server['name']): Promise<Figures> {
  log(`${name}: starting`);
  const s = await startServer(name);
  const fleet = new SessionFleet(s.host, s.port, sessionTimeoutMs);
  let probe: Probe | null = null;
  try {
    const paths = ['/probe', '/e', '/w', ...Array.from({ length: znodeCount }, (_, i) => `/w/n${i}`), ...hotAncestors, hotPath];
    if ((await populate(s.host, s.port, paths, 16)).errors) throw new Error(`${name}: preparing the znodes failed`);
    const control = await WireSession.open(s.host, s.port, sessionTimeoutMs);
    fleet.extra.push(control);
    fleet.startPinging();
    probe = await Probe.start(s.host, s.port);
    // A warm-up: the JVM compiles its hot paths in the first seconds.
    await sleep(warmUpMs);
    const getEmpty = await measureGets(probe);
    const rssEmpty = rssMiB(s.pid);
    log(`${name}: empty: get p99 ${getEmpty.p99Ms.toFixed(2)} ms, rss ${rssEmpty.toFixed(0)} MiB; opening ${sessionCount} sessions`);
    const open = await fleet.open(sessionCount, openDeadlineMs);
    await sleep(settleMs);
    const rssSessions = rssMiB(s.pid);
    log(`${name}: ${open.opened} sessions in ${open.ms} ms (${open.failed} failed), rss ${rssSessions.toFixed(0)} MiB; registering watches`);
    const perSession = Math.round(watchCount / Math.max(1, open.opened));
    const reg = await fleet.load((i) => registrationsOf(i, perSession), loadWindow, loadDeadlineMs);
    const watches = await serverWatches(s);
    log(`${name}: ${reg.requests} requests in ${reg.ms} ms (${reg.errors} errors, ${reg.unanswered} unanswered), server counts ${watches} watches`);
    await sleep(settleMs);
    const getFull = await measureGets(probe);
    const rssWatches = rssMiB(s.pid);
    log(`${name}: full: get p99 ${getFull.p99Ms.toFixed(2)} ms, rss ${rssWatches.toFixed(0)} MiB`);
    const fireFigures: FireFigures[] = [];
    for (let f = 0; f < fires; f++) {
      fireFigures.push(await fireOnce(s, fleet, control, probe, f > 0));
      const last = fireFigures[f];
      log(`${name}: set #${f + 1}: ${last.notifications} notifications in ${last.deliveredMs} ms, probe gap ${last.gap.maxGapMs.toFixed(1)} ms, loop stall ${last.loop?.maxMs.toFixed(1) ?? '-'} ms (gc ${last.loop?.gcMaxMs.toFixed(1) ?? '-'})`);
    }
    const pings = await pingHerd(s, fleet, probe);
    log(`${name}: ${pings.pinged} pings at once: probe gap ${pings.gap.maxGapMs.toFixed(1)} ms, loop stall ${pings.loop?.maxMs.toFixed(1) ?? '-'} ms`);
    const expiry = await expireAll(s, fleet, control, probe);
    log(`${name}: expiry: all gone after ${expiry.expiredMs} ms (${expiry.remaining} left), probe gap close ${expiry.close.maxGapMs.toFixed(1)} / expire ${expiry.expire.maxGapMs.toFixed(1)} ms, loop stall ${expiry.closeLoop?.maxMs.toFixed(1) ?? '-'} / ${expiry.expireLoop?.maxMs.toFixed(1) ?? '-'} ms`);
    return {
      name, opened: open.opened, openMs: open.ms, registrations: reg.requests - open.opened, registrationErrors: reg.errors, registerMs: reg.ms, serverWatches: watches,
      rss: { empty: rssEmpty, sessions: rssSessions, watches: rssWatches }, getEmpty, getFull, fires: fireFigures, pings, expiry,
    };
  } finally {
    fleet.stopPinging();
    fleet.destroyAll();
    for (const c of fleet.extra) c.destroy();
    probe?.stop();
    await s.stop();
  }
}

// ---- the report ----

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor((sorted.length - 1) / 2)];
}

function printTable(runs: Figures[]): void {
  const a = runs.find((r) => r.name === 'apache');
  const o = runs.find((r) => r.name === 'coordinode');
  const fmt = (x: number | null | undefined, digits = 1) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(digits));
  const row = (label: string, pick: (f: Figures) => number | null, digits = 1) => {
    const av = a ? pick(a) : null;
    const ov = o ? pick(o) : null;
    const ratio = av !== null && ov !== null && av > 0 ? (ov / av).toFixed(2) : '–';
    console.log(`| ${label} | ${fmt(av, digits)} | ${fmt(ov, digits)} | ${ratio} |`);
  };
  const fireMedian = (f: Figures, pick: (x: FireFigures) => number | null) => {
    const xs = f.fires.map(pick).filter((x): x is number => x !== null);
    return xs.length ? median(xs) : null;
  };
  console.log(`\n# Sessions and watches, Coordinode vs Apache ZooKeeper 3.8, ${new Date().toISOString()}`);
  console.log(`${sessionCount} sessions (timeout ${sessionTimeoutMs} ms, tickTime ${tickTimeMs}), ${watchCount} watches over ${znodeCount} znodes, probe: one get every ${probeEveryMs} ms from its own process; set figures are medians of ${fires}\n`);
  console.log('| figure | Apache | ours | ours/Apache |');
  console.log('|---|---|---|---|');
  row('sessions opened', (f) => f.opened, 0);
  row('time to open them (ms)', (f) => f.openMs, 0);
  row('watch registrations', (f) => f.registrations, 0);
  row('registration errors', (f) => f.registrationErrors, 0);
  row('time to register (ms)', (f) => f.registerMs, 0);
  row('watches the server counts (mntr zk_watch_count)', (f) => f.serverWatches, 0);
  row('RSS empty (MiB)', (f) => f.rss.empty, 0);
  row('RSS with the sessions (MiB)', (f) => f.rss.sessions, 0);
  row('RSS with the sessions and watches (MiB)', (f) => f.rss.watches, 0);
  row('get p50, empty (ms)', (f) => f.getEmpty.p50Ms, 3);
  row('get p99, empty (ms)', (f) => f.getEmpty.p99Ms, 3);
  row('get p50, at the counts (ms)', (f) => f.getFull.p50Ms, 3);
  row('get p99, at the counts (ms)', (f) => f.getFull.p99Ms, 3);
  row('set firing the hot watches: set reply (ms)', (f) => fireMedian(f, (x) => x.setMs), 0);
  row('… last notification delivered (ms)', (f) => fireMedian(f, (x) => x.deliveredMs), 0);
  row('… longest probe gap (ms)', (f) => fireMedian(f, (x) => x.gap.maxGapMs));
  row('… longest event-loop stall (ms)', (f) => fireMedian(f, (x) => x.loop?.maxMs ?? null));
  row('… longest GC, as perf_hooks times it (ms)', (f) => fireMedian(f, (x) => x.loop?.gcMaxMs ?? null));
  row('pings from every session at once: longest probe gap (ms)', (f) => f.pings.gap.maxGapMs);
  row('… longest event-loop stall (ms)', (f) => f.pings.loop?.maxMs ?? null);
  row('sockets dropped: longest probe gap (ms)', (f) => f.expiry.close.maxGapMs);
  row('… longest event-loop stall (ms)', (f) => f.expiry.closeLoop?.maxMs ?? null);
  row('… longest GC, as perf_hooks times it (ms)', (f) => f.expiry.closeLoop?.gcMaxMs ?? null);
  row('sessions expired: all gone after (ms)', (f) => f.expiry.expiredMs, 0);
  row('… longest probe gap (ms)', (f) => f.expiry.expire.maxGapMs);
  row('… longest event-loop stall (ms)', (f) => f.expiry.expireLoop?.maxMs ?? null);
  row('… longest GC, as perf_hooks times it (ms)', (f) => f.expiry.expireLoop?.gcMaxMs ?? null);
  const worst = o ? Math.max(...o.fires.map((x) => x.loop?.maxMs ?? 0), o.pings.loop?.maxMs ?? 0, o.expiry.closeLoop?.maxMs ?? 0, o.expiry.expireLoop?.maxMs ?? 0) : NaN;
  console.log(`\nours: longest event-loop stall over the scenarios ${fmt(worst)} ms (budget ${stallBudgetMs} ms)`);
  for (const f of runs) console.log(`${f.name}: set gaps ${f.fires.map((x) => x.gap.maxGapMs.toFixed(1)).join(', ')} ms; notifications per set ${f.fires.map((x) => x.notifications).join(', ')}`);
}

async function main(): Promise<void> {
  const names = (['apache', 'coordinode'] as const).filter((n) => !only || only === n);
  const runs: Figures[] = [];
  for (const name of names) runs.push(await runServer(name));
  printTable(runs);
}

if (process.argv.includes('--probe')) {
  const i = process.argv.indexOf('--probe');
  probeMain(process.argv[i + 1], Number(process.argv[i + 2])).catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
