// The consensus-lab command line, read with commander: which scenario, and the knobs of a run.
import { Command, integerIn, Option, parseQuietly } from '@coord/cli';
import { checkerSeedCountDefault } from '@coord/consensus-lab';

export interface LabArgs {
  /** `[group, scenario]`, either may be missing. */
  positional: string[];
  seed: number;
  count: number;
  generals?: number;
  m?: number;
  traitors?: number;
  proposers?: number;
  broken: boolean;
  out?: string;
  quiet: boolean;
  list: boolean;
  all: boolean;
}

const countMax = 1_000_000;
const seedMax = 0xffffffff;

export function labProgram(): Command {
  return new Command('consensus-lab')
    .description('Paxos, Multi-Paxos and Byzantine generals, step by step: prints the messages of a scenario and writes its sequence diagram.')
    .usage('<group> <scenario> [options]  |  --list  |  --all [--out DIR]')
    .helpOption('-h, --help', 'show this help and exit')
    .showSuggestionAfterError(true)
    .allowExcessArguments(false)
    .argument('[group]', 'paxos, multipaxos or byzantine (see --list)')
    .argument('[scenario]', 'a scenario of the group (see --list)')
    .addOption(new Option('--list', 'list every scenario with a one-line description'))
    .addOption(new Option('--all', 'run every scenario and write every diagram'))
    .addOption(new Option('--seed <n>', 'seed of the seeded scenarios').argParser(integerIn(0, seedMax)).default(1))
    .addOption(new Option('--out <file>', 'diagram file (.svg or .html), or the directory with --all (default: <tmp>/consensus-lab/<group>-<scenario>.svg)'))
    .addOption(new Option('--quiet', 'print the summary only, not every message'))
    .addOption(new Option('--count <n>', 'seeds a checker scenario runs').argParser(integerIn(1, countMax)).default(checkerSeedCountDefault))
    .addOption(new Option('--generals <n>', 'byzantine random: generals (default: the scenario\'s)').argParser(integerIn(1, countMax)))
    .addOption(new Option('--m <n>', 'byzantine random: rounds of OM(m) (default: the scenario\'s)').argParser(integerIn(0, countMax)))
    .addOption(new Option('--traitors <n>', 'byzantine random: traitors (default: the scenario\'s)').argParser(integerIn(0, countMax)))
    .addOption(new Option('--proposers <n>', 'paxos random/safety: proposers (default: the scenario\'s)').argParser(integerIn(1, countMax)))
    .addOption(new Option('--broken', 'paxos random/safety: proposers ignore accepted values, to see safety fail'))
    .addHelpText(
      'after',
      [
        '',
        'Example: consensus-lab paxos livelock   (nx: npx nx run consensus-lab:serve --args="paxos livelock")',
        'Exit codes: 0 every property the algorithm guarantees held; 1 one was violated (e.g. paxos safety --broken); 2 bad arguments',
      ].join('\n'),
    );
}

/** The parsed arguments, or the help text (`help`), or commander's error (`error`). */
export function parseLabArgs(argv: readonly string[]): { args: LabArgs } | { help: string } | { error: string } {
  const program = labProgram();
  let help = '';
  program.configureOutput({ writeOut: (t) => (help += t) });
  const problem = parseQuietly(program, argv);
  if (problem === '') return { help: help || program.helpInformation() };
  if (problem !== undefined) return { error: problem };
  const o = program.opts<Omit<LabArgs, 'positional' | 'broken' | 'quiet' | 'list' | 'all'> & { broken?: boolean; quiet?: boolean; list?: boolean; all?: boolean }>();
  return {
    args: {
      ...o,
      positional: program.args,
      broken: Boolean(o.broken),
      quiet: Boolean(o.quiet),
      list: Boolean(o.list),
      all: Boolean(o.all),
    },
  };
}
