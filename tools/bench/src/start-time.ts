/**
 * Start-up benchmark of the shell: the wall time of a one-shot `ls /`, from spawn to exit, for
 * Apache's zkCli.sh and for ours, started as a user starts them (`zkcli` from node_modules/.bin, and
 * `npx zkcli`), side by side against the same Apache ZooKeeper server, in interleaved rounds.
 * Prints the median of each and its ratio to zkCli.sh (the target: at most 1.2).
 *   npx nx run bench:start-time [--args="--rounds=9"]
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { integerIn, newProgram, parseProgram } from '@coord/cli';
import { apacheZkCli, startApacheZooKeeper, workspaceRoot } from '@coord/testing';

const program = newProgram('start-time', "Times a one-shot `ls /` of Apache's zkCli.sh and of zkcli, side by side")
  .option('--rounds <n>', 'measured rounds (each runs every command once, in turn)', integerIn(1, 1000), 7)
  .option('--warmups <n>', 'unmeasured rounds first (file cache, JIT of npm)', integerIn(0, 100), 1);
const parsed = parseProgram(program, process.argv.slice(2));
if (!parsed.run) process.exit(parsed.exitCode);
const { rounds, warmups } = program.opts<{ rounds: number; warmups: number }>();

interface Contender {
  name: string;
  command: string;
  args: (server: string) => string[];
}

const contenders: Contender[] = [
  { name: 'Apache zkCli.sh', command: apacheZkCli, args: (s) => ['-server', s, 'ls', '/'] },
  { name: 'zkcli (node_modules/.bin)', command: join(workspaceRoot, 'node_modules/.bin/zkcli'), args: (s) => ['-server', s, 'ls', '/'] },
  { name: 'npx zkcli', command: 'npx', args: (s) => ['zkcli', '-server', s, 'ls', '/'] },
];
/** What npx costs before it starts any command: shown so the npx row can be read. */
const npxAlone: Contender = { name: 'npx -c true (npm alone, for reference)', command: 'npx', args: () => ['-c', 'true'] };

function timeOnce(c: Contender, server: string): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(c.command, c.args(server), { cwd: workspaceRoot, encoding: 'utf8', timeout: 60_000 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0 || (c !== npxAlone && !r.stdout.includes('[zookeeper]'))) throw new Error(`${c.name} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const server = await startApacheZooKeeper();
  try {
    const all = [...contenders, npxAlone];
    const times = new Map<string, number[]>(all.map((c) => [c.name, []]));
    for (let round = 0; round < warmups + rounds; round++) {
      // Rotate the order so no command always runs right after another.
      for (let i = 0; i < all.length; i++) {
        const c = all[(i + round) % all.length];
        const ms = timeOnce(c, server.connectString);
        if (round >= warmups) times.get(c.name)!.push(ms);
      }
    }
    const base = median(times.get(contenders[0].name)!);
    // On a loaded machine the fastest run of each is the steadier comparison: it is the least disturbed.
    const baseMin = Math.min(...times.get(contenders[0].name)!);
    console.log(`one-shot \`ls /\` against Apache ZooKeeper ${server.connectString}, ${rounds} rounds (median wall time, spawn to exit)\n`);
    console.log('| command | median ms | min ms | max ms | ratio to zkCli.sh (medians) | ratio to zkCli.sh (minimums) |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const c of all) {
      const xs = times.get(c.name)!;
      console.log(
        `| ${c.name} | ${median(xs).toFixed(0)} | ${Math.min(...xs).toFixed(0)} | ${Math.max(...xs).toFixed(0)} | ${(median(xs) / base).toFixed(2)} | ${(Math.min(...xs) / baseMin).toFixed(2)} |`,
      );
    }
    console.log(`\nload average during the run: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores`);
  } finally {
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
