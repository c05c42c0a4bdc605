/**
 * Before / after in one run: our node built from an older revision (a temporary git worktree sharing
 * this checkout's node_modules) and from this working tree, both started as users start them, then get
 * and set at C=8 K=16 against each in interleaved rounds, with the node's CPU per op. A refactor that
 * claims "no regression" shows it here.
 *   npx nx run bench:regression --args="--before=<rev> --rounds=5 --duration-ms=3000"
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { integerIn, newProgram, parseProgram } from '@coord/cli';
import { spawnCoordinode, workspaceRoot, type SpawnedNode } from '@coord/testing';
import { runLoad, type BenchOp } from './load';
import { populate } from './populate';
import { processCpuMicros } from './proc-cpu';

const program = newProgram('regression', 'Compares our node at an older revision with this working tree, get and set side by side')
  .requiredOption('--before <rev>', 'the git revision to compare against (e.g. a commit id or HEAD~5)')
  .option('--rounds <n>', 'measured rounds (each runs every op against both, in turn)', integerIn(1, 100), 5)
  .option('--duration-ms <ms>', 'length of one measurement', integerIn(200, 60_000), 3000)
  .option('--force-sync <yes|no>', 'fsync the txn log on both nodes', 'yes');
const parsed = parseProgram(program, process.argv.slice(2));
if (!parsed.run) process.exit(parsed.exitCode);
const opts = program.opts<{ before: string; rounds: number; durationMs: number; forceSync: string }>();

const connections = 8;
const inflight = 16;
const valueBytes = 100;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const git = (...args: string[]) => execFileSync('git', args, { cwd: workspaceRoot, encoding: 'utf8' }).trim();

async function main(): Promise<void> {
  const rev = git('rev-parse', '--short', opts.before);
  const dir = mkdtempSync(join(tmpdir(), 'coord-before-'));
  const tree = join(dir, 'tree');
  git('worktree', 'add', '--detach', tree, rev);
  const nodes: SpawnedNode[] = [];
  try {
    symlinkSync(join(workspaceRoot, 'node_modules'), join(tree, 'node_modules'));
    execFileSync(process.execPath, [join(tree, 'tools/prebuilt/build.js')], { cwd: tree, stdio: ['ignore', 'ignore', 'inherit'] });
    const config = { forceSync: opts.forceSync };
    const before = await spawnCoordinode({ config, workspace: tree });
    nodes.push(before);
    const after = await spawnCoordinode({ config });
    nodes.push(after);
    const contenders = [
      { name: `before (${rev})`, node: before },
      { name: 'after (working tree)', node: after },
    ];
    for (const { node } of contenders) {
      const { errors } = await populate(node.host, node.port, ['/bench', ...Array.from({ length: connections }, (_, i) => `/bench/n${i}`)], valueBytes);
      if (errors > 0) throw new Error(`populate failed on ${node.connectString}`);
    }
    const results = new Map<string, { ops: number[]; cpu: number[] }>();
    for (let r = 1; r <= opts.rounds; r++) {
      for (const op of ['get', 'set'] as BenchOp[]) {
        const order = r % 2 === 1 ? contenders : [...contenders].reverse();
        for (const { name, node } of order) {
          const cpu0 = processCpuMicros(node.pid!);
          const res = await runLoad({ host: node.host, port: node.port, op, connections, inflight, durationMs: opts.durationMs, warmupMs: 500, valueBytes }, (lane) => `/bench/n${lane}`);
          const cpuPerOp = (processCpuMicros(node.pid!) - cpu0) / res.ops;
          const key = `${op} ${name}`;
          if (!results.has(key)) results.set(key, { ops: [], cpu: [] });
          results.get(key)!.ops.push(res.opsPerSec);
          results.get(key)!.cpu.push(cpuPerOp);
          process.stdout.write(`round ${r} ${op} ${name}: ${Math.round(res.opsPerSec)} ops/s, p99 ${res.p99Ms.toFixed(2)} ms, node CPU ${cpuPerOp.toFixed(1)} µs/op, errors ${res.errors}\n`);
        }
      }
    }
    process.stdout.write(`\n| op (C=${connections} K=${inflight}, fsync ${opts.forceSync}) | before ${rev} ops/s | after ops/s | change | node CPU µs/op before / after |\n|---|---:|---:|---:|---:|\n`);
    for (const op of ['get', 'set']) {
      const b = results.get(`${op} ${contenders[0].name}`)!;
      const a = results.get(`${op} ${contenders[1].name}`)!;
      const change = (median(a.ops) - median(b.ops)) / median(b.ops);
      process.stdout.write(
        `| ${op} | ${Math.round(median(b.ops))} | ${Math.round(median(a.ops))} | ${(change * 100).toFixed(1)} % | ${median(b.cpu).toFixed(1)} / ${median(a.cpu).toFixed(1)} |\n`,
      );
    }
    process.stdout.write(`(medians of ${opts.rounds} rounds of ${opts.durationMs} ms, load average ${loadavg()[0].toFixed(1)})\n`);
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    try {
      git('worktree', 'remove', '--force', tree);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`regression: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
