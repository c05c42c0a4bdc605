/**
 * Durability benchmark, side by side with Apache ZooKeeper (fsync on): fill each server with 100,000
 * znodes of 100 bytes, then report the bytes of snapshot + log on disk, the restart time (process start
 * to serving, and for Coordinode also the recovery time it logs), and the p99 of a `set` load while
 * snapshots are being taken versus while none are (snapCount decides).
 *   node -r @swc-node/register tools/bench/src/durability.ts [--znodes=100000] [--load-ms=6000]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import {
  apacheZooKeeperConfDir,
  apacheZooKeeperJar,
  freePort,
  spawnCoordinode,
  stopProcess,
  tempDir,
  waitForServing,
} from '@coord/testing';
import { runLoad, type LoadResult } from './load';
import { populate } from './populate';

const valueBytes = 100;
const flags = new Map(process.argv.slice(2).flatMap((a) => a.split(' ')).filter((a) => a.startsWith('--')).map((a) => {
  const [k, ...v] = a.slice(2).split('=');
  return [k, v.join('=')] as [string, string];
}));
const znodes = Number(flags.get('znodes') || 100_000);
const loadMs = Number(flags.get('load-ms') || 10000);
/** snapCount for the "during snapshots" load: ZooKeeper's default is 100,000. */
const busySnapCount = flags.get('busy-snap-count') || '20000';
const only = flags.get('only');
const apacheStartDeadlineMs = 60_000;

interface Running {
  host: string;
  port: number;
  stop(): Promise<void>;
  crash(): Promise<void>;
  recoveryLine?: string;
}

/** Apache ZooKeeper on a data directory we keep across restarts (libs/testing's launcher removes its own). */
async function startApache(dataDir: string, port: number, extra: Record<string, string>): Promise<Running> {
  const cfg = join(dataDir, '..', 'zoo.cfg');
  const config: Record<string, string> = {
    tickTime: '2000', dataDir, clientPort: String(port), clientPortAddress: '127.0.0.1', maxClientCnxns: '0',
    '4lw.commands.whitelist': '*', 'admin.enableServer': 'false', forceSync: 'yes', ...extra,
  };
  fs.writeFileSync(cfg, Object.entries(config).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  const log = fs.openSync(join(dataDir, '..', 'server.log'), 'a');
  const child: ChildProcess = spawn('java', ['-cp', `${apacheZooKeeperConfDir}:${apacheZooKeeperJar}`, `-Dzookeeper.log.dir=${join(dataDir, '..')}`,
    '-Dzookeeper.root.logger=INFO,CONSOLE', 'org.apache.zookeeper.server.ZooKeeperServerMain', cfg], { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  await waitForServing('127.0.0.1', port, apacheStartDeadlineMs);
  return {
    host: '127.0.0.1', port,
    stop: () => stopProcess(child),
    crash: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

async function startOurs(dataDir: string, port: number, extra: Record<string, string>): Promise<Running> {
  const node = await spawnCoordinode({ dataDir, args: [`--port=${port}`], config: { forceSync: 'yes', '4lw.commands.whitelist': '*', ...extra } });
  const m = /Recovered zxid .*/.exec(node.log());
  return { host: node.host, port: node.port, stop: () => node.stop(), crash: () => node.crash(), recoveryLine: m?.[0] };
}

/** Apparent bytes and allocated bytes of the snapshot and log files under `dir` (recursively). */
function diskBytes(dir: string): { snapshot: number; log: number; snapshotAlloc: number; logAlloc: number } {
  const out = { snapshot: 0, log: 0, snapshotAlloc: 0, logAlloc: 0 };
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/^snapshot\./.test(e.name) && !e.name.endsWith('.partial')) {
        const s = fs.statSync(p);
        out.snapshot += s.size;
        out.snapshotAlloc += s.blocks * 512;
      } else if (/^log\./.test(e.name)) {
        const s = fs.statSync(p);
        out.log += s.size;
        out.logAlloc += s.blocks * 512;
      }
    }
  };
  walk(dir);
  return out;
}

const mb = (n: number) => (n / 1e6).toFixed(1);

async function setLoad(r: Running): Promise<LoadResult> {
  return runLoad({ host: r.host, port: r.port, op: 'set', connections: 8, inflight: 16, durationMs: loadMs, warmupMs: 500, valueBytes }, (lane) => `/d/n${String(lane).padStart(7, '0')}`);
}

async function measure(kind: 'apache' | 'ours'): Promise<string[]> {
  const dir = await tempDir(`durability-${kind}-`);
  const dataDir = join(dir.path, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  const port = await freePort();
  const start = kind === 'apache' ? startApache : startOurs;
  const rows: string[] = [];
  try {
    let server = await start(dataDir, port, {});
    await populate(server.host, server.port, ['/d'], 0);
    const paths = Array.from({ length: znodes }, (_, i) => `/d/n${String(i).padStart(7, '0')}`);
    const filled = Date.now();
    const { errors } = await populate(server.host, server.port, paths, valueBytes);
    if (errors) throw new Error(`${kind}: ${errors} creates failed`);
    const fillMs = Date.now() - filled;
    await new Promise((r) => setTimeout(r, 3000)); // let a background snapshot finish
    const disk = diskBytes(dataDir);
    await server.crash();
    const t0 = Date.now();
    server = await start(dataDir, port, {});
    const restartMs = Date.now() - t0;
    rows.push(`| ${kind} | ${fillMs} | ${mb(disk.snapshot)} (${mb(disk.snapshotAlloc)}) | ${mb(disk.log)} (${mb(disk.logAlloc)}) | ${restartMs} | ${server.recoveryLine ?? ''} |`);
    // p99 of set with no snapshot at all vs with a snapshot every snapCount/2 .. snapCount txns.
    await server.stop();
    server = await start(dataDir, port, { snapCount: '1000000000' });
    const quiet = await setLoad(server);
    await server.stop();
    server = await start(dataDir, port, { snapCount: busySnapCount });
    const busy = await setLoad(server);
    await server.stop();
    rows.push(`| ${kind} set C=8 K=16 | quiet: ${quiet.opsPerSec.toFixed(0)} ops/s p99 ${quiet.p99Ms.toFixed(2)} ms p999 ${quiet.p999Ms.toFixed(2)} ms | snapCount=${busySnapCount}: ${busy.opsPerSec.toFixed(0)} ops/s p99 ${busy.p99Ms.toFixed(2)} ms p999 ${busy.p999Ms.toFixed(2)} ms | | | |`);
    return rows;
  } finally {
    await dir.remove();
  }
}

async function main(): Promise<void> {
  console.log(`# Durability, ${new Date().toISOString()}, ${znodes} znodes of ${valueBytes} B, fsync on`);
  console.log('\n| server | fill ms | snapshot MB (allocated) | log MB (allocated) | restart ms (spawn to serving) | recovery |');
  console.log('|---|---|---|---|---|---|');
  for (const kind of ['apache', 'ours'] as const) if (!only || only === kind) for (const row of await measure(kind)) console.log(row);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
