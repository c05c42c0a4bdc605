/**
 * The HTTP API in-process with supertest: the list, round robin, and failover when the server handling
 * a request goes offline in the middle of it.
 */
import request from 'supertest';
import { createClient } from '@coord/client';
import { startServer, type RunningDemoServer } from '@coord/demo';
import { PlainLogger } from '@coord/nest';
import { eventually, startTestNode } from '@coord/node/testing';
import { startClient, type RunningClient } from './client';

jest.setTimeout(30_000);

const quiet = new PlainLogger(() => undefined, () => undefined);

describe('distribute-client HTTP API', () => {
  let node: { connectString: string; close(): Promise<void> };
  let client: RunningClient;
  const servers: RunningDemoServer[] = [];

  beforeAll(async () => {
    node = await startTestNode();
    client = await startClient({ connectString: node.connectString, serversPath: '/servers', httpHost: '127.0.0.1', httpPort: 0 }, quiet);
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    await client.close();
    await node.close();
  });

  function serve(name: string): Promise<RunningDemoServer> {
    return startServer({ name, connectString: node.connectString, serversPath: '/servers', host: '127.0.0.1', port: 0, sessionTimeoutMs: 2_000 }, quiet).then(
      (s) => (servers.push(s), s),
    );
  }

  it('GET /servers lists registered servers with their endpoints', async () => {
    const a = await serve('alpha');
    const b = await serve('beta');
    await eventually(() => client.list.current.length === 2);
    const res = await request(client.app.getHttpServer()).get('/servers').expect(200);
    expect(res.body).toEqual({
      servers: [
        { name: 'alpha', endpoint: `127.0.0.1:${a.port}`, path: a.registrationPath },
        { name: 'beta', endpoint: `127.0.0.1:${b.port}`, path: b.registrationPath },
      ],
    });
  });

  it('retries on another server when the one handling the request goes offline mid-request', async () => {
    // The list is [alpha, beta]; the next pick is alpha (round robin continues where the test above left off).
    const http = client.app.getHttpServer();
    const first = await request(http).get('/hello').expect(200);
    const target = servers.find((s) => s.name !== first.body.result.server)!;
    // supertest sends only once awaited: start it now.
    const pending = request(http).get('/work?ms=1500').then((r) => r);
    await new Promise((r) => setTimeout(r, 400));
    await target.close();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body.attempts).toHaveLength(2);
    expect(res.body.attempts[0]).toMatchObject({ name: target.name, endpoint: `127.0.0.1:${target.port}` });
    expect(res.body.attempts[0].error).toEqual(expect.any(String));
    expect(res.body.result.server).not.toBe(target.name);
    expect(res.body.result.reply).toMatch(/worked 1500 ms/);
    await eventually(() => client.list.current.length === 1);
  });

  it('answers 503 when no server is online', async () => {
    for (const s of servers) await s.close();
    await eventually(() => client.list.current.length === 0);
    const res = await request(client.app.getHttpServer()).get('/hello').expect(503);
    expect(res.body.message).toBe('no server is online');
  });

  it('lists a node that holds only a host name (as the study notes\' Java servers write it) and does not forward to it', async () => {
    const zk = createClient(node.connectString);
    await zk.connect();
    try {
      const { path } = await zk.create('/servers/server', 'hadoop104', { mode: 'ephemeral-sequential' });
      await eventually(() => client.list.current.some((s) => s.name === 'hadoop104'));
      const res = await request(client.app.getHttpServer()).get('/servers').expect(200);
      expect(res.body.servers).toContainEqual({ name: 'hadoop104', endpoint: null, path });
      await request(client.app.getHttpServer()).get('/hello').expect(503);
    } finally {
      await zk.close();
    }
  });

  it('GET /health is up while the session is connected', async () => {
    const res = await request(client.app.getHttpServer()).get('/health').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.info.coordination.status).toBe('up');
  });
});
