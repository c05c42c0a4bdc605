import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadNodeConfig, NodeConfig } from './config';
import type { EnvInfo } from './env-info';
import { fourLetterWordAction, isFourLetterWord, isFourLetterWordEnabled, monitorValues, notServingText, runFourLetterWord } from './four-letter-words';
import { formatZooKeeperVersion } from './java-format';
import { ConnectionStats, emptyServerStats, ServerStats } from './stats';

/*
 * The reference texts in __fixtures__/apache-3.8.0 were written by Debian's Apache ZooKeeper 3.8.0
 * (see capture-apache-4lw.js): a busy server with two sessions (timeouts 30 s and 10 s), two
 * ephemerals, three data watches and one child watch; a fresh server; and one with the default
 * whitelist. We rebuild the same situations as ServerStats and compare line structure: keys, order
 * and separators must be equal; numbers, addresses, ids, dates and the version may differ.
 */
const fixtureDir = join(__dirname, '__fixtures__', 'apache-3.8.0');
const fixture = (name: string) => readFileSync(join(fixtureDir, `${name}.txt`), 'utf8');

const versionPattern = /^\d+\.\d+\.\d+-\S+, built on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/;

/** Masks values so that only the structure is left. */
function skeleton(text: string): string {
  return text
    .replace(/(Zookeeper version: |zookeeper\.version=|zk_version\t)[^\n]*/g, '$1<version>')
    .replace(/[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}/g, '<date>')
    .replace(/\/\d+\.\d+\.\d+\.\d+:\d+/g, '<addr>')
    .replace(/0x[0-9a-f]+/g, '<hex>')
    .replace(/-?\d+\.\d+(E-?\d+)?/g, '<double>')
    .replace(/-?\d+/g, '<int>');
}

/** Connection lines come in the server's iteration order, so compare them as a sorted block. */
function sortedConnectionLines(text: string): string {
  const lines = text.split('\n');
  const isConn = (l: string) => l.startsWith(' <addr>');
  const first = lines.findIndex(isConn);
  if (first < 0) return text;
  let end = first;
  while (end < lines.length && isConn(lines[end])) end++;
  return [...lines.slice(0, first), ...lines.slice(first, end).sort(), ...lines.slice(end)].join('\n');
}

/**
 * wchc/wchp list hash-ordered groups (a header line and its tab-indented lines). Sort the lines
 * inside each group and the groups inside each run of member groups (sessions, paths).
 */
function sortedGroups(text: string): string {
  const groups: string[][] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('\t') && groups.length > 0) groups[groups.length - 1].push(line);
    else groups.push([line]);
  }
  const out: string[] = [];
  let run: string[] = [];
  for (const [header, ...members] of groups) {
    const group = [header, ...members.sort()].join('\n');
    if (/^(<hex>|\/)/.test(header)) run.push(group);
    else {
      out.push(...run.sort(), group);
      run = [];
    }
  }
  return [...out, ...run.sort()].join('\n');
}

function sameStructure(ours: string, apacheFixture: string): void {
  const normalize = (text: string) => sortedGroups(sortedConnectionLines(skeleton(text)));
  expect(normalize(ours)).toBe(normalize(fixture(apacheFixture)));
}

/**
 * `dump` depends on timing (which expiry bucket the asking connection lands in, empty buckets), so
 * it is checked against a grammar that Apache's text must satisfy too, plus its own arithmetic:
 * the header counts equal the buckets and members that follow, each bucket's count its members.
 */
const javaDate = '[A-Z][a-z]{2} [A-Z][a-z]{2} \\d{2} \\d{2}:\\d{2}:\\d{2} UTC \\d{4}';
const dumpGrammar = new RegExp(
  '^SessionTracker dump:\\nSession Sets \\((\\d+)\\)/\\((\\d+)\\):\\n' +
    `((?:\\d+ expire at ${javaDate}:\\n(?:\\t0x[0-9a-f]+\\n)*)*)` +
    'ephemeral nodes dump:\\nSessions with Ephemerals \\((\\d+)\\):\\n((?:0x[0-9a-f]+:\\n(?:\\t/[^\\n]*\\n)*)*)' +
    'Connections dump:\\nConnections Sets \\((\\d+)\\)/\\((\\d+)\\):\\n' +
    `((?:\\d+ expire at ${javaDate}:\\n(?:\\tip: /[0-9.]+:\\d+ sessionId: 0x[0-9a-f]+\\n)*)*)$`,
);

interface DumpSummary {
  sessionBuckets: number;
  sessions: number;
  ephemeralOwners: number;
  connectionBuckets: number;
  connections: number;
}

function checkDump(text: string): DumpSummary {
  const m = dumpGrammar.exec(text);
  expect(m).not.toBeNull();
  const [, sessionBuckets, sessions, sessionBody, owners, ephemeralBody, connectionBuckets, connections, connectionBody] = m!;
  const checkBuckets = (body: string, bucketCount: string, memberCount: string) => {
    const buckets = body.split(/(?=^\d+ expire at)/m).filter((b) => b !== '');
    expect(buckets.length).toBe(Number(bucketCount));
    for (const bucket of buckets) expect(bucket.split('\n').filter((l) => l.startsWith('\t')).length).toBe(Number(/^\d+/.exec(bucket)![0]));
    expect((body.match(/^\t/gm) ?? []).length).toBe(Number(memberCount));
  };
  checkBuckets(sessionBody, sessionBuckets, sessions);
  checkBuckets(connectionBody, connectionBuckets, connections);
  expect((ephemeralBody.match(/^0x/gm) ?? []).length).toBe(Number(owners));
  return {
    sessionBuckets: Number(sessionBuckets),
    sessions: Number(sessions),
    ephemeralOwners: Number(owners),
    connectionBuckets: Number(connectionBuckets),
    connections: Number(connections),
  };
}

const version = formatZooKeeperVersion('3.9.3-coordinode', Date.UTC(2026, 10, 25, 2, 37));
const now = Date.UTC(2026, 10, 25, 3, 0, 0);
const sessionA = 0x100000655ee0000n; // timeout 30 s; watches /missing and /app; owns /app/eph
const sessionB = 0x100000655ee0001n; // timeout 10 s; watches /app; owns /eph2

const env: EnvInfo = {
  hostName: 'localhost',
  runtimeVersion: '20.20.2',
  runtimeVendor: 'Node.js',
  runtimeHome: '/usr/bin',
  classPath: '/work/node_modules',
  libraryPath: '',
  tmpDir: '/tmp',
  osName: 'Linux',
  osArch: 'amd64',
  osVersion: '6.1.0',
  userName: 'zk',
  userHome: '/home/zk',
  userDir: '/srv/coord',
  memoryFreeBytes: 15 * 1024 * 1024 + 5,
  memoryMaxBytes: 4144 * 1024 * 1024,
  memoryTotalBytes: 33 * 1024 * 1024,
  openFileDescriptorCount: 21,
  maxFileDescriptorCount: 20000,
};

function sessionConnection(port: number, sessionId: bigint, over: Partial<ConnectionStats>): ConnectionStats {
  return {
    remoteAddress: '127.0.0.1', remotePort: port, interestOps: 1, queued: 0, received: 4, sent: 4, sessionId,
    lastOp: 'GETD', established: now - 5000, timeout: 30000, lastCxid: 2, lastZxid: 5, lastResponse: 415403,
    lastLatency: 1, minLatency: 0, avgLatency: 1, maxLatency: 2, ...over,
  };
}

const connA = sessionConnection(35684, sessionA, { lastOp: 'EXIS', lastCxid: 3, received: 5, sent: 5, maxLatency: 17, avgLatency: 7 });
const connB = sessionConnection(35700, sessionB, { lastOp: 'GETC', timeout: 10000 });
const fourLetterConnection: ConnectionStats = { remoteAddress: '127.0.0.1', remotePort: 35796, interestOps: 0, queued: 0, received: 1, sent: 0 };

function busyStats(): ServerStats {
  return {
    ...emptyServerStats(version),
    latency: { minMs: 0, maxMs: 17, totalMs: 40, count: 9 },
    packetsReceived: 14,
    packetsSent: 13,
    connections: [connB, connA, fourLetterConnection],
    zxid: 5,
    nodeCount: 8,
    watches: {
      bySession: new Map([[sessionB, ['/app']], [sessionA, ['/missing', '/app']]]),
      byPath: new Map([['/missing', [sessionA]], ['/app', [sessionB, sessionA]]]),
      count: 3,
      childCount: 1,
    },
    sessionBuckets: [{ expiresAt: now + 30000, members: [sessionA] }, { expiresAt: now + 10000, members: [sessionB] }],
    ephemerals: new Map([[sessionA, ['/app/eph']], [sessionB, ['/eph2']]]),
    connectionBuckets: [{ expiresAt: now + 10000, members: [connB, fourLetterConnection] }, { expiresAt: now + 30000, members: [connA] }],
    approximateDataSize: 63,
    uptimeMs: 12065,
    globalSessions: 2,
    dataDirSizeBytes: 67109337,
    dataLogDirSizeBytes: 67109337,
    lastClientResponseSize: 95,
    minClientResponseSize: 16,
    maxClientResponseSize: 95,
  };
}

function freshStats(): ServerStats {
  const s = emptyServerStats(version);
  s.connections = [fourLetterConnection];
  s.packetsReceived = 1;
  s.connectionBuckets = [{ expiresAt: now + 10000, members: [fourLetterConnection] }];
  return s;
}

function configWith(whitelist: string, extra = ''): NodeConfig {
  const cfg = `tickTime=2000\ndataDir=/tmp/zk/data\nclientPort=46361\n${whitelist}\n${extra}`;
  return loadNodeConfig(['--config=zoo.cfg'], {}, (p) => {
    if (p !== 'zoo.cfg') throw new Error(`ENOENT ${p}`);
    return cfg;
  }).config;
}
const allWords = configWith('4lw.commands.whitelist=*');
const run = (word: string, stats: ServerStats = busyStats(), config: NodeConfig = allWords) => runFourLetterWord(word, stats, config, env);

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

describe('whitelist', () => {
  const byDefault = configWith('');

  it.each(['ruok', 'stat', 'mntr', 'isro'])('%s outside the default whitelist gets Apache\'s refusal text', (word) => {
    expect(run(word, busyStats(), byDefault)).toBe(fixture(`default-whitelist/${word}`));
    expect(run(word, busyStats(), byDefault)).toBe(`${word} is not executed because it is not in the whitelist.\n`);
  });

  it('srvr is always enabled, as in Apache', () => {
    sameStructure(run('srvr', freshStats(), byDefault), 'default-whitelist/srvr');
    expect(isFourLetterWordEnabled('srvr', [])).toBe(true);
    expect(run('srvr', freshStats(), configWith('4lw.commands.whitelist=ruok'))).toMatch(/^Zookeeper version: /);
  });

  it('a listed word runs, an unlisted one does not; * enables all', () => {
    const cfg = configWith('4lw.commands.whitelist=ruok, mntr');
    expect(run('ruok', busyStats(), cfg)).toBe('imok');
    expect(run('mntr', busyStats(), cfg)).toMatch(/^zk_version\t/);
    expect(run('envi', busyStats(), cfg)).toBe('envi is not executed because it is not in the whitelist.\n');
    expect(['conf', 'cons', 'crst', 'dirs', 'dump', 'envi', 'gtmk', 'ruok', 'stmk', 'srst', 'srvr', 'stat', 'wchc', 'wchp', 'wchs', 'mntr', 'isro', 'hash']
      .every((w) => isFourLetterWordEnabled(w, ['*']))).toBe(true);
  });

  it('an unknown word yields nothing (Apache reads it as a frame length and closes)', () => {
    expect(isFourLetterWord('xyzw')).toBe(false);
    expect(isFourLetterWordEnabled('xyzw', ['*'])).toBe(false);
    expect(run('xyzw')).toBe('');
  });

  it('fourLetterWordAction tells the server which state change to make', () => {
    expect(fourLetterWordAction('srst', allWords)).toBe('resetServerStats');
    expect(fourLetterWordAction('crst', allWords)).toBe('resetConnectionStats');
    expect(fourLetterWordAction('stmk', allWords)).toBe('setTraceMask');
    expect(fourLetterWordAction('srvr', allWords)).toBeUndefined();
    expect(fourLetterWordAction('srst', byDefault)).toBeUndefined(); // not whitelisted: no reset
  });
});

describe('server states', () => {
  it('a server that is not serving says so for most words, but still answers ruok, isro and envi', () => {
    const stats = { ...busyStats(), serving: false };
    for (const word of ['srvr', 'stat', 'cons', 'conf', 'mntr', 'wchs', 'wchc', 'wchp', 'dump', 'dirs', 'crst', 'srst', 'hash']) {
      expect([word, run(word, stats)]).toEqual([word, notServingText]);
    }
    expect(notServingText).toBe('This ZooKeeper instance is not currently serving requests\n');
    expect(run('ruok', stats)).toBe('imok');
    expect(run('isro', stats)).toBe('null');
    expect(run('envi', stats)).toMatch(/^Environment:\n/);
  });

  it('read-only mode: isro says ro and srvr/stat add the READ-ONLY line after the version', () => {
    const stats = { ...busyStats(), mode: 'read-only' as const };
    expect(run('isro', stats)).toBe('ro');
    for (const word of ['srvr', 'stat']) {
      expect(run(word, stats).split('\n').slice(0, 2)).toEqual([`Zookeeper version: ${version}`, 'READ-ONLY mode; serving only read-only clients']);
    }
    expect(run('srvr', stats)).toContain('\nMode: read-only\n');
  });

  it('a leader adds proposal sizes to srvr and learner gauges to mntr', () => {
    const stats: ServerStats = {
      ...busyStats(),
      mode: 'leader',
      leader: { proposalSizeLast: 120, proposalSizeMin: 40, proposalSizeMax: 300, learners: 2, syncedFollowers: 2, syncedNonVotingFollowers: 0, syncedObservers: 0, pendingSyncs: 0 },
    };
    expect(run('srvr', stats).endsWith('\nMode: leader\nNode count: 8\nProposal sizes last/min/max: 120/40/300\n')).toBe(true);
    const values = new Map(monitorValues(stats, env));
    expect(values.get('zk_server_state')).toBe('leader');
    expect(values.get('zk_synced_followers')).toBe('2');
    expect(values.get('zk_max_proposal_size')).toBe('300');
    expect(new Map(monitorValues(busyStats(), env)).has('zk_synced_followers')).toBe(false);
  });

  it('a follower shows its mode and no leader figures', () => {
    const text = run('srvr', { ...busyStats(), mode: 'follower' });
    expect(text.endsWith('\nMode: follower\nNode count: 8\n')).toBe(true);
  });
});

describe('details', () => {
  it('cons omits lcxid when negative and prints a -1 zxid as Long.toHexString does', () => {
    const conn = sessionConnection(1, 0xabcn, { lastCxid: -2, lastZxid: -1 });
    const text = run('cons', { ...busyStats(), connections: [conn] });
    expect(text).not.toContain('lcxid');
    expect(text).toContain(',lzxid=0xffffffffffffffff,');
  });

  it('connection addresses print the Java way, IPv6 bracketed and IPv4-mapped unwrapped', () => {
    const v6 = { ...fourLetterConnection, remoteAddress: '::1', remotePort: 4000 };
    const mapped = { ...fourLetterConnection, remoteAddress: '::ffff:127.0.0.1', remotePort: 4001 };
    expect(run('cons', { ...busyStats(), connections: [v6, mapped] })).toBe(' /[0:0:0:0:0:0:0:1]:4000[0](queued=0,recved=1,sent=0)\n /127.0.0.1:4001[0](queued=0,recved=1,sent=0)\n\n');
  });

  it('interest ops print in hex', () => {
    const text = run('stat', { ...busyStats(), connections: [{ ...fourLetterConnection, interestOps: 12 }] });
    expect(text).toContain(' /127.0.0.1:35796[c](queued=0,recved=1,sent=0)\n');
  });

  it('stmk and gtmk print the current trace mask in decimal without a newline', () => {
    expect(run('gtmk', { ...busyStats(), traceMask: 0x1ff })).toBe('511');
    expect(run('stmk', { ...busyStats(), traceMask: 7 })).toBe('7');
  });

  it('dirs prints both directory sizes', () => {
    expect(run('dirs')).toBe('datadir_size: 67109337\nlogdir_size: 67109337\n');
  });

  it('hash lists the digest log', () => {
    expect(run('hash')).toBe(fixture('hash'));
    expect(run('hash', { ...busyStats(), digestLog: [{ zxid: 0x100000080, digest: 123456789n }] })).toBe('100000080: 123456789\n');
  });

  it('conf of an in-memory node leaves the directories empty; relative dirs resolve against user.dir', () => {
    const inMemory = loadNodeConfig(['--port=5'], {}).config;
    inMemory.fourLetterWhitelist = ['*'];
    expect(run('conf', busyStats(), inMemory)).toContain('\ndataDir=\ndataDirSize=67109337\ndataLogDir=\n');
    const relative = loadNodeConfig(['--data-dir=state'], {}).config;
    relative.fourLetterWhitelist = ['*'];
    expect(run('conf', busyStats(), relative)).toContain('\ndataDir=/srv/coord/state/version-2\n');
  });

  it('conf of an ensemble member appends the quorum keys and membership', () => {
    const cfg = configWith('4lw.commands.whitelist=*', 'initLimit=10\nsyncLimit=5\nserver.1=a:2888:3888\nserver.2=b:2889:3889:observer;2182');
    const member = { ...cfg, serverId: 2 };
    const text = run('conf', { ...busyStats(), mode: 'follower' }, member);
    expect(text.split('\n').slice(12)).toEqual([
      'initLimit=10', 'syncLimit=5', 'electionAlg=3', 'electionPort=3889', 'quorumPort=2889', 'peerType=1', 'membership: ',
      'server.1=a:2888:3888:participant', 'server.2=b:2889:3889:observer;0.0.0.0:2182', 'version=0', '',
    ]);
    expect(run('conf', busyStats(), member)).toBe(run('conf', busyStats(), allWords).replace('serverId=0', 'serverId=2'));
  });
});
