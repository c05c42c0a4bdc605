import * as http from 'node:http';
import * as net from 'node:net';
import { createClient, type ZkClient } from '@coord/client';
import { digestId } from '@coord/data-tree';
import { startNode, type RunningNode } from '../node';
import { createLogger, type NodeConfig } from '../ops';
import { eventStreamsMax } from './admin-server';
import { primaryCommandNames } from './commands';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fourLetterWord, workspaceRoot } from '@coord/testing';

const quiet = createLogger('test', { sink: () => undefined });
const superUser = 'admin:s3cret-pass';

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    }).on('error', reject);
  });
}

function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Raw bytes to the HTTP port; resolves with whatever comes back before the server closes. */
function rawHttp(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let out = '';
    s.on('data', (c) => (out += c));
    s.on('close', () => resolve(out));
    s.on('error', () => resolve(out));
    s.setTimeout(3000, () => s.destroy());
    s.write(text);
  });
}

describe('AdminServer, console API and metrics on a standalone node', () => {
  let node: RunningNode;
  let zk: ZkClient;
  let base: string;

  beforeAll(async () => {
    const admin: NodeConfig['admin'] = { enabled: true, address: '127.0.0.1', port: 0, commandUrl: '/commands', consoleWriteEnabled: false };
    const metrics: NodeConfig['metrics'] = { enabled: true, host: '127.0.0.1', port: 0, exportProcessInfo: true };
    node = await startNode({ host: '127.0.0.1', port: 0, logger: quiet, admin, metrics, superDigest: digestId(superUser), fourLetterWhitelist: ['*'] });
    base = node.adminUrl!;
    zk = createClient(`127.0.0.1:${node.port}`, { sessionTimeoutMs: 10_000 });
    await zk.connect({ timeoutMs: 5000 });
    await zk.create('/app', Buffer.from('{"name":"demo","n":1}'));
    await zk.create('/app/e', Buffer.from('x'), { mode: 'ephemeral' });
    await zk.getData('/app', { watch: () => undefined }).catch(() => undefined);
  });

  afterAll(async () => {
    await zk?.close();
    await node?.close();
  });

  it('binds to loopback and lists every command as links', async () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const r = await get(`${base}/commands`);
    expect(r.status).toBe(200);
    for (const name of ['monitor', 'ruok', 'server_stats', 'configuration', 'connections', 'dump', 'environment', 'is_read_only', 'last_snapshot', 'leader', 'voting_view', 'watches', 'watches_by_path', 'watch_summary', 'zabstate', 'initial_configuration', 'observer_connection_stat_reset', 'set_trace_mask', 'system_properties']) {
      expect(primaryCommandNames).toContain(name);
      expect(r.body).toContain(`<a href="/commands/${name}">${name}</a>`);
    }
  });

  it('answers commands and their aliases with ZooKeeper\'s keys', async () => {
    const ruok = JSON.parse((await get(`${base}/commands/ruok`)).body);
    expect(ruok).toEqual({ command: 'ruok', error: null });
    const srvr = JSON.parse((await get(`${base}/commands/srvr`)).body);
    expect(srvr.command).toBe('server_stats');
    expect(srvr.server_stats).toMatchObject({ server_state: 'standalone', num_alive_client_connections: expect.any(Number) });
    expect(srvr.node_count).toBeGreaterThanOrEqual(7);
    const conf = JSON.parse((await get(`${base}/commands/conf`)).body);
    expect(conf).toMatchObject({ command: 'configuration', client_port: node.port, tick_time: 2000, server_id: 0 });
    const dump = JSON.parse((await get(`${base}/commands/dump`)).body);
    expect(Object.values(dump.session_id_to_ephemeral_paths)).toEqual([['/app/e']]);
    // Session ids are JSON numbers (Java longs), exactly the session's id.
    expect(Object.keys(dump.session_id_to_ephemeral_paths)[0]).toBe(BigInt.asIntN(64, zk.sessionId).toString());
    const wchs = JSON.parse((await get(`${base}/commands/watch_summary`)).body);
    expect(wchs).toEqual({ command: 'watch_summary', error: null, num_connections: 1, num_paths: 1, num_total_watches: 1 });
    const wchp = JSON.parse((await get(`${base}/commands/watches_by_path`)).body);
    expect(Object.keys(wchp.path_to_session_ids)).toEqual(['/app']);
    const zab = JSON.parse((await get(`${base}/commands/zabstate`)).body);
    expect(zab).toEqual({ command: 'zabstate', error: null, voting: false, zabstate: '' });
    const sysp = JSON.parse((await get(`${base}/commands/sysp`)).body);
    expect(sysp).toMatchObject({ command: 'system_properties', error: null, 'os.name': expect.any(String) });
    expect(JSON.parse((await get(`${base}/commands/stmk`)).body).error).toMatch(/not supported/);
    const lead = JSON.parse((await get(`${base}/commands/leader`)).body);
    expect(lead.error).toBe('server is not initialized');
  });

  it('monitor carries every mntr key, the metric summaries included, as numbers', async () => {
    const monitor = JSON.parse((await get(`${base}/commands/monitor`)).body);
    const text = await fourLetterWord('127.0.0.1', node.port, 'mntr');
    const mntrKeys = text.trim().split('\n').map((l) => l.split('\t')[0].replace(/^zk_/, ''));
    expect(mntrKeys.length).toBeGreaterThan(50);
    for (const k of mntrKeys) expect(monitor).toHaveProperty([k]);
    for (const k of ['znode_count', 'ephemerals_count', 'avg_readlatency', 'cnt_updatelatency', 'avg_fsynctime', 'commit_count']) expect(typeof monitor[k]).toBe('number');
    expect(monitor.cnt_updatelatency).toBeGreaterThanOrEqual(2);
    expect(monitor.commit_count).toBeGreaterThanOrEqual(3);
  });

  it('refuses unknown commands, bad paths and oversized requests with JSON, and keeps serving', async () => {
    const unknown = await get(`${base}/commands/nope`);
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toMatchObject({ command: 'nope', error: 'Unknown command: nope' });
    const badPath = await get(`${base}/api/node?path=${encodeURIComponent('no/slash')}`);
    expect(badPath.status).toBe(400);
    expect(JSON.parse(badPath.body).error).toMatch(/invalid path/);
    const missing = await get(`${base}/api/node?path=/does/not/exist`);
    expect(missing.status).toBe(404);
    const long = await get(`${base}/commands/${'x'.repeat(5000)}`);
    expect(long.status).toBe(414);
    expect(JSON.parse(long.body).error).toMatch(/longer than/);
    const badEscape = await get(`${base}/commands/%E0%A4%A`);
    expect(badEscape.status).toBe(400);
    const garbage = await rawHttp(Number(new URL(base).port), 'BLAH\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400/);
    expect(garbage).toContain('"error"');
    const hugeHeader = await rawHttp(Number(new URL(base).port), `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`);
    expect(hugeHeader).toMatch(/^HTTP\/1\.1 431/);
    const big = await post(`${base}/api/write`, 'x'.repeat(100_000));
    expect([403, 413]).toContain(big.status);
    const del = await new Promise<number>((resolve) => http.request(`${base}/`, { method: 'DELETE' }, (res) => resolve(res.statusCode ?? 0)).end());
    expect(del).toBe(405);
    const rebound = await get(`${base}/commands/ruok`, { Host: 'evil.example:8080' });
    expect(rebound.status).toBe(421);
    expect(JSON.parse(rebound.body).error).toMatch(/loopback/);
    expect((await get(`${base}/commands/ruok`, { Host: 'localhost' })).status).toBe(200);
    expect((await get(`${base}/commands/ruok`)).status).toBe(200);
  });

  it('console writes are refused unless enabled, even with the right credentials', async () => {
    const auth = { Authorization: `Basic ${Buffer.from(superUser).toString('base64')}` };
    const r = await post(`${base}/api/write`, JSON.stringify({ op: 'create', path: '/x' }), auth);
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).error).toMatch(/read-only/);
    const e = await post(`${base}/api/expire`, JSON.stringify({ sessionId: '0x1' }), auth);
    expect(e.status).toBe(403);
    expect(await zk.exists('/x')).toBeNull();
  });

  it('serves the console and its tree, sessions and registry views without secrets', async () => {
    const page = await get(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/text\/html/);
    expect(page.body).toContain('Coordinode console');
    const n = JSON.parse((await get(`${base}/api/node?path=/app`)).body);
    expect(Buffer.from(n.data, 'base64').toString()).toBe('{"name":"demo","n":1}');
    expect(n.children).toEqual(['e']);
    expect(n.acl).toEqual([{ perms: 'cdrwa', scheme: 'world', id: 'anyone' }]);
    const eph = JSON.parse((await get(`${base}/api/node?path=/app/e`)).body);
    expect(eph.stat.ephemeralOwner).toBe(`0x${BigInt.asUintN(64, zk.sessionId).toString(16)}`);
    const sessions = JSON.parse((await get(`${base}/api/sessions`)).body).sessions;
    expect(sessions).toEqual([expect.objectContaining({ ephemerals: ['/app/e'], watches: ['/app'] })]);
    const reg = JSON.parse((await get(`${base}/api/registry?path=/app`)).body);
    expect(reg.instances.map((i: { name: string }) => i.name)).toEqual(['e']);
    // Nothing anywhere carries the super digest, the password or a session password.
    const all = [
      ...(await Promise.all(primaryCommandNames.map((c) => get(`${base}/commands/${c}`)))).map((r) => r.body),
      (await get(`${base}/api/overview`)).body,
      (await get(`${base}/api/sessions`)).body,
    ].join('\n');
    expect(all).not.toContain(digestId(superUser).split(':')[1]);
    expect(all).not.toContain('s3cret-pass');
    expect(all.toLowerCase()).not.toContain('passw');
  });

  it('streams committed changes to an event-stream subscriber', async () => {
    const events: string[] = [];
    const req = http.get(`${base}/api/events`, (res) => res.on('data', (c) => events.push(String(c))));
    await new Promise((r) => setTimeout(r, 200));
    await zk.create('/live', Buffer.from('now'));
    const deadline = Date.now() + 5000;
    while (!events.join('').includes('"path":"/live"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    req.destroy();
    expect(events.join('')).toContain('"type":"create","path":"/live"');
  });

  it('bounds the event streams: the one past the limit gets a JSON 503, the others keep streaming', async () => {
    const open: http.ClientRequest[] = [];
    const statuses: number[] = [];
    for (let i = 0; i < eventStreamsMax; i++) {
      await new Promise<void>((resolve) => {
        const req = http.get(`${base}/api/events`, (res) => {
          statuses.push(res.statusCode ?? 0);
          res.once('data', () => resolve());
        });
        open.push(req);
      });
    }
    const over = await get(`${base}/api/events`);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(over.status).toBe(503);
    expect(JSON.parse(over.body).error).toMatch(/too many event streams/);
    for (const r of open) r.destroy();
    await new Promise((r) => setTimeout(r, 200));
    expect((await get(`${base}/commands/ruok`)).status).toBe(200);
  });

  it('exports Prometheus metrics under ZooKeeper\'s names, per-operation histograms and process metrics', async () => {
    await zk.getData('/app');
    const r = await get(node.metricsUrl!);
    expect(r.status).toBe(200);
    for (const name of ['znode_count', 'watch_count', 'ephemerals_count', 'approximate_data_size', 'num_alive_connections', 'outstanding_requests', 'packets_received', 'packets_sent', 'avg_latency', 'min_latency', 'max_latency', 'quorum_size', 'learners', 'synced_followers', 'fsynctime_count', 'snapshottime_count', 'election_time_count', 'readlatency_sum', 'updatelatency_count']) {
      expect(r.body).toMatch(new RegExp(`^${name} `, 'm'));
    }
    expect(r.body).toMatch(/^ephemerals_count 1$/m);
    expect(r.body).toMatch(/^request_latency_ms_count\{op="getData"\} [1-9]/m);
    expect(r.body).toMatch(/^request_latency_ms_bucket\{op="create2?",le="\+Inf"\} [1-9]/m);
    expect(r.body).toMatch(/^process_cpu_seconds_total /m);
    // The Grafana dashboard in docs/ queries only names this endpoint exports.
    const dashboard = JSON.parse(readFileSync(join(workspaceRoot, 'docs/grafana/coordinode-dashboard.json'), 'utf8'));
    const exprs: string[] = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) => p.targets.map((t) => t.expr));
    const names = new Set(exprs.flatMap((e) => [...e.matchAll(/([a-z_][a-z0-9_]*)\{instance/g)].map((m) => m[1])));
    expect(names.size).toBeGreaterThan(20);
    for (const name of names) expect(r.body).toMatch(new RegExp(`^${name}[ {]`, 'm'));
    const other = await get(node.metricsUrl!.replace('/metrics', '/other'));
    expect(other.status).toBe(404);
  });
});

describe('console writes when enabled', () => {
  let node: RunningNode;
  beforeAll(async () => {
    node = await startNode({
      host: '127.0.0.1', port: 0, logger: quiet, superDigest: digestId(superUser),
      admin: { enabled: true, address: '127.0.0.1', port: 0, commandUrl: '/commands', consoleWriteEnabled: true },
    });
  });
  afterAll(() => node?.close());

  it('needs the super user\'s digest credentials, then writes through the pipeline and can expire a session', async () => {
    const base = node.adminUrl!;
    const none = await post(`${base}/api/write`, JSON.stringify({ op: 'create', path: '/w', data: 'hi' }));
    expect(none.status).toBe(401);
    const wrong = await post(`${base}/api/write`, JSON.stringify({ op: 'create', path: '/w' }), { Authorization: `Basic ${Buffer.from('admin:wrong').toString('base64')}` });
    expect(wrong.status).toBe(401);
    const auth = { Authorization: `Basic ${Buffer.from(superUser).toString('base64')}` };
    const ok = await post(`${base}/api/write`, JSON.stringify({ op: 'create', path: '/w', data: 'hi' }), auth);
    expect(JSON.parse(ok.body)).toEqual({ created: '/w' });
    const n = JSON.parse((await get(`${base}/api/node?path=/w`)).body);
    expect(Buffer.from(n.data, 'base64').toString()).toBe('hi');

    const victim = createClient(`127.0.0.1:${node.port}`, { sessionTimeoutMs: 30_000 });
    await victim.connect({ timeoutMs: 5000 });
    await victim.create('/w/eph', 'x', { mode: 'ephemeral' });
    const sid = `0x${BigInt.asUintN(64, victim.sessionId).toString(16)}`;
    const expired = await post(`${base}/api/expire`, JSON.stringify({ sessionId: sid }), auth);
    expect(JSON.parse(expired.body)).toEqual({ expired: sid });
    const after = JSON.parse((await get(`${base}/api/node?path=/w`)).body);
    expect(after.children).toEqual([]);
    await victim.close().catch(() => undefined);
  });
});

describe('an AdminServer port that is taken', () => {
  it('is reported in one line naming the address and the keys, and the node serves its clients anyway', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    const lines: string[] = [];
    const node = await startNode({
      host: '127.0.0.1', port: 0, logger: createLogger('test', { sink: (l) => lines.push(l) }),
      admin: { enabled: true, address: '127.0.0.1', port, commandUrl: '/commands', consoleWriteEnabled: false },
    });
    try {
      expect(node.adminUrl).toBeNull();
      expect(lines.join('')).toContain(`AdminServer cannot listen on 127.0.0.1:${port}: the port is in use (admin.serverAddress / admin.serverPort)`);
      expect(await fourLetterWord('127.0.0.1', node.port, 'srvr')).toMatch(/Mode: standalone/);
    } finally {
      await node.close();
      blocker.close();
    }
  });
});

describe('initial_configuration', () => {
  it('shows zoo.cfg as read, with digest, password and secret values masked', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'coordinode-icfg-'));
    const cfg = join(dir, 'zoo.cfg');
    writeFileSync(cfg, `tickTime=2000\nDigestAuthenticationProvider.superDigest=${digestId(superUser)}\nssl.keyStore.password=hunter2\nadmin.enableServer=true\n`);
    const node = await startNode({
      host: '127.0.0.1', port: 0, logger: quiet, configPath: cfg,
      admin: { enabled: true, address: '127.0.0.1', port: 0, commandUrl: '/commands', consoleWriteEnabled: false },
    });
    try {
      const icfg = JSON.parse((await get(`${node.adminUrl}/commands/icfg`)).body);
      expect(icfg.command).toBe('initial_configuration');
      expect(icfg.initial_configuration).toContain('tickTime=2000');
      expect(icfg.initial_configuration).toContain('DigestAuthenticationProvider.superDigest=********');
      expect(icfg.initial_configuration).toContain('ssl.keyStore.password=********');
      expect(icfg.initial_configuration).not.toContain('hunter2');
      expect(icfg.initial_configuration).not.toContain(digestId(superUser).split(':')[1]);
    } finally {
      await node.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
