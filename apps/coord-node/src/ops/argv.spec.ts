import { parseFlags } from './argv';
import { ConfigError } from './config-error';

describe('parseFlags', () => {
  it('accepts --flag=value', () => {
    expect(parseFlags(['--port=12345', '--host=0.0.0.0']).values).toEqual({ port: '12345', host: '0.0.0.0' });
  });

  it('accepts --flag value as two elements', () => {
    expect(parseFlags(['--port', '12345', '--data-dir', '/x']).values).toEqual({ port: '12345', 'data-dir': '/x' });
  });

  it('splits several flags inside one element (nx --args="...")', () => {
    expect(parseFlags(['--port=12345 --data-dir=/some/dir']).values).toEqual({ port: '12345', 'data-dir': '/some/dir' });
  });

  it('accepts "--flag value" inside one element', () => {
    expect(parseFlags(['--port 12345 --tick-time 500']).values).toEqual({ port: '12345', 'tick-time': '500' });
  });

  it('unwraps --args=... with or without quotes', () => {
    expect(parseFlags(['--args=--port=1 --host=h']).values).toEqual({ port: '1', host: 'h' });
    expect(parseFlags(['--args="--port=2 --log-level=debug"']).values).toEqual({ port: '2', 'log-level': 'debug' });
  });

  it('keeps spaces inside a value and strips surrounding quotes', () => {
    expect(parseFlags(['--data-dir=/a b/c']).values).toEqual({ 'data-dir': '/a b/c' });
    expect(parseFlags(['--data-dir="/q/r"', "--host='h'"]).values).toEqual({ 'data-dir': '/q/r', host: 'h' });
  });

  it('accepts camelCase and snake_case spellings', () => {
    expect(parseFlags(['--dataDir=/d', '--tick_time=10', '--logLevel=warn']).values).toEqual({ 'data-dir': '/d', 'tick-time': '10', 'log-level': 'warn' });
  });

  it('the last occurrence wins', () => {
    expect(parseFlags(['--port=1', '--port=2']).values.port).toBe('2');
  });

  it('warns about unknown flags and stray words but keeps going', () => {
    const parsed = parseFlags(['--verbose', '--port=3', 'stray', '--color=red']);
    expect(parsed.values).toEqual({ port: '3' });
    expect(parsed.warnings).toEqual(['ignoring unknown flag --verbose', 'ignoring unexpected argument "stray"', 'ignoring unknown flag --color']);
  });

  it('ignores empty elements', () => {
    expect(parseFlags(['', '  ', '--port=4']).values).toEqual({ port: '4' });
  });

  it('throws ConfigError for a flag without a value', () => {
    expect(() => parseFlags(['--port'])).toThrow(ConfigError);
    expect(() => parseFlags(['--port', '--host=h'])).toThrow(/--port/);
    expect(() => parseFlags(['--port='])).toThrow(/non-empty/);
  });
});
