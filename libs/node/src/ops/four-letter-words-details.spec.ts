import { loadNodeConfig } from './config';
import { fourLetterWordAction, isFourLetterWord, isFourLetterWordEnabled, monitorValues, notServingText } from './four-letter-words';
import { fixture, sameStructure } from './__fixtures__/apache-structure';
import { allWords, busyStats, configWith, env, fourLetterConnection, freshStats, run, sessionConnection, version } from './__fixtures__/scenario';
import type { ServerStats } from '@coord/server';

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

  it('conf prints the bound port when the server reports one (config port 0)', () => {
    const anyPort = loadNodeConfig(['--port=0'], {}).config;
    anyPort.fourLetterWhitelist = ['*'];
    expect(run('conf', busyStats(), anyPort).split('\n')[0]).toBe('clientPort=0');
    expect(run('conf', { ...busyStats(), clientPort: 45615 }, anyPort).split('\n')[0]).toBe('clientPort=45615');
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

