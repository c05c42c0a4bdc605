import { join } from 'node:path';
import { Command, HelpRequested, Option, parseProgram, parseStrict, UsageError } from './program';
import { integerIn, portNumber } from './values';
import { listenErrorLine } from './listen-error';
import { launcherChain, launcherGone, type ProcessInfo } from './launcher';
import { connectOption } from './connect';

function sample(out: string[] = []): Command {
  return new Command('sample')
    .exitOverride()
    .showSuggestionAfterError(true)
    .allowExcessArguments(false)
    .configureOutput({ writeOut: (t) => out.push(t), writeErr: (t) => out.push(t) })
    .addOption(new Option('--port <port>', 'a port').argParser(portNumber).default(2181))
    .addOption(new Option('--workers <n>', 'workers').argParser(integerIn(1, 200)));
}

describe('value parsers', () => {
  it('integerIn accepts the range and rejects the rest with the range in the message', () => {
    const parse = integerIn(1, 200, ' ms');
    expect(parse('1')).toBe(1);
    expect(parse(' 200 ')).toBe(200);
    for (const bad of ['0', '201', '1.5', 'x', '', '1e2']) expect(() => parse(bad)).toThrow('expected an integer from 1 to 200 ms');
  });
});

describe('parseProgram / parseStrict', () => {
  it('help exits 0, a typo exits 2 with a suggestion even when a value is attached', () => {
    const out: string[] = [];
    expect(parseProgram(sample(out).helpOption('-h, --help'), ['-h'])).toEqual({ run: false, exitCode: 0 });
    expect(out.join('')).toContain('--port <port>  a port (default: 2181)');
    out.length = 0;
    expect(parseProgram(sample(out), ['--prot=1'])).toEqual({ run: false, exitCode: 2 });
    expect(out.join('')).toBe("error: unknown option '--prot'\n(Did you mean --port?)\n");
    expect(parseProgram(sample(), ['--port=5'], 3)).toEqual({ run: true });
  });

  it('parseStrict throws HelpRequested with the help text, or UsageError with commander\'s one line', () => {
    expect(() => parseStrict(sample(), ['--help'])).toThrow(HelpRequested);
    expect(() => parseStrict(sample(), ['--workers', '0'])).toThrow(new UsageError("option '--workers <n>' argument '0' is invalid. expected an integer from 1 to 200"));
    expect(() => parseStrict(sample(), ['stray'])).toThrow(UsageError);
    const ok = sample();
    parseStrict(ok, ['--port', '0', '--workers=3']);
    expect(ok.opts()).toEqual({ port: 0, workers: 3 });
  });

  it('--connect comes from the flag, then COORD_CONNECT (unless empty), then the default', () => {
    const read = (argv: string[], env: Record<string, string>) => {
      const c = new Command('x').exitOverride().addOption(connectOption(env));
      parseStrict(c, argv);
      return c.opts<{ connect: string }>().connect;
    };
    expect(read([], {})).toBe('127.0.0.1:2181');
    expect(read([], { COORD_CONNECT: 'a:1,b:2/app' })).toBe('a:1,b:2/app');
    expect(read([], { COORD_CONNECT: '' })).toBe('127.0.0.1:2181');
    expect(read(['--connect', 'c:3'], { COORD_CONNECT: 'a:1' })).toBe('c:3');
  });
});

describe('listenErrorLine', () => {
  const target = { host: '127.0.0.1', port: 2181, portFlag: '--port', hostFlag: '--host', otherPortFlag: 'the server.N lines' };
  const err = (code: string, extra: object = {}) => Object.assign(new Error(code), { code, ...extra });
  it('one line with the address asked for and the flag that changes it', () => {
    expect(listenErrorLine(err('EADDRINUSE'), target)).toBe('cannot listen on 127.0.0.1:2181: address already in use (another process has it; choose another with --port)');
    expect(listenErrorLine(err('EADDRNOTAVAIL', { address: '10.9.9.9', port: 2181 }), target)).toBe('cannot listen on 10.9.9.9:2181: no such local address (choose another with --host)');
    expect(listenErrorLine(err('EACCES', { port: 80 }), { ...target, port: 80 })).toContain('ports below 1024 need privileges; choose another with --port');
  });
  it('names the other flag when another port of the program failed, and nothing for other errors', () => {
    expect(listenErrorLine(err('EADDRINUSE', { port: 2888 }), target)).toBe('cannot listen on 127.0.0.1:2888: address already in use (another process has it; choose another with the server.N lines)');
    // Client port 0 (any free one): a peer port in use is still named as a peer port.
    expect(listenErrorLine(err('EADDRINUSE', { port: 2888 }), { ...target, port: 0 })).toContain('choose another with the server.N lines');
    expect(listenErrorLine(err('ECONNRESET'), target)).toBeUndefined();
    expect(listenErrorLine('not an error', target)).toBeUndefined();
  });
});

describe('launcherChain', () => {
  const table = (rows: ProcessInfo[]) => (pid: number) => rows.find((r) => r.pid === pid);
  const p = (pid: number, ppid: number, comm: string, argv: string[], start = String(pid * 10)): ProcessInfo => ({ pid, ppid, comm, argv, start });

  it('looks through sh -c wrappers to the tool that launched us', () => {
    const read = table([p(30, 20, 'sh', ['/bin/sh', '-c', 'node main.js']), p(20, 10, 'node', ['node', 'nx', 'run', 'a:serve']), p(10, 1, 'bash', ['-bash'])]);
    expect(launcherChain(30, read).map((x) => x.pid)).toEqual([30, 20]);
  });

  it('watches nothing when started from an interactive shell (nohup keeps working) or by init', () => {
    expect(launcherChain(10, table([p(10, 1, 'bash', ['-bash'])]))).toEqual([]);
    expect(launcherChain(1, table([]))).toEqual([]);
  });

  it('a launcher is gone when its pid disappears or belongs to a newer process', () => {
    const chain = [p(20, 10, 'node', ['node'])];
    expect(launcherGone(chain, table([p(20, 10, 'node', ['node'])]))).toBe(false);
    expect(launcherGone(chain, table([]))).toBe(true);
    expect(launcherGone(chain, table([p(20, 10, 'node', ['node'], 'later')]))).toBe(true);
  });
});

describe('the Nx serve arguments (tools/prebuilt/nx-args.js)', () => {
  // Plain JavaScript run by `node`, part of the workspace's tooling (not a project): required by its path.
  const { programArgs, shellWords } = require(join(__dirname, '..', '..', '..', 'tools', 'prebuilt', 'nx-args.js')) as {
    programArgs(argv: string[], project: string, target: string): string[] | undefined;
    shellWords(text: string): string[];
  };

  it('splits an --args value as a shell would, keeping commas, quoted spaces and escapes', () => {
    expect(shellWords(`-server h1:1,h2:2/app create /x 'a b,c' "d \\"e\\"" f\\ g`)).toEqual(['-server', 'h1:1,h2:2/app', 'create', '/x', 'a b,c', 'd "e"', 'f g']);
    expect(shellWords(`''`)).toEqual(['']);
    expect(() => shellWords(`'open`)).toThrow(/unmatched/);
  });

  it('keeps the program\'s words from every form of nx run, and drops Nx\'s own options', () => {
    expect(programArgs(['run', 'zk-cli:serve', '--args=-server a:1,b:2 ls /', '--verbose'], 'zk-cli', 'serve')).toEqual(['-server', 'a:1,b:2', 'ls', '/']);
    expect(programArgs(['serve', 'zk-cli', '--output-style', 'static', '--', '-o', 'json', 'ls', '/'], 'zk-cli', 'serve')).toEqual(['-o', 'json', 'ls', '/']);
    expect(programArgs(['run', 'coord-node:serve:dev', '-c', 'dev', '--port=5', '--args', '--host=h'], 'coord-node', 'serve')).toEqual(['--port=5', '--host=h']);
    expect(programArgs(['--verbose', 'run', 'zk-cli:serve', '--args=-r'], 'zk-cli', 'serve')).toEqual(['-r']);
    expect(programArgs(['run-many', '-t', 'serve'], 'zk-cli', 'serve')).toBeUndefined();
    expect(programArgs(['run', 'lock-demo:serve', '--args=x'], 'zk-cli', 'serve')).toBeUndefined();
  });
});
