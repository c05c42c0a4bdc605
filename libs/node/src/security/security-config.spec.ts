import { loadNodeConfig } from '../ops';
import { ConfigError } from '../ops/config-error';
import { jvmProperties } from './security-config';

const jaasText = `
/* ZooKeeper's usual file: a server section and a client section */
Server {
    org.apache.zookeeper.server.auth.DigestLoginModule required
    user_super="adminsecret"
    user_bob="bob\\"s secret";   // a quoted quote
};
Client {
    org.apache.zookeeper.server.auth.DigestLoginModule required
    username="bob"
    password="bob's secret";
};
`;

function load(files: Record<string, string>, argv: string[] = ['--config=zoo.cfg'], env: NodeJS.ProcessEnv = {}) {
  return loadNodeConfig(argv, env, (p) => {
    if (!(p in files)) throw new Error(`ENOENT: ${p}`);
    return files[p];
  });
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('security settings', () => {
  it('SERVER_JVMFLAGS -D properties as zkServer.sh passes them (quoted values, zookeeper. prefix dropped)', () => {
    expect(jvmProperties({ JVMFLAGS: '-Xmx1g -Dzookeeper.enforceQuota=true', SERVER_JVMFLAGS: '-Djava.security.auth.login.config="/a b/jaas.conf" -Dzookeeper.allowSaslFailedClients=true' })).toEqual([
      { key: 'enforceQuota', value: 'true', where: 'JVMFLAGS' },
      { key: 'java.security.auth.login.config', value: '/a b/jaas.conf', where: 'SERVER_JVMFLAGS' },
      { key: 'allowSaslFailedClients', value: 'true', where: 'SERVER_JVMFLAGS' },
    ]);
  });

  it('the JAAS file from SERVER_JVMFLAGS, overridden by --jaas-config; zoo.cfg keys win over -D properties', () => {
    const files = { 'zoo.cfg': 'authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider\nallowSaslFailedClients=false\n', 'env.jaas': jaasText, 'flag.jaas': 'Server { org.apache.zookeeper.server.auth.DigestLoginModule required user_carol="c"; };' };
    const env = { SERVER_JVMFLAGS: '-Djava.security.auth.login.config=env.jaas -Dzookeeper.allowSaslFailedClients=true' };
    const fromEnv = load(files, ['--config=zoo.cfg'], env).config.security;
    expect([...fromEnv.sasl!.users.keys()]).toEqual(['super', 'bob']);
    expect(fromEnv.sasl!.allowFailedClients).toBe(false);
    const fromFlag = load(files, ['--config=zoo.cfg', '--jaas-config=flag.jaas'], env).config.security;
    expect([...fromFlag.sasl!.users.keys()]).toEqual(['carol']);
  });

  it('TLS keys: store types from the file name, clientAuth, protocols; JKS and bad values are errors naming the key', () => {
    const ok = load({ 'zoo.cfg': 'secureClientPort=2281\nssl.keyStore.location=/k/server.pem\nssl.trustStore.location=/k/ca.crt\nssl.clientAuth=want\nssl.enabledProtocols=TLSv1.3\n' }).config.security;
    expect(ok).toMatchObject({ secureClientPort: 2281, clientTls: { keyStore: { location: '/k/server.pem', type: 'PEM' }, trustStore: { type: 'PEM' }, clientAuth: 'want', minVersion: 'TLSv1.3' } });
    expect(configError(() => load({ 'zoo.cfg': 'secureClientPort=2281\nssl.keyStore.location=/k/server.jks\n' })).message).toMatch(/JKS stores cannot be read here; convert it to PKCS12/);
    expect(configError(() => load({ 'zoo.cfg': 'ssl.clientAuth=sometimes\n' })).message).toMatch(/Invalid ssl.clientAuth="sometimes" \(zoo.cfg:1\): expected none, want or need/);
    expect(configError(() => load({ 'zoo.cfg': 'secureClientPort=2281\n' })).message).toMatch(/needs ssl.keyStore.location/);
    expect(configError(() => load({ 'zoo.cfg': 'sslQuorum=true\nssl.quorum.keyStore.location=/k/a.pem\n' })).message).toMatch(/needs ssl.quorum.keyStore.location and ssl.quorum.trustStore.location/);
  });

  it('limits and enforcement keys; quorum SASL is accepted with a warning pointing at sslQuorum', () => {
    const { config, warnings } = load({
      'zoo.cfg': 'zookeeper.enforceQuota=true\nsessionMaxWatches=100\nsessionMaxEphemerals=10\nsessionMaxOutstandingRequests=50\nenforce.auth.enabled=true\nenforce.auth.schemes=digest,x509\nquorum.auth.enableSasl=true\n',
    });
    expect(config.security).toMatchObject({ enforceQuota: true, sessionWatchesMax: 100, sessionEphemeralsMax: 10, sessionOutstandingMax: 50, requiredAuthSchemes: ['digest', 'x509'] });
    expect(warnings.some((w) => /quorum SASL is not supported by Coordinode; use sslQuorum=true/.test(w))).toBe(true);
    expect(configError(() => load({ 'zoo.cfg': 'sessionRequireClientSASLAuth=true\n' })).message).toMatch(/sasl is required but no JAAS Server section/);
  });
});
