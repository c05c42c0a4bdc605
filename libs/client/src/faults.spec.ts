/**
 * Connection faults through a loopback proxy: a dropped connection (suspended -> reconnected, same
 * session, watches re-registered and missed events delivered), a stalled one (the session expires:
 * lost, then a fresh session), connect timeouts, several hosts, and retry helpers.
 */
import type { RunningServer } from '@coord/testing';
import { createClient, exponentialBackoff, withRetry, ConnectTimeoutError, type ZkClient, type ZkError } from './index';
import { ClientPool, EventLog, eventually, recordStates } from './testing/helpers';
import { FaultProxy } from './testing/proxy';
import { serverCases, useServer } from './testing/servers';
import { freePort } from '@coord/testing';

describe.each(serverCases())('client faults against %s', (_name, factory) => {
  let server: RunningServer;
  let proxy: FaultProxy;
  const pool = new ClientPool();
  let direct: ZkClient;
  let base: string;
  // Proxy stopped first: clients behind a stalled proxy then close at once instead of waiting for closeSession.
  useServer(factory, pool, 'f', (s) => ({ server, zk: direct, base } = s), { createBase: true, beforeClose: () => proxy.stop() });
  beforeEach(async () => {
    proxy = await new FaultProxy(server.host, server.port).start();
  });

  test('a dropped connection: suspended -> reconnected with the same session; watches survive', async () => {
    const zk = await pool.connect(proxy.connectString, { sessionTimeoutMs: 4000 });
    const states = recordStates(zk);
    const sessionId = zk.sessionId;
    await zk.addAuth('digest', 'bob:pw');
    await zk.create(`${base}/eph`, null, { mode: 'ephemeral' });
    await direct.create(`${base}/missed`, 'a');
    await direct.create(`${base}/later`, 'a');
    await direct.create(`${base}/kids`);
    const missed = new EventLog();
    const later = new EventLog();
    const kids = new EventLog();
    const pers = new EventLog();
    await zk.getData(`${base}/missed`, { watch: missed.watcher });
    await zk.getData(`${base}/later`, { watch: later.watcher });
    await zk.getChildren(`${base}/kids`, { watch: kids.watcher });
    // On another path: Apache 3.8 keeps one watch mode per (connection, path), so a recursive watch on
    // /kids would swallow the child watch's NodeChildrenChanged.
    await direct.create(`${base}/tree`);
    await zk.addWatch(`${base}/tree`, 'persistent-recursive', pers.watcher);
    let changedWhileAway: Promise<unknown> | undefined;
    zk.once('state', (s) => {
      // Changed while disconnected: SetWatches must report it on reconnect.
      if (s === 'suspended') changedWhileAway = direct.setData(`${base}/missed`, 'b');
    });
    proxy.drop();
    await eventually(() => states.includes('reconnected'), 5000, 'reconnected');
    expect(states.slice(0, 2)).toEqual(['suspended', 'reconnected']);
    expect(zk.sessionId).toBe(sessionId);
    await changedWhileAway;
    // Every watcher heard the disconnect as a None event.
    expect(await missed.next()).toMatchObject({ type: 'None', state: 'Disconnected' });
    expect(await later.next()).toMatchObject({ type: 'None', state: 'Disconnected' });
    await eventually(() => missed.events.some((e) => e.type === 'NodeDataChanged'), 5000, 'missed change delivered');
    await direct.setData(`${base}/later`, 'c');
    await eventually(() => later.events.some((e) => e.type === 'NodeDataChanged'), 5000, 'later change delivered');
    await direct.create(`${base}/kids/k`);
    await eventually(() => kids.events.some((e) => e.type === 'NodeChildrenChanged'), 5000, 'child watch');
    await direct.create(`${base}/tree/k`);
    await eventually(() => pers.events.some((e) => e.type === 'NodeCreated' && e.path === `${base}/tree/k`), 5000, 'recursive watch');
    expect((await direct.exists(`${base}/eph`))!.ephemeralOwner).toBe(sessionId);
    // The credential was sent again on the new connection.
    expect(await zk.whoAmI()).toEqual(expect.arrayContaining([{ authScheme: 'digest', user: 'bob' }]));
  });

  test('watch iterators survive a dropped connection and a lost session', async () => {
    const zk = await pool.connect(proxy.connectString, { sessionTimeoutMs: 1000 });
    const seen: string[][] = [];
    const ac = new AbortController();
    const loop = (async () => {
      for await (const s of zk.watchChildren(`${base}`, { signal: ac.signal })) seen.push(s.children.sort());
    })();
    await eventually(() => seen.length === 1);
    proxy.drop();
    await zk.waitFor('reconnected', { timeoutMs: 5000 });
    await direct.create(`${base}/a`);
    await eventually(() => seen.some((c) => c.join() === 'a'), 5000, 'change after reconnect');
    proxy.stall();
    await zk.waitFor('lost', { timeoutMs: 5000 });
    await direct.create(`${base}/b`);
    proxy.resume();
    await zk.waitFor('connected', { timeoutMs: 5000 });
    await eventually(() => seen.some((c) => c.join() === 'a,b'), 5000, 'resync after session loss');
    await direct.create(`${base}/c`);
    await eventually(() => seen.some((c) => c.join() === 'a,b,c'), 5000, 'change with the new session');
    ac.abort();
    await loop;
  });

  test('in-flight calls fail with retryable CONNECTIONLOSS; withRetry rides over the drop', async () => {
    const zk = await pool.connect(proxy.connectString);
    await zk.create(`${base}/x`, 'v');
    const inflight = Array.from({ length: 20 }, () => zk.getData(`${base}/x`));
    proxy.drop();
    const settled = await Promise.allSettled(inflight);
    const lost = settled.filter((s) => s.status === 'rejected').map((s) => (s as PromiseRejectedResult).reason as ZkError);
    for (const e of lost) expect(e).toMatchObject({ code: 'CONNECTIONLOSS', retryable: true });
    let attempts = 0;
    const got = await withRetry(
      async () => {
        attempts++;
        if (attempts === 1) proxy.drop();
        return zk.getData(`${base}/x`);
      },
      exponentialBackoff({ baseMs: 20, maxRetries: 20 }),
    );
    expect(got.data!.toString()).toBe('v');
    expect(zk.state).toBe('reconnected');
  });

  test('a stalled connection: the session expires -> lost, then a new session', async () => {
    const zk = await pool.connect(proxy.connectString, { sessionTimeoutMs: 1000 });
    const states = recordStates(zk);
    const oldSession = zk.sessionId;
    await zk.create(`${base}/eph`, null, { mode: 'ephemeral' });
    const log = new EventLog();
    await zk.getData(`${base}/eph`, { watch: log.watcher });
    const queued = new Promise<unknown>((resolve) => zk.once('state', () => resolve(zk.getData(`${base}/eph`).catch((e) => e))));
    proxy.stall();
    await eventually(() => states.includes('lost'), 6000, 'lost');
    expect(states.slice(0, 2)).toEqual(['suspended', 'lost']);
    expect(await queued).toMatchObject({ code: 'SESSIONEXPIRED' });
    expect(log.events.map((e) => e.state)).toEqual(['Disconnected', 'Expired']);
    // The server expires it too: the ephemeral vanishes.
    await eventually(async () => (await direct.exists(`${base}/eph`)) === null, 5000, 'ephemeral deleted');
    proxy.resume();
    await eventually(() => states.includes('connected'), 6000, 'new session');
    expect(zk.sessionId).not.toBe(oldSession);
    expect(zk.sessionId).not.toBe(0n);
    expect((await zk.create(`${base}/eph`, null, { mode: 'ephemeral' })).stat.ephemeralOwner).toBe(zk.sessionId);
  });

  test('a call times out with OPERATIONTIMEOUT while the server is silent', async () => {
    const zk = await pool.connect(proxy.connectString, { sessionTimeoutMs: 4000 });
    proxy.stall();
    const started = Date.now();
    await expect(zk.getData('/', { timeoutMs: 200 })).rejects.toMatchObject({ code: 'OPERATIONTIMEOUT', retryable: true });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('a slow reply times out the call; the late reply is dropped and the session goes on', async () => {
    const zk = await pool.connect(proxy.connectString, { sessionTimeoutMs: 4000 });
    await zk.create(`${base}/slow`, 'x');
    proxy.slow(300);
    const order: string[] = [];
    const timedOut = zk.getData(`${base}/slow`, { timeoutMs: 50 }).catch((e) => (order.push('timeout'), e));
    const patient = zk.getData(`${base}/slow`).then((r) => (order.push('reply'), r));
    expect(await timedOut).toMatchObject({ code: 'OPERATIONTIMEOUT', retryable: true, path: `${base}/slow` });
    expect((await patient).data!.toString()).toBe('x');
    expect(order).toEqual(['timeout', 'reply']);
    expect(zk.state).toBe('connected');
  });

  test('connect times out against a silent server and stops trying', async () => {
    proxy.stall();
    const zk = pool.track(createClient(proxy.connectString, { sessionTimeoutMs: 4000 }));
    const err = await zk.connect({ timeoutMs: 300 }).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectTimeoutError);
    expect(err).toMatchObject({ code: 'CONNECTIONLOSS' });
    const ac = new AbortController();
    const aborted = zk.connect({ signal: ac.signal, timeoutMs: 5000 });
    ac.abort(new Error('gave up'));
    await expect(aborted).rejects.toThrow('gave up');
  });

  test('several hosts: a dead one is skipped', async () => {
    const deadPort = await freePort();
    for (let seed = 0; seed < 2; seed++) {
      const zk = pool.track(createClient(`127.0.0.1:${deadPort},${server.connectString}/`, { random: () => seed * 0.99, sessionTimeoutMs: 4000 }));
      await zk.connect({ timeoutMs: 5000 });
      expect(zk.connectedHost).toBe(server.connectString);
    }
  });

  test('close while suspended is prompt', async () => {
    const zk = await pool.connect(proxy.connectString, { sessionTimeoutMs: 4000 });
    proxy.stall();
    proxy.drop();
    await zk.waitFor('suspended', { timeoutMs: 5000 });
    const started = Date.now();
    await zk.close();
    expect(Date.now() - started).toBeLessThan(1000); // well below closeTimeoutMs: it did not wait for a reply
    expect(zk.state).toBe('closed');
  });
});

describe.each(serverCases())('client across a restart of %s', (_name, factory) => {
  test('the session, its ephemerals and its watches survive a server restart', async () => {
    const server = await factory.startRestartable();
    const pool = new ClientPool();
    try {
      // A long session: a restart on a loaded machine can take several seconds.
      const zk = await pool.connect(server.connectString, { sessionTimeoutMs: 20_000 });
      const states = recordStates(zk);
      const sessionId = zk.sessionId;
      await zk.create('/r', 'v1');
      await zk.create('/r-eph', null, { mode: 'ephemeral' });
      const log = new EventLog();
      await zk.getData('/r', { watch: log.watcher });
      await server.restart();
      await zk.waitFor('reconnected', { timeoutMs: 20_000 });
      expect(states.slice(0, 2)).toEqual(['suspended', 'reconnected']);
      expect(zk.sessionId).toBe(sessionId);
      expect((await zk.exists('/r-eph'))!.ephemeralOwner).toBe(sessionId);
      const other = await pool.connect(server.connectString);
      await other.setData('/r', 'v2');
      await eventually(() => log.events.some((e) => e.type === 'NodeDataChanged'), 5000, 'watch after restart');
    } finally {
      await pool.closeAll();
      await server.stop();
    }
  }, 60_000);
});
