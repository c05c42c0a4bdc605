/**
 * The `coordinode` command line (commander): the node's flags, and the offline tools as
 * subcommands. `--help` on the program or on a subcommand describes every flag with its default;
 * an unknown flag or command exits 2 with commander's "(Did you mean ...?)".
 *   coordinode [--port=N --host=H --data-dir=D --config=zoo.cfg ...]   run a node (standalone or ensemble member)
 *   coordinode inspect-log <file> [--json]
 *   coordinode inspect-snapshot <file> [--json]
 *   coordinode purge <dataDir> [--data-log-dir=<dir>] [--count=N]
 */
import { integerIn, newProgram, parseProgram, type Command, type ProgramOutput } from '@coord/cli';
import { addNodeFlags, flagValues, type FlagValues } from '@coord/node';
import { inspectFile, purgeCountDefault, purgeCountMin, purgeDataDir, type Out } from './durable-cli';

export type NodeInvocation =
  /** Run a node with these flags. */
  | { kind: 'serve'; flags: FlagValues; repair: boolean; verbose: boolean }
  /** Nothing to run: help was shown, the command line was wrong, or a tool ran; exit with this code. */
  | { kind: 'done'; exitCode: number };

const purgeCountMax = 1_000_000;

function defineTools(program: Command, out: Out, done: (code: number) => void): void {
  for (const [name, what] of [
    ['inspect-log', 'print every record of a transaction log file (log.<zxid>)'],
    ['inspect-snapshot', 'print the header, sessions and every node of a snapshot file (snapshot.<zxid>)'],
  ] as const) {
    program
      .command(name)
      .description(`${what}; exit 1 when the file is torn or corrupt`)
      .argument('<file>', 'the file to read')
      .option('--json', 'one JSON document per line instead of text (default: text)')
      .action((file: string, opts: { json?: boolean }) => done(inspectFile(name, file, Boolean(opts.json), out)));
  }
  program
    .command('purge')
    .description('delete old snapshots and the transaction logs only they need, keeping the newest ones')
    .argument('<dataDir>', 'the snapshot directory (dataDir)')
    .option('--data-log-dir <dir>', 'the transaction log directory (default: <dataDir>)')
    .option('--count <n>', `snapshots to keep, ${purgeCountMin} or more (default: ${purgeCountDefault})`, integerIn(purgeCountMin, purgeCountMax), purgeCountDefault)
    .action((dataDir: string, opts: { dataLogDir?: string; count: number }) => done(purgeDataDir(dataDir, opts.dataLogDir ?? dataDir, opts.count, out)));
}

/** Parses `argv` (without node and script); runs a tool if one was named. */
export function runCommandLine(argv: readonly string[], output?: ProgramOutput): NodeInvocation {
  let result: NodeInvocation | undefined;
  const out: Out = output ? output.out : (s) => process.stdout.write(s);
  const program = newProgram(
    'coordinode',
    'A ZooKeeper-compatible coordination node. Without a command it runs the node: standalone, or an ensemble member when --config has server.N lines.',
    output,
  );
  addNodeFlags(program)
    .option('--repair', 'let recovery truncate a torn log and set aside a corrupt snapshot instead of refusing to start (default: refuse)')
    .option('--verbose', 'print stack traces with errors (default: one line per error)')
    .usage('[options] [command]')
    .argument('[command...]', 'inspect-log, inspect-snapshot or purge (see coordinode <command> --help); none runs the node')
    .action((words: string[], opts: Record<string, unknown>) => {
      // A word that names no subcommand: report it as commander reports unknown commands, with a suggestion.
      if (words.length > 0) (program as unknown as { unknownCommand(): never }).unknownCommand();
      result = { kind: 'serve', flags: flagValues(opts), repair: Boolean(opts.repair), verbose: Boolean(opts.verbose) };
    });
  defineTools(program, out, (code) => (result = { kind: 'done', exitCode: code }));
  const parsed = parseProgram(program, argv);
  if (!parsed.run) return { kind: 'done', exitCode: parsed.exitCode };
  return result ?? { kind: 'done', exitCode: 2 };
}

/** Runs one tool from its arguments (`['inspect-log', file, '--json']`), as `coordinode` would. */
export function runTool(argv: readonly string[], out: Out): number {
  const r = runCommandLine(argv, { out, err: (s) => process.stderr.write(s) });
  return r.kind === 'done' ? r.exitCode : 2;
}
