/**
 * The seed's "servers going online and offline" case with real processes: a node, the client and two
 * servers; one server leaves with SIGTERM (deregisters at once), the other is killed with -9 (its node
 * goes when the session expires). The client prints the new list each time.
 */
import { startTestNode } from '@coord/node/testing';
import { spawnApp, type AppProcess } from './spawn-app';

jest.setTimeout(90_000);

/** The servers' session timeout: the node clamps it to [2, 20] ticks of 250 ms. */
const sessionTimeoutMs = 1_000;
const startMs = 45_000;
const expiryMarginMs = 2_500;

describe('distribute-client and distribute-server (real processes)', () => {
  let node: { connectString: string; close(): Promise<void> };
  const procs: AppProcess[] = [];

  beforeAll(async () => {
    node = await startTestNode();
  });
  afterAll(async () => {
    for (const p of procs) await p.stop('SIGKILL');
    await node.close();
  });

  it('prints the online list on every change, serves it over HTTP and forwards requests', async () => {
    const client = spawnApp('client', 'distribute-client', ['--connect', node.connectString, '--http-port=0']);
    procs.push(client);
    const s1 = spawnApp('hadoop102', 'distribute-server', ['hadoop102', `--connect=${node.connectString}`, `--session-timeout=${sessionTimeoutMs}`]);
    const s2 = spawnApp('hadoop103', 'distribute-server', ['hadoop103', `--session-timeout=${sessionTimeoutMs}`], {
      env: { COORD_CONNECT: node.connectString },
    });
    procs.push(s1, s2);
    const [, url] = await client.waitFor(/HTTP on (http:\/\/127\.0\.0\.1:\d+)/, startMs);
    await s1.waitFor(/hadoop102 is online at 127\.0\.0\.1:\d+ \(\/servers\/server\d{10}, pid \d+\)/, startMs);
    await s2.waitFor(/hadoop103 is online at 127\.0\.0\.1:\d+/, startMs);
    await client.waitFor(/online servers: \[(hadoop102, hadoop103|hadoop103, hadoop102)\]/, 10_000);
    await client.waitFor(/\d\d:\d\d:\d\d\.\d{3} hadoop102 came online at 127\.0\.0\.1:\d+ \(\/servers\/server\d{10}\)/, 1_000);

    // The index page lists the endpoints (it was a 404).
    const index = await fetch(`${url}/`);
    expect(index.status).toBe(200);
    const page = await index.text();
    expect(page).toContain('2 server(s) online');
    for (const path of ['GET /servers', 'GET /hello?message=hi', 'GET /work?ms=2000', 'GET /health']) expect(page).toContain(path);

    const list = (await (await fetch(`${url}/servers`)).json()) as { servers: { name: string; endpoint: string }[] };
    expect(list.servers.map((s) => s.name).sort()).toEqual(['hadoop102', 'hadoop103']);
    for (const s of list.servers) expect(s.endpoint).toMatch(/^127\.0\.0\.1:\d+$/);

    // Round robin: two requests reach both servers.
    const answered = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${url}/hello?message=hi`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { result: { server: string; reply: string } };
      expect(body.result.reply).toBe(`hello from ${body.result.server}: hi`);
      answered.add(body.result.server);
    }
    expect([...answered].sort()).toEqual(['hadoop102', 'hadoop103']);

    // SIGTERM: deregisters before exiting, so the list changes right away.
    let mark = client.output().length;
    expect(await s1.stop('SIGTERM')).toBe(0);
    expect(s1.output()).toContain('hadoop102 is going offline (SIGTERM)');
    await client.waitFor(/online servers: \[hadoop103\]/, 5_000, mark);
    expect(client.output().slice(mark)).toMatch(/\d\d:\d\d:\d\d\.\d{3} hadoop102 went offline \(\/servers\/server\d{10}\), deregistered: /);

    // kill -9: nothing deregisters; the node drops the ephemeral node when the session expires.
    mark = client.output().length;
    const killedAt = Date.now();
    await s2.stop('SIGKILL');
    await client.waitFor(/online servers: \[\]/, sessionTimeoutMs * 4, mark);
    expect(client.output().slice(mark)).toMatch(/hadoop103 went offline \(\/servers\/server\d{10}\), session ended: its node went without a goodbye/);
    expect(client.output()).not.toMatch(/hadoop103 went offline.*deregistered/);
    // Within the session timeout, plus the node's expiry tick and the watch's trip to the client.
    expect(Date.now() - killedAt).toBeLessThan(sessionTimeoutMs + expiryMarginMs);

    const none = await fetch(`${url}/hello`);
    expect(none.status).toBe(503);
    expect(((await none.json()) as { message: string }).message).toBe('no server is online');
    expect(await client.stop('SIGTERM')).toBe(0);
  });

  it('a busy HTTP port is reported with the flag that changes it', async () => {
    const first = spawnApp('first', 'distribute-client', ['--connect', node.connectString, '--http-port=0']);
    procs.push(first);
    const [, port] = await first.waitFor(/HTTP on http:\/\/127\.0\.0\.1:(\d+)/, startMs);
    const second = spawnApp('second', 'distribute-client', ['--connect', node.connectString, `--http-port=${port}`]);
    procs.push(second);
    await second.waitFor(new RegExp(`HTTP port ${port} on 127\\.0\\.0\\.1 is already in use .*--http-port=N`), startMs);
    await first.stop('SIGTERM');
  });

  it('reports an unreachable coordination service once, with the address and the command to start one', async () => {
    const server = spawnApp('lonely', 'distribute-server', ['lonely', '--connect=127.0.0.1:1']);
    procs.push(server);
    await server.waitFor(/cannot reach the coordination service at 127\.0\.0\.1:1; still retrying/, startMs);
    await new Promise((r) => setTimeout(r, 3_000));
    const out = server.output();
    expect(out.match(/cannot reach/g)).toHaveLength(1);
    expect(out).toContain('npx nx run coord-node:serve');
    expect(out).not.toMatch(/\n\s+at /); // no stack trace
    expect(server.child.exitCode).toBeNull(); // still retrying
    await server.stop('SIGTERM');
  });
});
