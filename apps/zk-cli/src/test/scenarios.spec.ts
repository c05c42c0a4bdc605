/**
 * Scripted sessions against Apache ZooKeeper and Coordinode. Expected texts are what zkCli.sh 3.8.0
 * printed for the same lines against Apache ZooKeeper 3.8.0 (captured with piped stdin); times and
 * session ids are masked, everything else must match.
 */
import { mask, runScript, serverLaunchers, type TestServer } from './harness';

const statOf = (rest: string) => `cZxid = <zxid>\nctime = <time>\nmZxid = <zxid>\nmtime = <time>\npZxid = <zxid>\n${rest}`;

/** Runs lines and returns the masked merged output of each. */
async function session(server: TestServer, lines: string[], style: '3.8' | '3.9' = '3.8') {
  const r = await runScript(server.connectString, lines, { eventStyle: style });
  // The servers are shared by the tests of a file, so zxids depend on test order; the transcript test
  // checks exact zxids on fresh servers.
  const maskZxid = (b: string) => mask(b).replace(/^([cmp]Zxid) = 0x[0-9a-f]+$/gm, '$1 = <zxid>');
  return { out: r.blocks.map(maskZxid), exitCode: r.exitCode, all: r.all };
}

describe.each(serverLaunchers)('scripted sessions against %s', (_name, launch) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await launch();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('reports ZooKeeper errors with zkCli texts', async () => {
    const { out, exitCode } = await session(server, [
      'create /e1 "a"',
      'create /e1 "b"',
      'get /e1/none',
      'create /e1/c',
      'delete /e1',
      'set -v 7 /e1 "x"',
      'delete -v 3 /e1/c',
      'create -e /e1/eph',
      'create /e1/eph/child',
      'delete /zookeeper',
      'create / x',
      'stat /e1/none',
      'ls /e1/none',
      'getAcl /e1/none',
      'deleteall /e1/none',
      'deleteall /e1',
      'ls /e1',
    ]);
    expect(out).toEqual([
      'Created /e1\n',
      'Node already exists: /e1\n',
      'Node does not exist: /e1/none\n',
      'Created /e1/c\n',
      'Node not empty: /e1\n',
      'version No is not valid : /e1\n',
      'version No is not valid : /e1/c\n',
      'Created /e1/eph\n',
      'Ephemerals cannot have children: /e1/eph/child\n',
      'Arguments are not valid : /zookeeper\n',
      'Node already exists: /\n',
      'Node does not exist: /e1/none\n',
      'Node does not exist: /e1/none\n',
      'Node does not exist: /e1/none\n',
      'Node does not exist: /e1/none\n',
      '',
      'Node does not exist: /e1\n',
    ]);
    expect(exitCode).toBe(1);
  });

  it('checks paths, options and argument counts on the client side', async () => {
    const { out, exitCode } = await session(server, [
      'get /a//b',
      'get /a/./b',
      'create /zz/',
      'ls zz',
      'get -z /x',
      'create -t',
      'create -c -s /t',
      'create -t abc /t',
      'create -t 10 -e /t',
      'get',
      'set /x',
      'get -s -w',
    ]);
    expect(out).toEqual([
      'Invalid path string "/a//b" caused by empty node name specified @3\n',
      'Invalid path string "/a/./b" caused by relative paths not allowed @3\n',
      'Path must not end with / character\n',
      'Path must start with / character\n',
      'org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -z\n',
      'org.apache.commons.cli.MissingArgumentException: Missing argument for option: t\n',
      '-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.\n',
      '-t argument must be a long value\n',
      'TTLs cannot be used with Ephemeral znodes\n',
      'get [-s] [-w] path\n',
      'set [-s] [-v version] path data\n',
      'get [-s] [-w] path\n',
    ]);
    expect(exitCode).toBe(3);
  });

  it('prints usage for an unknown command and exits 3', async () => {
    const { out, exitCode } = await session(server, ['foo bar']);
    expect(out[0].split('\n')[0]).toBe('ZooKeeper -server host:port -client-configuration properties-file cmd args');
    expect(out[0]).toContain('\tls [-s] [-w] [-R] path\n');
    expect(out[0].endsWith('Command not found: Command not found foo\n')).toBe(true);
    expect(exitCode).toBe(3);
  });

  it('lists: ls -s, ls -R order, stat, getAllChildrenNumber, getEphemerals', async () => {
    const { out } = await session(server, [
      'create /r',
      'create /r/b',
      'create /r/c "cc"',
      'create /r/b/d',
      'create /r/b/d/f',
      'create /r/c/e',
      'ls -R /r',
      'ls -s /r',
      'stat /r/c',
      'getAllChildrenNumber /r',
      'create -e -s /r/c/eph',
      'getEphemerals /r',
      'getEphemerals',
      'get /r',
      'create /r/empty ""',
      'get /r/empty',
      'deleteall /r',
    ]);
    expect(out.slice(6)).toEqual([
      '/r\n/r/b\n/r/c\n/r/b/d\n/r/b/d/f\n/r/c/e\n',
      '[b, c]\n' + statOf('cversion = 2\ndataVersion = 0\naclVersion = 0\nephemeralOwner = 0x0\ndataLength = 0\nnumChildren = 2\n'),
      statOf('cversion = 1\ndataVersion = 0\naclVersion = 0\nephemeralOwner = 0x0\ndataLength = 2\nnumChildren = 1\n'),
      '5\n',
      'Created /r/c/eph0000000001\n',
      '[/r/c/eph0000000001]\n',
      '[/r/c/eph0000000001]\n',
      'null\n',
      'Created /r/empty\n',
      '\n',
      '',
    ]);
  });

  it('ACLs, addauth and whoami', async () => {
    const { out } = await session(server, [
      'create /a1 x world:anyone:r',
      'getAcl /a1',
      'set /a1 y',
      'create /a2 x world:anyone:cdrwa,ip:127.0.0.1:r',
      'getAcl /a2',
      'setAcl /a2 bad',
      'create /a3 x digest:u:abc:crwx',
      'addauth digest u:pw',
      'whoami',
      'create /a4 x auth::cdrwa',
      'getAcl -s /a4',
      'setAcl -v 5 /a4 world:anyone:cdrwa',
      'setAcl -R /a2 world:anyone:rw',
      'getAcl /a2',
    ]);
    // Apache lists the digest id before the connection's ip id. Coordinode currently lists ip first
    // (reported to the lead); the CLI prints whatever order the server returns, so only the set is
    // checked for Coordinode.
    if (server.name === 'coordinode') {
      const lines = out[8].split('\n');
      expect(lines[0]).toBe('Auth scheme: User');
      expect(lines.slice(1).sort()).toEqual(['', 'digest: u', 'ip: 127.0.0.1']);
      out[8] = 'Auth scheme: User\ndigest: u\nip: 127.0.0.1\n';
    }
    expect(out).toEqual([
      'Created /a1\n',
      "'world,'anyone\n: r\n",
      'Insufficient permission : /a1\n',
      'Created /a2\n',
      "'world,'anyone\n: cdrwa\n'ip,'127.0.0.1\n: r\n",
      'bad does not have the form scheme:id:perm\nAcl is not valid : null\n',
      'Unknown perm type: x\nCreated /a3\n',
      '',
      'Auth scheme: User\ndigest: u\nip: 127.0.0.1\n',
      'Created /a4\n',
      "'digest,'u:BvFaefuhWURhnvpD7ipe45CKTpk=\n: cdrwa\n" +
        statOf('cversion = 0\ndataVersion = 0\naclVersion = 0\nephemeralOwner = 0x0\ndataLength = 1\nnumChildren = 0\n'),
      'version No is not valid : /a4\n',
      '',
      "'world,'anyone\n: rw\n",
    ]);
  });

  it('prints watch events as zkCli does, including removals and persistent watches', async () => {
    const W = (type: string, path: string) => `\nWATCHER::\n\nWatchedEvent state:SyncConnected type:${type} path:${path}\n`;
    const { out } = await session(server, [
      'create /w ""',
      'get -w /w',
      'set /w "1"',
      'ls -w /w',
      'create /w/a',
      'stat -w /w/new',
      'create /w/new',
      'removewatches /w',
      'get -w /w',
      'removewatches /w -d',
      'ls -w /w',
      'get -w /w',
      'removewatches /w -a',
      'addWatch /w',
      'set /w/a "2"',
      'printwatches',
      'printwatches off',
      'set /w/a "3"',
      'printwatches',
      'printwatches on',
      'removewatches /w -a',
      'set /w/a "4"',
    ]);
    // zkCli prints ChildWatchRemoved before DataWatchRemoved for `-a`; the order comes from the client
    // library, so only the pair is checked here.
    const both = [W('ChildWatchRemoved', '/w') + W('DataWatchRemoved', '/w'), W('DataWatchRemoved', '/w') + W('ChildWatchRemoved', '/w')];
    expect(both).toContain(out[12]);
    out[12] = both[0];
    expect(out).toEqual([
      'Created /w\n',
      '\n',
      W('NodeDataChanged', '/w'),
      '[]\n',
      W('NodeChildrenChanged', '/w') + 'Created /w/a\n',
      'Node does not exist: /w/new\n',
      W('NodeCreated', '/w/new') + 'Created /w/new\n',
      'KeeperErrorCode = No such watcher for /w\n',
      '1\n',
      W('DataWatchRemoved', '/w'),
      '[a, new]\n',
      '1\n',
      W('ChildWatchRemoved', '/w') + W('DataWatchRemoved', '/w'),
      '',
      W('NodeDataChanged', '/w/a'),
      'printwatches is on\n',
      '',
      '',
      'printwatches is off\n',
      '',
      W('PersistentWatchRemoved', '/w'),
      '',
    ]);
  });

  it('prints the 3.9 event form with the zxid when asked', async () => {
    const { out } = await session(server, ['create /z39 ""', 'get -w /z39', 'set /z39 "1"'], '3.9');
    expect(out[2]).toMatch(/^\nWATCHER::\n\nWatchedEvent state:SyncConnected type:NodeDataChanged path:\/z39 zxid: (-1|\d+)\n$/);
  });

  it('history, redo, close, connect and quit', async () => {
    const r = await runScript(server.connectString, [
      'create /h "1"',
      'get /h',
      'history',
      'redo 1',
      'redo 9',
      'close',
      'get /h',
      'history',
      `connect ${server.connectString}`,
      'get /h',
      'quit',
    ]);
    const out = r.blocks.map(mask);
    expect(out).toEqual([
      'Created /h\n',
      '1\n',
      '0 - create /h "1"\n1 - get /h\n2 - history\n',
      '1\n',
      'Command index out of range\n',
      '\nWATCHER::\n\nWatchedEvent state:Closed type:None path:null\n',
      'Not connected\n',
      '0 - create /h "1"\n1 - get /h\n2 - history\n3 - get /h\n4 - redo 9\n5 - close\n6 - get /h\n7 - history\nNot connected\n',
      '',
      '\nWATCHER::\n\nWatchedEvent state:SyncConnected type:None path:null\n1\n',
      '\nWATCHER::\n\nWatchedEvent state:Closed type:None path:null\n',
    ]);
    expect(r.exitCode).toBe(0);
  });
});
