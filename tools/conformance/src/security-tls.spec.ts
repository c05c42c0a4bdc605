/**
 * TLS on the secure client port against Apache ZooKeeper (the reference: NettyServerCnxnFactory,
 * secureClientPort, PEM stores, ssl.clientAuth=need) and our node with the same zoo.cfg keys:
 * Apache's zkCli.sh and our zk-cli with a -client-configuration file, kazoo's use_ssl and our client.
 * A trusted client certificate gets a session and the x509 id of its subject; a missing or expired
 * one gets no session, on both servers alike. Certificates are made by openssl at test time.
 *
 * Debian's zookeeper.jar names only part of Netty on its class path; the TLS handler also needs
 * netty-codec, netty-resolver and netty-transport-native-unix-common, so both Apache's server and
 * zkCli.sh run with those added (CLIENT_JVMFLAGS for zkCli.sh, as a user of that package would).
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, tlsStoreOptions, type ZkClient } from '@coord/client';
import {
  apacheZooKeeperConfDir,
  apacheZooKeeperJar,
  freePort,
  makeTestPki,
  spawnCoordinode,
  startApacheZooKeeper,
  tempDir,
  workspaceRoot,
  type RunningServer,
} from '@coord/testing';
import { sharedConfig } from './servers';
import { normalizeZkCliOutput, runApacheZkCli } from './zkcli';

const python = process.env['COORD_PYTHON'] ?? '/usr/bin/python3';
const kazooSecurity = join(__dirname, '..', 'kazoo', 'security.py');
const nettyExtra = ['netty-codec', 'netty-resolver', 'netty-transport-native-unix-common'].map((j) => `/usr/share/java/${j}.jar`);
const javaClassPath = [apacheZooKeeperConfDir, apacheZooKeeperJar, ...nettyExtra].join(':');
const targets = ['apache', 'coordinode'] as const;
type Target = (typeof targets)[number];

let dir: { path: string; remove(): Promise<void> };
let pki: ReturnType<typeof makeTestPki>;
const servers: Partial<Record<Target, RunningServer & { secure: string }>> = {};
const clientConfig = { good: '', expired: '', none: '' };

function writeClientConfig(name: string, keyStore?: string): string {
  const path = join(dir.path, `${name}.properties`);
  const lines = [
    'zookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty',
    'zookeeper.client.secure=true',
    ...(keyStore ? [`zookeeper.ssl.keyStore.location=${keyStore}`, 'zookeeper.ssl.keyStore.type=PEM'] : []),
    `zookeeper.ssl.trustStore.location=${pki.ca.trustStore}`,
    'zookeeper.ssl.trustStore.type=PEM',
  ];
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

beforeAll(async () => {
  dir = await tempDir('coord-tls-');
  pki = makeTestPki(dir.path);
  clientConfig.good = writeClientConfig('good', pki.client.keyStore);
  clientConfig.expired = writeClientConfig('expired', pki.expiredClient.keyStore);
  clientConfig.none = writeClientConfig('none');
  const tlsKeys = (securePort: number) => ({
    secureClientPort: String(securePort),
    secureClientPortAddress: '127.0.0.1',
    serverCnxnFactory: 'org.apache.zookeeper.server.NettyServerCnxnFactory',
    'ssl.keyStore.location': pki.server.keyStore,
    'ssl.keyStore.type': 'PEM',
    'ssl.trustStore.location': pki.ca.trustStore,
    'ssl.trustStore.type': 'PEM',
    'ssl.clientAuth': 'need',
  });
  const apacheSecure = await freePort();
  const apache = await startApacheZooKeeper({ ...sharedConfig, ...tlsKeys(apacheSecure) }, ['-cp', javaClassPath]);
  servers.apache = { ...apache, secure: `127.0.0.1:${apacheSecure}` };
  const oursSecure = await freePort();
  const ours = await spawnCoordinode({ config: { ...sharedConfig, ...tlsKeys(oursSecure) } });
  servers.coordinode = { ...ours, secure: `127.0.0.1:${oursSecure}` };
}, 90_000);

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s?.stop()));
  await dir?.remove();
});

async function zkCliLines(kind: Target, config: string, commands: string[]): Promise<string[]> {
  const secure = servers[kind]!.secure;
  const run = await runApacheZkCli(secure, [...commands, 'quit'], ['-client-configuration', config], { CLIENT_JVMFLAGS: `-cp ${javaClassPath}` });
  const { lines, events } = normalizeZkCliOutput(run.stdout, secure);
  return [...lines, '-- events --', ...events];
}

function runFile(file: string, args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 60_000, cwd: workspaceRoot }, (err, stdout, stderr) => {
      resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 });
    });
  });
}

describe('zkCli.sh -client-configuration (TLS, ssl.clientAuth=need)', () => {
  it('a trusted client certificate: a session, x509 id of its subject, reads and writes (same output on both)', async () => {
    const commands = ['whoami', 'create /tls-node "over tls"', 'get /tls-node'];
    const [apache, ours] = await Promise.all(targets.map((k) => zkCliLines(k, clientConfig.good, commands)));
    expect(apache).toContain('x509: CN=alice,OU=clients,O=Coordinode tests,C=US');
    expect(apache).toContain('over tls');
    expect(ours).toEqual(apache);
  }, 120_000);

  it.each([
    ['an expired client certificate', 'expired'],
    ['no client certificate', 'none'],
  ] as const)('%s: no session (same output on both)', async (_what, config) => {
    const [apache, ours] = await Promise.all(targets.map((k) => zkCliLines(k, clientConfig[config], ['ls /'])));
    expect(apache).not.toContain('[zookeeper]');
    expect(ours).toEqual(apache);
  }, 120_000);
});

describe('our zk-cli -client-configuration', () => {
  it.each(targets)('connects with TLS and the client certificate (%s)', async (kind) => {
    const run = await runFile(process.execPath, [join(workspaceRoot, 'bin/zkcli.js'), '-server', servers[kind]!.secure, '-client-configuration', clientConfig.good, 'whoami']);
    expect(run.stdout).toContain('x509: CN=alice,OU=clients,O=Coordinode tests,C=US');
    expect(run.code).toBe(0);
  }, 120_000);

  it('a configuration naming a missing key store is a usage error naming the file', async () => {
    const broken = join(dir.path, 'broken.properties');
    writeFileSync(broken, 'zookeeper.client.secure=true\nzookeeper.ssl.keyStore.location=/nonexistent/key.pem\n');
    const run = await runFile(process.execPath, [join(workspaceRoot, 'bin/zkcli.js'), '-server', servers.coordinode!.secure, '-client-configuration', broken, 'ls', '/']);
    expect(run.stderr).toMatch(/cannot read the key store \/nonexistent\/key\.pem/);
    expect(run.code).toBe(3);
  }, 120_000);
});

describe("kazoo's use_ssl", () => {
  const kazoo = (secure: string, args: string[]) =>
    new Promise<string>((resolve, reject) => {
      execFile(python, [kazooSecurity, secure, 'ssl', ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`kazoo failed against ${secure}: ${err.message}\n${stderr}`));
        else resolve(stdout);
      });
    });

  it.each([
    ['with a client certificate', () => [pki.ca.trustStore, pki.client.certPath, pki.client.keyPath], 'get -> over tls'],
    ['without one (clientAuth=need)', () => [pki.ca.trustStore], 'start -> KazooTimeoutError'],
  ] as const)('%s: the same lines on both', async (_what, args, expected) => {
    const [apache, ours] = await Promise.all(targets.map((k) => kazoo(servers[k]!.secure, [...args()])));
    expect(apache).toContain(expected);
    expect(ours).toBe(apache);
  }, 120_000);
});

describe('our client with tls options, against both servers', () => {
  const clients: ZkClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  });

  it.each(targets)('a trusted certificate gets the x509 id (%s)', async (kind) => {
    const tls = tlsStoreOptions({ keyStore: { location: pki.client.keyStore, type: 'PEM' }, trustStore: { location: pki.ca.trustStore, type: 'PEM' } }, (p) => readFileSync(p));
    const zk = createClient(servers[kind]!.secure, { tls, connectTimeoutMs: 10_000 });
    clients.push(zk);
    await zk.connect();
    expect(await zk.whoAmI()).toContainEqual({ authScheme: 'x509', user: 'CN=alice,OU=clients,O=Coordinode tests,C=US' });
  });
});
