import { parseFlags } from './argv';
import { ConfigError } from './config-error';

describe('parseFlags', () => {
  it('accepts --flag=value and --flag value', () => {
    expect(parseFlags(['--port=12345', '--host=0.0.0.0']).values).toEqual({ port: '12345', host: '0.0.0.0' });
    expect(parseFlags(['--port', '12345', '--data-dir', '/x']).values).toEqual({ port: '12345', 'data-dir': '/x' });
  });

  it('keeps a value exactly as given: spaces, commas, quotes', () => {
    expect(parseFlags(['--data-dir=/a b/c']).values).toEqual({ 'data-dir': '/a b/c' });
    expect(parseFlags(['--host', 'h,1', '--config', '"q"']).values).toEqual({ host: 'h,1', config: '"q"' });
  });

  it('the last occurrence wins', () => {
    expect(parseFlags(['--port=1', '--port=2']).values.port).toBe('2');
  });

  it('rejects an unknown or misspelled flag, naming it and the likely one', () => {
    const err = (() => {
      try {
        parseFlags(['--prot=22182']);
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('no error');
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.key).toBe('--prot');
    expect(err.message).toContain("unknown option '--prot' (Did you mean --port?)");
    expect(() => parseFlags(['--dataDir=/d'])).toThrow(ConfigError);
  });

  it('rejects stray words', () => {
    expect(() => parseFlags(['stray'])).toThrow(/too many arguments/);
  });

  it('throws ConfigError for a flag without a value or with an empty one', () => {
    expect(() => parseFlags(['--port'])).toThrow(ConfigError);
    expect(() => parseFlags(['--port'])).toThrow(/--port/);
    expect(() => parseFlags(['--port='])).toThrow(/non-empty/);
  });
});
