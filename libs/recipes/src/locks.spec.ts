/**
 * Locks against each server of serverFactories(): mutual exclusion with a shared counter, no herd
 * effect, fencing tokens, timeouts and aborts, protected creates, loss on session expiry, read/write
 * lock and semaphore.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { workspaceRoot, type RunningServer } from '@coord/testing';
import { zkError, type ZkClient } from '@coord/client';
import { ClientPool, delay, eventually, FaultProxy, serverCases, useServer } from '@coord/client/testing';
import { AcquireTimeoutError, Mutex, ReadWriteLock, Semaphore, protectedCreate, type RecipeClient } from './index';

describe.each(serverCases())('locks against %s', (_name, factory) => {
  let server: RunningServer;
  const pool = new ClientPool();
  let zk: ZkClient;
  let base: string;
  useServer(factory, pool, 'locks', (s) => ({ server, zk, base } = s));

  test('N clients x M acquisitions: zero overlaps, exact counter, one wake-up per wait, growing fencing tokens', async () => {
    const clients = 5;
    const rounds = 8;
    await zk.create(`${base}`);
    await zk.create(`${base}-counter`, '0');
    let holders = 0;
    let overlaps = 0;
    const tokens: number[] = [];
    const mutexes: Mutex[] = [];
    const worker = async (c: ZkClient) => {
      const mutex = new Mutex(c, `${base}/lock`);
      mutexes.push(mutex);
      for (let i = 0; i < rounds; i++) {
        const lock = await mutex.acquire({ timeoutMs: 20_000 });
        try {
          if (holders++ !== 0) overlaps++;
          tokens.push(lock.fencingToken);
          const { data, stat } = await c.getData(`${base}-counter`);
          await delay(1);
          await c.setData(`${base}-counter`, String(Number(data!.toString()) + 1), { version: stat.version });
          expect(lock.lost.aborted).toBe(false);
          holders--;
        } finally {
          await lock.release();
        }
      }
    };
    const cs = await Promise.all(Array.from({ length: clients }, () => pool.connect(server.connectString)));
    await Promise.all(cs.map(worker));
    expect(overlaps).toBe(0);
    expect(Number((await zk.getData(`${base}-counter`)).data!.toString())).toBe(clients * rounds);
    const total = mutexes.reduce((t, m) => ({ a: t.a + m.stats.acquisitions, w: t.w + m.stats.waits, k: t.k + m.stats.wakeups }), { a: 0, w: 0, k: 0 });
    expect(total.a).toBe(clients * rounds);
    expect(total.w).toBeGreaterThan(0);
    expect(total.k).toBe(total.w);
    expect(total.w).toBeLessThanOrEqual(total.a);
    expect(tokens).toEqual([...tokens].sort((a, b) => a - b));
    expect(new Set(tokens).size).toBe(tokens.length);
    expect((await zk.getChildren(`${base}/lock`)).children).toEqual([]);
  });

  test('N processes x M acquisitions: no overlap, exact counter, one wake-up per wait', async () => {
    const processes = 3;
    const rounds = 10;
    await zk.create(base);
    await zk.create(`${base}/counter`, '0');
    const worker = join(__dirname, 'testing', 'lock-worker.ts');
    const run = () =>
      new Promise<{ overlaps: number; acquisitions: number; waits: number; wakeups: number }>((resolve, reject) => {
        const child = spawn(process.execPath, ['-r', '@swc-node/register', worker, server.connectString, `${base}/lock`, `${base}/counter`, `${base}/holder`, String(rounds)], {
          cwd: workspaceRoot,
          env: { ...process.env, SWC_NODE_PROJECT: join(workspaceRoot, 'tsconfig.base.json') },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (c: Buffer) => (out += c));
        child.stderr.on('data', (c: Buffer) => (err += c));
        child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`worker exited ${code}: ${err}`))));
      });
    const results = await Promise.all(Array.from({ length: processes }, run));
    expect(results.map((r) => r.overlaps)).toEqual(Array(processes).fill(0));
    expect(results.map((r) => r.acquisitions)).toEqual(Array(processes).fill(rounds));
    expect(Number((await zk.getData(`${base}/counter`)).data!.toString())).toBe(processes * rounds);
    for (const r of results) expect(r.wakeups).toBe(r.waits);
    expect((await zk.getChildren(`${base}/lock`)).children).toEqual([]);
  }, 60_000);

  test('timeout and abort give up and remove the contender node', async () => {
    const other = await pool.connect(server.connectString);
    const mutex = new Mutex(zk, `${base}/m`);
    const held = await mutex.acquire();
    const started = Date.now();
    await expect(new Mutex(other, `${base}/m`).acquire({ timeoutMs: 200 })).rejects.toBeInstanceOf(AcquireTimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
    const ac = new AbortController();
    const pending = new Mutex(other, `${base}/m`).acquire({ signal: ac.signal });
    await eventually(async () => (await mutex.participants()).length === 2);
    ac.abort(new Error('no longer needed'));
    await expect(pending).rejects.toThrow('no longer needed');
    expect(await mutex.participants()).toEqual([held.path.slice(`${base}/m/`.length)]);
    await held[Symbol.asyncDispose]();
    await held.release();
    expect(await mutex.participants()).toEqual([]);
  });

  test('timeoutMs 0 tries once: acquired when free, else AcquireTimeoutError at once; tryAcquire says null', async () => {
    const other = await pool.connect(server.connectString);
    const mutex = new Mutex(zk, `${base}/once`);
    const contender = new Mutex(other, `${base}/once`);
    const free = await mutex.tryAcquire({ timeoutMs: 0 });
    expect(free).not.toBeNull();
    const started = Date.now();
    await expect(contender.acquire({ timeoutMs: 0 })).rejects.toBeInstanceOf(AcquireTimeoutError);
    expect(await contender.tryAcquire({ timeoutMs: 0 })).toBeNull();
    expect(await contender.tryAcquire({ timeoutMs: 100 })).toBeNull();
    expect(Date.now() - started).toBeLessThan(2000);
    // The failed tries left no node behind: the holder is alone in the queue, and its release frees it.
    expect(await mutex.participants()).toEqual([free!.path.slice(`${base}/once/`.length)]);
    expect(contender.stats).toMatchObject({ acquisitions: 0, waits: 1 });
    await free!.release();
    const next = await contender.tryAcquire({ timeoutMs: 0 });
    expect(next).not.toBeNull();
    await next!.release();
  });

  test('a create whose reply is lost finds its own node instead of leaving an orphan', async () => {
    await zk.create(base);
    let calls = 0;
    // The first create reaches the server, but the caller sees CONNECTIONLOSS.
    const flaky: RecipeClient = Object.assign(Object.create(zk) as ZkClient, {
      create: async (...args: Parameters<ZkClient['create']>) => {
        const r = await zk.create(...args);
        if (calls++ === 0) throw zkError(-4, { op: 'create' });
        return r;
      },
    });
    const own = await protectedCreate(flaky, base, 'lock', null);
    expect(calls).toBe(1);
    expect((await zk.getChildren(base)).children).toEqual([own.name]);
    expect(own.stat).toBeNull();
  });

  test('the holder is told when its session is suspended and lost; the lock passes on', async () => {
    const proxy = await new FaultProxy(server.host, server.port).start();
    try {
      const fragile = await pool.connect(proxy.connectString, { sessionTimeoutMs: 1000 });
      const lock = await new Mutex(fragile, `${base}/m`).acquire();
      const reasons: string[] = [];
      lock.lost.addEventListener('abort', () => reasons.push(String((lock.lost.reason as Error).message)));
      const next = new Mutex(zk, `${base}/m`).acquire({ timeoutMs: 10_000 });
      proxy.stall();
      await eventually(() => lock.lost.aborted, 3000, 'lost signal');
      expect(reasons[0]).toMatch(/session suspended/);
      const successor = await next;
      expect(successor.fencingToken).toBeGreaterThan(lock.fencingToken);
      await successor.release();
    } finally {
      await proxy.stop();
    }
  });

  test('the holder is told when someone deletes its node, whether before or after it first reads lost', async () => {
    const other = await pool.connect(server.connectString);
    const watched = await new Mutex(zk, `${base}/d1`).acquire();
    expect(watched.lost.aborted).toBe(false);
    // Reading lost sent the exists watch; one round trip on the same session (FIFO) means it is set.
    await zk.exists('/');
    await other.delete(watched.path);
    await eventually(() => watched.lost.aborted, 3000, 'lost after delete');
    expect((watched.lost.reason as Error).message).toMatch(/was deleted/);

    const late = await new Mutex(zk, `${base}/d2`).acquire();
    await other.delete(late.path);
    // Read for the first time after the delete: the node is found gone.
    await eventually(() => late.lost.aborted, 3000, 'lost when first read');
    expect((late.lost.reason as Error).message).toMatch(/is gone/);
    await watched.release();
    await late.release();
  });

  test('read/write lock: readers share, a writer is alone, later readers queue behind a waiting writer', async () => {
    const [a, b, c] = await Promise.all([0, 1, 2].map(() => pool.connect(server.connectString)));
    const rw = (z: ZkClient) => new ReadWriteLock(z, `${base}/rw`);
    const r1 = await rw(a).readLock.acquire();
    const r2 = await rw(b).readLock.acquire({ timeoutMs: 2000 });
    let writerIn = false;
    const w = rw(c).writeLock.acquire().then((h) => ((writerIn = true), h));
    await eventually(async () => (await zk.getChildren(`${base}/rw`)).children.length === 3);
    let lateReaderIn = false;
    const late = rw(zk).readLock.acquire().then((h) => ((lateReaderIn = true), h));
    await delay(100);
    expect([writerIn, lateReaderIn]).toEqual([false, false]);
    await r1.release();
    await delay(50);
    expect(writerIn).toBe(false);
    await r2.release();
    const wh = await w;
    await delay(50);
    expect(lateReaderIn).toBe(false);
    await wh.release();
    await (await late).release();
  });

  test('semaphore: at most `permits` holders, every waiter gets in, one wake-up per wait', async () => {
    const permits = 2;
    const cs = await Promise.all(Array.from({ length: 5 }, () => pool.connect(server.connectString)));
    let inside = 0;
    let maxInside = 0;
    const sems: Semaphore[] = [];
    await Promise.all(
      cs.map(async (c) => {
        const sem = new Semaphore(c, `${base}/sem`, permits);
        sems.push(sem);
        for (let i = 0; i < 3; i++) {
          const lease = await sem.acquire({ timeoutMs: 20_000 });
          inside++;
          maxInside = Math.max(maxInside, inside);
          await delay(5);
          inside--;
          await lease.release();
        }
      }),
    );
    expect(maxInside).toBe(permits);
    const waits = sems.reduce((t, s) => t + s.stats.waits, 0);
    const wakeups = sems.reduce((t, s) => t + s.stats.wakeups, 0);
    expect(wakeups).toBe(waits);
    expect(sems.reduce((t, s) => t + s.stats.acquisitions, 0)).toBe(15);
  });
});
