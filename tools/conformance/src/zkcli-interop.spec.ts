import { runApacheZkCli, normalizeZkCliOutput } from './zkcli';
import { oursKinds, serverKinds, startServer, type ServerKind } from './servers';
import { epochOf, withoutEpoch } from './zxid-epoch';

/**
 * The seed's zkCli.sh session (shared/docs/zkcli-reference-transcript.txt) plus ls -s, stat, ls -R,
 * ACLs, containers, TTL nodes and the usual errors, typed into Apache's own zkCli.sh against Apache
 * ZooKeeper, against our standalone node and against a follower of our three-member ensemble. All must
 * print the same lines (dates and session ids aside): same zxids (counters within the server's epoch),
 * same stat fields, same sequential names, same errors, same watch events.
 */
const seedSession = [
  'create /sanguo "hanxiandi"',
  'get -s /sanguo',
  'ls /sanguo',
  'create /sanguo/weiguo "caocao"',
  'create -s /sanguo/weiguo/zhangliao "zhangliao"',
  'create -s /sanguo/weiguo/zhangliao "zhangliao"',
  'ls /sanguo/weiguo',
  'create -e /sanguo/wuguo "zhouyu"',
  'create -e -s /sanguo/wuguo "zhouyu"',
  'ls -s /sanguo',
  'stat /sanguo/wuguo',
  'set /sanguo/weiguo "simayi"',
  'get -s /sanguo/weiguo',
  'get -w /sanguo',
  'set /sanguo "x"',
  'ls -w /sanguo',
  'create /sanguo/jin "simayi"',
  'delete /sanguo/jin',
  'delete /sanguo',
  'deleteall /sanguo',
  'stat /sanguo',
  'get /sanguo',
  'ls /sanguo',
  'create /sanguo "hanxiandi"',
  'stat /sanguo',
  'create /sanguo "again"',
  'set -v 5 /sanguo "badversion"',
  'create /nosuchparent/child "x"',
];

const moreCommands = [
  'delete -v 7 /sanguo',
  'create /sanguo/nodata',
  'get /sanguo/nodata',
  'create /sanguo/empty ""',
  'get -s /sanguo/empty',
  'ls -R /sanguo',
  'ls -s /',
  'stat /',
  'stat /zookeeper',
  'getAcl /sanguo',
  'getAcl /zookeeper/config',
  'addauth digest user1:12345',
  'create /secret "s" auth::cdrwa',
  'getAcl /secret',
  'create /digest "d" digest:user1:+owfoSBn/am19roBPzR1/MfCblE=:cdr',
  'getAcl /digest',
  'setAcl /sanguo world:anyone:ra',
  'getAcl -s /sanguo',
  'create /sanguo/denied "x"',
  'setAcl /sanguo world:anyone:cdrwa',
  'create /badacl "x" world:someone:r',
  'getAllChildrenNumber /',
  'getAllChildrenNumber /sanguo',
  'getEphemerals /',
  'sync /sanguo',
  'create -c /cont',
  'create /cont/child "c"',
  'stat /cont',
  'create -t 60000 /ttl "t"',
  'stat /ttl',
  'create -e /eph',
  'create /eph/child',
  'getEphemerals /',
  'getEphemerals /e',
  'whoami',
  'delete /',
  'delete /zookeeper',
  'create / "x"',
  'set -s /sanguo "stat after set"',
  'addWatch /sanguo',
  'create /sanguo/recursive "r"',
  'set /sanguo/recursive "r2"',
  'stat -w /sanguo/watched',
  'create /sanguo/watched "w"',
  'deleteall /sanguo',
  'ls /',
];

async function sessionOn(kind: ServerKind, commands: string[]) {
  const server = await startServer(kind);
  try {
    const run = await runApacheZkCli(server.connectString, commands);
    const epoch = await epochOf(server);
    return {
      stdout: normalizeZkCliOutput(withoutEpoch(run.stdout, epoch), server.connectString),
      stderr: normalizeZkCliOutput(withoutEpoch(run.stderr, epoch), server.connectString),
      code: run.code,
    };
  } finally {
    await server.stop();
  }
}

describe('Apache zkCli.sh prints the same against Apache ZooKeeper, our node and an ensemble follower', () => {
  const results: Record<string, Awaited<ReturnType<typeof sessionOn>>> = {};

  beforeAll(async () => {
    for (const kind of serverKinds) results[kind] = await sessionOn(kind, [...seedSession, ...moreCommands, 'quit']);
  }, 240_000);

  it('the reference run is the seed transcript (sanity check of the harness)', () => {
    const ref = results['apache'];
    expect(ref.stdout.lines).toContain('hanxiandi');
    expect(ref.stderr.lines).toContain('Created /sanguo/weiguo/zhangliao0000000001');
    expect(ref.stderr.lines).toContain('Created /sanguo/wuguo0000000002');
    expect(ref.stderr.lines).toContain('version No is not valid : /sanguo');
    expect(ref.stdout.events).toContain('WatchedEvent state:SyncConnected type:NodeDataChanged path:/sanguo');
  });

  describe.each(oursKinds)('%s', (kind) => {
    it.each(['stdout', 'stderr'] as const)('%s lines are identical', (stream) => {
      expect(results[kind][stream].lines).toEqual(results['apache'][stream].lines);
    });

    it('watch events are identical and in the same order', () => {
      expect(results[kind].stdout.events).toEqual(results['apache'].stdout.events);
    });

    it('exit codes are identical', () => {
      expect(results[kind].code).toEqual(results['apache'].code);
    });
  });
});
