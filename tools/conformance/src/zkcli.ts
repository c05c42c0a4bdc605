import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { apacheZkCli, workspaceRoot } from '@coord/testing';

const zkCliDeadlineMs = 60_000;

export interface CliRun {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs Apache zkCli.sh against `connectString`, feeding `commands` on stdin (its non-interactive mode). */
export function runApacheZkCli(connectString: string, commands: string[], extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return runShell(apacheZkCli, [], connectString, commands, extraArgs, env);
}

/** Runs our zkcli (the prebuilt bundle, as `npx zkcli` does) the same way: commands on stdin. */
export function runOurZkCli(connectString: string, commands: string[], extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return runShell(process.execPath, [join(workspaceRoot, 'bin/zkcli.js')], connectString, commands, extraArgs, env);
}

function runShell(command: string, prefix: string[], connectString: string, commands: string[], extraArgs: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    // `env` adds to ours: CLIENT_JVMFLAGS carries a JAAS Client section or the zookeeper.ssl.* properties.
    const child = spawn(command, [...prefix, '-server', connectString, ...extraArgs], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not finish within ${zkCliDeadlineMs} ms\n${stdout}\n${stderr}`));
    }, zkCliDeadlineMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
    child.stdin.end(commands.map((c) => c + '\n').join(''));
  });
}

/**
 * Makes two zkCli outputs comparable: dates, session ids and ports differ from run to run; the JVM's
 * SLF4J banner is noise. Watch events are printed by zkCli's event thread and may interleave with the
 * next command's output, so they are pulled out into their own ordered list.
 */
const closedByClientEvent = 'WatchedEvent state:Closed type:None path:null';

export function normalizeZkCliOutput(text: string, connectString: string): { lines: string[]; events: string[] } {
  const events: string[] = [];
  const lines: string[] = [];
  const raw = text
    .split('\n')
    .filter((l) => !l.startsWith('SLF4J:'))
    .map((l) =>
      l
        .replace(/^(ctime|mtime) = .*$/, '$1 = <date>')
        .replace(/^ephemeralOwner = 0x[0-9a-f]*[1-9a-f][0-9a-f]*$/, 'ephemeralOwner = <session>')
        .replace(/ zxid: -?\d+$/, '')
        .split(connectString)
        .join('<server>'),
    );
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 'WATCHER::') {
      // zkCli prints "\nWATCHER::\n\n<event>\n": drop the blank lines around the marker.
      if (lines.length && lines[lines.length - 1] === '') lines.pop();
      let j = i + 1;
      while (j < raw.length && raw[j] === '') j++;
      // `quit` closes the client, which queues a Closed event of its own (no server sends it); whether
      // zkCli's event thread prints it before the JVM exits is a race, so it is not compared.
      if (raw[j] !== closedByClientEvent) events.push(raw[j] ?? '');
      i = j;
      continue;
    }
    lines.push(raw[i]);
  }
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return { lines, events };
}
