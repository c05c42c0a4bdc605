/**
 * Leader election (failover, loss on suspension), service discovery (Curator layout, live view,
 * re-registration after session loss), barriers and caches, against each server of serverFactories().
 */
import type { RunningServer } from '@coord/testing';
import type { ZkClient } from '@coord/client';
import { ClientPool, delay, eventually, FaultProxy, serverCases, useServer } from '@coord/client/testing';
import {
  Barrier,
  DoubleBarrier,
  GroupMember,
  LeaderLatch,
  LeaderSelector,
  NodeCache,
  ServiceDiscovery,
  ServiceProvider,
  ServiceRegistry,
  TreeCache,
  parseMember,
  watchMembers,
  type Member,
  type ServiceInstance,
  type TreeEvent,
} from './index';

describe.each(serverCases())('coordination recipes against %s', (_name, factory) => {
  let server: RunningServer;
  const pool = new ClientPool();
  let zk: ZkClient;
  let base: string;
  useServer(factory, pool, 'coord', (s) => ({ server, zk, base } = s));

  test('leader latch: one leader, failover when it leaves, leadership signal aborted', async () => {
    const cs = await Promise.all([0, 1, 2].map(() => pool.connect(server.connectString)));
    const latches = cs.map((c, i) => new LeaderLatch(c, `${base}/election`, { id: `p${i}` }));
    for (const l of latches) await l.start();
    const first = await latches[0].waitForLeadership({ timeoutMs: 5000 });
    expect(latches.map((l) => l.isLeader)).toEqual([true, false, false]);
    expect(await latches[1].getLeader()).toMatchObject({ id: 'p0' });
    expect(await latches[2].participants()).toHaveLength(3);
    await cs[0].close();
    expect(first.aborted).toBe(true);
    await latches[1].waitForLeadership({ timeoutMs: 5000 });
    expect(latches[1].isLeader).toBe(true);
    expect(latches[2].isLeader).toBe(false);
    expect(await latches[2].getLeader()).toMatchObject({ id: 'p1' });
    await latches[1].close();
    await latches[2].waitForLeadership({ timeoutMs: 5000 });
    expect(latches[1].isLeader).toBe(false);
    await latches[2].close();
    await latches[0].close();
    expect(latches[2].stats.wakeups).toBe(latches[2].stats.waits);
  });

  test('leader latch: waitForDecision settles at once on leader and followers, and gives up after its timeout', async () => {
    const cs = await Promise.all([0, 1].map(() => pool.connect(server.connectString)));
    const [a, b] = cs.map((c, i) => new LeaderLatch(c, `${base}/decide`, { id: `d${i}` }));
    await a.start();
    await b.start();
    const started = Date.now();
    expect(await a.waitForDecision({ timeoutMs: 5000 })).toBe(true);
    expect(await b.waitForDecision({ timeoutMs: 5000 })).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
    const idle = new LeaderLatch(zk, `${base}/decide`);
    expect(await idle.waitForDecision({ timeoutMs: 50 })).toBe(false);
    await b.close();
    await a.close();
  });

  test('leader latch: a suspended leader is told at once; the session loss hands over', async () => {
    const proxy = await new FaultProxy(server.host, server.port).start();
    try {
      const fragile = await pool.connect(proxy.connectString, { sessionTimeoutMs: 1000 });
      const a = new LeaderLatch(fragile, `${base}/e`, { id: 'a' });
      await a.start();
      const leadership = await a.waitForLeadership({ timeoutMs: 5000 });
      const b = new LeaderLatch(zk, `${base}/e`, { id: 'b' });
      await b.start();
      proxy.stall();
      await eventually(() => leadership.aborted, 3000, 'leadership aborted');
      expect(a.isLeader).toBe(false);
      await b.waitForLeadership({ timeoutMs: 6000 });
      // Back with a new session, a joins again as a follower.
      proxy.resume();
      await fragile.waitFor('connected', { timeoutMs: 6000 });
      await eventually(async () => (await b.participants()).length === 2, 5000, 'a rejoined');
      expect(a.isLeader).toBe(false);
      await a.close();
      await b.close();
    } finally {
      await proxy.stop();
    }
  });

  test('leader latch: a leader that reconnects with its session leads again with a fresh signal', async () => {
    const proxy = await new FaultProxy(server.host, server.port).start();
    try {
      const c = await pool.connect(proxy.connectString, { sessionTimeoutMs: 4000 });
      const latch = new LeaderLatch(c, `${base}/e2`, { id: 'x' });
      const transitions: string[] = [];
      latch.on('leader', () => transitions.push('leader'));
      latch.on('follower', () => transitions.push('follower'));
      await latch.start();
      const first = await latch.waitForLeadership({ timeoutMs: 5000 });
      proxy.drop();
      await eventually(() => transitions.length >= 3, 5000, 'leader again');
      expect(transitions.slice(0, 3)).toEqual(['leader', 'follower', 'leader']);
      expect(first.aborted).toBe(true);
      expect(latch.leadership.aborted).toBe(false);
      expect(await latch.participants()).toHaveLength(1);
      await latch.close();
      expect(latch.leadership.aborted).toBe(true);
    } finally {
      await proxy.stop();
    }
  });

  test('leader selector: takeLeadership runs on one participant at a time and requeues', async () => {
    const cs = await Promise.all([0, 1].map(() => pool.connect(server.connectString)));
    let active = 0;
    let overlaps = 0;
    const log: number[] = [];
    const selectors = cs.map(
      (c, i) =>
        new LeaderSelector(c, `${base}/sel`, async (signal) => {
          if (active++ > 0) overlaps++;
          log.push(i);
          await delay(30);
          expect(signal.aborted).toBe(false);
          active--;
        }),
    );
    selectors.forEach((s) => s.start());
    await eventually(() => log.length >= 6, 5000, 'six leaderships');
    await Promise.all(selectors.map((s) => s.close()));
    expect(overlaps).toBe(0);
    expect(new Set(log)).toEqual(new Set([0, 1]));
  });

  test('service registry and discovery: Curator layout, live view, change events, picks', async () => {
    const app1 = await pool.connect(server.connectString);
    const app2 = await pool.connect(server.connectString);
    const services = `${base}/services`;
    const r1 = new ServiceRegistry(app1, services, { now: () => 1700000000000 });
    const r2 = new ServiceRegistry(app2, services);
    const i1 = await r1.register({ name: 'api', id: 'one', address: '10.0.0.1', port: 8080, payload: { zone: 'a' } });
    const raw = JSON.parse((await zk.getData(`${services}/api/one`)).data!.toString());
    expect(raw).toEqual({
      name: 'api',
      id: 'one',
      address: '10.0.0.1',
      port: 8080,
      sslPort: null,
      payload: { zone: 'a' },
      registrationTimeUTC: 1700000000000,
      serviceType: 'DYNAMIC',
      uriSpec: null,
    });
    expect((await zk.exists(`${services}/api/one`))!.ephemeralOwner).toBe(app1.sessionId);
    const discovery = new ServiceDiscovery(zk, services);
    const cache = discovery.serviceCache<{ zone: string }>('api');
    const changes: ServiceInstance[][] = [];
    cache.on('change', (all: ServiceInstance[]) => changes.push(all));
    await cache.start();
    expect(cache.instances().map((i) => i.id)).toEqual(['one']);
    await r2.register({ name: 'api', id: 'two', address: '10.0.0.2', port: 8080 });
    await eventually(() => cache.instances().length === 2, 5000, 'second instance');
    const provider = new ServiceProvider(cache, 'round-robin');
    expect([provider.getInstance()!.id, provider.getInstance()!.id, provider.getInstance()!.id]).toEqual(['one', 'two', 'one']);
    expect(await discovery.queryForNames()).toEqual(['api']);
    expect((await discovery.queryForInstances('api')).map((i) => i.address)).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(await discovery.queryForInstance('api', 'one')).toEqual(i1);
    await app1.close(); // the instance vanishes with its session
    await eventually(() => cache.instances().map((i) => i.id).join() === 'two', 5000, 'instance one removed');
    expect(changes.map((c) => c.map((i) => i.id).join())).toEqual(['one,two', 'two']);
    await r2.unregister('api', 'two');
    await eventually(() => cache.instances().length === 0, 5000, 'empty');
    expect(new ServiceProvider(cache, 'random').getInstance()).toBeNull();
    await cache.close();
    await r1.close();
    await r2.close();
  });

  test('service registry re-registers after the session is lost', async () => {
    const proxy = await new FaultProxy(server.host, server.port).start();
    try {
      const fragile = await pool.connect(proxy.connectString, { sessionTimeoutMs: 1000 });
      const registry = new ServiceRegistry(fragile, `${base}/services`);
      await registry.register({ name: 'web', id: 'w1', address: 'h', port: 1 });
      const firstOwner = (await zk.exists(`${base}/services/web/w1`))!.ephemeralOwner;
      proxy.stall();
      await fragile.waitFor('lost', { timeoutMs: 5000 });
      await eventually(async () => (await zk.exists(`${base}/services/web/w1`)) === null, 5000, 'old registration expired');
      proxy.resume();
      await fragile.waitFor('connected', { timeoutMs: 5000 });
      await eventually(async () => (await zk.exists(`${base}/services/web/w1`))?.ephemeralOwner === fragile.sessionId, 5000, 're-registered');
      expect(fragile.sessionId).not.toBe(firstOwner);
      await registry.close();
      expect(await zk.exists(`${base}/services/web/w1`)).toBeNull();
    } finally {
      await proxy.stop();
    }
  });

  test('group membership: ephemeral sequential members, the live group in registration order', async () => {
    const group = `${base}/servers`;
    const app1 = await pool.connect(server.connectString);
    const a = new GroupMember(app1, group, { name: 'a', host: '127.0.0.1', port: 1 });
    const pathA = await a.register();
    expect(pathA).toMatch(new RegExp(`^${group}/server\\d{10}$`));
    expect(a.path).toBe(pathA);
    expect(JSON.parse((await zk.getData(pathA)).data!.toString())).toEqual({ name: 'a', host: '127.0.0.1', port: 1 });
    expect((await zk.exists(pathA))!.ephemeralOwner).toBe(app1.sessionId);
    const stop = new AbortController();
    const seen: string[] = [];
    const watching = (async () => {
      for await (const members of watchMembers(zk, group, { signal: stop.signal })) seen.push(members.map((m) => m.name).join());
    })().catch(() => undefined);
    await eventually(() => seen.includes('a'), 5000, 'first member');
    const b = new GroupMember(zk, group, { name: 'b' }, 'node');
    const pathB = await b.register();
    expect(pathB).toMatch(/\/node\d{10}$/);
    // A member written by a plain ZooKeeper program: its data is just a host name.
    await zk.create(`${group}/server`, 'host-c', { mode: 'ephemeral-sequential' });
    await eventually(() => seen.at(-1) === 'a,b,host-c', 5000, 'three members in order');
    await b.deregister();
    expect(await zk.exists(pathB)).toBeNull();
    await app1.close(); // a member vanishes with its session
    await eventually(() => seen.at(-1) === 'host-c', 5000, 'members gone');
    stop.abort();
    await watching;
  });

  test('group membership: a member registers again after its session is lost', async () => {
    const proxy = await new FaultProxy(server.host, server.port).start();
    try {
      const fragile = await pool.connect(proxy.connectString, { sessionTimeoutMs: 1000 });
      const member = new GroupMember(fragile, `${base}/servers`, { name: 'm' });
      const first = await member.register();
      proxy.stall();
      await fragile.waitFor('lost', { timeoutMs: 5000 });
      await eventually(async () => (await zk.exists(first)) === null, 5000, 'old node expired');
      proxy.resume();
      await fragile.waitFor('connected', { timeoutMs: 5000 });
      await eventually(() => member.path !== null, 5000, 'registered again');
      expect(member.path).not.toBe(first);
      expect((await zk.exists(member.path!))!.ephemeralOwner).toBe(fragile.sessionId);
      const again = member.path!;
      await member.deregister();
      expect(await zk.exists(again)).toBeNull();
    } finally {
      await proxy.stop();
    }
  });

  test('group membership: member data is our JSON or a plain host name', () => {
    const member: Member = parseMember('/servers/server0000000001', Buffer.from('{"name":"a","port":2,"zone":"x"}'));
    expect(member).toEqual({ name: 'a', port: 2, zone: 'x', path: '/servers/server0000000001' });
    expect(parseMember('/servers/server0000000002', Buffer.from('host-b'))).toEqual({ name: 'host-b', path: '/servers/server0000000002' });
    expect(parseMember('/servers/server0000000003', Buffer.from('{"port":1}')).name).toBe('{"port":1}');
    expect(parseMember('/servers/server0000000004', null).name).toBe('server0000000004');
  });

  test('barrier and double barrier', async () => {
    const barrier = new Barrier(zk, `${base}/gate`);
    await barrier.setBarrier();
    let passed = false;
    const other = await pool.connect(server.connectString);
    const waiting = new Barrier(other, `${base}/gate`).waitOnBarrier({ timeoutMs: 5000 }).then(() => (passed = true));
    await delay(100);
    expect(passed).toBe(false);
    await barrier.removeBarrier();
    await waiting;
    await expect(new Barrier(other, `${base}/gate2`).waitOnBarrier()).resolves.toBeUndefined();

    const cs = await Promise.all([0, 1, 2].map(() => pool.connect(server.connectString)));
    const members = cs.map((c, i) => new DoubleBarrier(c, `${base}/double`, 3, { id: `m${i}` }));
    const entered: number[] = [];
    const first = members.slice(0, 2).map((m, i) => m.enter({ timeoutMs: 5000 }).then(() => entered.push(i)));
    await delay(150);
    expect(entered).toEqual([]);
    await members[2].enter({ timeoutMs: 5000 });
    await Promise.all(first);
    expect(entered.sort()).toEqual([0, 1]);
    const left: number[] = [];
    const leaving = members.slice(0, 2).map((m, i) => m.leave({ timeoutMs: 5000 }).then(() => left.push(i)));
    await delay(150);
    expect(left).toEqual([]);
    await members[2].leave({ timeoutMs: 5000 });
    await Promise.all(leaving);
    expect((await zk.getChildren(`${base}/double`)).children).toEqual([]);
  });

  test('node cache follows one node', async () => {
    const cache = new NodeCache(zk, `${base}/cfg`);
    const seen: (string | null)[] = [];
    cache.on('change', (e) => seen.push(e === null ? null : e.data.toString()));
    await zk.create(base);
    await cache.start();
    expect(cache.current()).toBeNull();
    const writer = await pool.connect(server.connectString);
    await writer.create(`${base}/cfg`, 'a');
    await eventually(() => seen.length === 1);
    await writer.setData(`${base}/cfg`, 'b');
    await eventually(() => seen.length === 2);
    await writer.delete(`${base}/cfg`);
    await eventually(() => seen.length === 3);
    expect(seen).toEqual(['a', 'b', null]);
    await cache.close();
  });

  test.each(['recursive', 'one-shot'] as const)('tree cache (%s watches) mirrors a subtree and resyncs after a reconnect', async (watchMode) => {
    const proxy = await new FaultProxy(server.host, server.port).start();
    try {
      const c = await pool.connect(proxy.connectString, { sessionTimeoutMs: 1000 });
      await zk.create(base);
      await zk.create(`${base}/tree`, 'root');
      await zk.create(`${base}/tree/a`, '1');
      const cache = new TreeCache(c, `${base}/tree`, { watchMode });
      const events: string[] = [];
      cache.on('event', (e: TreeEvent) => events.push(`${e.type} ${e.path.slice(base.length)}`));
      await cache.start();
      expect(cache.watchMode).toBe(watchMode);
      expect(cache.paths()).toEqual([`${base}/tree`, `${base}/tree/a`]);
      events.length = 0;
      await zk.create(`${base}/tree/a/b`, '2');
      await zk.setData(`${base}/tree/a`, '1b');
      await zk.create(`${base}/tree/c`);
      await eventually(() => events.length === 3, 5000, 'three events');
      await cache.settled();
      expect(events).toEqual(['added /tree/a/b', 'updated /tree/a', 'added /tree/c']);
      expect(cache.children(`${base}/tree`)).toEqual(['a', 'c']);
      expect(cache.get(`${base}/tree/a`)!.data!.toString()).toBe('1b');
      events.length = 0;
      // Changes made while disconnected arrive through the resync.
      c.once('state', () => void zk.delete(`${base}/tree/c`).catch(() => {}));
      proxy.drop();
      await c.waitFor('reconnected', { timeoutMs: 5000 });
      await eventually(() => cache.get(`${base}/tree/c`) === undefined, 5000, 'resynced');
      expect(events).toContain('removed /tree/c');
      await zk.delete(`${base}/tree/a/b`);
      await eventually(() => cache.get(`${base}/tree/a/b`) === undefined, 5000, 'deleted after reconnect');
      // A lost session loses the watch: the cache adds it again with the new session and reloads.
      proxy.stall();
      await c.waitFor('lost', { timeoutMs: 5000 });
      await zk.create(`${base}/tree/while-lost`);
      proxy.resume();
      await c.waitFor('connected', { timeoutMs: 5000 });
      await eventually(() => cache.get(`${base}/tree/while-lost`) !== undefined, 5000, 'reloaded after session loss');
      await zk.create(`${base}/tree/after`);
      await eventually(() => cache.get(`${base}/tree/after`) !== undefined, 5000, 'watch re-added');
      await cache.close();
    } finally {
      await proxy.stop();
    }
  });
});
