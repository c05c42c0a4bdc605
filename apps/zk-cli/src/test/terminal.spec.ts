/**
 * The interactive terminal driver: prompt with state and command counter, tab completion of znode paths
 * (children fetched from the server), and the history file. Runs readline in terminal mode over
 * in-memory streams against our node.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parseArgv } from '../lib/argv';
import { coordClientFactory } from '../lib/client-adapter';
import { runCli } from '../lib/repl';
import { runScript, startCoordinode, type TestServer } from './harness';

/** Resolves once `text` has appeared in what the terminal showed. */
function waitFor(screen: () => string, text: string, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      if (screen().includes(text)) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error(`timed out waiting for ${JSON.stringify(text)} in:\n${screen()}`));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

/** Runs the shell in terminal mode against `connectString`: what to type, what the screen shows, the exit code. */
function openTerminal(connectString: string, historyFile?: string): { stdin: PassThrough; screen: () => string; done: Promise<number> } {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let screen = '';
  stdout.on('data', (c: Buffer) => (screen += c.toString('utf8')));
  const done = runCli({
    args: parseArgv(['-server', connectString], {}),
    stdin,
    stdout,
    stderr: stdout,
    isTTY: true,
    clientFactory: coordClientFactory,
    historyFile,
    timeZone: 'UTC',
  });
  return { stdin, screen: () => screen, done };
}

describe('interactive terminal', () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await startCoordinode();
    await runScript(server.connectString, ['create /sanguo', 'create /sanguo/weiguo', 'create /sanguo/wuguo', 'create /sun']);
  });
  afterAll(async () => {
    await server.stop();
  });
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'zkcli-tty-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('shows the prompt, completes paths, and keeps the history file', async () => {
    const historyFile = join(dir, 'history');
    writeFileSync(historyFile, 'ls /old\n');
    const { stdin, screen, done } = openTerminal(server.connectString, historyFile);
    await waitFor(screen, `[zk: ${server.connectString}(CONNECTED) 0] `);
    expect(screen()).toContain('JLine support is enabled');
    stdin.write('ls /sanguo/w\t');
    // One tab with several matches lists them (readline prints the candidates).
    stdin.write('\t');
    await waitFor(screen, '/sanguo/wuguo');
    expect(screen()).toContain('/sanguo/weiguo');
    stdin.write('u\t');
    stdin.write('\r');
    await waitFor(screen, `[zk: ${server.connectString}(CONNECTED) 1] `);
    expect(screen()).toContain('[]');
    stdin.write('quit\r');
    expect(await done).toBe(0);
    expect(screen()).toContain('WatchedEvent state:Closed type:None path:null');
    expect(readFileSync(historyFile, 'utf8')).toBe('ls /old\nls /sanguo/wuguo\nquit\n');
  });

  it('shows the prompt again after a watch event arrives while the user is typing', async () => {
    const { stdin, screen, done } = openTerminal(server.connectString);
    await waitFor(screen, '(CONNECTED) 0] ');
    stdin.write('get -w /sun\r');
    await waitFor(screen, '(CONNECTED) 1] ');
    stdin.write('ls /sa');
    await runScript(server.connectString, ['set /sun "shine"']);
    await waitFor(screen, 'type:NodeDataChanged path:/sun');
    const afterEvent = () => screen().slice(screen().indexOf('type:NodeDataChanged path:/sun'));
    // The prompt comes back with what was typed so far.
    await waitFor(afterEvent, '(CONNECTED) 1] ls /sa');
    stdin.write('\x03');
    expect(await done).toBe(0);
  });

  it('leaves on Ctrl-C with the last exit code and no Closed event (the process just ends)', async () => {
    const { stdin, screen, done } = openTerminal(server.connectString);
    await waitFor(screen, '(CONNECTED) 0] ');
    stdin.write('get /nothing\r');
    await waitFor(screen, '(CONNECTED) 1] ');
    expect(screen()).toContain('Node does not exist: /nothing');
    stdin.write('\x03');
    expect(await done).toBe(1);
    expect(screen()).not.toContain('state:Closed');
  });
});
