import { OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from './acl';
import { DataTree } from './data-tree';
import { recordOf, restoreTree, TreeImage } from './snapshot';
import type { Txn, TxnOp } from './txn';
import { containerOwner } from './znode';
import { seededRand } from '@coord/zab';

/** Generates valid txns against the live tree: creates, deletes, sets, ACLs, sessions, multis. */
class TxnGen {
  zxid = 0;
  private readonly sessions: bigint[] = [];
  private nextSession = 1n;
  private names = 0;
  constructor(private readonly tree: DataTree, private readonly rnd: () => number) {}

  private pick<T>(xs: T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)];
  }

  private userPaths(): string[] {
    return [...this.tree.entries()].map(([p]) => p).filter((p) => p !== '/' && !p.startsWith('/zookeeper'));
  }

  private leafOp(taken: Set<string>): TxnOp | null {
    const paths = this.userPaths().filter((p) => !taken.has(p));
    const r = this.rnd();
    if (r < 0.4 || paths.length === 0) {
      const parents = ['/', ...paths.filter((p) => this.tree.getNode(p)!.ephemeralOwner === 0n || this.tree.getNode(p)!.ephemeralOwner === containerOwner)];
      const parent = this.pick(parents);
      const path = (parent === '/' ? '' : parent) + '/n' + this.names++;
      const eph = this.sessions.length > 0 && this.rnd() < 0.3;
      const owner = eph ? this.pick(this.sessions) : this.rnd() < 0.1 ? containerOwner : 0n;
      taken.add(path);
      taken.add(parent);
      return { type: 'create', path, data: Buffer.from('d' + this.zxid), acl: OPEN_ACL_UNSAFE, ephemeralOwner: owner };
    }
    const path = this.pick(paths);
    const node = this.tree.getNode(path)!;
    taken.add(path);
    if (r < 0.6 && node.numChildren === 0) return { type: 'delete', path };
    if (r < 0.85) return { type: 'setData', path, data: this.rnd() < 0.1 ? null : Buffer.from('v' + this.zxid), version: node.version + 1 };
    return { type: 'setACL', path, acl: this.rnd() < 0.5 ? READ_ACL_UNSAFE : OPEN_ACL_UNSAFE, aversion: node.aversion + 1 };
  }

  next(): Txn {
    const zxid = ++this.zxid;
    const r = this.rnd();
    let sessionId = 0n;
    let op: TxnOp;
    if (r < 0.05) {
      sessionId = this.nextSession++;
      this.sessions.push(sessionId);
      op = { type: 'createSession', timeOut: 4000 };
    } else if (r < 0.08 && this.sessions.length > 0) {
      sessionId = this.sessions.splice(Math.floor(this.rnd() * this.sessions.length), 1)[0];
      op = { type: 'closeSession' };
    } else if (r < 0.2) {
      // A multi of independent ops (each on a distinct path) so every sub-op stays valid.
      const taken = new Set<string>();
      const ops: TxnOp[] = [];
      for (let i = 0; i < 4; i++) {
        const o = this.leafOp(taken);
        if (o) ops.push(o);
      }
      op = { type: 'multi', ops };
    } else {
      op = this.leafOp(new Set()) ?? { type: 'error', err: -101 };
    }
    return { zxid, time: 1_000_000 + zxid, sessionId, cxid: zxid, op };
  }
}

function expectSameTree(a: DataTree, b: DataTree): void {
  const entries = (t: DataTree) => new Map([...t.entries()].map(([p, n]) => [p, { ...recordOf(n), children: t.childrenOf(n).sort() }]));
  expect(entries(b)).toEqual(entries(a));
  expect(b.approximateDataSize).toBe(a.approximateDataSize);
  expect(b.sessionsWithEphemerals()).toEqual(a.sessionsWithEphemerals());
  expect(b.cleanupCandidates(2e12, 1)).toEqual(a.cleanupCandidates(2e12, 1));
}

describe('fuzzy snapshot + replay', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])('rebuilds the exact tree, seed %i', (seed) => {
    const rnd = seededRand(seed).next;
    const live = new DataTree();
    const gen = new TxnGen(live, rnd);
    const log: Txn[] = [];
    const apply = (n: number) => {
      for (let i = 0; i < n; i++) {
        const t = gen.next();
        log.push(t);
        live.applyTxn(t);
      }
    };
    apply(200);
    // Walk the live tree a few nodes at a time while txns keep changing it.
    const start = live.lastProcessedZxid;
    const image = new TreeImage();
    for (const [sid, paths] of live.sessionsWithEphemerals()) image.addEphemerals(sid, paths);
    for (const [path, node] of live.entries()) {
      image.set(path, recordOf(node));
      if (rnd() < 0.3) apply(1 + Math.floor(rnd() * 4));
    }
    apply(50);
    for (const t of log) if (t.zxid > start) image.replay(t);
    const rebuilt = new DataTree();
    restoreTree(rebuilt, image);
    expectSameTree(live, rebuilt);
  });

  it('replaying txns the image already holds changes nothing (cversion counted once)', () => {
    const live = new DataTree();
    const txns: Txn[] = [
      { zxid: 1, time: 1, sessionId: 0n, cxid: 1, op: { type: 'create', path: '/a', data: null, acl: OPEN_ACL_UNSAFE, ephemeralOwner: 0n } },
      {
        zxid: 2, time: 2, sessionId: 0n, cxid: 2,
        op: { type: 'multi', ops: [
          { type: 'create', path: '/a/b', data: null, acl: OPEN_ACL_UNSAFE, ephemeralOwner: 0n },
          { type: 'create', path: '/a/b/c', data: null, acl: OPEN_ACL_UNSAFE, ephemeralOwner: 0n },
          { type: 'setData', path: '/a', data: Buffer.from('x'), version: 1 },
          { type: 'setData', path: '/a', data: Buffer.from('y'), version: 2 },
        ] },
      },
    ];
    for (const t of txns) live.applyTxn(t);
    const image = new TreeImage();
    for (const [p, n] of live.entries()) image.set(p, recordOf(n));
    // The image was taken after both txns but replays from zxid 0, so its ephemeral list starts empty.
    for (const t of txns) image.replay(t);
    const rebuilt = new DataTree();
    restoreTree(rebuilt, image);
    expectSameTree(live, rebuilt);
    expect(rebuilt.getNode('/a')!.cversion).toBe(1);
    expect(rebuilt.getNode('/a')!.data!.toString()).toBe('y');
  });
});

describe('SnapshotCursor', () => {
  it('builds a path only when asked, and tells /zookeeper and what is below it from the rest', () => {
    const tree = new DataTree();
    let zxid = 0;
    for (const path of ['/a', '/zookeeperx', '/a/zookeeper', '/a/zookeeper/b', '/zookeeper/quota/q', '/a/b']) {
      tree.applyTxn({ zxid: ++zxid, time: 1000 + zxid, sessionId: 0n, cxid: zxid, op: { type: 'create', path, data: null, acl: OPEN_ACL_UNSAFE, ephemeralOwner: 0n } });
    }
    const seen = new Map<string, { under: boolean; parent: string }>();
    const cursor = tree.snapshotCursor();
    while (cursor.next()) seen.set(cursor.path, { under: cursor.underZookeeper, parent: cursor.parentPath });
    expect([...seen.keys()].sort()).toEqual([...tree.entries()].map(([p]) => p).sort());
    const under = [...seen].filter(([, v]) => v.under).map(([p]) => p).sort();
    expect(under).toEqual(['/zookeeper', '/zookeeper/config', '/zookeeper/quota', '/zookeeper/quota/q']);
    expect(seen.get('/a/zookeeper/b')).toEqual({ under: false, parent: '/a/zookeeper' });
    expect(seen.get('/')).toEqual({ under: false, parent: '' });
  });
});
