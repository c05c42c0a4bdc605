import { parseConnectString, prependChroot, shuffle, stripChroot } from './connect-string';
import { errorCodeName, zkError, ZkError, NoNodeError, ConnectTimeoutError } from './errors';
import { exponentialBackoff, fixedDelay, withRetry } from './retry';
import { WatchRegistry, parentOf } from './watch-registry';
import type { WatchedEvent } from './types';

describe('connect string', () => {
  test('several hosts, default port, IPv6 and a chroot', () => {
    expect(parseConnectString('a:1,b,[::1]:3/app/x')).toEqual({
      hosts: [
        { host: 'a', port: 1 },
        { host: 'b', port: 2181 },
        { host: '::1', port: 3 },
      ],
      chroot: '/app/x',
    });
    expect(parseConnectString('h:2/').chroot).toBe('');
  });

  test('rejects bad ports, empty host lists and invalid chroots', () => {
    expect(() => parseConnectString('h:0')).toThrow(/bad host/);
    expect(() => parseConnectString('h:x')).toThrow(/bad host/);
    expect(() => parseConnectString('/app')).toThrow(/no host/);
    expect(() => parseConnectString('h:1/app/')).toThrow(/invalid chroot/);
    expect(() => parseConnectString('h:1/a//b')).toThrow(/invalid chroot/);
  });

  test('shuffle is a permutation driven by the injected random source', () => {
    const hosts = [1, 2, 3, 4, 5];
    expect(shuffle(hosts, () => 0)).toEqual([2, 3, 4, 5, 1]);
    expect(shuffle(hosts, () => 0.999)).toEqual([1, 2, 3, 4, 5]);
    expect([...shuffle(hosts, Math.random)].sort()).toEqual(hosts);
  });

  test('chroot prepends and strips only whole segments', () => {
    expect(prependChroot('/app', '/')).toBe('/app');
    expect(prependChroot('/app', '/x')).toBe('/app/x');
    expect(prependChroot('', '/x')).toBe('/x');
    expect(stripChroot('/app', '/app')).toBe('/');
    expect(stripChroot('/app', '/app/x/y')).toBe('/x/y');
    expect(stripChroot('/app', '/apple')).toBe('/apple');
  });
});

describe('errors', () => {
  test('codes, names, retryable and subclasses', () => {
    const e = zkError(-101, { path: '/x', op: 'getData' });
    expect(e).toBeInstanceOf(NoNodeError);
    expect(e).toBeInstanceOf(ZkError);
    expect(e).toMatchObject({ code: 'NONODE', zkCode: -101, path: '/x', op: 'getData', retryable: false });
    expect(e.message).toBe('KeeperErrorCode = NoNode for /x');
    expect(zkError(-4).retryable).toBe(true);
    expect(zkError(-7).retryable).toBe(true);
    expect(zkError(-112).retryable).toBe(false);
    expect(errorCodeName(-999)).toBe('SYSTEMERROR');
    const t = new ConnectTimeoutError(-4, { message: 'x' });
    expect(t.code).toBe('CONNECTIONLOSS');
  });
});

describe('retry', () => {
  test('exponential backoff doubles up to the cap and stops after maxRetries', () => {
    const p = exponentialBackoff({ baseMs: 10, maxMs: 50, maxRetries: 4 });
    expect([0, 1, 2, 3, 4].map((i) => p.delayMs(i))).toEqual([10, 20, 40, 50, null]);
    const j = exponentialBackoff({ baseMs: 100, jitter: true, random: () => 0 });
    expect(j.delayMs(0)).toBe(50);
  });

  test('withRetry retries connection loss only', async () => {
    let calls = 0;
    const v = await withRetry(async () => {
      if (++calls < 3) throw zkError(-4);
      return 'ok';
    }, fixedDelay(1, 5));
    expect([v, calls]).toEqual(['ok', 3]);
    calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw zkError(-101);
      }, fixedDelay(1, 5)),
    ).rejects.toMatchObject({ code: 'NONODE' });
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw zkError(-7);
      }, fixedDelay(1, 2)),
    ).rejects.toMatchObject({ code: 'OPERATIONTIMEOUT' });
    expect(calls).toBe(3);
  });
});

describe('watch registry (client-side dispatch)', () => {
  const names = (ws: unknown[], all: Record<string, unknown>) =>
    ws.map((w) => Object.entries(all).find(([, v]) => v === w)![0]).sort();
  const mk = () => {
    const w: Record<string, (e: WatchedEvent) => void> = {};
    for (const n of ['data', 'exist', 'child', 'pers', 'rec', 'recRoot']) w[n] = () => {};
    const r = new WatchRegistry();
    r.add('data', '/a', w.data);
    r.add('exist', '/a', w.exist);
    r.add('child', '/a', w.child);
    r.add('persistent', '/a', w.pers);
    r.add('persistentRecursive', '/', w.recRoot);
    r.add('persistentRecursive', '/a', w.rec);
    return { r, w };
  };

  test('NodeDataChanged wakes data + exist once, persistent and recursive always', () => {
    const { r, w } = mk();
    expect(names(r.materialize('NodeDataChanged', '/a'), w)).toEqual(['data', 'exist', 'pers', 'rec', 'recRoot']);
    expect(names(r.materialize('NodeDataChanged', '/a'), w)).toEqual(['pers', 'rec', 'recRoot']);
  });

  test('NodeChildrenChanged wakes child and persistent but never recursive', () => {
    const { r, w } = mk();
    expect(names(r.materialize('NodeChildrenChanged', '/a'), w)).toEqual(['child', 'pers']);
  });

  test('NodeDeleted wakes data, exist and child; descendants reach recursive ancestors', () => {
    const { r, w } = mk();
    expect(names(r.materialize('NodeDeleted', '/a'), w)).toEqual(['child', 'data', 'exist', 'pers', 'rec', 'recRoot']);
    expect(names(r.materialize('NodeCreated', '/a/b/c'), w)).toEqual(['rec', 'recRoot']);
    expect(names(r.materialize('NodeCreated', '/b'), w)).toEqual(['recRoot']);
  });

  test('remove returns the removed watchers with their event types; contains follows', () => {
    const { r, w } = mk();
    expect(r.contains('/a', 'data', w.child)).toBe(false);
    expect(r.remove('/a', 'data').map((x) => [names([x.watcher], w)[0], x.event])).toEqual([
      ['data', 'DataWatchRemoved'],
      ['exist', 'DataWatchRemoved'],
    ]);
    expect(r.contains('/a', 'data')).toBe(false);
    expect(r.remove('/a', 'any', w.pers)).toEqual([{ watcher: w.pers, event: 'PersistentWatchRemoved' }]);
    expect(r.paths('child')).toEqual(['/a']);
    expect(r.hasPersistent()).toBe(true);
    r.remove('/', 'persistent-recursive');
    r.remove('/a', 'persistent-recursive');
    expect(r.hasPersistent()).toBe(false);
    expect(names(r.materialize('NodeCreated', '/a/b'), w)).toEqual([]);
  });

  test('parentOf', () => {
    expect([parentOf('/a/b'), parentOf('/a'), parentOf('/')]).toEqual(['/a', '/', null]);
  });
});

describe('SetWatches batches', () => {
  const { setWatchesBatches } = jest.requireActual('./set-watches') as typeof import('./set-watches');
  const w = () => {};

  test('SetWatches (101) without persistent watches, chroot prepended, split by bytes', () => {
    const r = new WatchRegistry();
    r.add('data', '/a', w);
    r.add('exist', '/bb', w);
    r.add('child', '/ccc', w);
    const [only] = setWatchesBatches(r, '/app', 42);
    expect(only).toEqual({
      opcode: 101,
      body: { relativeZxid: 42, dataWatches: ['/app/a'], existWatches: ['/app/bb'], childWatches: ['/app/ccc'], persistentWatches: [], persistentRecursiveWatches: [] },
    });
    const split = setWatchesBatches(r, '', 7, 5);
    expect(split.map((b) => [b.body.dataWatches, b.body.existWatches, b.body.childWatches])).toEqual([
      [['/a'], ['/bb'], []],
      [[], [], ['/ccc']],
    ]);
  });

  test('SetWatches2 (105) once a persistent watch exists; nothing when there are no watches', () => {
    const r = new WatchRegistry();
    expect(setWatchesBatches(r, '', 1)).toEqual([]);
    r.add('persistentRecursive', '/tree', w);
    r.add('data', '/d', w);
    const [b] = setWatchesBatches(r, '', 1);
    expect(b.opcode).toBe(105);
    expect(b.body.persistentRecursiveWatches).toEqual(['/tree']);
    expect(b.body.dataWatches).toEqual(['/d']);
  });
});
