import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArgvError, connectTimeoutMsDefault, parseArgv, serverDefault } from './argv';
import { complete } from './completion';
import { appendHistory, historyFilePath, historyLinesMax, loadHistory, trimHistory } from './history-file';
import { isAlive, keeperStateFor, promptStateFor } from './session-events';

describe('parseArgv', () => {
  it('defaults like zkCli, with ZKCLI_SERVER overriding the default server', () => {
    const a = parseArgv([], {});
    expect(a).toMatchObject({ server: serverDefault, sessionTimeoutMs: 30000, output: 'text', eventStyle: '3.8', readOnly: false });
    expect(a.command).toBeUndefined();
    expect(parseArgv([], { ZKCLI_SERVER: 'h:1' }).server).toBe('h:1');
    expect(parseArgv(['-server', 'a:2'], { ZKCLI_SERVER: 'h:1' }).server).toBe('a:2');
  });
  it('starts a one-shot command at the first non-option', () => {
    const a = parseArgv(['-server', 'h:1/app', '-timeout', '5000', '-o', 'json', 'get', '-s', '/x'], {});
    expect(a).toMatchObject({ server: 'h:1/app', sessionTimeoutMs: 5000, connectTimeoutMs: 5000, output: 'json' });
    expect(a.command).toEqual(['get', '-s', '/x']);
  });
  it('selects 3.9 event style by flag or env', () => {
    expect(parseArgv(['-compat', '3.9'], {}).eventStyle).toBe('3.9');
    expect(parseArgv([], { ZKCLI_COMPAT: '3.9' }).eventStyle).toBe('3.9');
  });
  it('rejects bad invocations', () => {
    expect(() => parseArgv(['-server'], {})).toThrow(new ArgvError("Error: option '--server <host:port,...>' argument missing"));
    expect(() => parseArgv(['-o', 'yaml'], {})).toThrow(/'-o, --output <format>' argument 'yaml' is invalid\. Allowed choices are text, json/);
    expect(() => parseArgv(['-timeout', 'x'], {})).toThrow(/'--timeout <ms>' argument 'x' is invalid\. expected an integer from 1 to \d+ ms/);
    expect(() => parseArgv(['-bogus'], {})).toThrow("Error: unknown option '--bogus'");
    expect(() => parseArgv(['-servr', 'h:1'], {})).toThrow("Error: unknown option '--servr' (Did you mean --server?)");
    expect(() => parseArgv([], { ZKCLI_COMPAT: '4.0' })).toThrow(ArgvError);
  });
  it('accepts one dash or two, and leaves the command\'s own options alone', () => {
    expect(parseArgv(['--server', 'a:1,b:2,c:3', '-r', 'ls', '-s', '-R', '/'], {})).toMatchObject({ server: 'a:1,b:2,c:3', readOnly: true, command: ['ls', '-s', '-R', '/'] });
    expect(parseArgv(['-server', 'h:1', 'create', '-e', '/x', 'a b'], {}).command).toEqual(['create', '-e', '/x', 'a b']);
  });
  it('gives up connecting after 5 s by default, sooner with a shorter session, as told with -connect-timeout', () => {
    expect(parseArgv([], {}).connectTimeoutMs).toBe(connectTimeoutMsDefault);
    expect(parseArgv(['-timeout', '1000'], {}).connectTimeoutMs).toBe(1000);
    expect(parseArgv(['-connect-timeout', '250'], {}).connectTimeoutMs).toBe(250);
  });
  it('-h and --help ask for help before any command', () => {
    expect(parseArgv(['-h'], {}).help).toBe(true);
    expect(parseArgv(['-server', 'h:1', '--help'], {}).help).toBe(true);
    expect(parseArgv(['ls', '-h'], {}).help).toBe(false);
  });
});

describe('complete', () => {
  const tree: Record<string, string[]> = { '/': ['sanguo', 'zookeeper', 'sun'], '/sanguo': ['weiguo', 'wuguo', 'jin'] };
  const lister = async (p: string) => tree[p] ?? [];
  const names = ['create', 'close', 'get', 'getAcl'];
  it('completes command names in the first word', async () => {
    expect(await complete('ge', names, lister)).toEqual({ candidates: ['get', 'getAcl'], word: 'ge' });
    expect((await complete('c', names, lister)).candidates).toEqual(['create', 'close']);
  });
  it('completes znode paths from the children of the typed parent', async () => {
    expect(await complete('ls /s', names, lister)).toEqual({ candidates: ['/sanguo', '/sun'], word: '/s' });
    expect((await complete('get -s /sanguo/w', names, lister)).candidates).toEqual(['/sanguo/weiguo', '/sanguo/wuguo']);
    expect((await complete('ls /', names, lister)).candidates).toEqual(['/sanguo', '/sun', '/zookeeper']);
  });
  it('offers nothing for other words', async () => {
    expect((await complete('get -', names, lister)).candidates).toEqual([]);
  });
});

describe('history file', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'zkcli-hist-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  it('honours ZKCLI_HISTORY', () => {
    expect(historyFilePath({ ZKCLI_HISTORY: '/tmp/h' })).toBe('/tmp/h');
    expect(historyFilePath({})).toMatch(/\.coordinode_zkcli_history$/);
  });
  it('appends and loads most recent first', () => {
    const f = join(dir, 'h');
    expect(loadHistory(f)).toEqual([]);
    appendHistory(f, 'ls /');
    appendHistory(f, 'get /a');
    expect(loadHistory(f)).toEqual(['get /a', 'ls /']);
  });
  it('trims to the last historyLinesMax lines', () => {
    const f = join(dir, 'h');
    writeFileSync(f, Array.from({ length: historyLinesMax + 5 }, (_, i) => `cmd ${i}`).join('\n') + '\n');
    trimHistory(f);
    const lines = readFileSync(f, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(historyLinesMax);
    expect(lines[0]).toBe('cmd 5');
  });
});

describe('session states', () => {
  it('maps client states to prompt states and session events', () => {
    expect(promptStateFor('connected')).toBe('CONNECTED');
    expect(promptStateFor('connecting')).toBe('CONNECTING');
    expect(promptStateFor('closed')).toBe('CLOSED');
    expect(promptStateFor(undefined)).toBe('NOT_CONNECTED');
    expect(keeperStateFor('connected')).toBe('SyncConnected');
    expect(keeperStateFor('suspended')).toBe('Disconnected');
    expect(keeperStateFor('lost')).toBe('Expired');
    expect(keeperStateFor('closed')).toBe('Closed');
    expect(keeperStateFor('connecting')).toBeUndefined();
    expect(isAlive('suspended')).toBe(true);
    expect(isAlive('lost')).toBe(false);
  });
});
