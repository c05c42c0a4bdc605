/**
 * Every client operation, create mode, error code, chroot, multi and watch type, against each server
 * of serverFactories() (Apache ZooKeeper 3.8 always; our node when selected).
 */
import type { RunningServer } from '@coord/testing';
import { createHash } from 'node:crypto';
import { Ids, Perms, ZkError, NoNodeError, type ZkClient, type WatchedEvent } from './index';
import { ClientPool, EventLog, delay, eventually } from './testing/helpers';
import { serverCases, useServer } from './testing/servers';

describe.each(serverCases())('client against %s', (_name, factory) => {
  let server: RunningServer;
  const pool = new ClientPool();
  let zk: ZkClient;
  /** A fresh base path per test so tests never see each other's nodes (created before each test). */
  let base: string;
  useServer(factory, pool, 't', (s) => ({ server, zk, base } = s), { createBase: true });

  test('connect negotiates a session', async () => {
    expect(zk.state).toBe('connected');
    expect(zk.sessionId).not.toBe(0n);
    expect(zk.sessionPassword.length).toBe(16);
    expect(zk.sessionTimeoutMs).toBe(4000);
    expect(zk.connectedHost).toBe(server.connectString);
    expect(zk.lastZxid).toBeGreaterThan(0);
  });

  test('create, getData, setData, exists, delete with stats; null data stays null', async () => {
    const created = await zk.create(`${base}/a`, 'one');
    expect(created.path).toBe(`${base}/a`);
    expect(created.stat).toMatchObject({ version: 0, dataLength: 3, numChildren: 0, ephemeralOwner: 0n });
    const got = await zk.getData(`${base}/a`);
    expect(got.data!.toString()).toBe('one');
    expect(got.stat.czxid).toBe(created.stat.czxid);
    const set = await zk.setData(`${base}/a`, Buffer.from('two!'), { version: 0 });
    expect(set).toMatchObject({ version: 1, dataLength: 4 });
    expect(set.mzxid).toBeGreaterThan(created.stat.mzxid);
    expect((await zk.exists(`${base}/a`))!.version).toBe(1);
    await zk.create(`${base}/nul`, null);
    expect((await zk.getData(`${base}/nul`)).data).toBeNull();
    await zk.create(`${base}/empty`, Buffer.alloc(0));
    expect((await zk.getData(`${base}/empty`)).data).toEqual(Buffer.alloc(0));
    await zk.delete(`${base}/a`, { version: 1 });
    expect(await zk.exists(`${base}/a`)).toBeNull();
  });

  test('create modes: ephemeral, sequential, container, TTL', async () => {
    const e = await zk.create(`${base}/e`, 'x', { mode: 'ephemeral' });
    expect(e.stat.ephemeralOwner).toBe(zk.sessionId);
    const s1 = await zk.create(`${base}/s-`, null, { mode: 'persistent-sequential' });
    const s2 = await zk.create(`${base}/s-`, null, { mode: 'ephemeral-sequential' });
    expect(s1.path).toMatch(new RegExp(`^${base}/s-\\d{10}$`));
    expect(Number(s2.path.slice(-10))).toBe(Number(s1.path.slice(-10)) + 1);
    const c = await zk.create(`${base}/c`, null, { mode: 'container' });
    expect(c.path).toBe(`${base}/c`);
    expect(c.stat.ephemeralOwner).toBe(0n);
    const t = await zk.create(`${base}/ttl`, 'v', { mode: 'persistent-ttl', ttlMs: 60_000 });
    expect(t.stat.ephemeralOwner).toBe(0n);
    const ts = await zk.create(`${base}/ttls-`, 'v', { mode: 'persistent-sequential-ttl', ttlMs: 60_000 });
    expect(ts.path).toMatch(/ttls-\d{10}$/);
    expect((await zk.getEphemerals(base)).sort()).toEqual([`${base}/e`, s2.path].sort());
  });

  test('local argument checks reject before sending', async () => {
    await expect(zk.create('no-slash')).rejects.toMatchObject({ code: 'BADARGUMENTS' });
    await expect(zk.getData('/a/')).rejects.toMatchObject({ code: 'BADARGUMENTS', message: 'Path must not end with / character' });
    await expect(zk.create(`${base}/x`, null, { mode: 'persistent-ttl' })).rejects.toMatchObject({ code: 'BADARGUMENTS' });
    await expect(zk.create(`${base}/x`, null, { ttlMs: 5 })).rejects.toMatchObject({ code: 'BADARGUMENTS' });
    await expect(zk.create(`${base}/x`, null, { acl: [] })).rejects.toMatchObject({ code: 'INVALIDACL' });
    // A sequential create may end with '/' (ZooKeeper validates path + '1').
    const seq = await zk.create(`${base}/`, null, { mode: 'persistent-sequential' });
    expect(seq.path).toMatch(new RegExp(`^${base}/\\d{10}$`));
  });

  test('server error codes become typed ZkErrors', async () => {
    const missing = await zk.getData(`${base}/missing`).catch((e) => e);
    expect(missing).toBeInstanceOf(NoNodeError);
    expect(missing).toMatchObject({ code: 'NONODE', zkCode: -101, path: `${base}/missing`, op: 'getData', retryable: false });
    await zk.create(`${base}/a`, 'x');
    await expect(zk.create(`${base}/a`)).rejects.toMatchObject({ code: 'NODEEXISTS', zkCode: -110 });
    await expect(zk.setData(`${base}/a`, 'y', { version: 7 })).rejects.toMatchObject({ code: 'BADVERSION' });
    await expect(zk.delete(`${base}/a`, { version: 3 })).rejects.toMatchObject({ code: 'BADVERSION' });
    await zk.create(`${base}/a/child`);
    await expect(zk.delete(`${base}/a`)).rejects.toMatchObject({ code: 'NOTEMPTY' });
    await zk.create(`${base}/eph`, null, { mode: 'ephemeral' });
    await expect(zk.create(`${base}/eph/c`)).rejects.toMatchObject({ code: 'NOCHILDRENFOREPHEMERALS' });
    await expect(zk.create(`${base}/nope/c`)).rejects.toMatchObject({ code: 'NONODE' });
    await expect(zk.delete('/zookeeper')).rejects.toMatchObject({ code: 'BADARGUMENTS' });
    await expect(zk.getChildren(`${base}/missing`)).rejects.toMatchObject({ code: 'NONODE' });
    await expect(zk.checkWatches(`${base}/a`, 'data')).rejects.toMatchObject({ code: 'NOWATCHER' });
  });

  test('getChildren, getAllChildrenNumber, sync, whoAmI', async () => {
    await zk.create(`${base}/p`);
    for (const c of ['x', 'y', 'z']) await zk.create(`${base}/p/${c}`);
    await zk.create(`${base}/p/x/deep`);
    const { children, stat } = await zk.getChildren(`${base}/p`);
    expect(children.sort()).toEqual(['x', 'y', 'z']);
    expect(stat.numChildren).toBe(3);
    expect(await zk.getAllChildrenNumber(`${base}/p`)).toBe(4);
    await zk.sync(`${base}/p`);
    const me = await zk.whoAmI();
    expect(me).toEqual([{ authScheme: 'ip', user: '127.0.0.1' }]);
  });

  test('ACLs and digest auth', async () => {
    const other = await pool.connect(server.connectString);
    await zk.addAuth('digest', 'alice:secret');
    expect(await zk.whoAmI()).toEqual(expect.arrayContaining([{ authScheme: 'digest', user: 'alice' }]));
    await zk.create(`${base}/private`, 'p', { acl: Ids.CREATOR_ALL_ACL });
    const hash = createHash('sha1').update('alice:secret').digest('base64');
    const { acl, stat } = await zk.getACL(`${base}/private`);
    expect(acl).toEqual([{ perms: Perms.ALL, id: { scheme: 'digest', id: `alice:${hash}` } }]);
    expect(stat.aversion).toBe(0);
    await expect(other.getData(`${base}/private`)).rejects.toMatchObject({ code: 'NOAUTH' });
    const st = await zk.setACL(`${base}/private`, [...acl, { perms: Perms.READ, id: Ids.ANYONE_ID_UNSAFE }], { version: 0 });
    expect(st.aversion).toBe(1);
    expect((await other.getData(`${base}/private`)).data!.toString()).toBe('p');
    await expect(zk.setACL(`${base}/private`, Ids.OPEN_ACL_UNSAFE, { version: 0 })).rejects.toMatchObject({ code: 'BADVERSION' });
    await expect(other.create(`${base}/x`, null, { acl: Ids.CREATOR_ALL_ACL })).rejects.toMatchObject({ code: 'INVALIDACL' });
  });

  test('transactions commit atomically and report every op on failure', async () => {
    await zk.create(`${base}/v`, 'a');
    const results = await zk
      .transaction()
      .create(`${base}/t1`, 'x')
      .create(`${base}/seq-`, null, { mode: 'persistent-sequential' })
      .setData(`${base}/v`, 'b', 0)
      .check(`${base}/v`, 1)
      .delete(`${base}/t1`)
      .commit();
    expect(results.map((r) => r.type)).toEqual(['create', 'create', 'setData', 'check', 'delete']);
    expect(results[0]).toMatchObject({ type: 'create', path: `${base}/t1` });
    expect((results[1] as { path: string }).path).toMatch(/seq-\d{10}$/);
    expect((results[2] as { stat: { version: number } }).stat.version).toBe(1);
    const err = (await zk.transaction().create(`${base}/t2`).check(`${base}/v`, 99).create(`${base}/t3`).commit().catch((e) => e)) as ZkError;
    expect(err).toBeInstanceOf(ZkError);
    expect(err.code).toBe('BADVERSION');
    expect(err.path).toBe(`${base}/v`);
    expect(err.results!.map((r) => (r.type === 'error' ? r.code : r.type))).toEqual(['OK', 'BADVERSION', 'RUNTIMEINCONSISTENCY']);
    expect(await zk.exists(`${base}/t2`)).toBeNull();
    expect(await zk.transaction().commit()).toEqual([]);
  });

  test('multiRead returns a result or an error per op', async () => {
    await zk.create(`${base}/r`, 'data');
    await zk.create(`${base}/r/k`);
    const [a, b, c] = await zk.multiRead([
      { op: 'getData', path: `${base}/r` },
      { op: 'getChildren', path: `${base}/r` },
      { op: 'getData', path: `${base}/missing` },
    ]);
    expect((a as { data: Buffer }).data.toString()).toBe('data');
    expect(b).toEqual({ children: ['k'] });
    expect(c).toBeInstanceOf(ZkError);
    expect(c).toMatchObject({ code: 'NONODE', path: `${base}/missing` });
  });

  test('chroot: paths, results and events are relative to it', async () => {
    const app = await pool.connect(`${server.connectString}${base}`);
    const created = await app.create('/node', 'in-chroot');
    expect(created.path).toBe('/node');
    expect((await zk.getData(`${base}/node`)).data!.toString()).toBe('in-chroot');
    const seq = await app.create('/s-', null, { mode: 'ephemeral-sequential' });
    expect(seq.path).toMatch(/^\/s-\d{10}$/);
    expect(await app.getEphemerals()).toEqual([seq.path]);
    expect((await app.getChildren('/')).children.sort()).toEqual(['node', seq.path.slice(1)].sort());
    const log = new EventLog();
    await app.getData('/node', { watch: log.watcher });
    await zk.setData(`${base}/node`, 'changed');
    expect(await log.next()).toMatchObject({ type: 'NodeDataChanged', path: '/node' });
    const results = await app.transaction().create('/m').commit();
    expect(results[0]).toMatchObject({ path: '/m' });
  });

  test('one-shot data, exist and child watches fire once', async () => {
    const data = new EventLog();
    const exist = new EventLog();
    const child = new EventLog();
    expect(await zk.exists(`${base}/w`, { watch: exist.watcher })).toBeNull();
    await zk.create(`${base}/w`, 'a');
    expect(await exist.next()).toMatchObject({ type: 'NodeCreated', path: `${base}/w`, state: 'SyncConnected' });
    await zk.getData(`${base}/w`, { watch: data.watcher });
    await zk.getChildren(`${base}/w`, { watch: child.watcher });
    await zk.setData(`${base}/w`, 'b');
    await zk.setData(`${base}/w`, 'c');
    expect(await data.next()).toMatchObject({ type: 'NodeDataChanged', path: `${base}/w` });
    await zk.create(`${base}/w/k`);
    expect(await child.next()).toMatchObject({ type: 'NodeChildrenChanged', path: `${base}/w` });
    await zk.create(`${base}/w/k2`);
    // NodeDeleted fires data and child watches.
    const d2 = new EventLog();
    await zk.getData(`${base}/w/k`, { watch: d2.watcher });
    await zk.getChildren(`${base}/w/k`, { watch: d2.watcher });
    await zk.delete(`${base}/w/k`);
    expect(await d2.next()).toMatchObject({ type: 'NodeDeleted', path: `${base}/w/k` });
    await delay(100);
    expect(data.events).toHaveLength(1);
    expect(child.events).toHaveLength(1);
    expect(d2.events).toHaveLength(1);
  });

  test('the notification arrives before the reply of the write that caused it', async () => {
    const order: string[] = [];
    await zk.create(`${base}/o`);
    await zk.getData(`${base}/o`, { watch: () => order.push('event') });
    const other = await pool.connect(server.connectString);
    await other.getData(`${base}/o`, { watch: () => order.push('other-event') });
    await zk.setData(`${base}/o`, 'x').then(() => order.push('reply'));
    expect(order.indexOf('event')).toBeLessThan(order.indexOf('reply'));
    expect(order.indexOf('event')).toBeGreaterThanOrEqual(0);
    await eventually(() => order.includes('other-event'));
  });

  test('persistent and persistent-recursive watches', async () => {
    const pers = new EventLog();
    const rec = new EventLog();
    await zk.create(`${base}/p`);
    // Separate connections: Apache 3.8 keeps one watch mode per (connection, path), so a recursive watch
    // added by the same connection stops its persistent watch from seeing NodeChildrenChanged.
    const other = await pool.connect(server.connectString);
    await zk.addWatch(`${base}/p`, 'persistent', pers.watcher);
    await other.addWatch(`${base}/p`, 'persistent-recursive', rec.watcher);
    await zk.setData(`${base}/p`, '1');
    await zk.setData(`${base}/p`, '2');
    await zk.create(`${base}/p/c`);
    await zk.create(`${base}/p/c/d`);
    await zk.setData(`${base}/p/c/d`, 'x');
    await zk.delete(`${base}/p/c/d`);
    const persEvents = [await pers.next(), await pers.next(), await pers.next()].map((e) => e.type);
    expect(persEvents).toEqual(['NodeDataChanged', 'NodeDataChanged', 'NodeChildrenChanged']);
    const recEvents: WatchedEvent[] = [];
    for (let i = 0; i < 6; i++) recEvents.push(await rec.next());
    expect(recEvents.map((e) => `${e.type} ${e.path!.slice(base.length)}`)).toEqual([
      'NodeDataChanged /p',
      'NodeDataChanged /p',
      'NodeCreated /p/c',
      'NodeCreated /p/c/d',
      'NodeDataChanged /p/c/d',
      'NodeDeleted /p/c/d',
    ]);
    const removed = new EventLog();
    await zk.addWatch(`${base}/p`, 'persistent', removed.watcher);
    await zk.removeWatches(`${base}/p`, 'any', { watcher: pers.watcher });
    await zk.removeWatches(`${base}/p`, 'any');
    expect(await removed.next()).toMatchObject({ type: 'PersistentWatchRemoved', path: `${base}/p` });
    await zk.setData(`${base}/p`, '3');
    await delay(150);
    expect(pers.events).toHaveLength(4); // the 3 above plus its own PersistentWatchRemoved
    expect(pers.events[3].type).toBe('PersistentWatchRemoved');
    expect(rec.events).toHaveLength(7); // the recursive watch (another connection) still sees setData 3
  });

  test('removeWatches: local NOWATCHER, removal events, and no more firing', async () => {
    await zk.create(`${base}/r`);
    await expect(zk.removeWatches(`${base}/r`, 'data')).rejects.toMatchObject({ code: 'NOWATCHER' });
    const log = new EventLog();
    await zk.getData(`${base}/r`, { watch: log.watcher });
    await zk.getChildren(`${base}/r`, { watch: log.watcher });
    await zk.checkWatches(`${base}/r`, 'data');
    await zk.removeWatches(`${base}/r`, 'data');
    expect(await log.next()).toMatchObject({ type: 'DataWatchRemoved', path: `${base}/r` });
    await zk.setData(`${base}/r`, 'x');
    await zk.removeWatches(`${base}/r`, 'children', { watcher: log.watcher });
    expect(await log.next()).toMatchObject({ type: 'ChildWatchRemoved' });
    await zk.create(`${base}/r/c`);
    await delay(100);
    expect(log.events).toHaveLength(2);
  });

  test("'event' sees every notification", async () => {
    const seen: WatchedEvent[] = [];
    zk.on('event', (e) => seen.push(e));
    await zk.create(`${base}/ev`);
    await zk.exists(`${base}/ev`, { watch: () => {} });
    await zk.delete(`${base}/ev`);
    await eventually(() => seen.some((e) => e.type === 'NodeDeleted' && e.path === `${base}/ev`));
  });

  test('watchChildren and watchData iterate snapshots and end on abort', async () => {
    const ac = new AbortController();
    const snapshots: string[][] = [];
    const iterating = (async () => {
      for await (const s of zk.watchChildren(`${base}/svc`, { signal: ac.signal })) {
        snapshots.push(s.children.sort());
        if (snapshots.length === 4) ac.abort();
      }
    })();
    await eventually(() => snapshots.length === 1);
    expect(snapshots[0]).toEqual([]);
    await zk.create(`${base}/svc`);
    await eventually(() => snapshots.length === 2);
    await zk.create(`${base}/svc/a`);
    await eventually(() => snapshots.length === 3);
    await zk.create(`${base}/svc/b`);
    await iterating;
    expect(snapshots).toEqual([[], [], ['a'], ['a', 'b']]);

    const values: (string | null)[] = [];
    const ac2 = new AbortController();
    const dataLoop = (async () => {
      for await (const s of zk.watchData(`${base}/cfg`, { signal: ac2.signal })) {
        values.push(s.stat === null ? null : s.data!.toString());
        if (values.length === 3) break;
      }
    })();
    await eventually(() => values.length === 1);
    await zk.create(`${base}/cfg`, 'v1');
    await eventually(() => values.length === 2);
    await zk.setData(`${base}/cfg`, 'v2');
    await dataLoop;
    expect(values).toEqual([null, 'v1', 'v2']);
  });

  test('pipelined requests resolve in order', async () => {
    await zk.create(`${base}/pipe`, 'x');
    const order: number[] = [];
    const all = [];
    for (let i = 0; i < 500; i++) {
      all.push((i % 2 === 0 ? zk.getData(`${base}/pipe`) : zk.setData(`${base}/pipe`, String(i))).then(() => order.push(i)));
    }
    await Promise.all(all);
    expect(order).toEqual([...Array(500).keys()]);
    expect((await zk.getData(`${base}/pipe`)).stat.version).toBe(250);
  });

  test('abort and timeout on calls', async () => {
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(zk.getData('/', { signal: ac.signal })).rejects.toThrow('stop');
    const inFlight = new AbortController();
    const call = zk.getData('/', { signal: inFlight.signal });
    inFlight.abort(new Error('changed my mind'));
    await expect(call).rejects.toThrow('changed my mind');
    // The aborted call's reply still arrives and is matched and dropped: the session goes on.
    expect((await zk.exists('/'))!.numChildren).toBeGreaterThan(0);
  });

  test('close is idempotent, prompt, removes ephemerals and fails later calls', async () => {
    const c = await pool.connect(server.connectString);
    await c.create(`${base}/mine`, null, { mode: 'ephemeral' });
    const states: string[] = [];
    c.on('state', (s) => states.push(s));
    const started = Date.now();
    await Promise.all([c.close(), c.close()]);
    await c.close();
    expect(Date.now() - started).toBeLessThan(1500);
    expect(c.state).toBe('closed');
    expect(states).toEqual(['closed']);
    expect(await zk.exists(`${base}/mine`)).toBeNull();
    await expect(c.getData('/')).rejects.toMatchObject({ code: 'SESSIONEXPIRED' });
  });
});
