/**
 * Drivers that feed the shell: one-shot (`zk-cli -server h:p get /x`), piped input (line by line, no
 * prompt, exactly what zkCli prints with JLine disabled) and the interactive terminal (readline with a
 * prompt, a history file and tab completion). Streams are injected so tests run it in-process.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { cliUsage, type CliArgs } from './argv';
import type { ClientFactory } from './client-port';
import { commandNames } from './commands/table';
import { ExitCode } from './commands/command';
import { complete } from './completion';
import { appendHistory, historyLinesMax, loadHistory, trimHistory } from './history-file';
import { Shell } from './shell';

export interface RunCliOptions {
  args: CliArgs;
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Interactive terminal: prompt, completion, history file. */
  isTTY: boolean;
  clientFactory: ClientFactory;
  /** The history file for the interactive terminal (none: no history file). */
  historyFile?: string;
  timeZone?: string;
}

export async function runCli(opts: RunCliOptions): Promise<number> {
  const { args, stdout, stderr } = opts;
  if (args.help) {
    cliUsage.forEach((l) => stdout.write(l + '\n'));
    return ExitCode.ok;
  }
  // Set by the terminal driver: output that arrives while the user is typing (a watch event) is followed
  // by the prompt and the half-typed line again, instead of leaving the cursor on a bare line.
  const hooks: { afterIdleOutput?: () => void } = {};
  const shell = new Shell({
    server: args.server,
    sessionTimeoutMs: args.sessionTimeoutMs,
    connectTimeoutMs: args.connectTimeoutMs,
    readOnly: args.readOnly,
    output: args.output,
    eventStyle: args.eventStyle,
    timeZone: opts.timeZone,
    clientFactory: opts.clientFactory,
    io: {
      stdout: (t) => {
        stdout.write(t);
        hooks.afterIdleOutput?.();
      },
      stderr: (t) => stderr.write(t),
    },
  });
  if (args.command) return runOneShot(shell, args.command);
  shell.begin({ welcome: true, jline: opts.isTTY });
  if (!opts.isTTY) return runPiped(shell, opts.stdin);
  return runTerminal(shell, opts, hooks);
}

async function runOneShot(shell: Shell, command: string[]): Promise<number> {
  shell.begin({ welcome: false, jline: false });
  if (!(await shell.waitConnected())) return ExitCode.connection;
  await shell.executeArgs(command);
  await shell.finish();
  return shell.exitCode;
}

async function runPiped(shell: Shell, stdin: Readable): Promise<number> {
  // No waiting for the session here: like zkCli, shell commands (history, printwatches) run at once and
  // the others wait for the session inside the shell.
  const rl = createInterface({ input: stdin, terminal: false, crlfDelay: Infinity });
  try {
    for await (const line of rl) {
      await shell.executeLine(line);
      if (shell.quitRequested) break;
      // zkCli would retry forever; a script is better served by failing with exit code 2.
      if (shell.connectFailed) return ExitCode.connection;
    }
  } finally {
    rl.close();
  }
  if (!shell.quitRequested) await shell.finish();
  return shell.exitCode;
}

async function runTerminal(shell: Shell, opts: RunCliOptions, hooks: { afterIdleOutput?: () => void }): Promise<number> {
  const file = opts.historyFile;
  if (file) trimHistory(file);
  const rl = createInterface({
    input: opts.stdin,
    output: opts.stdout,
    terminal: true,
    history: file ? loadHistory(file) : [],
    historySize: historyLinesMax,
    removeHistoryDuplicates: true,
    completer: (line: string, callback: (err: Error | null, result: [string[], string]) => void) => {
      complete(line, commandNames, (parent) => shell.listChildren(parent)).then(
        (c) => callback(null, [c.candidates, c.word]),
        () => callback(null, [[], line]),
      );
    },
  });
  // Ctrl-C leaves the shell as it does zkCli (readline would otherwise just pause the input).
  rl.on('SIGINT', () => rl.close());
  // The connect event prints asynchronously; show the prompt once the session is settled.
  await shell.waitConnected();
  let idle = false;
  const showPrompt = () => {
    rl.setPrompt(shell.prompt());
    rl.prompt(true);
    idle = true;
  };
  hooks.afterIdleOutput = () => {
    if (idle) showPrompt();
  };
  showPrompt();
  try {
    for await (const line of rl) {
      idle = false;
      if (file && line.trim() !== '') appendHistory(file, line);
      await shell.executeLine(line);
      if (shell.quitRequested) break;
      showPrompt();
    }
  } finally {
    hooks.afterIdleOutput = undefined;
    rl.close();
  }
  if (!shell.quitRequested) await shell.finish();
  return shell.exitCode;
}
