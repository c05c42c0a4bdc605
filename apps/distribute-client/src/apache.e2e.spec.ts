/** The same apps against the reference server: Apache ZooKeeper 3.8 (any ZooKeeper connect string works). */
import { createClient } from '@coord/client';
import { startApacheZooKeeper, type RunningServer } from '@coord/testing';
import { startServer } from '@coord/demo';
import { PlainLogger } from '@coord/nest';
import { eventually } from '@coord/node/testing';
import { startClient } from './client';

jest.setTimeout(60_000);


describe('against Apache ZooKeeper', () => {
  let zk: RunningServer;
  beforeAll(async () => {
    zk = await startApacheZooKeeper();
  });
  afterAll(async () => {
    await zk.stop();
  });

  it('a server registers under a chroot, the client sees it, forwards to it, and sees it leave', async () => {
    // A chroot in the connect string: both apps work inside /demo without knowing it.
    const connectString = `${zk.connectString}/demo`;
    // One logger for every app: Nest's Logger is process-wide, the last app created sets it.
    const lines: string[] = [];
    const logger = new PlainLogger((l) => lines.push(l), (l) => lines.push(l));
    const quietServer = { name: 'early', connectString, serversPath: '/servers', host: '127.0.0.1', port: 0, sessionTimeoutMs: 4_000 };
    // ZooKeeper needs the chroot to exist; the server says so clearly instead of a bare NONODE.
    await expect(startServer(quietServer, logger)).rejects.toThrow('the chroot /demo must exist');
    const admin = createClient(zk.connectString);
    await admin.connect();
    await admin.create('/demo', null);
    await admin.close();
    const client = await startClient({ connectString, serversPath: '/servers', httpHost: '127.0.0.1', httpPort: 0 }, logger);
    try {
      const server = await startServer({ name: 'hadoop102', connectString, serversPath: '/servers', host: '127.0.0.1', port: 0, sessionTimeoutMs: 4_000 }, logger);
      await eventually(() => lines.includes('[DistributeClient] online servers: [hadoop102]'), 10_000);
      const res = await fetch(`${client.url}/hello`);
      expect(((await res.json()) as { result: { server: string } }).result.server).toBe('hadoop102');
      await server.close();
      await eventually(() => lines.at(-1) === '[DistributeClient] online servers: []', 10_000);
    } finally {
      await client.close();
    }
  });
});
