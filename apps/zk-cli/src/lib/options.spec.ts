import { OptionParseError, parseOptions } from './options';

const create = { s: false, e: false, c: false, t: true };

describe('parseOptions (commons-cli semantics)', () => {
  it('accepts options before, between and after arguments', () => {
    const p = parseOptions({ c: false, d: false, l: false }, ['/q2', '-d', '-l']);
    expect(p.args).toEqual(['/q2']);
    expect([...p.options.keys()]).toEqual(['d', 'l']);
  });
  it('takes a valued option from the next token or from its own token', () => {
    expect(parseOptions(create, ['-t', '5000', '/x']).options.get('t')).toBe('5000');
    expect(parseOptions(create, ['-t5000', '/x']).options.get('t')).toBe('5000');
  });
  it('accepts bundled flags', () => {
    const p = parseOptions(create, ['-es', '/x', 'data']);
    expect(p.options.has('e') && p.options.has('s')).toBe(true);
    expect(p.args).toEqual(['/x', 'data']);
  });
  it('treats negative numbers and a lone dash as arguments', () => {
    expect(parseOptions({ v: true }, ['-v', '-1', '/x']).options.get('v')).toBe('-1');
    expect(parseOptions({}, ['/x', '-']).args).toEqual(['/x', '-']);
    expect(parseOptions({}, ['/x', '-5']).args).toEqual(['/x', '-5']);
  });
  it('stops at --', () => {
    expect(parseOptions({ s: false }, ['--', '-s', '/x']).args).toEqual(['-s', '/x']);
  });
  it("reports an unknown option with commons-cli's text", () => {
    expect(() => parseOptions({ s: false, w: false }, ['-z', '/x'])).toThrow(
      new OptionParseError('org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -z'),
    );
    expect(() => parseOptions({ s: false }, ['-sz'])).toThrow('Unrecognized option: -sz');
  });
  it("reports a missing value with commons-cli's text", () => {
    expect(() => parseOptions(create, ['-t'])).toThrow(
      'org.apache.commons.cli.MissingArgumentException: Missing argument for option: t',
    );
    expect(() => parseOptions(create, ['-t', '-s', '/x'])).toThrow('Missing argument for option: t');
  });
});
