/**
 * Test helpers: run the shell in-process against a real server and collect what it printed, per command,
 * with stdout and stderr merged in arrival order (as a terminal shows them) and also kept apart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { startApacheZooKeeper, type RunningServer } from '@coord/testing';
import { createLogger, startNode } from '@coord/node';
import { coordClientFactory } from '../lib/client-adapter';
import type { CliArgs } from '../lib/argv';
import { runCli } from '../lib/repl';
import { Shell, type OutputFormat } from '../lib/shell';

export interface Output {
  merged: string;
  stdout: string;
  stderr: string;
}

function collector(): { io: { stdout(t: string): void; stderr(t: string): void }; out: Output } {
  const out: Output = { merged: '', stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: (t) => {
        out.stdout += t;
        out.merged += t;
      },
      stderr: (t) => {
        out.stderr += t;
        out.merged += t;
      },
    },
  };
}

export interface ScriptResult {
  /** Output before the first command (banner and the connect event). */
  preamble: string;
  /** Merged output of each command, in order. */
  blocks: string[];
  all: Output;
  exitCode: number;
}

/** Feeds `lines` to a Shell one at a time, as piped stdin does, and splits the output per command. */
export interface ScriptOptions {
  output?: OutputFormat;
  eventStyle?: '3.8' | '3.9';
  sessionTimeoutMs?: number;
  /** Called after the line with this index ran (to stop a server mid-session, say). */
  after?: (index: number) => Promise<void>;
}

export async function runScript(connectString: string, lines: string[], opts: ScriptOptions = {}): Promise<ScriptResult> {
  const { io, out } = collector();
  const shell = new Shell({
    server: connectString,
    sessionTimeoutMs: opts.sessionTimeoutMs ?? 30_000,
    connectTimeoutMs: 10_000,
    readOnly: false,
    output: opts.output ?? 'text',
    eventStyle: opts.eventStyle ?? '3.8',
    timeZone: 'UTC',
    clientFactory: coordClientFactory,
    io,
  });
  shell.begin({ welcome: true, jline: false });
  await shell.waitConnected();
  const preamble = out.merged;
  const blocks: string[] = [];
  for (const line of lines) {
    const start = out.merged.length;
    await shell.executeLine(line);
    // Events caused by this command arrive before its reply; give late ones a turn of the loop.
    await new Promise((r) => setImmediate(r));
    await opts.after?.(blocks.length);
    blocks.push(out.merged.slice(start));
    if (shell.quitRequested) break;
  }
  if (!shell.quitRequested) await shell.finish();
  return { preamble, blocks, all: out, exitCode: shell.exitCode };
}

/** Runs the whole CLI (argv handling, drivers) in-process with the given stdin text. */
export async function runMain(args: CliArgs, stdinText: string): Promise<{ out: Output; exitCode: number }> {
  const { io, out } = collector();
  const sink = (write: (t: string) => void) =>
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        write(chunk.toString('utf8'));
        cb();
      },
    });
  const exitCode = await runCli({
    args,
    stdin: Readable.from([stdinText]),
    stdout: sink(io.stdout),
    stderr: sink(io.stderr),
    isTTY: false,
    clientFactory: coordClientFactory,
    timeZone: 'UTC',
  });
  return { out, exitCode };
}

export interface TestServer {
  name: string;
  connectString: string;
  stop(): Promise<void>;
}

export async function startApache(): Promise<TestServer> {
  const s: RunningServer = await startApacheZooKeeper();
  return { name: 'apache', connectString: s.connectString, stop: () => s.stop() };
}

export async function startCoordinode(opts: { tickTime?: number } = {}): Promise<TestServer> {
  const node = await startNode({
    port: 0,
    host: '127.0.0.1',
    extendedTypesEnabled: true,
    ...opts,
    logger: createLogger('zk-cli-test', { sink: () => undefined }),
  });
  return { name: 'coordinode', connectString: `${node.host}:${node.port}`, stop: () => node.close() };
}

export const serverLaunchers: [string, () => Promise<TestServer>][] = [
  ['apache', startApache],
  ['coordinode', startCoordinode],
];

/** Replaces what differs from run to run: times and the session id in ephemeralOwner. */
export function mask(text: string): string {
  return text.replace(/^(ctime|mtime) = .*$/gm, '$1 = <time>').replace(/^ephemeralOwner = 0x(?!0$).*$/gm, 'ephemeralOwner = <session>');
}

export interface TranscriptStep {
  command: string;
  output: string;
}

/**
 * The reference transcript (zkCli.sh 3.8.0 against Apache ZooKeeper 3.8.0, typed into a terminal):
 * the preamble after the SLF4J noise, then each typed command with the lines it printed.
 */
export function loadReferenceTranscript(commandNames: readonly string[]): { preamble: string; steps: TranscriptStep[] } {
  const file = join(__dirname, '../../../../docs/reference/zkcli-reference-transcript.txt');
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('#') && !l.startsWith('SLF4J:') && !l.startsWith('$') && !l.startsWith('/usr/share'));
  // A typed command starts with a command name followed by nothing, a path or an option; an output line
  // such as `version No is not valid : /sanguo` starts with a command name but not like that.
  const isCommand = (l: string) => {
    const [first, second] = l.split(' ');
    return commandNames.includes(first) && (second === undefined || /^[/-]/.test(second));
  };
  const steps: TranscriptStep[] = [];
  let preamble = '';
  for (const line of lines) {
    if (isCommand(line)) steps.push({ command: line, output: '' });
    else if (steps.length === 0) preamble += line + '\n';
    else steps[steps.length - 1].output += line + '\n';
  }
  // The file ends with a newline after the last `$` prompt; that line is no output.
  const last = steps[steps.length - 1];
  last.output = last.output.replace(/\n$/, '');
  return { preamble, steps };
}
