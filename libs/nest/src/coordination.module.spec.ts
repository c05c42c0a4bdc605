import 'reflect-metadata';
import { Injectable, Logger, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Interval, ScheduleModule } from '@nestjs/schedule';
import { createClient, type ZkClient } from '@coord/client';
import { freePort } from '@coord/testing';
import { CoordinationHealthIndicator, CoordinationModule, CoordinationService, InjectCoordinator, LeaderOnly, selfRegister, WithLock } from './index';
import { eventually, startTestNode } from '@coord/node/testing';

jest.setTimeout(20_000);

@Injectable()
class Jobs {
  runs = 0;
  locked = 0;
  constructor(@InjectCoordinator() readonly zk: ZkClient) {}

  @LeaderOnly('report')
  async report(): Promise<string> {
    this.runs++;
    return 'ran';
  }

  @WithLock('nightly')
  async nightly(ms: number): Promise<string> {
    this.locked++;
    await new Promise((r) => setTimeout(r, ms));
    return 'done';
  }
}

@Injectable()
class Ticker {
  ticks = 0;
  // @Interval sits above @LeaderOnly, so the schedule sees the wrapped method.
  @Interval(40)
  @LeaderOnly('ticker')
  tick(): void {
    this.ticks++;
  }
}

describe('CoordinationModule', () => {
  let node: { connectString: string; close(): Promise<void> };
  let observer: ZkClient;
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    node = await startTestNode();
    observer = createClient(node.connectString);
    await observer.connect();
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });
  afterAll(async () => {
    await observer.close();
    await node.close();
  });

  async function app(providers: unknown[] = [Jobs], extraImports: unknown[] = []): Promise<INestApplication> {
    const moduleRef = await Test.createTestingModule({
      imports: [CoordinationModule.forRoot({ connectString: node.connectString, sessionTimeoutMs: 2_000 }), ...(extraImports as [])],
      providers: providers as [],
    }).compile();
    const a = moduleRef.createNestApplication({ logger: false });
    await a.init();
    apps.push(a);
    return a;
  }

  it('forRoot gives an injected, connected client and a health indicator that is up', async () => {
    const a = await app();
    const jobs = a.get(Jobs);
    expect(jobs.zk.state).toBe('connected');
    const created = await jobs.zk.create('/nest-forroot', 'hi');
    expect(created.path).toBe('/nest-forroot');
    const health = a.get(CoordinationHealthIndicator).isHealthy();
    expect(health['coordination'].status).toBe('up');
  });

  it('forRootAsync builds the options from a factory', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CoordinationModule.forRootAsync({ useFactory: async () => ({ connectString: node.connectString }) })],
    }).compile();
    const a = moduleRef.createNestApplication({ logger: false });
    apps.push(a);
    await a.init();
    const service = a.get(CoordinationService);
    expect(service.connected).toBe(true);
    expect((await service.client.exists('/')) !== null).toBe(true);
  });

  it('registers a service and removes it on shutdown', async () => {
    const a = await app();
    const reg = await a.get(CoordinationService).register('/nest-services', { name: 'svc-a', host: '127.0.0.1', port: 1234 });
    const path = reg.path!;
    expect(path).toMatch(/^\/nest-services\/server\d{10}$/);
    const { data } = await observer.getData(path);
    expect(JSON.parse(data!.toString())).toEqual({ name: 'svc-a', host: '127.0.0.1', port: 1234 });
    await a.close();
    apps.splice(apps.indexOf(a), 1);
    expect(await observer.exists(path)).toBeNull();
  });

  it('selfRegister writes the port an HTTP app really listens on (port 0)', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [CoordinationModule.forRoot({ connectString: node.connectString })] }).compile();
    const a = moduleRef.createNestApplication({ logger: false });
    apps.push(a);
    await a.listen(0, '127.0.0.1');
    const reg = await selfRegister(a, { basePath: '/nest-self', name: 'web' });
    const port = (a.getHttpServer().address() as { port: number }).port;
    const { data } = await observer.getData(reg.path!);
    expect(JSON.parse(data!.toString())).toEqual({ name: 'web', host: '127.0.0.1', port });
  });

  it('@LeaderOnly runs on exactly one replica, and on the other once the leader goes away', async () => {
    const a = await app();
    const b = await app();
    const results = [await a.get(Jobs).report(), await b.get(Jobs).report()];
    expect(results.filter((r) => r === 'ran')).toHaveLength(1);
    const [leader, follower] = results[0] === 'ran' ? [a, b] : [b, a];
    await leader.close();
    apps.splice(apps.indexOf(leader), 1);
    let ran: string | undefined;
    await eventually(async () => (ran = await follower.get(Jobs).report()) === 'ran');
    expect(ran).toBe('ran');
  });

  it('@WithLock lets one replica run while the other skips', async () => {
    const a = await app();
    const b = await app();
    const [ra, rb] = await Promise.all([a.get(Jobs).nightly(300), b.get(Jobs).nightly(300)]);
    expect([ra, rb].sort()).toEqual(['done', undefined].sort());
    expect(a.get(Jobs).locked + b.get(Jobs).locked).toBe(1);
    // Released afterwards: a later run goes through.
    expect(await b.get(Jobs).nightly(1)).toBe('done');
  });

  it('@LeaderOnly under @Interval: the schedule runs the job on the leader only', async () => {
    const a = await app([Ticker], [ScheduleModule.forRoot()]);
    const b = await app([Ticker], [ScheduleModule.forRoot()]);
    await eventually(() => a.get(Ticker).ticks + b.get(Ticker).ticks >= 5);
    const counts = [a.get(Ticker).ticks, b.get(Ticker).ticks];
    expect(counts.filter((c) => c === 0)).toHaveLength(1);
  });

  it('reports an unreachable service once, with the address and how to start one, and is not healthy', async () => {
    const port = await freePort();
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const moduleRef = await Test.createTestingModule({
        imports: [CoordinationModule.forRoot({ connectString: `127.0.0.1:${port}`, awaitConnection: false, connectTimeoutMs: 200 })],
      }).compile();
      const a = moduleRef.createNestApplication({ logger: false });
      apps.push(a);
      await a.init();
      await new Promise((r) => setTimeout(r, 2_000));
      const messages = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('cannot reach'));
      expect(messages).toHaveLength(1);
      expect(messages[0]).toContain(`127.0.0.1:${port}`);
      expect(messages[0]).toContain('npx nx run coord-node:serve');
      expect(a.get(CoordinationHealthIndicator).isHealthy()['coordination'].status).toBe('down');
    } finally {
      warn.mockRestore();
    }
  });
});
