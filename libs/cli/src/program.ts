/**
 * One way for every program to read its flags: a commander `Command` set up alike everywhere.
 * `-h`/`--help` prints every flag with its default and exits 0; an unknown or misspelled flag, a
 * missing value or an invalid one exits with the usage code (2 unless a program documents another)
 * after one line naming the flag, plus commander's "(Did you mean --port?)" suggestion.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';

export { Command, CommanderError, InvalidArgumentError, Option };

/** Exit code for a usage error: unknown flag, missing or invalid value, wrong arguments. */
export const usageExitCode = 2;

export interface ProgramOutput {
  /** Help text (stdout by default). */
  out(text: string): void;
  /** Error messages (stderr by default). */
  err(text: string): void;
}

export function newProgram(name: string, description: string, output?: ProgramOutput): Command {
  const program = new Command(name)
    .description(description)
    .helpOption('-h, --help', 'show this help and exit')
    .showSuggestionAfterError(true)
    .allowExcessArguments(false)
    .exitOverride();
  if (output) program.configureOutput({ writeOut: output.out, writeErr: output.err });
  return program;
}

export type ParseOutcome = { run: true } | { run: false; exitCode: number };

/**
 * Parses `argv` (the program's own arguments, without node and script). When it returns
 * `{ run: false }` commander has already printed the help or the error; exit with `exitCode`.
 */
export function parseProgram(program: Command, argv: readonly string[], usageCode: number = usageExitCode): ParseOutcome {
  try {
    program.parse(withoutUnknownValues(program, argv), { from: 'user' });
    return { run: true };
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') return { run: false, exitCode: 0 };
    return { run: false, exitCode: usageCode };
  }
}

/**
 * Parses without printing or exiting: returns commander's error text (with its suggestion), or
 * undefined when `argv` is valid. For code that reports usage errors its own way.
 */
export function parseQuietly(program: Command, argv: readonly string[]): string | undefined {
  let message = '';
  const previous = program.configureOutput();
  program.exitOverride().configureOutput({ ...previous, writeErr: (t) => (message += t), outputError: (t) => (message += t) });
  try {
    program.parse(withoutUnknownValues(program, argv), { from: 'user' });
    return undefined;
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // Help is not an error: '' tells the caller it was asked for.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help') return '';
    return message.replace(/^error: /, '').trim().replace(/\n/g, ' ');
  }
}

function knownLongFlags(command: Command, into = new Set<string>()): Set<string> {
  for (const option of command.options) if (option.long) into.add(option.long);
  for (const sub of command.commands) knownLongFlags(sub, into);
  return into;
}

/**
 * `--prot=22182` becomes `--prot` when no command defines `--prot`: commander then reports the
 * unknown flag with its "(Did you mean --port?)", which it cannot find while the value is attached.
 */
function withoutUnknownValues(program: Command, argv: readonly string[]): string[] {
  const known = knownLongFlags(program);
  return argv.map((arg) => {
    const eq = arg.indexOf('=');
    if (!arg.startsWith('--') || eq < 0) return arg;
    const flag = arg.slice(0, eq);
    return known.has(flag) ? arg : flag;
  });
}

/** A command line that cannot be run; the message is commander's (flag, value, range, suggestion). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** `-h`/`--help` was given; `text` is the help to print. */
export class HelpRequested extends Error {
  override name = 'HelpRequested';
  constructor(readonly text: string) {
    super('help requested');
  }
}

/**
 * Parses `argv` with `program` without printing or exiting, for config functions that return a
 * value: throws HelpRequested or UsageError. Mains hand those to exitOnUsage.
 */
export function parseStrict(program: Command, argv: readonly string[]): void {
  let helpText = '';
  program.exitOverride().configureOutput({ writeOut: (t) => (helpText += t), writeErr: () => {} });
  const problem = parseQuietly(program, argv);
  if (problem === undefined) return;
  if (problem === '') throw new HelpRequested(helpText || program.helpInformation());
  throw new UsageError(problem);
}

/**
 * For a main: prints help (stdout, exit 0) or the usage error (stderr, one line plus where to find
 * help, exit `usageCode`). Returns normally for any other error, which the caller handles.
 */
export function exitOnUsage(name: string, err: unknown, usageCode: number = usageExitCode): void {
  if (err instanceof HelpRequested) {
    process.stdout.write(err.text);
    process.exit(0);
  }
  if (err instanceof UsageError) {
    process.stderr.write(`${name}: ${err.message}\nRun ${name} --help for the options.\n`);
    process.exit(usageCode);
  }
}
