import { errorMessage, errorName, ErrorCode, isValidPath, keeperErrorText, statZero } from './index';

describe('isValidPath (PathUtils.validatePath)', () => {
  it.each(['/', '/a', '/a/b', '/.a', '/a.', '/...', '/a/.b/c..', '/zookeeper', '/ü', '/a b', '/a\uffef'])('accepts %j', (p) => {
    expect(isValidPath(p)).toBeUndefined();
  });

  it.each([
    [null, 'Path cannot be null'],
    ['', 'Path length must be > 0'],
    ['a', 'Path must start with / character'],
    ['/a/', 'Path must not end with / character'],
    ['/a//b', 'Invalid path string "/a//b" caused by empty node name specified @3'],
    ['//', 'Path must not end with / character'],
    ['/a/.', 'Invalid path string "/a/." caused by relative paths not allowed @3'],
    ['/./a', 'Invalid path string "/./a" caused by relative paths not allowed @1'],
    ['/a/..', 'Invalid path string "/a/.." caused by relative paths not allowed @4'],
    ['/../a', 'Invalid path string "/../a" caused by relative paths not allowed @2'],
    ['/a\u0000b', 'Invalid path string "/a\u0000b" caused by null character not allowed @2'],
    ['/a\u0001', 'Invalid path string "/a\u0001" caused by invalid character @2'],
    ['/a\u007f', 'Invalid path string "/a\u007f" caused by invalid character @2'],
    ['/a\u009f', 'Invalid path string "/a\u009f" caused by invalid character @2'],
    ['/\ud834\udd1e', 'Invalid path string "/\ud834\udd1e" caused by invalid character @1'],
    ['/a\ue000', 'Invalid path string "/a\ue000" caused by invalid character @2'],
    ['/a\ufff0', 'Invalid path string "/a\ufff0" caused by invalid character @2'],
  ])('rejects %j with ZooKeeper\'s message', (p, message) => {
    expect(isValidPath(p)).toBe(message);
  });

  it('validates path + "1" for sequential creates, as the Java client does', () => {
    expect(isValidPath('/a/', true)).toBeUndefined();
    expect(isValidPath('/a/', false)).toBe('Path must not end with / character');
    expect(isValidPath('/a//', true)).toBe('Invalid path string "/a//1" caused by empty node name specified @3');
  });
});

describe('error codes', () => {
  it('names every code in ErrorCode', () => {
    for (const [name, code] of Object.entries(ErrorCode)) expect(errorName(code)).toBe(name);
    expect(errorName(-9999)).toBeUndefined();
  });

  it('uses the Java KeeperErrorCode messages', () => {
    expect(errorMessage(0)).toBe('ok');
    expect(errorMessage(-101)).toBe('NoNode');
    expect(errorMessage(-111)).toBe('Directory not empty');
    expect(errorMessage(-112)).toBe('Session expired');
    expect(errorMessage(-123)).toBe('Reconfig is disabled');
    expect(errorMessage(-127)).toBe('Op throttled due to high load');
    expect(errorMessage(-12)).toBe('Unknown error -12');
    expect(errorMessage(-122)).toBe('Unknown error -122');
    expect(keeperErrorText(-101, '/a')).toBe('KeeperErrorCode = NoNode for /a');
    expect(keeperErrorText(-4)).toBe('KeeperErrorCode = ConnectionLoss');
  });

  it('has a message for every defined code except the two Java leaves unnamed', () => {
    const unnamed = Object.values(ErrorCode).filter((c) => errorMessage(c).startsWith('Unknown error'));
    expect(unnamed.sort((a, b) => a - b)).toEqual([-122, -12]);
  });
});

describe('statZero', () => {
  it('is all zero and a fresh object each time', () => {
    const a = statZero();
    expect(Object.values(a).every((v) => v === 0 || v === 0n)).toBe(true);
    a.version = 5;
    expect(statZero().version).toBe(0);
  });
});
