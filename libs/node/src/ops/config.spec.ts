import { ConfigError, devFourLetterWhitelist, loadNodeConfig, NodeConfig } from './config';

/** A file reader over an in-memory map, so tests never touch the disk. */
function files(map: Record<string, string>): (p: string) => string {
  return (p) => {
    if (!(p in map)) throw new Error(`ENOENT: no such file ${p}`);
    return map[p];
  };
}

function load(argv: string[], cfg?: string, env: NodeJS.ProcessEnv = {}, extra: Record<string, string> = {}) {
  return loadNodeConfig(cfg === undefined ? argv : ['--config=/etc/zoo.cfg', ...argv], env, files({ '/etc/zoo.cfg': cfg ?? '', ...extra }));
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('defaults', () => {
  it('with no flags and no file gives an in-memory node on 127.0.0.1:2181', () => {
    const { config, warnings } = loadNodeConfig([], {});
    const expected: NodeConfig = {
      host: '127.0.0.1',
      port: 2181,
      dataDir: undefined,
      dataLogDir: undefined,
      tickTime: 2000,
      minSessionTimeout: 4000,
      maxSessionTimeout: 40000,
      maxClientCnxns: 60,
      fourLetterWhitelist: ['srvr'],
      extendedTypesEnabled: false,
      juteMaxBuffer: 0xfffff,
      autopurgeSnapRetainCount: 3,
      autopurgePurgeInterval: 0,
      snapCount: 100000,
      snapshotBytesPerSecond: 16 * 1024 * 1024,
      forceSync: true,
      globalOutstandingLimit: 1000,
      serverId: 0,
      members: [],
      initLimit: undefined,
      syncLimit: undefined,
      superDigest: undefined,
      logLevel: 'info',
      security: {
        requiredAuthSchemes: [],
        enforceQuota: false,
        sessionWatchesMax: 0,
        sessionEphemeralsMax: 0,
        sessionOutstandingMax: 0,
        clientTls: { clientAuth: 'need', hostnameVerification: true },
        sslQuorum: false,
        quorumTls: { clientAuth: 'need', hostnameVerification: true },
      },
      admin: { enabled: false, address: '127.0.0.1', port: 8080, commandUrl: '/commands', consoleWriteEnabled: false },
      metrics: { enabled: false, host: '127.0.0.1', port: 7000, exportProcessInfo: true },
      configPath: undefined,
    };
    expect(config).toEqual(expected);
    expect(warnings).toEqual([]);
  });

  it('devFourLetterWhitelist holds every read-only word and no state-changing one', () => {
    expect([...devFourLetterWhitelist].sort()).toEqual(
      ['conf', 'cons', 'dirs', 'dump', 'envi', 'gtmk', 'hash', 'isro', 'mntr', 'ruok', 'srvr', 'stat', 'wchc', 'wchp', 'wchs'].sort(),
    );
  });
});

describe('flags', () => {
  it.each([
    [['--port=12345', '--host=0.0.0.0', '--data-dir=/d', '--tick-time=500', '--log-level=debug']],
    [['--port', '12345', '--host', '0.0.0.0', '--data-dir', '/d', '--tick-time', '500', '--log-level', 'debug']],
  ])('every form gives the same config: %j', (argv) => {
    const { config } = loadNodeConfig(argv, {});
    expect(config).toMatchObject({ port: 12345, host: '0.0.0.0', dataDir: '/d', dataLogDir: '/d', tickTime: 500, logLevel: 'debug' });
    expect(config.minSessionTimeout).toBe(1000);
    expect(config.maxSessionTimeout).toBe(10000);
  });

  it('accepts port 0 (ask the OS) and rejects ports out of range or non-numeric', () => {
    expect(loadNodeConfig(['--port=0'], {}).config.port).toBe(0);
    expect(configError(() => loadNodeConfig(['--port=65536'], {})).key).toBe('--port');
    const err = configError(() => loadNodeConfig(['--port=abc'], {}));
    expect(err.key).toBe('--port');
    expect(err.value).toBe('abc');
    expect(err.message).toContain('"abc"');
    expect(() => loadNodeConfig(['--port=12.5'], {})).toThrow(ConfigError);
  });

  it('rejects a zero tick time and an unknown log level', () => {
    expect(configError(() => loadNodeConfig(['--tick-time=0'], {})).key).toBe('--tick-time');
    expect(configError(() => loadNodeConfig(['--log-level=loud'], {})).key).toBe('--log-level');
  });

  it('rejects unknown flags instead of starting with defaults', () => {
    expect(() => loadNodeConfig(['--frobnicate=1'], {})).toThrow(ConfigError);
  });

  it('--server-id sets the server id', () => {
    expect(loadNodeConfig(['--server-id=3'], {}).config.serverId).toBe(3);
  });
});

describe('log level from the environment', () => {
  it('COORD_LOG_LEVEL applies when no flag is given, case-insensitively', () => {
    expect(loadNodeConfig([], { COORD_LOG_LEVEL: 'WARN' }).config.logLevel).toBe('warn');
    expect(loadNodeConfig([], { COORD_LOG_LEVEL: 'trace' }).config.logLevel).toBe('debug');
    expect(loadNodeConfig([], { COORD_LOG_LEVEL: '' }).config.logLevel).toBe('info');
  });

  it('the flag beats the environment', () => {
    expect(loadNodeConfig(['--log-level=error'], { COORD_LOG_LEVEL: 'debug' }).config.logLevel).toBe('error');
  });

  it('an unknown value in the environment is a ConfigError naming the variable', () => {
    expect(configError(() => loadNodeConfig([], { COORD_LOG_LEVEL: 'chatty' })).key).toBe('COORD_LOG_LEVEL');
  });
});

const sampleCfg = `
# The number of milliseconds of each tick
tickTime=3000
! a bang comment
initLimit=10
syncLimit=5
dataDir=/var/lib/zookeeper
dataLogDir = /var/log/zookeeper
clientPort=2281
clientPortAddress=0.0.0.0
maxClientCnxns=0
4lw.commands.whitelist=ruok, stat ,mntr
extendedTypesEnabled=true
jute.maxbuffer=0x400000
autopurge.snapRetainCount=5
autopurge.purgeInterval=24
snapCount=50000
snapshot.bytesPerSecond=0
forceSync=no
globalOutstandingLimit=2000
DigestAuthenticationProvider.superDigest=super:D/InIHSb7yEEbrWz8b9l71RjZJU=
admin.enableServer=false
admin.serverPort=8081
`;

describe('zoo.cfg', () => {
  it('reads every supported key', () => {
    const { config, warnings } = load([], sampleCfg);
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 2281,
      dataDir: '/var/lib/zookeeper',
      dataLogDir: '/var/log/zookeeper',
      tickTime: 3000,
      minSessionTimeout: 6000,
      maxSessionTimeout: 60000,
      maxClientCnxns: 0,
      fourLetterWhitelist: ['ruok', 'stat', 'mntr'],
      extendedTypesEnabled: true,
      juteMaxBuffer: 0x400000,
      autopurgeSnapRetainCount: 5,
      autopurgePurgeInterval: 24,
      snapCount: 50000,
      snapshotBytesPerSecond: 0,
      forceSync: false,
      globalOutstandingLimit: 2000,
      initLimit: 10,
      syncLimit: 5,
      superDigest: 'super:D/InIHSb7yEEbrWz8b9l71RjZJU=',
      configPath: '/etc/zoo.cfg',
    });
    expect(warnings).toEqual([]); // admin.* keys are accepted silently
  });

  it('accepts the zookeeper. system-property spelling of keys', () => {
    const cfg = 'zookeeper.extendedTypesEnabled=true\nzookeeper.DigestAuthenticationProvider.superDigest=su:abc=\nzookeeper.4lw.commands.whitelist=*';
    const { config, warnings } = load([], cfg);
    expect(config.extendedTypesEnabled).toBe(true);
    expect(config.superDigest).toBe('su:abc=');
    expect(config.fourLetterWhitelist).toEqual(['*']);
    expect(warnings).toEqual([]);
  });

  it('flags override the file', () => {
    const { config } = load(['--port=7000', '--host=127.0.0.2', '--data-dir=/flag', '--tick-time=1000'], sampleCfg);
    expect(config).toMatchObject({ port: 7000, host: '127.0.0.2', dataDir: '/flag', tickTime: 1000 });
    // dataLogDir from the file stays; derived timeouts follow the flag's tickTime.
    expect(config.dataLogDir).toBe('/var/log/zookeeper');
    expect([config.minSessionTimeout, config.maxSessionTimeout]).toEqual([2000, 20000]);
  });

  it('dataLogDir defaults to dataDir', () => {
    expect(load([], 'dataDir=/z').config.dataLogDir).toBe('/z');
  });

  it('warns about unknown and unsupported keys with their line, never fatally', () => {
    const { config, warnings } = load([], 'clientPort=3000\nfoo.bar=1\nstandaloneEnabled=false\n4lw.commands.whitelist=ruok,blah');
    expect(config.port).toBe(3000);
    expect(config.fourLetterWhitelist).toEqual(['ruok']);
    expect(warnings).toEqual([
      '/etc/zoo.cfg:2: unknown key foo.bar is ignored',
      '/etc/zoo.cfg:3: standaloneEnabled is not supported by Coordinode and is ignored',
      '4lw.commands.whitelist: ignoring unknown four-letter word "blah"',
    ]);
  });

  it('a whitelist containing * means all', () => {
    expect(load([], '4lw.commands.whitelist=ruok, *').config.fourLetterWhitelist).toEqual(['*']);
  });

  it('a missing file is a ConfigError naming --config', () => {
    const err = configError(() => loadNodeConfig(['--config=/nope.cfg'], {}, files({})));
    expect(err.key).toBe('--config');
    expect(err.message).toContain('/nope.cfg');
  });

  it.each([
    ['clientPort=abc', 'clientPort', 'abc'],
    ['clientPort=70000', 'clientPort', '70000'],
    ['tickTime=-5', 'tickTime', '-5'],
    ['tickTime=2s', 'tickTime', '2s'],
    ['maxClientCnxns=-1', 'maxClientCnxns', '-1'],
    ['jute.maxbuffer=lots', 'jute.maxbuffer', 'lots'],
    ['extendedTypesEnabled=maybe', 'extendedTypesEnabled', 'maybe'],
    ['forceSync=sometimes', 'forceSync', 'sometimes'],
    ['DigestAuthenticationProvider.superDigest=nocolon', 'DigestAuthenticationProvider.superDigest', 'nocolon'],
    ['clientPortAddress=', 'clientPortAddress', ''],
    ['server.1=host:2888', 'server.1', 'host:2888'],
    ['server.1=host:2888:3888:leader', 'server.1', 'host:2888:3888:leader'],
    ['server.1=host:2888:x', 'server.1', 'host:2888:x'],
    ['server.1=host:2888:3888;port', 'server.1', 'host:2888:3888;port'],
    ['server.x=host:2888:3888', 'server.x', 'host:2888:3888'],
  ])('invalid value %s throws naming the key and value', (line, key, value) => {
    const err = configError(() => load([], `tickTime=2000\n${line}`));
    expect(err.key).toBe(key);
    expect(err.value).toBe(value);
    expect(err.where).toBe('/etc/zoo.cfg:2');
    expect(err.message).toContain(key);
  });

  it('autopurge.snapRetainCount below 3 is raised to 3 with a warning, as ZooKeeper does', () => {
    const { config, warnings } = load([], 'autopurge.snapRetainCount=1');
    expect(config.autopurgeSnapRetainCount).toBe(3);
    expect(warnings).toEqual(['autopurge.snapRetainCount=1 raised to the minimum 3']);
  });
});

describe('session timeouts', () => {
  it('derive from tickTime when absent or -1', () => {
    expect(load([], 'tickTime=1000').config).toMatchObject({ minSessionTimeout: 2000, maxSessionTimeout: 20000 });
    expect(load([], 'tickTime=1000\nminSessionTimeout=-1\nmaxSessionTimeout=-1').config).toMatchObject({ minSessionTimeout: 2000, maxSessionTimeout: 20000 });
  });

  it('explicit bounds win, one at a time', () => {
    expect(load([], 'minSessionTimeout=1000').config).toMatchObject({ minSessionTimeout: 1000, maxSessionTimeout: 40000 });
    expect(load([], 'maxSessionTimeout=90000').config).toMatchObject({ minSessionTimeout: 4000, maxSessionTimeout: 90000 });
  });

  it('min > max is a ConfigError, also when max is derived', () => {
    expect(configError(() => load([], 'minSessionTimeout=5000\nmaxSessionTimeout=4000')).key).toBe('minSessionTimeout');
    const err = configError(() => load(['--tick-time=100'], 'minSessionTimeout=3000'));
    expect(err.message).toContain('maxSessionTimeout (2000)');
  });
});

describe('server.N lines', () => {
  const ensemble = [
    'dataDir=/zk',
    'server.3=zk3.example:2890:3890:observer;2183',
    'server.1=zk1.example:2888:3888',
    'server.2=zk2.example:2889:3889:participant;0.0.0.0:2182',
    'server.4=[::1]:2891:3891;[::1]:2184',
  ].join('\n');

  it('parse into members sorted by id, with roles and client addresses', () => {
    const { config } = load([], ensemble, {}, { '/zk/myid': '2\n' });
    expect(config.members).toEqual([
      { id: 1, host: 'zk1.example', quorumPort: 2888, electionPort: 3888, role: 'participant' },
      { id: 2, host: 'zk2.example', quorumPort: 2889, electionPort: 3889, role: 'participant', clientHost: '0.0.0.0', clientPort: 2182 },
      { id: 3, host: 'zk3.example', quorumPort: 2890, electionPort: 3890, role: 'observer', clientPort: 2183 },
      { id: 4, host: '::1', quorumPort: 2891, electionPort: 3891, role: 'participant', clientHost: '::1', clientPort: 2184 },
    ]);
    expect(config.serverId).toBe(2); // from <dataDir>/myid
  });

  it('without myid the id is 0 with a warning; --server-id beats myid', () => {
    const none = load([], ensemble);
    expect(none.config.serverId).toBe(0);
    expect(none.warnings).toEqual([
      'server.N lines present but no server id (/zk/myid missing and no --server-id); using 0',
      'server id 0 is not among the server.N lines',
    ]);
    expect(load(['--server-id=4'], ensemble, {}, { '/zk/myid': '2' }).config.serverId).toBe(4);
  });

  it('a garbage myid is a ConfigError', () => {
    expect(configError(() => load([], ensemble, {}, { '/zk/myid': 'two' })).key).toBe('myid');
  });

  it('a duplicate id is a ConfigError', () => {
    expect(configError(() => load([], 'server.1=a:1:2\nserver.1=b:1:2')).message).toContain('appears twice');
  });
});
