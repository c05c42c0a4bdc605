import { ACL, EventType, Id, WatcherType } from '@coord/protocol';
import { containerOwner, DataTree, OPEN_ACL_UNSAFE, Txn, TxnOp, ttlOwner, WatchMode, WatchTable } from './index';

const session = 0x1000a3f2b4c0000n;
let zxid = 0;
function txn(op: TxnOp, sessionId = session, time = 1000 + zxid): Txn {
  zxid++;
  return { zxid, time, sessionId, cxid: 0, op };
}
function create(path: string, data: Buffer | null = Buffer.from('x'), owner = 0n, acl: ACL[] = OPEN_ACL_UNSAFE): TxnOp {
  return { type: 'create', path, data, acl, ephemeralOwner: owner };
}

beforeEach(() => {
  zxid = 0;
});

describe('built-in nodes and stat', () => {
  it('reports the fresh-server cversion quirk and node count', () => {
    const tree = new DataTree();
    expect(tree.getNode('/')!.stat().cversion).toBe(-1);
    expect(tree.getNode('/zookeeper')!.stat().cversion).toBe(-2);
    expect(tree.getNode('/zookeeper/config')!.acl.acl).toEqual([{ perms: 1, id: { scheme: 'world', id: 'anyone' } }]);
    expect(tree.nodeCount).toBe(5);
    expect(tree.allChildrenNumber('/')).toBe(3);
    expect(tree.getNode('/')!.stat()).toMatchObject({ czxid: 0, mzxid: 0, pzxid: 0, numChildren: 1, dataLength: 0 });
  });

  it('sets every stat field through create / set / setACL / delete', () => {
    const tree = new DataTree();
    tree.applyTxn(txn(create('/a', Buffer.from('hello')))); // zxid 1
    const a = tree.getNode('/a')!.stat();
    expect(a).toEqual({
      czxid: 1, mzxid: 1, ctime: 1000, mtime: 1000, version: 0, cversion: 0, aversion: 0,
      ephemeralOwner: 0n, dataLength: 5, numChildren: 0, pzxid: 1,
    });
    expect(tree.getNode('/')!.stat()).toMatchObject({ cversion: 0, pzxid: 1, numChildren: 2 });
    const set = tree.applyTxn(txn({ type: 'setData', path: '/a', data: Buffer.from('hi'), version: 1 })); // 2
    expect(set.result).toMatchObject({ type: 'setData', stat: { mzxid: 2, mtime: 1001, version: 1, dataLength: 2, czxid: 1 } });
    tree.applyTxn(txn({ type: 'setACL', path: '/a', acl: [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }], aversion: 1 })); // 3
    expect(tree.getNode('/a')!.stat()).toMatchObject({ mzxid: 2, aversion: 1, version: 1 });
    tree.applyTxn(txn(create('/a/b'))); // 4
    tree.applyTxn(txn(create('/a/c'))); // 5
    expect(tree.getNode('/a')!.stat()).toMatchObject({ cversion: 2, numChildren: 2, pzxid: 5 });
    tree.applyTxn(txn({ type: 'delete', path: '/a/b' })); // 6
    // internal cversion stays 2, reported 2*2-1 = 3 = creates + deletes
    expect(tree.getNode('/a')!.stat()).toMatchObject({ cversion: 3, numChildren: 1, pzxid: 6 });
    expect(tree.getNode('/a')!.cversion).toBe(2);
  });

  it('keeps null data distinct from empty data', () => {
    const tree = new DataTree();
    tree.applyTxn(txn(create('/n', null)));
    tree.applyTxn(txn(create('/e', Buffer.alloc(0))));
    expect(tree.getNode('/n')!.data).toBeNull();
    expect(tree.getNode('/e')!.data).toEqual(Buffer.alloc(0));
    expect(tree.getNode('/n')!.stat().dataLength).toBe(0);
  });

  it('hides container and TTL markers in ephemeralOwner and indexes ephemerals', () => {
    const tree = new DataTree();
    tree.applyTxn(txn(create('/c', null, containerOwner)));
    tree.applyTxn(txn(create('/t', null, ttlOwner(500))));
    tree.applyTxn(txn(create('/e', null, session)));
    expect(tree.getNode('/c')!.stat().ephemeralOwner).toBe(0n);
    expect(tree.getNode('/t')!.stat().ephemeralOwner).toBe(0n);
    expect(tree.getNode('/e')!.stat().ephemeralOwner).toBe(session);
    expect(tree.ephemerals(session)).toEqual(['/e']);
    expect(tree.ephemerals(session, '/x')).toEqual([]);
    tree.applyTxn(txn({ type: 'closeSession' }));
    expect(tree.getNode('/e')).toBeUndefined();
    expect(tree.ephemerals(session)).toEqual([]);
  });

  it('finds cleanup candidates: used-and-empty containers and expired TTL nodes', () => {
    const tree = new DataTree();
    tree.applyTxn(txn(create('/c', null, containerOwner), session, 0));
    tree.applyTxn(txn(create('/never', null, containerOwner), session, 0));
    tree.applyTxn(txn(create('/t', null, ttlOwner(500)), session, 0));
    expect(tree.cleanupCandidates(100)).toEqual([]);
    tree.applyTxn(txn(create('/c/x'), session, 0));
    expect(tree.cleanupCandidates(100)).toEqual([]);
    tree.applyTxn(txn({ type: 'delete', path: '/c/x' }));
    expect(tree.cleanupCandidates(100)).toEqual(['/c']);
    expect(tree.cleanupCandidates(501)).toEqual(['/c', '/t']);
    expect(tree.cleanupCandidates(501, 200)).toEqual(['/c', '/never', '/t']);
  });
});

describe('watch triggers', () => {
  it('fires data then child watches on create, one event per connection per trigger', () => {
    const tree = new DataTree();
    tree.watchData('/a', 1); // exists watch on a missing node
    tree.watchChildren('/', 1);
    tree.watchChildren('/', 2);
    const { events } = tree.applyTxn(txn(create('/a')));
    expect(events).toEqual([
      { type: EventType.NodeCreated, path: '/a', zxid: 1, watchers: [1] },
      { type: EventType.NodeChildrenChanged, path: '/', zxid: 1, watchers: [1, 2] },
    ]);
    // one-shot watches were consumed
    expect(tree.applyTxn(txn(create('/b'))).events).toEqual([]);
  });

  it('on delete fires NodeDeleted once per connection across data and child watches', () => {
    const tree = new DataTree();
    tree.applyTxn(txn(create('/a')));
    tree.watchData('/a', 1);
    tree.watchChildren('/a', 1);
    tree.watchChildren('/a', 2);
    tree.watchChildren('/', 3);
    const { events } = tree.applyTxn(txn({ type: 'delete', path: '/a' }));
    expect(events).toEqual([
      { type: EventType.NodeDeleted, path: '/a', zxid: 2, watchers: [1] },
      { type: EventType.NodeDeleted, path: '/a', zxid: 2, watchers: [2] },
      { type: EventType.NodeChildrenChanged, path: '/', zxid: 2, watchers: [3] },
    ]);
    expect(tree.childWatches.size).toBe(0);
  });

  it('setData fires NodeDataChanged; setACL fires nothing', () => {
    const tree = new DataTree();
    tree.applyTxn(txn(create('/a')));
    tree.watchData('/a', 7);
    expect(tree.applyTxn(txn({ type: 'setACL', path: '/a', acl: OPEN_ACL_UNSAFE, aversion: 1 })).events).toEqual([]);
    expect(tree.applyTxn(txn({ type: 'setData', path: '/a', data: null, version: 1 })).events).toEqual([
      { type: EventType.NodeDataChanged, path: '/a', zxid: 3, watchers: [7] },
    ]);
  });

  it('persistent watches stay and see data and children events', () => {
    const tree = new DataTree();
    tree.addWatch('/p', 1, false);
    tree.applyTxn(txn(create('/p')));
    tree.applyTxn(txn(create('/p/c')));
    const third = tree.applyTxn(txn({ type: 'setData', path: '/p', data: null, version: 1 }));
    expect(third.events).toEqual([{ type: EventType.NodeDataChanged, path: '/p', zxid: 3, watchers: [1] }]);
    expect(tree.matchWatches('/p', WatcherType.Persistent, 1, false)).toBe(true);
    expect(tree.matchWatches('/p', WatcherType.Persistent, 1, true)).toBe(true);
    expect(tree.matchWatches('/p', WatcherType.Persistent, 1, false)).toBe(false);
  });

  it('recursive watches fire for descendants but never NodeChildrenChanged', () => {
    const tree = new DataTree();
    tree.addWatch('/r', 1, true);
    const e1 = tree.applyTxn(txn(create('/r'))).events;
    const e2 = tree.applyTxn(txn(create('/r/a'))).events;
    const e3 = tree.applyTxn(txn(create('/r/a/b'))).events;
    const e4 = tree.applyTxn(txn({ type: 'delete', path: '/r/a/b' })).events;
    expect([...e1, ...e2, ...e3, ...e4]).toEqual([
      { type: EventType.NodeCreated, path: '/r', zxid: 1, watchers: [1] },
      { type: EventType.NodeCreated, path: '/r/a', zxid: 2, watchers: [1] },
      { type: EventType.NodeCreated, path: '/r/a/b', zxid: 3, watchers: [1] },
      { type: EventType.NodeDeleted, path: '/r/a/b', zxid: 4, watchers: [1] },
    ]);
    expect(tree.matchWatches('/r', WatcherType.PersistentRecursive, 1, true)).toBe(true);
    expect(tree.applyTxn(txn(create('/r/z'))).events).toEqual([]);
  });

  it('drops events the watcher may not read but still consumes the watch', () => {
    const ids = new Map<number, Id[]>([[1, [{ scheme: 'ip', id: '10.0.0.1' }]], [2, [{ scheme: 'ip', id: '127.0.0.1' }]]]);
    const tree = new DataTree({ idsOf: (w) => ids.get(w) });
    const acl: ACL[] = [{ perms: 31, id: { scheme: 'ip', id: '127.0.0.0/8' } }];
    tree.watchData('/s', 1);
    tree.watchData('/s', 2);
    const { events } = tree.applyTxn(txn(create('/s', null, 0n, acl)));
    expect(events).toEqual([{ type: EventType.NodeCreated, path: '/s', zxid: 1, watchers: [2] }]);
    expect(tree.dataWatches.size).toBe(0);
  });

  it('setWatches catches up on what was missed and registers the rest', () => {
    const tree = new DataTree();
    tree.applyTxn(txn(create('/old'))); // 1
    tree.applyTxn(txn(create('/new'))); // 2
    tree.applyTxn(txn(create('/old/k'))); // 3
    const events = tree.setWatches(
      { relativeZxid: 1, dataWatches: ['/gone', '/new', '/zookeeper'], existWatches: ['/new', '/none'], childWatches: ['/old', '/zookeeper'] },
      9,
    );
    expect(events).toEqual([
      { watcher: 9, type: EventType.NodeDeleted, path: '/gone', zxid: -1 },
      { watcher: 9, type: EventType.NodeDataChanged, path: '/new', zxid: -1 },
      { watcher: 9, type: EventType.NodeCreated, path: '/new', zxid: -1 },
      { watcher: 9, type: EventType.NodeChildrenChanged, path: '/old', zxid: -1 },
    ]);
    expect(tree.matchWatches('/zookeeper', WatcherType.Data, 9, false)).toBe(true);
    expect(tree.matchWatches('/none', WatcherType.Data, 9, false)).toBe(true);
    expect(tree.matchWatches('/zookeeper', WatcherType.Children, 9, false)).toBe(true);
    tree.removeWatcher(9);
    expect(tree.matchWatches('/none', WatcherType.Any, 9, false)).toBe(false);
  });

  it('multi applies every op with one zxid and fires after each op', () => {
    const tree = new DataTree();
    tree.watchChildren('/', 4);
    const r = tree.applyTxn(txn({ type: 'multi', ops: [create('/m'), create('/m/x'), { type: 'check', path: '/m' }] }));
    expect(r.result).toMatchObject({ type: 'multi', results: [{ type: 'create', path: '/m' }, { type: 'create', path: '/m/x' }, { type: 'check' }] });
    expect(tree.getNode('/m/x')!.czxid).toBe(1);
    expect(r.events).toEqual([{ type: EventType.NodeChildrenChanged, path: '/', zxid: 1, watchers: [4] }]);
    expect(tree.lastProcessedZxid).toBe(1);
  });
});

describe('watch fan-out', () => {
  const chain = ['/', '/h', '/h/a', '/h/a/b'];
  const leaf = '/h/a/b/c';

  it('tells each connection once when it watches the node and several ancestors, consuming only one-shot watches', () => {
    const table = new WatchTable();
    for (let w = 1; w <= 50; w++) {
      table.add(leaf, w, WatchMode.STANDARD);
      for (const path of chain.slice(1)) table.add(path, w, WatchMode.PERSISTENT_RECURSIVE);
    }
    table.add('/', 51, WatchMode.PERSISTENT_RECURSIVE); // only at the root
    table.add(leaf, 52, WatchMode.STANDARD | WatchMode.PERSISTENT); // keeps its persistent watch
    table.add('/h/a', 53, WatchMode.PERSISTENT); // not recursive: silent for descendants
    table.add(leaf, 54, WatchMode.PERSISTENT_RECURSIVE); // recursive on the node itself
    const first = table.trigger(leaf)!;
    expect(first.length).toBe(new Set(first).size);
    expect(first).toEqual([...Array.from({ length: 50 }, (_, i) => i + 1), 52, 54, 51]);
    expect(table.size).toBe(50 * 3 + 1 + 1 + 1 + 1);
    expect(table.countOf(1)).toBe(3);
    expect(table.has(leaf, 52, WatchMode.STANDARD)).toBe(false);
    expect(table.has(leaf, 52, WatchMode.PERSISTENT)).toBe(true);
    // Re-armed on half of them: those hear it once more, the recursive watches keep firing for everyone.
    for (let w = 1; w <= 25; w++) table.add(leaf, w, WatchMode.STANDARD);
    const second = table.trigger(leaf)!;
    expect(second.slice(0, 27)).toEqual([52, 54, ...Array.from({ length: 25 }, (_, i) => i + 1)]);
    expect(new Set(second)).toEqual(new Set([...Array.from({ length: 54 }, (_, i) => i + 1)].filter((w) => w !== 53)));
    expect(second.length).toBe(53);
    // A sibling sees only the recursive ones.
    expect(table.trigger('/h/a/x')!.sort((a, b) => a - b)).toEqual([...Array.from({ length: 51 }, (_, i) => i + 1)]);
  });

  it('forgets recursive watches removed one by one or with their connection', () => {
    const table = new WatchTable();
    for (let w = 1; w <= 4; w++) for (const path of chain) table.add(path, w, WatchMode.PERSISTENT_RECURSIVE);
    table.removeWatcher(2);
    for (const path of chain) table.remove(path, 3, WatchMode.PERSISTENT_RECURSIVE);
    table.remove('/h', 4, WatchMode.PERSISTENT_RECURSIVE);
    expect(table.trigger(leaf)).toEqual([1, 4]);
    expect(table.countOf(3)).toBe(0);
    expect(table.size).toBe(4 + 3);
    // A connection that lost every watch and comes back is a fresh entry, still found through the ancestors.
    table.add('/h/a', 3, WatchMode.PERSISTENT_RECURSIVE);
    expect(table.trigger(leaf)).toEqual([1, 4, 3]);
    table.removeWatcher(1);
    table.removeWatcher(3);
    table.removeWatcher(4);
    expect(table.size).toBe(0);
    expect(table.trigger(leaf)).toBeNull();
  });

  it('agrees with a plain model of the tables on random adds, removes and triggers', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const paths = ['/', '/a', '/a/b', '/a/b/c', '/a/d', '/e', '/e/f'];
    const modes = [WatchMode.STANDARD, WatchMode.PERSISTENT, WatchMode.PERSISTENT_RECURSIVE];
    const table = new WatchTable();
    const model = new Map<string, number>(); // `${path} ${watcher}` -> bits
    const key = (path: string, w: number) => `${path} ${w}`;
    for (let step = 0; step < 5000; step++) {
      const path = paths[rand(paths.length)];
      const w = 1 + rand(6);
      const op = rand(10);
      if (op < 5) {
        const mode = modes[rand(3)];
        table.add(path, w, mode);
        model.set(key(path, w), (model.get(key(path, w)) ?? 0) | mode);
      } else if (op < 7) {
        const mode = modes[rand(3)];
        const bits = model.get(key(path, w)) ?? 0;
        expect(table.remove(path, w, mode)).toBe((bits & mode) !== 0);
        if ((bits & ~mode) === 0) model.delete(key(path, w));
        else model.set(key(path, w), bits & ~mode);
      } else if (op < 8) {
        table.removeWatcher(w);
        for (const k of [...model.keys()]) if (k.endsWith(` ${w}`)) model.delete(k);
      } else {
        const expected = new Set<number>();
        for (const [k, bits] of model) {
          const [p, ws] = k.split(' ');
          const inside = p === '/' ? path !== '/' : path.startsWith(`${p}/`);
          if (p === path || (inside && (bits & WatchMode.PERSISTENT_RECURSIVE) !== 0)) expected.add(Number(ws));
          if (p === path && (bits & WatchMode.STANDARD) !== 0) {
            if (bits === WatchMode.STANDARD) model.delete(k);
            else model.set(k, bits & ~WatchMode.STANDARD);
          }
        }
        const got = table.trigger(path) ?? [];
        expect(got.length).toBe(new Set(got).size);
        expect(new Set(got)).toEqual(expected);
      }
      expect(table.size).toBe(model.size);
      for (let x = 1; x <= 6; x++) expect(table.countOf(x)).toBe([...model.keys()].filter((k) => k.endsWith(` ${x}`)).length);
    }
  });
});

describe('children order', () => {
  it('returns children in Java HashSet order, keeping the grown table after deletes', () => {
    const tree = new DataTree();
    tree.applyTxn(txn(create('/sanguo')));
    for (const name of ['nodata', 'empty', 'recursive', 'watched']) tree.applyTxn(txn(create(`/sanguo/${name}`)));
    expect(tree.childrenOf(tree.getNode('/sanguo')!)).toEqual(['watched', 'nodata', 'recursive', 'empty']);
    for (let i = 0; i < 10; i++) tree.applyTxn(txn(create(`/sanguo/x${i}`)));
    expect(tree.getNode('/sanguo')!.childCapacity).toBe(32);
    for (let i = 0; i < 10; i++) tree.applyTxn(txn({ type: 'delete', path: `/sanguo/x${i}` }));
    expect(tree.getNode('/sanguo')!.childCapacity).toBe(32);
    expect(tree.childrenOf(tree.getNode('/sanguo')!).sort()).toEqual(['empty', 'nodata', 'recursive', 'watched']);
  });
});

describe('quota stats', () => {
  it('keeps zookeeper_stats up to date below a quota path', () => {
    const tree = new DataTree();
    const stats = () => tree.getNode('/zookeeper/quota/q/zookeeper_stats')!.data!.toString();
    tree.applyTxn(txn(create('/q', Buffer.from('abc'))));
    tree.applyTxn(txn(create('/q/a', Buffer.from('12345'))));
    tree.applyTxn(txn(create('/zookeeper/quota/q', null)));
    tree.applyTxn(txn(create('/zookeeper/quota/q/zookeeper_limits', Buffer.from('count=5,bytes=-1'))));
    tree.applyTxn(txn(create('/zookeeper/quota/q/zookeeper_stats', Buffer.from('count=0,bytes=0'))));
    expect(stats()).toBe('count=2,bytes=8');
    const before = tree.getNode('/zookeeper/quota/q/zookeeper_stats')!.stat();
    tree.applyTxn(txn(create('/q/b', Buffer.from('xy'))));
    expect(stats()).toBe('count=3,bytes=10');
    tree.applyTxn(txn({ type: 'setData', path: '/q/a', data: null, version: 1 }));
    expect(stats()).toBe('count=3,bytes=5');
    tree.applyTxn(txn({ type: 'delete', path: '/q/b' }));
    expect(stats()).toBe('count=2,bytes=3');
    // Written in place: version and mzxid of the stats node do not move.
    expect(tree.getNode('/zookeeper/quota/q/zookeeper_stats')!.stat()).toMatchObject({ version: before.version, mzxid: before.mzxid });
    tree.applyTxn(txn({ type: 'delete', path: '/zookeeper/quota/q/zookeeper_limits' }));
    tree.applyTxn(txn(create('/q/c', Buffer.from('z'))));
    expect(stats()).toBe('count=2,bytes=3');
  });
});
