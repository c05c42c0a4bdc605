import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { createClient, type ZkClient } from '@coord/client';
import { HelpRequested, UsageError } from '@coord/cli';
import { PlainLogger } from '@coord/nest';
import { startTestNode } from '@coord/node/testing';
import { connectStringDefault, parseServerConfig } from './server-config';
import { startServer } from './server';

jest.setTimeout(20_000);

describe('parseServerConfig', () => {
  it('takes the name from the first argument and the connect string from flag, then env, then the default', () => {
    expect(parseServerConfig(['hadoop102'], {})).toMatchObject({ name: 'hadoop102', connectString: connectStringDefault, port: 0, host: '127.0.0.1' });
    expect(parseServerConfig(['hadoop102'], { COORD_CONNECT: 'a:1,b:2/app' }).connectString).toBe('a:1,b:2/app');
    expect(parseServerConfig(['--connect', 'c:3', 'x'], { COORD_CONNECT: 'a:1' })).toMatchObject({ name: 'x', connectString: 'c:3' });
    expect(parseServerConfig(['x', '--session-timeout=4000'], {}).sessionTimeoutMs).toBe(4000);
  });
  it('rejects unknown flags and bad numbers with a readable message', () => {
    expect(() => parseServerConfig(['--conect=x'], {})).toThrow("unknown option '--conect' (Did you mean --connect?)");
    expect(() => parseServerConfig(['--port=abc'], {})).toThrow("option '--port <port>' argument 'abc' is invalid. expected an integer from 0 to 65535");
    expect(() => parseServerConfig(['a', 'b'], {})).toThrow(UsageError);
    expect(() => parseServerConfig(['-h'], {})).toThrow(HelpRequested);
  });
});

describe('distribute-server', () => {
  let node: { connectString: string; close(): Promise<void> };
  let observer: ZkClient;
  beforeAll(async () => {
    node = await startTestNode();
    observer = createClient(node.connectString);
    await observer.connect();
  });
  afterAll(async () => {
    await observer.close();
    await node.close();
  });

  it('registers an ephemeral sequential node with its name and endpoint, answers, and deregisters on close', async () => {
    const lines: string[] = [];
    const server = await startServer(
      { name: 'hadoop102', connectString: node.connectString, serversPath: '/servers', host: '127.0.0.1', port: 0, sessionTimeoutMs: 2_000 },
      new PlainLogger((l) => lines.push(l), (l) => lines.push(l)),
    );
    expect(server.registrationPath).toMatch(/^\/servers\/server\d{10}$/);
    const { data, stat } = await observer.getData(server.registrationPath);
    expect(stat.ephemeralOwner).not.toBe(0n);
    expect(JSON.parse(data!.toString())).toEqual({ name: 'hadoop102', host: '127.0.0.1', port: server.port, pid: process.pid });
    expect(lines).toContain(`[DistributeServer] hadoop102 is online at 127.0.0.1:${server.port} (${server.registrationPath}, pid ${process.pid})`);

    const proxy = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port: server.port } });
    try {
      const reply = await firstValueFrom(proxy.send({ cmd: 'hello' }, { message: 'hi' }));
      expect(reply).toMatchObject({ server: 'hadoop102', endpoint: `127.0.0.1:${server.port}`, reply: 'hello from hadoop102: hi' });
    } finally {
      await proxy.close();
    }
    await server.close();
    expect(await observer.exists(server.registrationPath)).toBeNull();
  });
});
