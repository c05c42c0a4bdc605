// The simulator's command line (flags on commander, via @coord/cli). `--help` lists them.
// Exit codes: 0 clean, 1 usage error, 2 correctness, 3 liveness, 4 crash (an exception in a core or the simulator).

import { integerIn, newProgram, Option, parseProgram } from '@coord/cli';
import { exitCodes } from './failure';
import { simBugNames, type SimBugs } from './options';
import { runSeed, type SimResult } from './simulator';

/** How often a long run prints its progress. */
const progressEveryMs = 60_000;
/** Seeds a batch runs when neither --seeds nor --minutes says otherwise. */
const seedsDefault = 100;
const usageErrorExitCode = 1;
const seedMax = 2 ** 32 - 1;

interface Args {
  seed?: number;
  seeds?: number;
  from?: number;
  minutes?: number;
  bug?: keyof SimBugs;
  peers?: number;
  verbose: boolean;
  messages: boolean;
}

function minutes(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error('expected a positive number of minutes');
  return n;
}

function parseArgs(argv: readonly string[]): Args | number {
  const program = newProgram('sim', 'Seeded simulator: the real pipeline on ZAB members with protocol clients, under faults; checks what clients see.')
    .option('--seed <n>', 'run one seed (the same seed on the same commit replays exactly)', integerIn(0, seedMax))
    .option('--seeds <k>', `run K seeds from --from (default ${seedsDefault}, or unbounded with --minutes)`, integerIn(1, Number.MAX_SAFE_INTEGER))
    .option('--from <n>', 'first seed of a batch (default: derived from the clock, printed)', integerIn(0, Number.MAX_SAFE_INTEGER))
    .option('--minutes <m>', 'keep running fresh seeds for M minutes; prints seeds per minute', minutes)
    .option('--peers <n>', 'force the ensemble size (default: drawn from the seed, 3 or 5)', integerIn(1, 9))
    .addOption(new Option('--bug <name>', 'switch on a deliberate bug to see the checkers fire').choices(simBugNames))
    .option('--verbose', "print each seed's stats and, on a failure, the trace tail", false)
    .option('--messages', 'with --seed: record and print every delivered message (slow)', false);
  const parsed = parseProgram(program, argv, usageErrorExitCode);
  if (!parsed.run) return parsed.exitCode;
  return program.opts<Args>();
}

function describe(result: SimResult): string {
  const o = result.options;
  const s = result.stats;
  return `SEED=${result.seed} peers=${o.peers} clients=${o.clients} pipeline=${o.pipelineMax} loss=${o.lossProbability} dup=${o.duplicateProbability} ` +
    `crash=${o.crashProbability} partition=${o.partitionProbability} snapCount=${o.snapCount} limits=${o.initLimitTicks}/${o.syncLimitTicks} | acked=${s.acked} unknown=${s.unknown} ` +
    `reads=${s.reads} (${s.syncedReads} after sync) watches=${s.watchesFired} sessions=${s.sessions} expired=${s.expired} moved=${s.reconnects} resets=${s.resets} crashes=${s.crashes} leaders=${s.leaderChanges} ` +
    `sync=${s.diffs}/${s.truncs}/${s.snaps} (diff/trunc/snap) messages=${s.messages} last=${s.lastZxid}`;
}

function main(): number {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === 'number') return args;
  const overrides = {
    ...(args.bug === undefined ? {} : { bugs: { [args.bug]: true } }),
    ...(args.peers === undefined ? {} : { peers: args.peers }),
  };
  if (args.seed !== undefined) {
    const result = runSeed(args.seed, { ...overrides, traceMessages: args.messages });
    console.log(describe(result));
    if (args.messages) console.log(result.trace.join('\n'));
    if (result.failure === null) return 0;
    if (args.verbose && !args.messages) console.log(result.trace.join('\n'));
    console.log(`FAILED (${result.failure.kind}): ${result.failure.message}`);
    return exitCodes[result.failure.kind];
  }
  // Seeds must differ between soak runs, so the start is derived from the clock here, in the tool,
  // never in the cores; it is printed so that any failure can be replayed.
  const from = args.from ?? (Date.now() % 1_000_000_000);
  const deadline = args.minutes === undefined ? Infinity : Date.now() + args.minutes * 60_000;
  const count = args.seeds ?? (args.minutes === undefined ? seedsDefault : Infinity);
  console.log(`seeds from ${from}${args.bug === undefined ? '' : `, bug ${args.bug}`}`);
  const started = Date.now();
  let ran = 0;
  let nextReport = started + progressEveryMs;
  for (let seed = from; ran < count && Date.now() < deadline; seed++, ran++) {
    if (Date.now() >= nextReport) {
      nextReport += progressEveryMs;
      const soFar = (Date.now() - started) / 60_000;
      console.log(`${ran} seeds clean so far (last ${seed - 1}), ${Math.round(ran / soFar)} seeds per minute`);
    }
    const result = runSeed(seed, overrides);
    if (args.verbose) console.log(describe(result));
    if (result.failure !== null) {
      if (!args.verbose) console.log(describe(result));
      console.log(`FAILED (${result.failure.kind}): ${result.failure.message}`);
      const extra = `${args.bug === undefined ? '' : ` --bug ${args.bug}`}${args.peers === undefined ? '' : ` --peers ${args.peers}`}`;
      console.log(`replay: npx nx run sim:sim --args="--seed ${seed}${extra} --verbose"`);
      return exitCodes[result.failure.kind];
    }
  }
  const elapsed = (Date.now() - started) / 60_000;
  console.log(`${ran} seeds clean in ${(elapsed * 60).toFixed(1)} s: ${Math.round(ran / elapsed)} seeds per minute`);
  return 0;
}

process.exitCode = main();
