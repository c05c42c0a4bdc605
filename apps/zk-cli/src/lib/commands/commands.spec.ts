import { createModeFor } from './create';
import { hexDump, dataLines } from './get';
import { deleteBatches } from './subtree';
import { commandNames, usageText } from './table';
import { javaList, childPath, parseIntOption } from './command';

describe('command table', () => {
  it("prints zkCli 3.8.0's usage text", () => {
    // Captured from `echo foo | zkCli.sh` (stderr) against Apache ZooKeeper 3.8.0.
    expect(usageText()).toEqual([
      'ZooKeeper -server host:port -client-configuration properties-file cmd args',
      '\taddWatch [-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default is PERSISTENT_RECURSIVE',
      '\taddauth scheme auth',
      '\tclose ',
      '\tconfig [-c] [-w] [-s]',
      '\tconnect host:port',
      '\tcreate [-s] [-e] [-c] [-t ttl] path [data] [acl]',
      '\tdelete [-v version] path',
      '\tdeleteall path [-b batch size]',
      '\tdelquota [-n|-b|-N|-B] path',
      '\tget [-s] [-w] path',
      '\tgetAcl [-s] path',
      '\tgetAllChildrenNumber path',
      '\tgetEphemerals path',
      '\thistory ',
      '\tlistquota path',
      '\tls [-s] [-w] [-R] path',
      '\tprintwatches on|off',
      '\tquit ',
      '\treconfig [-s] [-v version] [[-file path] | [-members serverID=host:port1:port2;port3[,...]*]] | [-add serverId=host:port1:port2;port3[,...]]* [-remove serverId[,...]*]',
      '\tredo cmdno',
      '\tremovewatches path [-c|-d|-a] [-l]',
      '\tset [-s] [-v version] path data',
      '\tsetAcl [-s] [-v version] [-R] path acl',
      '\tsetquota -n|-b|-N|-B val path',
      '\tstat [-w] path',
      '\tsync path',
      '\tversion ',
      '\twhoami ',
    ]);
    expect(commandNames[0]).toBe('addWatch');
  });
});

describe('createModeFor', () => {
  const none = { ephemeral: false, sequential: false, container: false };
  it('maps flags to modes', () => {
    expect(createModeFor(none)).toEqual({ mode: 'persistent' });
    expect(createModeFor({ ...none, sequential: true })).toEqual({ mode: 'persistent-sequential' });
    expect(createModeFor({ ...none, ephemeral: true })).toEqual({ mode: 'ephemeral' });
    expect(createModeFor({ ...none, ephemeral: true, sequential: true })).toEqual({ mode: 'ephemeral-sequential' });
    expect(createModeFor({ ...none, container: true })).toEqual({ mode: 'container' });
    expect(createModeFor({ ...none, ttl: '5000' })).toEqual({ mode: 'persistent-ttl', ttlMs: 5000 });
    expect(createModeFor({ ...none, sequential: true, ttl: '5' })).toEqual({ mode: 'persistent-sequential-ttl', ttlMs: 5 });
  });
  it("refuses zkCli's forbidden combinations with its messages", () => {
    expect(() => createModeFor({ ...none, container: true, sequential: true })).toThrow(
      '-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.',
    );
    expect(() => createModeFor({ ...none, ttl: 'abc' })).toThrow('-t argument must be a long value');
    expect(() => createModeFor({ ...none, ttl: '10', ephemeral: true })).toThrow('TTLs cannot be used with Ephemeral znodes');
    expect(() => createModeFor({ ...none, ttl: '10', container: true })).toThrow('TTLs cannot be used with Container znodes');
  });
});

describe('small helpers', () => {
  it('prints data as zkCli does', () => {
    expect(dataLines(null, 'utf8')).toEqual(['null']);
    expect(dataLines(Buffer.alloc(0), 'utf8')).toEqual(['']);
    expect(dataLines(Buffer.from('hanxiandi'), 'utf8')).toEqual(['hanxiandi']);
    expect(dataLines(Buffer.from('hello'), 'base64')).toEqual(['aGVsbG8=']);
  });
  it('hex-dumps 16 bytes a line', () => {
    const lines = hexDump(Buffer.from('0123456789abcdefXY'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('00000000  30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66  |0123456789abcdef|');
    expect(lines[1].startsWith('00000010  58 59 ')).toBe(true);
    expect(lines[1].endsWith('|XY|')).toBe(true);
  });
  it('deletes deepest nodes first, in batches', () => {
    const bfs = ['/r', '/r/b', '/r/c', '/r/b/d'];
    expect(deleteBatches(bfs, 1000)).toEqual([['/r/b/d', '/r/c', '/r/b', '/r']]);
    expect(deleteBatches(bfs, 3)).toEqual([['/r/b/d', '/r/c', '/r/b'], ['/r']]);
  });
  it('formats lists and child paths like Java', () => {
    expect(javaList([])).toBe('[]');
    expect(javaList(['a', 'b'])).toBe('[a, b]');
    expect(childPath('/', 'a')).toBe('/a');
    expect(childPath('/a', 'b')).toBe('/a/b');
  });
  it('parses int options strictly', () => {
    expect(parseIntOption('5', 'v')).toBe(5);
    expect(parseIntOption('-1', 'v')).toBe(-1);
    expect(() => parseIntOption('abc', 'v')).toThrow('-v argument must be an int value');
    expect(() => parseIntOption('2147483648', 'v')).toThrow('-v argument must be an int value');
  });
});
