import { createLogger, Logger, parseLogLevel } from './logger';

function capture(level?: 'error' | 'warn' | 'info' | 'debug') {
  const lines: string[] = [];
  let now = Date.UTC(2026, 10, 25, 2, 37, 34, 123);
  const log = createLogger('server', { level, clock: () => now, sink: (l) => lines.push(l) });
  return { log, lines, advance: (ms: number) => (now += ms) };
}

describe('Logger', () => {
  it('writes ISO time, level and component, one line per call', () => {
    const { log, lines } = capture();
    log.info('Coordinode starting');
    expect(lines).toEqual(['2026-11-25T02:37:34.123Z [INFO] [server] Coordinode starting\n']);
  });

  it('uses the injected clock for every line', () => {
    const { log, lines, advance } = capture();
    log.warn('a');
    advance(1001);
    log.warn('b');
    expect(lines.map((l) => l.slice(0, 24))).toEqual(['2026-11-25T02:37:34.123Z', '2026-11-25T02:37:35.124Z']);
  });

  it.each([
    ['error', ['ERROR']],
    ['warn', ['ERROR', 'WARN']],
    ['info', ['ERROR', 'WARN', 'INFO']],
    ['debug', ['ERROR', 'WARN', 'INFO', 'DEBUG']],
  ] as const)('level %s lets through %j', (level, shown) => {
    const { log, lines } = capture(level);
    log.error('e');
    log.warn('w');
    log.info('i');
    log.debug('d');
    expect(lines.map((l) => /\[([A-Z]+)\]/.exec(l)![1])).toEqual(shown);
  });

  it('defaults to info', () => {
    const { log, lines } = capture();
    log.debug('hidden');
    expect(log.level).toBe('info');
    expect(lines).toEqual([]);
  });

  it('does not build a lazy debug message when debug is off', () => {
    const { log } = capture('info');
    const build = jest.fn(() => 'expensive');
    log.debug(build);
    expect(build).not.toHaveBeenCalled();
    log.setLevel('debug');
    log.debug(build);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('children share sink, clock and level but name their component', () => {
    const { log, lines } = capture('warn');
    const child = log.child('session');
    child.info('dropped');
    log.setLevel('info');
    child.info('shown');
    expect(lines).toEqual(['2026-11-25T02:37:34.123Z [INFO] [session] shown\n']);
    expect(child).toBeInstanceOf(Logger);
  });

  it('appends an error with its stack (or text) to an error line', () => {
    const { log, lines } = capture();
    log.error('fsync failed', new Error('EIO'));
    log.error('odd', 'just a string');
    expect(lines[0]).toMatch(/^\S+ \[ERROR\] \[server\] fsync failed: Error: EIO\n/);
    expect(lines[1]).toBe('2026-11-25T02:37:34.123Z [ERROR] [server] odd: just a string\n');
  });

  it('writes to stderr by default, never stdout', () => {
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      createLogger('x', { clock: () => 0 }).warn('to stderr');
      expect(err).toHaveBeenCalledWith('1970-01-01T00:00:00.000Z [WARN] [x] to stderr\n');
      expect(out).not.toHaveBeenCalled();
    } finally {
      err.mockRestore();
      out.mockRestore();
    }
  });

  it('parseLogLevel accepts common spellings case-insensitively', () => {
    expect(['ERROR', 'Warning', ' info ', 'TRACE', 'fatal', 'nope'].map(parseLogLevel)).toEqual(['error', 'warn', 'info', 'debug', 'error', undefined]);
  });
});
