import { tokenize } from './tokenize';

// Expected values were taken from zkCli.sh 3.8.0 by piping the same lines and reading back the data.
describe('tokenize (zkCli argument splitting)', () => {
  it('splits on runs of spaces', () => {
    expect(tokenize('  get   -s  /a ')).toEqual(['get', '-s', '/a']);
  });
  it('strips double and single quotes around a whole token', () => {
    expect(tokenize('create /sanguo "hanxiandi"')).toEqual(['create', '/sanguo', 'hanxiandi']);
    expect(tokenize("create /q2 ''")).toEqual(['create', '/q2', '']);
    expect(tokenize('create /q2/c "a b"')).toEqual(['create', '/q2/c', 'a b']);
  });
  it('ends a quoted token at its closing quote', () => {
    expect(tokenize("create /q2/b 'it''s'")).toEqual(['create', '/q2/b', 'it', 's']);
  });
  it('keeps quotes inside a token that does not start with one', () => {
    expect(tokenize('create /q2/f ab"c d"e')).toEqual(['create', '/q2/f', 'ab"c', 'd"e']);
  });
  it('skips an unterminated opening quote, as zkCli does', () => {
    expect(tokenize('create /q2/d "a')).toEqual(['create', '/q2/d', 'a']);
  });
  it('returns nothing for an empty line', () => {
    expect(tokenize('')).toEqual([]);
  });
  it('keeps a space as a token when nothing else can match (zkCli: `Command not found  `)', () => {
    expect(tokenize('   ')).toEqual([' ']);
    expect(tokenize('  "a')).toEqual([' "a']);
  });
});
