/** What every command is given and what it may throw. */
import { errorName, isValidPath } from '@coord/protocol';
import type { CliClient, CliWatcher } from '../client-port';
import { isConnectionCode, keeperMessage, zkCodeOf } from '../format/errors';
import type { OptionSpec, ParsedOptions } from '../options';

/** Exit codes: 0 ok, 1 command error (as zkCli), 2 connection failure, 3 usage. */
export const ExitCode = { ok: 0, commandError: 1, connection: 2, usage: 3 } as const;

/** A failure the shell prints on stderr (zkCli's CliException), with the exit code it implies. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.commandError,
    /** Machine-readable code for `-o json`: a ZooKeeper code name, or USAGE / INVALIDPATH / ... */
    readonly code: string = 'ERROR',
    /** Lines printed on stderr before the message (zkCli prints some exceptions twice). */
    readonly preamble: string[] = [],
  ) {
    super(message);
  }
}

/** What the shell lets commands do beyond talking to ZooKeeper. */
export interface ShellControl {
  historyLines(): string[];
  redo(index: number): Promise<void>;
  printWatches: boolean;
  connect(server?: string): Promise<void>;
  closeSession(): Promise<void>;
  quit(): Promise<void>;
}

export interface CommandContext {
  zk: CliClient;
  /** A stdout line (suppressed in `-o json` mode, where stdout carries JSON only). */
  out(line: string): void;
  /** A stderr line. */
  err(line: string): void;
  /** The command's result for `-o json` (ignored in text mode). */
  json(value: Record<string, unknown>): void;
  readonly jsonMode: boolean;
  /** The watcher that prints events; registering the same function twice on a path is one watch. */
  watcher: CliWatcher;
  /** IANA zone for dates in stat blocks (the process zone when undefined). */
  timeZone?: string;
  shell: ShellControl;
}

export interface CommandSpec {
  name: string;
  /** The text after the name in zkCli's usage list, e.g. `[-s] [-w] path`. */
  usage: string;
  options: OptionSpec;
  /** Runs without a live session (shell commands: history, redo, printwatches, connect, quit). */
  local?: boolean;
  run(ctx: CommandContext, parsed: ParsedOptions): Promise<void>;
}

export function usageError(spec: CommandSpec): CliError {
  return new CliError(`${spec.name} ${spec.usage}`, ExitCode.usage, 'USAGE');
}

/** Throws the usage line unless at least `min` positional arguments are present. */
export function requireArgs(spec: CommandSpec, parsed: ParsedOptions, min: number): void {
  if (parsed.args.length < min) throw usageError(spec);
}

/** The client-side path check (PathUtils.validatePath) with Java's message. */
export function checkPath(path: string, isSequential = false): void {
  const problem = isValidPath(path, isSequential);
  if (problem !== undefined) throw new CliError(problem, ExitCode.commandError, 'INVALIDPATH');
}

/** Converts a ZooKeeper error into zkCli's message for `path` (the path as typed). */
export function asCliError(err: unknown, path: string | null): unknown {
  const zkCode = zkCodeOf(err);
  if (zkCode === undefined) return err;
  const exit = isConnectionCode(zkCode) ? ExitCode.connection : ExitCode.commandError;
  return new CliError(keeperMessage(zkCode, path), exit, errorName(zkCode) ?? String(zkCode));
}

export async function keeper<T>(path: string | null, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw asCliError(err, path);
  }
}

const intPattern = /^[+-]?\d+$/;
const int32Max = 2 ** 31 - 1;

/** Integer.parseInt for an option value; zkCli crashes on bad input, we print a usage error. */
export function parseIntOption(value: string, option: string): number {
  const n = Number(value);
  if (!intPattern.test(value) || n > int32Max || n < -int32Max - 1) {
    throw new CliError(`-${option} argument must be an int value`, ExitCode.usage, 'USAGE');
  }
  return n;
}

/** Java's List.toString: `[a, b]`. */
export function javaList(items: readonly string[]): string {
  return `[${items.join(', ')}]`;
}

/** The full path of a child (`/` + name under the root). */
export function childPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}
