import { monitorValues } from './four-letter-words';
import { checkDump, fixture, sameStructure, skeleton, versionPattern } from './__fixtures__/apache-structure';
import { busyStats, env, freshStats, now, run } from './__fixtures__/scenario';

/*
 * The reference texts in __fixtures__/apache-3.8.0 were written by Debian's Apache ZooKeeper 3.8.0
 * (see capture-apache-4lw.js): a busy server with two sessions (timeouts 30 s and 10 s), two
 * ephemerals, three data watches and one child watch; a fresh server; and one with the default
 * whitelist. We rebuild the same situations as ServerStats and compare line structure: keys, order
 * and separators must be equal; numbers, addresses, ids, dates and the version may differ.
 */

describe('structure matches Apache ZooKeeper 3.8.0 (busy server)', () => {
  it.each(['srvr', 'stat', 'cons', 'wchs', 'wchc', 'wchp', 'dirs'])('%s', (word) => sameStructure(run(word), word));

  it('dump follows the grammar of Apache\'s dump, with the same sessions and ephemeral owners', () => {
    const theirs = checkDump(fixture('dump'));
    const ours = checkDump(run('dump'));
    expect([ours.sessions, ours.ephemeralOwners]).toEqual([theirs.sessions, theirs.ephemeralOwners]);
    expect([ours.sessions, ours.ephemeralOwners, ours.connections]).toEqual([2, 2, 3]);
  });

  it('an empty expiry bucket prints as a 0 count with no members (Apache does this)', () => {
    const stats = { ...busyStats(), connectionBuckets: [{ expiresAt: now, members: [] }, ...busyStats().connectionBuckets] };
    const text = run('dump', stats);
    expect(text).toContain('Connections Sets (3)/(3):\n0 expire at Wed Nov 25 03:00:00 UTC 2026:\n2 expire at');
    checkDump(text);
  });

  it('conf has the same keys in the same order, integer values and version-2 directories', () => {
    const ours = run('conf').split('\n');
    const theirs = fixture('conf').split('\n');
    expect(ours.map((l) => l.split('=')[0])).toEqual(theirs.map((l) => l.split('=')[0]));
    expect(ours.find((l) => l.startsWith('dataDir='))).toBe('dataDir=/tmp/zk/data/version-2');
    expect(ours.find((l) => l.startsWith('dataLogDir='))).toBe('dataLogDir=/tmp/zk/data/version-2');
    for (const line of theirs.filter((l) => !/^data(Log)?Dir=/.test(l) && l !== '')) {
      const key = line.split('=')[0];
      expect(skeleton(ours.find((l) => l.startsWith(`${key}=`))!)).toBe(skeleton(line));
    }
    expect(run('conf')).toContain('\nclientPort=46361\n'.slice(1));
  });

  it('envi has the same keys in the same order and memory in MB', () => {
    const keys = (t: string) => t.split('\n').map((l) => l.split('=')[0]);
    expect(keys(run('envi'))).toEqual(keys(fixture('envi')));
    const ours = run('envi');
    expect(ours.startsWith('Environment:\n')).toBe(true);
    expect(ours).toContain('\nzookeeper.version=3.9.3-coordinode, built on 2026-11-25 02:37 UTC\n');
    expect(ours).toContain('\njava.compiler=<NA>\n');
    expect(ours).toMatch(/\nos\.memory\.free=15MB\nos\.memory\.max=4144MB\nos\.memory\.total=33MB\n$/);
    expect(fixture('envi')).toMatch(/\nos\.memory\.free=\d+MB\nos\.memory\.max=\d+MB\nos\.memory\.total=\d+MB\n$/);
  });

  it('the version lines have the format clients parse, like Apache\'s', () => {
    for (const text of [fixture('srvr'), run('srvr')]) expect(/^Zookeeper version: (.*)$/m.exec(text)![1]).toMatch(versionPattern);
    for (const text of [fixture('envi'), run('envi')]) expect(/^zookeeper\.version=(.*)$/m.exec(text)![1]).toMatch(versionPattern);
    for (const text of [fixture('mntr'), run('mntr')]) expect(/^zk_version\t(.*)$/m.exec(text)![1]).toMatch(versionPattern);
  });

  it('mntr starts with zk_version and zk_server_state; every key exists in Apache with the same number kind', () => {
    const parse = (t: string) => t.trimEnd().split('\n').map((l) => l.split('\t') as [string, string]);
    const ours = parse(run('mntr'));
    const theirs = new Map(parse(fixture('mntr')));
    expect(run('mntr').endsWith('\n')).toBe(true);
    expect(ours.slice(0, 2).map(([k]) => k)).toEqual(['zk_version', 'zk_server_state']);
    expect(ours[1][1]).toBe('standalone');
    for (const [key, value] of ours) {
      expect(key).toMatch(/^zk_[a-z0-9_]+$/);
      expect(theirs.has(key)).toBe(true);
      if (key !== 'zk_version' && key !== 'zk_server_state') {
        expect([key, value.includes('.')]).toEqual([key, theirs.get(key)!.includes('.')]);
      }
    }
    // The figures most monitoring tools graph are all there.
    for (const key of ['zk_avg_latency', 'zk_max_latency', 'zk_min_latency', 'zk_packets_received', 'zk_packets_sent', 'zk_num_alive_connections',
      'zk_outstanding_requests', 'zk_znode_count', 'zk_watch_count', 'zk_ephemerals_count', 'zk_approximate_data_size',
      'zk_open_file_descriptor_count', 'zk_max_file_descriptor_count', 'zk_uptime', 'zk_global_sessions', 'zk_local_sessions']) {
      expect(ours.map(([k]) => k)).toContain(key);
    }
  });

  it('mntr values come from the stats (watch count includes child watches, as Apache\'s 4 vs wchs 3)', () => {
    const values = new Map(monitorValues(busyStats(), env));
    expect(values.get('zk_watch_count')).toBe('4');
    expect(values.get('zk_ephemerals_count')).toBe('2');
    expect(values.get('zk_avg_latency')).toBe('4.4444');
    expect(values.get('zk_num_alive_connections')).toBe('3');
    expect(values.get('zk_open_file_descriptor_count')).toBe('21');
    const apache = new Map(fixture('mntr').trimEnd().split('\n').map((l) => l.split('\t') as [string, string]));
    expect(apache.get('zk_watch_count')).toBe('4');
    expect(apache.get('zk_ephemerals_count')).toBe('2');
  });

  it('exact texts that carry no variable values', () => {
    expect(run('ruok')).toBe(fixture('ruok'));
    expect(run('isro')).toBe(fixture('isro'));
    expect(run('gtmk')).toBe(fixture('gtmk'));
    expect(run('crst')).toBe(fixture('crst'));
    expect(run('srst')).toBe(fixture('srst'));
    expect(run('wchs')).toBe(fixture('wchs'));
  });

  it('cons prints the documented full line for a session and the brief one without', () => {
    expect(run('cons')).toBe(
      ' /127.0.0.1:35700[1](queued=0,recved=4,sent=4,sid=0x100000655ee0001,lop=GETC,est=1795575595000,to=10000,lcxid=0x2,lzxid=0x5,lresp=415403,llat=1,minlat=0,avglat=1,maxlat=2)\n' +
        ' /127.0.0.1:35684[1](queued=0,recved=5,sent=5,sid=0x100000655ee0000,lop=EXIS,est=1795575595000,to=30000,lcxid=0x3,lzxid=0x5,lresp=415403,llat=1,minlat=0,avglat=7,maxlat=17)\n' +
        ' /127.0.0.1:35796[0](queued=0,recved=1,sent=0)\n\n',
    );
  });

  it('wchc and wchp list sessions and paths in table order', () => {
    expect(run('wchc')).toBe('0x100000655ee0001\n\t/app\n0x100000655ee0000\n\t/missing\n\t/app\n\n');
    expect(run('wchp')).toBe('/missing\n\t0x100000655ee0000\n/app\n\t0x100000655ee0001\n\t0x100000655ee0000\n\n');
  });

  it('dump sorts expiry buckets by time and prints Java dates', () => {
    const text = run('dump');
    expect(text).toBe(
      'SessionTracker dump:\nSession Sets (2)/(2):\n' +
        '1 expire at Wed Nov 25 03:00:10 UTC 2026:\n\t0x100000655ee0001\n' +
        '1 expire at Wed Nov 25 03:00:30 UTC 2026:\n\t0x100000655ee0000\n' +
        'ephemeral nodes dump:\nSessions with Ephemerals (2):\n0x100000655ee0000:\n\t/app/eph\n0x100000655ee0001:\n\t/eph2\n' +
        'Connections dump:\nConnections Sets (2)/(3):\n' +
        '2 expire at Wed Nov 25 03:00:10 UTC 2026:\n\tip: /127.0.0.1:35700 sessionId: 0x100000655ee0001\n\tip: /127.0.0.1:35796 sessionId: 0x0\n' +
        '1 expire at Wed Nov 25 03:00:30 UTC 2026:\n\tip: /127.0.0.1:35684 sessionId: 0x100000655ee0000\n',
    );
  });
});

describe('structure matches Apache ZooKeeper 3.8.0 (fresh server)', () => {
  it.each(['srvr', 'stat', 'cons', 'wchs', 'wchc', 'wchp'])('%s', (word) => sameStructure(run(word, freshStats()), `fresh/${word}`));

  it('dump', () => {
    const theirs = checkDump(fixture('fresh/dump'));
    const ours = checkDump(run('dump', freshStats()));
    expect([ours.sessionBuckets, ours.sessions, ours.ephemeralOwners]).toEqual([0, 0, 0]);
    expect([theirs.sessionBuckets, theirs.sessions, theirs.ephemeralOwners]).toEqual([0, 0, 0]);
    expect(ours.connections).toBe(1);
  });

  it('srvr of a fresh server shows 5 nodes and a 0.0 average, like Apache', () => {
    const text = run('srvr', freshStats());
    expect(text).toContain('\nLatency min/avg/max: 0/0.0/0\n');
    expect(text).toContain('\nZxid: 0x0\n');
    expect(text.endsWith('\nMode: standalone\nNode count: 5\n')).toBe(true);
    expect(fixture('fresh/srvr').endsWith('\nMode: standalone\nNode count: 5\n')).toBe(true);
    expect(run('wchs', freshStats())).toBe(fixture('fresh/wchs'));
    expect(run('wchc', freshStats())).toBe(fixture('fresh/wchc'));
    expect(run('wchp', freshStats())).toBe(fixture('fresh/wchp'));
  });
});

