/** The JAAS file parser the node (Server section) and the clients (Client section) share. */
import { digestCredentials, digestUsers, JaasError, jvmProperties, parseJaas } from './jaas';

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

describe('JAAS files', () => {
  it('reads sections, login modules, flags and quoted or bare options, with comments', () => {
    const config = parseJaas(jaasText, 'jaas.conf');
    expect([...config.keys()]).toEqual(['Server', 'Client']);
    expect(digestUsers(config, 'Server', 'jaas.conf')).toEqual(new Map([['super', 'adminsecret'], ['bob', 'bob"s secret']]));
    expect(digestCredentials(config, 'Client', 'jaas.conf')).toEqual({ username: 'bob', password: "bob's secret" });
  });

  it.each([
    ['a missing semicolon', 'Server { org.x.Module required a="b" }', /expected ';'/],
    ['an unknown control flag', 'Server { org.x.Module mandatory; };', /expected required, requisite, sufficient or optional/],
    ['an unterminated string', 'Server { org.x.Module required a="b; };', /unterminated string/],
    ['a section twice', 'A { m required; }; A { m required; };', /section A appears twice/],
  ])('names the file and line for %s', (_what, text, message) => {
    let e: Error | undefined;
    try {
      parseJaas(text, '/etc/jaas.conf');
    } catch (err) {
      e = err as Error;
    }
    expect(e?.message).toMatch(message);
    expect(e?.message).toContain('/etc/jaas.conf');
  });

  it('a Server section without DigestLoginModule users is an error naming what is missing', () => {
    const config = parseJaas('Server { com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true; };', 'k.conf');
    expect(() => digestUsers(config, 'Server', 'k.conf')).toThrow(/no org.apache.zookeeper.server.auth.DigestLoginModule entry with user_NAME/);
  });
});

describe('JVM flags', () => {
  it('reads -D properties of the named variables in order, quoted values whole, zookeeper. dropped', () => {
    expect(jvmProperties({ JVMFLAGS: '-Xmx1g -Dzookeeper.sasl.client=false', CLIENT_JVMFLAGS: '-Djava.security.auth.login.config="/a b/c.jaas"' }, ['JVMFLAGS', 'CLIENT_JVMFLAGS'])).toEqual([
      { key: 'sasl.client', value: 'false', where: 'JVMFLAGS' },
      { key: 'java.security.auth.login.config', value: '/a b/c.jaas', where: 'CLIENT_JVMFLAGS' },
    ]);
  });

  it('errors are JaasErrors', () => {
    expect(() => parseJaas('Server {', 'x.conf')).toThrow(JaasError);
  });
});
