import { ErrorCode, Perms, type Stat } from '@coord/protocol';
import { aclLines, parseAcl, permString } from './acl';
import { keeperMessage } from './errors';
import { eventText, watcherBlock } from './event';
import { formatJavaDate, toHexString } from './java-text';
import { statLines } from './stat';
import { formatStatsTrack, parseStatsTrack } from './stats-track';

describe('Java text forms', () => {
  it('Long.toHexString: lowercase, unpadded, two\'s complement', () => {
    expect(toHexString(0)).toBe('0');
    expect(toHexString(0x1e)).toBe('1e');
    expect(toHexString(0x1000027723e0000n)).toBe('1000027723e0000');
    expect(toHexString(-1)).toBe('ffffffffffffffff');
    expect(toHexString(-2n)).toBe('fffffffffffffffe');
  });
  it('Date.toString in UTC and in another zone', () => {
    const ms = Date.UTC(2026, 10, 25, 1, 32, 56);
    expect(formatJavaDate(ms, 'UTC')).toBe('Wed Nov 25 01:32:56 UTC 2026');
    expect(formatJavaDate(0, 'UTC')).toBe('Thu Jan 01 00:00:00 UTC 1970');
    expect(formatJavaDate(Date.UTC(2024, 0, 5, 23, 0, 0), 'America/New_York')).toBe('Fri Jan 05 18:00:00 EST 2024');
  });
});

describe('statLines (StatPrinter)', () => {
  it('prints the eleven fields in zkCli order', () => {
    const stat: Stat = {
      czxid: 6,
      mzxid: 6,
      ctime: Date.UTC(2026, 10, 25, 1, 33, 7),
      mtime: Date.UTC(2026, 10, 25, 1, 33, 7),
      version: 0,
      cversion: 0,
      aversion: 0,
      ephemeralOwner: 0x1000027723e0000n,
      dataLength: 6,
      numChildren: 0,
      pzxid: 6,
    };
    // The block zkCli printed for `stat /sanguo/wuguo` in the reference transcript.
    expect(statLines(stat, 'UTC')).toEqual([
      'cZxid = 0x6',
      'ctime = Wed Nov 25 01:33:07 UTC 2026',
      'mZxid = 0x6',
      'mtime = Wed Nov 25 01:33:07 UTC 2026',
      'pZxid = 0x6',
      'cversion = 0',
      'dataVersion = 0',
      'aclVersion = 0',
      'ephemeralOwner = 0x1000027723e0000',
      'dataLength = 6',
      'numChildren = 0',
    ]);
  });
});

describe('ACLs', () => {
  it('prints permissions in cdrwa order', () => {
    expect(permString(Perms.ALL)).toBe('cdrwa');
    expect(permString(Perms.READ | Perms.ADMIN)).toBe('ra');
    expect(permString(0)).toBe('');
  });
  it('getAcl lines are the jute CSV id, a newline, then ": perms"', () => {
    expect(aclLines({ id: { scheme: 'world', id: 'anyone' }, perms: Perms.ALL })).toEqual(["'world,'anyone", ': cdrwa']);
    expect(aclLines({ id: { scheme: 'digest', id: 'u:BvFaefuhWURhnvpD7ipe45CKTpk=' }, perms: Perms.ALL })[0]).toBe(
      "'digest,'u:BvFaefuhWURhnvpD7ipe45CKTpk=",
    );
  });
  it('splits each entry at the first and last colon', () => {
    const { acl, warnings } = parseAcl('world:anyone:cdrwa,digest:u:abc=:r,ip:127.0.0.1:rw');
    expect(warnings).toEqual([]);
    expect(acl).toEqual([
      { id: { scheme: 'world', id: 'anyone' }, perms: Perms.ALL },
      { id: { scheme: 'digest', id: 'u:abc=' }, perms: Perms.READ },
      { id: { scheme: 'ip', id: '127.0.0.1' }, perms: Perms.READ | Perms.WRITE },
    ]);
  });
  it("skips malformed entries and unknown letters with zkCli's warnings", () => {
    expect(parseAcl('bad')).toEqual({ acl: [], warnings: ['bad does not have the form scheme:id:perm'] });
    const { acl, warnings } = parseAcl('digest:u:abc:crwx');
    expect(warnings).toEqual(['Unknown perm type: x']);
    expect(acl[0].perms).toBe(Perms.CREATE | Perms.READ | Perms.WRITE);
    expect(parseAcl('auth::cdrwa').acl).toEqual([{ id: { scheme: 'auth', id: '' }, perms: Perms.ALL }]);
  });
});

describe('watch events', () => {
  const changed = { type: 'NodeDataChanged', state: 'SyncConnected', path: '/sanguo', zxid: 9 };
  it('prints the 3.8 form by default and the 3.9 form with the zxid', () => {
    expect(eventText(changed, '3.8')).toBe('WatchedEvent state:SyncConnected type:NodeDataChanged path:/sanguo');
    expect(eventText(changed, '3.9')).toBe('WatchedEvent state:SyncConnected type:NodeDataChanged path:/sanguo zxid: 9');
    expect(eventText({ type: 'None', state: 'Closed', path: null, zxid: -1 }, '3.9')).toBe(
      'WatchedEvent state:Closed type:None path:null zxid: -1',
    );
  });
  it('wraps the event the way printMessage does', () => {
    expect(watcherBlock(changed, '3.8')).toBe('\nWATCHER::\n\nWatchedEvent state:SyncConnected type:NodeDataChanged path:/sanguo\n');
  });
});

describe('keeperMessage (CliWrapperException)', () => {
  it.each([
    [ErrorCode.NONODE, 'Node does not exist: /a'],
    [ErrorCode.NODEEXISTS, 'Node already exists: /a'],
    [ErrorCode.NOCHILDRENFOREPHEMERALS, 'Ephemerals cannot have children: /a'],
    [ErrorCode.NOTEMPTY, 'Node not empty: /a'],
    [ErrorCode.NOTREADONLY, 'Not a read-only call: /a'],
    [ErrorCode.INVALIDACL, 'Acl is not valid : /a'],
    [ErrorCode.NOAUTH, 'Insufficient permission : /a'],
    [ErrorCode.BADARGUMENTS, 'Arguments are not valid : /a'],
    [ErrorCode.BADVERSION, 'version No is not valid : /a'],
    [ErrorCode.QUOTAEXCEEDED, 'Quota has exceeded : /a'],
    [ErrorCode.UNIMPLEMENTED, 'KeeperErrorCode = Unimplemented for /a'],
    [ErrorCode.CONNECTIONLOSS, 'KeeperErrorCode = ConnectionLoss for /a'],
    [ErrorCode.NOWATCHER, 'KeeperErrorCode = No such watcher for /a'],
  ])('code %i', (code, text) => {
    expect(keeperMessage(code, '/a')).toBe(text);
  });
  it('prints null when there is no path', () => {
    expect(keeperMessage(ErrorCode.INVALIDACL, null)).toBe('Acl is not valid : null');
  });
});

describe('StatsTrack (quota nodes)', () => {
  // Texts read back from zookeeper_limits / zookeeper_stats on Apache ZooKeeper 3.8.0.
  it('parses and prints limits with hard limits, as 3.8 writes them', () => {
    const text = 'count=5,bytes=100=;byteHardLimit=-1;countHardLimit=7';
    const t = parseStatsTrack(text);
    expect(t).toEqual({ count: 5, bytes: 100, byteHardLimit: -1, countHardLimit: 7 });
    expect(formatStatsTrack(t)).toBe(text);
  });
  it('parses and prints stats without hard limits', () => {
    expect(parseStatsTrack('count=2,bytes=5')).toEqual({ count: 2, bytes: 5 });
    expect(formatStatsTrack({ count: 0, bytes: 0 })).toBe('count=0,bytes=0');
  });
  it('reads missing fields as -1 (no limit)', () => {
    expect(parseStatsTrack(null)).toEqual({ count: -1, bytes: -1 });
    expect(parseStatsTrack('count=3')).toEqual({ count: 3, bytes: -1 });
  });
});
