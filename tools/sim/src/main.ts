// The simulator's command line.
//   --seed N        run one seed (a failure prints how to replay it: the same seed and commit replay it exactly)
//   --seeds K       run K seeds starting at --from (default: a seed derived from the time, printed)
//   --minutes M     keep running seeds for M minutes; prints seeds per minute
//   --peers N       force the ensemble size (default: drawn from the seed, 3 or 5)
//   --bug NAME      inject a known bug (commitWithoutQuorum | ackBeforePersist | applyBeforeCommit | syncEarly |
//                   reorderRequests) to see the checkers fire
//   --verbose       print each seed's stats and, on failure, the trace tail
//   --messages      with --seed: record and print every delivered message (slow, for debugging one seed)
// Exit codes: 0 clean, 2 correctness, 3 liveness, 4 crash (an exception in the core or the simulator).

import { exitCodes } from './failure';
import { simBugNames, type SimBugs } from './options';
import { runSeed, type SimResult } from './simulator';

/** How often a long run prints its progress. */
const progressEveryMs = 60_000;

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

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { verbose: false, messages: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--seed') args.seed = Number(value());
    else if (flag === '--seeds') args.seeds = Number(value());
    else if (flag === '--from') args.from = Number(value());
    else if (flag === '--minutes') args.minutes = Number(value());
    else if (flag === '--bug') {
      const name = value();
      if (!(simBugNames as readonly string[]).includes(name)) throw new Error(`unknown bug ${name} (one of ${simBugNames.join(', ')})`);
      args.bug = name as keyof SimBugs;
    }
    else if (flag === '--peers') args.peers = Number(value());
    else if (flag === '--verbose') args.verbose = true;
    else if (flag === '--messages') args.messages = true;
    else throw new Error(`unknown flag ${flag}`);
  }
  return args;
}

function describe(result: SimResult): string {
  const o = result.options;
  const s = result.stats;
  return `SEED=${result.seed} peers=${o.peers} clients=${o.clients} loss=${o.lossProbability} dup=${o.duplicateProbability} ` +
    `crash=${o.crashProbability} partition=${o.partitionProbability} snapCount=${o.snapCount} limits=${o.initLimitTicks}/${o.syncLimitTicks} | acked=${s.acked} unknown=${s.unknown} ` +
    `reads=${s.reads} (${s.syncedReads} after sync) sessions=${s.sessions} expired=${s.expired} moved=${s.reconnects} crashes=${s.crashes} leaders=${s.leaderChanges} sync=${s.diffs}/${s.truncs}/${s.snaps} (diff/trunc/snap) messages=${s.messages} last=${s.lastZxid}`;
}

function main(): number {
  const args = parseArgs(process.argv.slice(2));
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
  // never in the core; it is printed so that any failure can be replayed.
  const from = args.from ?? (Date.now() % 1_000_000_000);
  const deadline = args.minutes === undefined ? Infinity : Date.now() + args.minutes * 60_000;
  const count = args.seeds ?? (args.minutes === undefined ? 100 : Infinity);
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
      console.log(describe(result));
      console.log(`FAILED (${result.failure.kind}): ${result.failure.message}`);
      const extra = `${args.bug === undefined ? '' : ` --bug ${args.bug}`}${args.peers === undefined ? '' : ` --peers ${args.peers}`}`;
      console.log(`replay: npx nx run sim:sim --args="--seed ${seed}${extra} --verbose"`);
      return exitCodes[result.failure.kind];
    }
  }
  const minutes = (Date.now() - started) / 60_000;
  console.log(`${ran} seeds clean in ${(minutes * 60).toFixed(1)} s: ${Math.round(ran / minutes)} seeds per minute`);
  return 0;
}

process.exitCode = main();
