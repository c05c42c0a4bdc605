/**
 * SASL DIGEST-MD5 against Apache ZooKeeper (the reference, started with a JAAS file) and our node
 * (the same JAAS file named the zkServer.sh way, SERVER_JVMFLAGS="-Djava.security.auth.login.config=FILE"):
 * Apache's zkCli.sh with a JAAS Client section, kazoo's sasl_options and our own client, each with the
 * right and a wrong password. Both servers must answer every client the same way.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, type ZkClient } from '@coord/client';
import { spawnCoordinode, startApacheZooKeeper, tempDir, workspaceRoot, type RunningServer } from '@coord/testing';
import { sharedConfig } from './servers';
import { normalizeZkCliOutput, runApacheZkCli, runOurZkCli } from './zkcli';

const python = process.env['COORD_PYTHON'] ?? '/usr/bin/python3';
const kazooSecurity = join(__dirname, '..', 'kazoo', 'security.py');
const saslProvider = { 'authProvider.1': 'org.apache.zookeeper.server.auth.SASLAuthenticationProvider' };
const targets = ['apache', 'coordinode'] as const;

let dir: { path: string; remove(): Promise<void> };
const servers: Partial<Record<(typeof targets)[number], RunningServer>> = {};
const jaas = { server: '', good: '', bad: '' };

function clientSection(user: string, password: string): string {
  return `Client {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n  username="${user}"\n  password="${password}";\n};\n`;
}

beforeAll(async () => {
  dir = await tempDir('coord-sasl-');
  jaas.server = join(dir.path, 'server.jaas');
  jaas.good = join(dir.path, 'good.jaas');
  jaas.bad = join(dir.path, 'bad.jaas');
  writeFileSync(jaas.server, 'Server {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n  user_super="adminsecret"\n  user_bob="bobsecret";\n};\n');
  writeFileSync(jaas.good, clientSection('bob', 'bobsecret'));
  writeFileSync(jaas.bad, clientSection('bob', 'not-the-password'));
  servers.apache = await startApacheZooKeeper({ ...sharedConfig, ...saslProvider }, [`-Djava.security.auth.login.config=${jaas.server}`]);
  servers.coordinode = await spawnCoordinode({ config: { ...sharedConfig, ...saslProvider }, env: { SERVER_JVMFLAGS: `-Xmx256m -Djava.security.auth.login.config=${jaas.server}` } });
}, 90_000);

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s?.stop()));
  await dir?.remove();
});

async function zkCliLines(kind: (typeof targets)[number], clientJaas: string, commands: string[], shell = runApacheZkCli): Promise<string[]> {
  const server = servers[kind]!;
  const run = await shell(server.connectString, [...commands, 'quit'], [], { CLIENT_JVMFLAGS: `-Djava.security.auth.login.config=${clientJaas}` });
  const { lines, events } = normalizeZkCliOutput(run.stdout, server.connectString);
  return [...lines, '-- events --', ...events];
}

function kazoo(connectString: string, user: string, password: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(python, [kazooSecurity, connectString, 'sasl', user, password], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`kazoo failed against ${connectString}: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

describe('zkCli.sh with a JAAS Client section', () => {
  it('the right password: SaslAuthenticated, whoami shows sasl: bob, and a sasl:bob ACL lets bob in (same output on both)', async () => {
    const commands = ['whoami', 'create /zkcli-sasl data sasl:bob:cdrwa', 'getAcl /zkcli-sasl', 'get /zkcli-sasl'];
    const [apache, ours] = await Promise.all(targets.map((k) => zkCliLines(k, jaas.good, commands)));
    expect(apache).toContain('sasl: bob');
    expect(apache).toContain('WatchedEvent state:SaslAuthenticated type:None path:null');
    expect(apache).toContain('data');
    expect(ours).toEqual(apache);
  }, 120_000);

  it('a wrong password: AuthFailed and "Not connected" (same output on both)', async () => {
    const [apache, ours] = await Promise.all(targets.map((k) => zkCliLines(k, jaas.bad, ['whoami', 'ls /'])));
    expect(apache).toContain('WatchedEvent state:AuthFailed type:None path:null');
    expect(apache).toContain('Not connected');
    expect(ours).toEqual(apache);
  }, 120_000);
});

describe('our zk-cli with CLIENT_JVMFLAGS naming the JAAS file (as zkCli.sh)', () => {
  const zkcli = (connectString: string, clientJaas: string, args: string[]) =>
    new Promise<{ stdout: string; stderr: string; code: number }>((resolve) => {
      execFile(process.execPath, [join(workspaceRoot, 'bin/zkcli.js'), '-server', connectString, ...args], {
        timeout: 60_000,
        env: { ...process.env, CLIENT_JVMFLAGS: `-Djava.security.auth.login.config=${clientJaas}` },
      }, (err, stdout, stderr) => resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 }));
    });

  it.each(targets)('the right password authenticates as bob (%s)', async (kind) => {
    const run = await zkcli(servers[kind]!.connectString, jaas.good, ['whoami']);
    expect(run.stdout).toContain('sasl: bob');
    expect(run.code).toBe(0);
  }, 120_000);

  it.each(targets)('the right password: its output and session events (SyncConnected, SaslAuthenticated) match zkCli.sh against Apache (%s)', async (kind) => {
    const commands = ['whoami', 'ls /'];
    const [apache, ours] = await Promise.all([zkCliLines('apache', jaas.good, commands), zkCliLines(kind, jaas.good, commands, runOurZkCli)]);
    expect(apache).toContain('WatchedEvent state:SaslAuthenticated type:None path:null');
    expect(ours).toEqual(apache);
  }, 120_000);

  // The Java client reports SyncConnected before SASL finishes (and whoami prints its header before
  // failing); ours connects only once SASL has answered, so only the outcome is compared here.
  it.each(targets)('a wrong password: the AuthFailed event, as zkCli.sh prints it, and "Not connected" (%s)', async (kind) => {
    const commands = ['ls /'];
    const [apache, ours] = await Promise.all([zkCliLines('apache', jaas.bad, commands), zkCliLines(kind, jaas.bad, commands, runOurZkCli)]);
    const authFailed = 'WatchedEvent state:AuthFailed type:None path:null';
    expect(apache).toContain(authFailed);
    expect(ours).toContain(authFailed);
    expect(ours).toContain('Not connected');
    expect(ours.filter((l) => l.includes('SaslAuthenticated'))).toEqual([]);
  }, 120_000);

  it.each(targets)('a wrong password is refused: no whoami output, a failing exit code (%s)', async (kind) => {
    const run = await zkcli(servers[kind]!.connectString, jaas.bad, ['whoami']);
    expect(run.stdout).not.toContain('sasl: bob');
    expect(run.code).not.toBe(0);
  }, 120_000);
});

describe("kazoo's sasl_options", () => {
  it.each([
    ['the right password', 'bobsecret', 'get own node -> only bob'],
    ['a wrong password', 'wrong', 'error -> AuthFailedError'],
  ])('%s: the same lines on both', async (_what, password, expected) => {
    const [apache, ours] = await Promise.all(targets.map((k) => kazoo(servers[k]!.connectString, 'bob', password)));
    expect(apache).toContain(expected);
    expect(ours).toBe(apache);
  }, 120_000);
});

describe('our client with sasl options, against both servers', () => {
  const clients: ZkClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  });

  it.each(targets)('the right password authenticates as bob (%s)', async (kind) => {
    const zk = createClient(servers[kind]!.connectString, { sasl: { username: 'bob', password: 'bobsecret' }, connectTimeoutMs: 10_000 });
    clients.push(zk);
    await zk.connect();
    expect(await zk.whoAmI()).toContainEqual({ authScheme: 'sasl', user: 'bob' });
    const path = `/client-sasl-${kind}`;
    await zk.create(path, 'mine', { acl: [{ perms: 31, id: { scheme: 'sasl', id: 'bob' } }] });
    expect(String((await zk.getData(path)).data)).toBe('mine');
  });

  it.each(targets)('a wrong password fails with AUTHFAILED (%s)', async (kind) => {
    const zk = createClient(servers[kind]!.connectString, { sasl: { username: 'bob', password: 'guess' }, connectTimeoutMs: 10_000 });
    clients.push(zk);
    await expect(zk.connect()).rejects.toMatchObject({ code: 'AUTHFAILED' });
  });
});
