import { ConfigError, loadNodeConfig } from '../ops';

function load(cfg: string | undefined, env: NodeJS.ProcessEnv = {}) {
  const argv = cfg === undefined ? [] : ['--config=/etc/zoo.cfg'];
  return loadNodeConfig(argv, env, (p) => {
    if (p !== '/etc/zoo.cfg' || cfg === undefined) throw new Error(`ENOENT ${p}`);
    return cfg;
  });
}

function error(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('admin.* and metricsProvider.* keys', () => {
  it('are off by default, loopback, 8080 /commands and 7000, as ZooKeeper (but never 0.0.0.0)', () => {
    const { config, warnings } = load(undefined);
    expect(config.admin).toEqual({ enabled: false, address: '127.0.0.1', port: 8080, commandUrl: '/commands', consoleWriteEnabled: false });
    expect(config.metrics).toEqual({ enabled: false, host: '127.0.0.1', port: 7000, exportProcessInfo: true });
    expect(warnings).toEqual([]);
  });

  it('reads ZooKeeper\'s keys (with or without the zookeeper. prefix) without warnings', () => {
    const { config, warnings } = load(
      [
        'zookeeper.admin.enableServer=true', 'admin.serverAddress=::1', 'admin.serverPort=9090', 'admin.commandURL=/ops/commands',
        'admin.idleTimeout=30000', 'admin.consoleWriteEnabled=true',
        'metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider',
        'metricsProvider.httpPort=7001', 'metricsProvider.httpHost=127.0.0.2', 'metricsProvider.exportJvmInfo=false',
      ].join('\n'),
    );
    expect(config.admin).toEqual({ enabled: true, address: '::1', port: 9090, commandUrl: '/ops/commands', consoleWriteEnabled: true });
    expect(config.metrics).toEqual({ enabled: true, host: '127.0.0.2', port: 7001, exportProcessInfo: false });
    expect(warnings).toEqual(['zoo.cfg:5: admin.idleTimeout is not supported by Coordinode and is ignored'.replace('zoo.cfg', '/etc/zoo.cfg')]);
  });

  it('refuses unusable values naming the key', () => {
    expect(error(() => load('admin.serverPort=70000')).message).toMatch(/admin\.serverPort.*70000/);
    expect(error(() => load('admin.enableServer=maybe')).message).toMatch(/admin\.enableServer/);
    expect(error(() => load('admin.commandURL=commands')).message).toMatch(/URL path/);
    expect(error(() => load('admin.serverAddress=a b')).message).toMatch(/host name/);
    expect(error(() => load('metricsProvider.className=com.example.Other')).message).toMatch(/PrometheusMetricsProvider/);
  });

  it('COORD_ADMIN_PORT (what coord-node:serve sets) turns the console on, unless zoo.cfg turns it off', () => {
    expect(load(undefined, { COORD_ADMIN_PORT: '8081' }).config.admin).toMatchObject({ enabled: true, port: 8081, address: '127.0.0.1' });
    expect(load('admin.enableServer=false', { COORD_ADMIN_PORT: '8081' }).config.admin.enabled).toBe(false);
    expect(error(() => load(undefined, { COORD_ADMIN_PORT: 'x' })).message).toMatch(/COORD_ADMIN_PORT/);
  });
});
