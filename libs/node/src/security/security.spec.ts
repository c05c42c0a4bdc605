/**
 * Security on a real node in this process: the TLS listener (ssl.clientAuth need/want/none, x509 ids,
 * expired and untrusted certificates, plaintext on the secure port and TLS on the plain one), SASL
 * DIGEST-MD5 through our own client (right and wrong passwords, allowSaslFailedClients,
 * sessionRequireClientSASLAuth, the sasl ACL scheme), enforced quotas and the per-session limits,
 * each refusal counted in the core's stats. Certificates are made by openssl in a temp dir.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { join } from 'node:path';
import { createClient, NoAuthError, tlsStoreOptions, type ClientOptions, type ZkClient } from '@coord/client';
import { answerChallenge, decodeReplyBody, decodeReplyHeader, encodeConnectRequest, encodeRequest, FrameParser } from '@coord/protocol';
import { freePort, issueTestCert, makeTestPki, tempDir } from '@coord/testing';
import { startNode, type RunningNode } from '../node';
import { createLogger, loadNodeConfig } from '../ops';

jest.setTimeout(30_000);

let dir: { path: string; remove(): Promise<void> };
let pki: ReturnType<typeof makeTestPki>;
const nodes: RunningNode[] = [];
const clients: ZkClient[] = [];

beforeAll(async () => {
  dir = await tempDir('coord-security-');
  pki = makeTestPki(dir.path);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

afterAll(() => dir.remove());

/** Starts a node from zoo.cfg keys (and SERVER_JVMFLAGS), the way a user configures it; returns its log lines too. */
async function start(keys: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  const cfgPath = join(dir.path, `zoo-${Math.random().toString(36).slice(2)}.cfg`);
  writeFileSync(cfgPath, Object.entries({ clientPort: '0', ...keys }).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  const { config } = loadNodeConfig([`--config=${cfgPath}`], env, (p) => readFileSync(p, 'utf8'));
  const lines: string[] = [];
  const node = await startNode({ ...config, logger: createLogger('test', { level: 'info', sink: (l) => lines.push(l) }) });
  nodes.push(node);
  return { node, lines, securePort: config.security.secureClientPort ?? 0 };
}

async function tlsNode(clientAuth: string) {
  const securePort = await freePort();
  return start({
    secureClientPort: String(securePort),
    'ssl.keyStore.location': pki.server.keyStore,
    'ssl.keyStore.type': 'PEM',
    'ssl.trustStore.location': pki.ca.trustStore,
    'ssl.trustStore.type': 'PEM',
    'ssl.clientAuth': clientAuth,
  });
}

function client(connectString: string, opts: ClientOptions = {}): ZkClient {
  const c = createClient(connectString, { sessionTimeoutMs: 10_000, connectTimeoutMs: 5_000, ...opts });
  clients.push(c);
  return c;
}

function tlsOptions(keyStore?: string): tls.ConnectionOptions {
  return tlsStoreOptions({ trustStore: { location: pki.ca.trustStore, type: 'PEM' }, ...(keyStore && { keyStore: { location: keyStore, type: 'PEM' } }) }, (p) => readFileSync(p));
}

/** Opens a raw TLS connection and sends a ConnectRequest; resolves with what happened. */
function rawTls(port: number, options: tls.ConnectionOptions): Promise<'session' | 'refused'> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ...options });
    let got = 0;
    socket.on('secureConnect', () => socket.write(encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0, timeOut: 10000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false })));
    socket.on('data', (d) => (got += d.length));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(got > 0 ? 'session' : 'refused'));
    setTimeout(() => socket.destroy(), 1500);
  });
}

const waitFor = async (cond: () => boolean, ms = 3000) => {
  const until = Date.now() + ms;
  while (!cond() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  return cond();
};

describe('TLS on secureClientPort', () => {
  it('clientAuth=need: a client with a trusted certificate gets a session and the x509 id of its subject (RFC 2253)', async () => {
    const { node, securePort } = await tlsNode('need');
    const zk = client(`127.0.0.1:${securePort}`, { tls: tlsOptions(pki.client.keyStore) });
    await zk.connect();
    const subject = 'CN=alice,OU=clients,O=Coordinode tests,C=US';
    expect(await zk.whoAmI()).toContainEqual({ authScheme: 'x509', user: subject });
    // The id is usable in ACLs: only this certificate may read the node.
    await zk.create('/x509-only', 'secret', { acl: [{ perms: 31, id: { scheme: 'x509', id: subject } }] });
    expect(String((await zk.getData('/x509-only')).data)).toBe('secret');
    const plain = client(`127.0.0.1:${node.port}`);
    await plain.connect();
    await expect(plain.getData('/x509-only')).rejects.toBeInstanceOf(NoAuthError);
  });

  it('clientAuth=need refuses a client without a certificate, with an expired one, and with one from an untrusted CA', async () => {
    const { securePort, lines } = await tlsNode('need');
    expect(await rawTls(securePort, tlsOptions())).toBe('refused');
    expect(await rawTls(securePort, tlsOptions(pki.expiredClient.keyStore))).toBe('refused');
    expect(await rawTls(securePort, { ...tlsOptions(), ...{ key: readFileSync(pki.strangerClient.keyPath), cert: readFileSync(pki.strangerClient.certPath) } })).toBe('refused');
    expect(await rawTls(securePort, tlsOptions(pki.client.keyStore))).toBe('session');
    expect(lines.filter((l) => /TLS handshake failed on the secure client port/.test(l))).toHaveLength(3);
  });

  it('clientAuth=want lets a client without a certificate in (no x509 id) but refuses an untrusted one', async () => {
    const { securePort, lines } = await tlsNode('want');
    const zk = client(`127.0.0.1:${securePort}`, { tls: tlsOptions() });
    await zk.connect();
    expect((await zk.whoAmI()).map((i) => i.authScheme)).toEqual(['ip']);
    expect(await rawTls(securePort, { ...tlsOptions(), key: readFileSync(pki.strangerClient.keyPath), cert: readFileSync(pki.strangerClient.certPath) })).toBe('refused');
    expect(lines.some((l) => /untrusted certificate/.test(l))).toBe(true);
  });

  it('clientAuth=none does not ask for a certificate: no x509 id even when the client has one', async () => {
    const { securePort } = await tlsNode('none');
    const zk = client(`127.0.0.1:${securePort}`, { tls: tlsOptions(pki.client.keyStore) });
    await zk.connect();
    expect((await zk.whoAmI()).map((i) => i.authScheme)).toEqual(['ip']);
  });

  it('our client refuses a server whose certificate its trust store does not vouch for', async () => {
    const { securePort } = await tlsNode('none');
    const zk = client(`127.0.0.1:${securePort}`, { tls: { ca: readFileSync(pki.strangerCa.trustStore) }, connectTimeoutMs: 1500 });
    await expect(zk.connect()).rejects.toThrow();
  });

  it('reads a PKCS12 key store and an encrypted PEM key with ssl.keyStore.password', async () => {
    const p12 = join(dir.path, 'server.p12');
    execFileSync('openssl', ['pkcs12', '-export', '-in', pki.server.certPath, '-inkey', pki.server.keyPath, '-out', p12, '-passout', 'pass:storepass']);
    const encrypted = join(dir.path, 'server-encrypted.pem');
    execFileSync('openssl', ['pkey', '-in', pki.server.keyPath, '-aes256', '-passout', 'pass:keypass', '-out', `${encrypted}.key`]);
    writeFileSync(encrypted, Buffer.concat([readFileSync(`${encrypted}.key`), readFileSync(pki.server.certPath)]));
    for (const [location, password] of [[p12, 'storepass'], [encrypted, 'keypass']]) {
      const securePort = await freePort();
      await start({ secureClientPort: String(securePort), 'ssl.keyStore.location': location, 'ssl.keyStore.password': password, 'ssl.trustStore.location': pki.ca.trustStore, 'ssl.clientAuth': 'none' });
      const zk = client(`127.0.0.1:${securePort}`, { tls: tlsOptions() });
      await zk.connect();
      expect(await zk.exists('/zookeeper')).not.toBeNull();
    }
  });

  it('our client refuses a server certificate that names another host (wrong CN), as the Java client verifies host names', async () => {
    const wrong = issueTestCert(pki.ca, dir.path, 'wrong-host', { subject: '/O=Coordinode tests/CN=db.example', san: ['DNS:db.example'] });
    const securePort = await freePort();
    await start({ secureClientPort: String(securePort), 'ssl.keyStore.location': wrong.keyStore, 'ssl.trustStore.location': pki.ca.trustStore, 'ssl.clientAuth': 'none' });
    const zk = client(`127.0.0.1:${securePort}`, { tls: tlsOptions(), connectTimeoutMs: 1500 });
    await expect(zk.connect()).rejects.toThrow();
    const trusting = client(`127.0.0.1:${securePort}`, { tls: { ...tlsOptions(), checkServerIdentity: () => undefined } });
    await trusting.connect();
  });

  it('plaintext on the secure port and TLS on the plain port fail cleanly, with one log line each', async () => {
    const { node, securePort, lines } = await tlsNode('need');
    const plain = net.connect({ host: '127.0.0.1', port: securePort });
    plain.write(encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0, timeOut: 10000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false }));
    await new Promise((r) => plain.on('close', r).on('error', () => undefined));
    expect(await rawTls(node.port, tlsOptions(pki.client.keyStore))).toBe('refused');
    expect(await waitFor(() => lines.filter((l) => /not TLS on the secure client port|TLS handshake on the plaintext client port/.test(l)).length === 2)).toBe(true);
    // The node still serves both ports.
    const zk = client(`127.0.0.1:${node.port}`);
    await zk.connect();
    expect(await zk.exists('/')).not.toBeNull();
  });
});

describe('hostile bytes on the secure port', () => {
  it('random bytes, truncated ClientHellos and aborted handshakes never take the node down', async () => {
    const { node, securePort } = await tlsNode('need');
    let seed = 15;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const hello = await new Promise<Buffer>((resolve) => {
      // A real ClientHello, captured from Node's own TLS client through a throwaway listener.
      const server = net.createServer((s) => s.once('data', (d: Buffer) => { resolve(d); s.destroy(); server.close(); }));
      server.listen(0, '127.0.0.1', () => {
        const c = tls.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port, rejectUnauthorized: false });
        c.on('error', () => undefined);
      });
    });
    for (let i = 0; i < 60; i++) {
      const kind = i % 3;
      const payload =
        kind === 0
          ? Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)))
          : kind === 1
            ? hello.subarray(0, Math.floor(rand() * hello.length))
            : Buffer.concat([hello.subarray(0, 5), Buffer.from(Array.from({ length: 64 }, () => Math.floor(rand() * 256)))]);
      await new Promise<void>((resolve) => {
        const s = net.connect({ host: '127.0.0.1', port: securePort }, () => s.write(payload));
        s.on('error', () => undefined);
        s.on('close', () => resolve());
        setTimeout(() => s.destroy(), 50);
      });
    }
    const zk = client(`127.0.0.1:${securePort}`, { tls: tlsOptions(pki.client.keyStore) });
    await zk.connect();
    expect(await zk.exists('/zookeeper')).not.toBeNull();
    expect(node.core.stats().authFailedCount).toBeGreaterThan(0);
  });
});

describe('SASL DIGEST-MD5', () => {
  const jaas = () => {
    const path = join(dir.path, 'jaas.conf');
    writeFileSync(
      path,
      [
        '// the users SASL clients may log in as',
        'Server {',
        '  org.apache.zookeeper.server.auth.DigestLoginModule required',
        '  user_super="adminsecret"',
        '  user_bob="bobsecret";',
        '};',
      ].join('\n'),
    );
    return path;
  };
  const saslProvider = { 'authProvider.1': 'org.apache.zookeeper.server.auth.SASLAuthenticationProvider' };

  it('the right password (JAAS file from SERVER_JVMFLAGS) gives Id(sasl, bob), usable in ACLs', async () => {
    const { node } = await start(saslProvider, { SERVER_JVMFLAGS: `-Xmx512m -Djava.security.auth.login.config=${jaas()}` });
    const bob = client(node.host + ':' + node.port, { sasl: { username: 'bob', password: 'bobsecret' } });
    await bob.connect();
    expect(await bob.whoAmI()).toContainEqual({ authScheme: 'sasl', user: 'bob' });
    await bob.create('/bobs', 'x', { acl: [{ perms: 31, id: { scheme: 'sasl', id: 'bob' } }] });
    const anon = client(`${node.host}:${node.port}`);
    await anon.connect();
    await expect(anon.getData('/bobs')).rejects.toBeInstanceOf(NoAuthError);
  });

  it('a wrong password fails with AUTHFAILED and the connection is closed; the node counts it', async () => {
    const { node, lines } = await start(saslProvider, { SERVER_JVMFLAGS: `-Djava.security.auth.login.config=${jaas()}` });
    const mallory = client(`${node.host}:${node.port}`, { sasl: { username: 'bob', password: 'guess' } });
    await expect(mallory.connect()).rejects.toThrow(/AUTHFAILED|SASL authentication of bob failed/);
    expect(node.core.stats().authFailedCount).toBe(1);
    expect(lines.some((l) => /failed to SASL authenticate: wrong password for user "bob"/.test(l))).toBe(true);
  });

  it('allowSaslFailedClients keeps a failed client connected (without the sasl id)', async () => {
    const { node } = await start({ ...saslProvider, allowSaslFailedClients: 'true' }, { SERVER_JVMFLAGS: `-Djava.security.auth.login.config=${jaas()}` });
    const raw = await rawSasl(node.port, 'bob', 'guess');
    expect(raw.errors).toEqual([0, 0]);
    expect(raw.closed).toBe(false);
  });

  it('sessionRequireClientSASLAuth: a client that does no SASL gets SESSIONCLOSEDREQUIRESASLAUTH on its first request', async () => {
    const { node } = await start({ ...saslProvider, sessionRequireClientSASLAuth: 'true' }, { SERVER_JVMFLAGS: `-Djava.security.auth.login.config=${jaas()}` });
    const anon = client(`${node.host}:${node.port}`, { connectTimeoutMs: 2000 });
    await anon.connect();
    await expect(anon.exists('/')).rejects.toMatchObject({ code: 'SESSIONCLOSEDREQUIRESASLAUTH' });
    const bob = client(`${node.host}:${node.port}`, { sasl: { username: 'bob', password: 'bobsecret' } });
    await bob.connect();
    expect(await bob.exists('/')).not.toBeNull();
  });

  it('an authProvider naming SASL without a JAAS file is a configuration error naming both ways to give one', async () => {
    await expect(start(saslProvider)).rejects.toThrow(/SERVER_JVMFLAGS="-Djava.security.auth.login.config=FILE" or --jaas-config=FILE/);
  });
});

/** Our own raw DIGEST-MD5 exchange, to see the node's answers without a client's reactions. */
async function rawSasl(port: number, user: string, password: string): Promise<{ errors: number[]; closed: boolean }> {
  const socket = net.connect({ host: '127.0.0.1', port });
  const parser = new FrameParser();
  const frames: Buffer[] = [];
  let closed = false;
  socket.on('data', (c) => frames.push(...parser.push(c)));
  socket.on('close', () => (closed = true));
  socket.write(encodeConnectRequest({ protocolVersion: 0, lastZxidSeen: 0, timeOut: 10000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false }));
  await waitFor(() => frames.length === 1);
  socket.write(encodeRequest(1, { type: 102, body: { token: Buffer.alloc(0) } }));
  await waitFor(() => frames.length === 2);
  const challenge = (decodeReplyBody(frames[1], 102) as { token: Buffer }).token.toString();
  socket.write(encodeRequest(2, { type: 102, body: { token: Buffer.from(answerChallenge(challenge, user, password, 'abc').response) } }));
  await waitFor(() => frames.length === 3);
  await new Promise((r) => setTimeout(r, 200));
  const errors = frames.slice(1).map((f) => decodeReplyHeader(f).err);
  const wasClosed = closed;
  socket.destroy();
  return { errors, closed: wasClosed };
}

describe('per-session limits and enforced quotas', () => {
  it('sessionMaxEphemerals refuses the next ephemeral with QUOTAEXCEEDED; other sessions are not affected', async () => {
    const { node, lines } = await start({ sessionMaxEphemerals: '2' });
    const greedy = client(`${node.host}:${node.port}`);
    await greedy.create('/e1', '', { mode: 'ephemeral' });
    await greedy.create('/e2', '', { mode: 'ephemeral' });
    await expect(greedy.create('/e3', '', { mode: 'ephemeral' })).rejects.toMatchObject({ code: 'QUOTAEXCEEDED' });
    await greedy.create('/persistent', '');
    const other = client(`${node.host}:${node.port}`);
    await other.create('/other-e', '', { mode: 'ephemeral' });
    expect(node.core.stats().limitsRefused).toEqual({ quota: 0, ephemerals: 1, watches: 0, outstanding: 0 });
    expect(lines.some((l) => /already owns 2 ephemerals \(at most 2\): refusing \/e3/.test(l))).toBe(true);
  });

  it('refusals appear in the Prometheus endpoint as limits_refused_count{limit}', async () => {
    const { node } = await start({
      sessionMaxEphemerals: '1',
      'metricsProvider.className': 'org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider',
      'metricsProvider.httpPort': '0',
    });
    const zk = client(`${node.host}:${node.port}`);
    await zk.create('/only', '', { mode: 'ephemeral' });
    await expect(zk.create('/second', '', { mode: 'ephemeral' })).rejects.toMatchObject({ code: 'QUOTAEXCEEDED' });
    const text = await (await fetch(node.metricsUrl!)).text();
    expect(text).toContain('limits_refused_count{limit="ephemerals"} 1');
    expect(text).toContain('limits_refused_count{limit="quota"} 0');
  });

  it('sessionMaxWatches refuses a read that would add one watch too many; reads without a watch still work', async () => {
    const { node, lines } = await start({ sessionMaxWatches: '2' });
    const zk = client(`${node.host}:${node.port}`);
    await zk.connect();
    await zk.getData('/zookeeper', { watch: () => undefined });
    await zk.exists('/nothing', { watch: () => undefined });
    await expect(zk.getChildren('/', { watch: () => undefined })).rejects.toMatchObject({ code: 'QUOTAEXCEEDED' });
    expect((await zk.getChildren('/')).children).toContain('zookeeper');
    expect(node.core.stats().limitsRefused.watches).toBe(1);
    expect(lines.some((l) => /holds 2 watches \(at most 2\)/.test(l))).toBe(true);
  });

  it('sessionMaxOutstandingRequests answers requests past the limit with THROTTLEDOP, in order', async () => {
    const { node } = await start({ sessionMaxOutstandingRequests: '4' });
    const zk = client(`${node.host}:${node.port}`);
    await zk.connect();
    // 40 pipelined writes: the node holds at most 4 of this session's requests at once.
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => zk.create(`/w${i}`, 'x')));
    const throttled = results.filter((r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'THROTTLEDOP').length;
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    expect(ok + throttled).toBe(40);
    expect(ok).toBeGreaterThanOrEqual(4);
    expect(throttled).toBeGreaterThan(0);
    expect(node.core.stats().limitsRefused.outstanding).toBe(throttled);
    expect(await zk.exists('/w0')).not.toBeNull();
  });

  it('enforceQuota: a hard count limit refuses creates below the quota path; without enforceQuota it only counts', async () => {
    for (const enforce of [true, false]) {
      const { node } = await start({ enforceQuota: String(enforce) });
      const zk = client(`${node.host}:${node.port}`);
      await zk.create('/q', '');
      await zk.create('/zookeeper/quota/q', '');
      await zk.create('/zookeeper/quota/q/zookeeper_limits', 'count=-1,bytes=-1=;countHardLimit=2;byteHardLimit=-1');
      await zk.create('/zookeeper/quota/q/zookeeper_stats', 'count=0,bytes=0');
      await zk.create('/q/a', '');
      const third = zk.create('/q/b', '');
      if (enforce) await expect(third).rejects.toMatchObject({ code: 'QUOTAEXCEEDED' });
      else await third;
      expect(node.core.stats().limitsRefused.quota).toBe(enforce ? 1 : 0);
      await zk.close();
    }
  });
});
