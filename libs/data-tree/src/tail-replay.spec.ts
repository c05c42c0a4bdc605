/**
 * The tail replay (appending creates straight from their encoded bytes, everything else decoded and
 * applied) must build the tree applyTxn builds. Seeded random txn sequences, valid against the tree
 * as applyTxn leaves it (runs of creates under one parent, sequential names from the parent's
 * cversion, ephemerals of several sessions, containers and TTL nodes, non-default ACLs, non-ASCII and
 * long names, deletes, setData, setACL, check, error, session create and close, multis, quota nodes
 * appearing mid-way, zxids past 2^32), are applied once through applyTxn and once encoded and
 * replayed; then every node's stat (internal cversion and owner too), child-set capacity, children
 * order, data and ACL, the ephemerals of each session, the data size and the cleanup candidates must match.
 */
import { ByteWriter } from '@coord/bytes';
import type { ACL } from '@coord/protocol';
import { OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from './acl';
import { DataTree } from './data-tree';
import { childPath } from './path';
import { quotaLimitNode, quotaRoot, quotaStatNode } from './quota';
import { TailReplayer } from './tail-replay';
import type { Txn, TxnOp } from './txn';
import { encodeTxn } from './txn-codec';
import { containerOwner, ephemeralKind, ttlOwner } from './znode';
import { seededRand } from '@coord/zab';

const names = ['a', 'b', 'node', 'ñandú', '日本', 'x'.repeat(130), 'z'];
const sessions = [11n, 12n, 0x7fff_0000_0000_0001n];
const digestAcl: ACL[] = [{ perms: 31, id: { scheme: 'digest', id: 'u:x' } }];

/** Valid txns against `tree` (applyTxn's tree, which each txn is applied to as it is made). */
class Generator {
  zxid: number;
  time = 1_700_000_000_000;
  /** Creates the current burst still makes under `burstParent`. */
  private burst = 0;
  private burstParent = '/';

  constructor(private readonly tree: DataTree, private readonly rnd: () => number, zxidStart: number, private readonly quotas: boolean) {
    this.zxid = zxidStart;
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)];
  }

  private paths(): string[] {
    return [...this.tree.entries()].map(([p]) => p).filter((p) => p !== '/' && !p.startsWith('/zookeeper'));
  }

  private data(): Buffer | null {
    const r = this.rnd();
    if (r < 0.1) return null;
    if (r < 0.15) return Buffer.alloc(0);
    const b = Buffer.alloc(r < 0.17 ? 3000 : Math.floor(this.rnd() * 120));
    for (let i = 0; i < Math.min(b.length, 16); i++) b[i] = Math.floor(this.rnd() * 256);
    return b;
  }

  private create(parent: string, touched: Set<string>): TxnOp | null {
    const node = this.tree.getNode(parent);
    if (!node || ephemeralKind(node.ephemeralOwner) === 'ephemeral') return null;
    // Sequential names come from the parent's cversion, as prep makes them.
    const name = this.rnd() < 0.3 ? `lock-${String(node.cversion).padStart(10, '0')}` : `${this.pick(names)}${Math.floor(this.rnd() * 60)}`;
    const path = childPath(parent, name);
    if (this.tree.getNode(path) || touched.has(path)) return null;
    const k = this.rnd();
    const owner = k < 0.2 ? this.pick(sessions) : k < 0.25 ? containerOwner : k < 0.3 ? ttlOwner(5000) : 0n;
    const acl = this.rnd() < 0.85 ? OPEN_ACL_UNSAFE : this.rnd() < 0.5 ? READ_ACL_UNSAFE : digestAcl;
    touched.add(path);
    touched.add(parent);
    return { type: 'create', path, data: this.data(), acl, ephemeralOwner: owner };
  }

  /** Quota nodes for an existing top-level node: its quota path, limits and stats (in that order). */
  private quotaOp(touched: Set<string>): TxnOp | null {
    const targets = this.paths().filter((p) => p.lastIndexOf('/') === 0);
    if (targets.length === 0) return null;
    const target = this.pick(targets);
    const q = quotaRoot + target;
    for (const path of [q, `${q}/${quotaLimitNode}`, `${q}/${quotaStatNode}`]) {
      if (this.tree.getNode(path) || touched.has(path)) continue;
      touched.add(path);
      const data = path.endsWith(quotaLimitNode) ? Buffer.from('count=100,bytes=-1') : path.endsWith(quotaStatNode) ? Buffer.from('count=0,bytes=0') : null;
      return { type: 'create', path, data, acl: OPEN_ACL_UNSAFE, ephemeralOwner: 0n };
    }
    return null;
  }

  private op(touched: Set<string>): TxnOp | null {
    if (this.burst > 0) {
      this.burst--;
      return this.create(this.burstParent, touched);
    }
    const paths = this.paths().filter((p) => !touched.has(p));
    const r = this.rnd();
    if (r < 0.05) {
      // A burst of creates under one parent (what the replay stamps once).
      this.burstParent = this.pick(['/', ...paths]);
      this.burst = 5 + Math.floor(this.rnd() * 40);
      return this.create(this.burstParent, touched);
    }
    if (this.quotas && r < 0.07) return this.quotaOp(touched);
    if (r < 0.45 || paths.length === 0) return this.create(this.pick(['/', ...paths]), touched);
    const path = this.pick(paths);
    const node = this.tree.getNode(path)!;
    touched.add(path);
    if (r < 0.65) return node.numChildren === 0 ? { type: 'delete', path } : null;
    if (r < 0.85) return { type: 'setData', path, data: this.data(), version: node.version + 1 };
    if (r < 0.95) return { type: 'setACL', path, acl: this.rnd() < 0.5 ? READ_ACL_UNSAFE : digestAcl, aversion: node.aversion + 1 };
    return { type: 'check', path };
  }

  next(): Txn {
    this.zxid += 1 + Math.floor(this.rnd() * 2);
    this.time += this.rnd() < 0.03 ? -Math.floor(this.rnd() * 1e6) : Math.floor(this.rnd() * 50);
    const base = { zxid: this.zxid, time: this.time, cxid: Math.floor(this.rnd() * 1000) };
    const r = this.rnd();
    if (this.burst === 0) {
      if (r < 0.02) return { ...base, sessionId: this.pick(sessions), op: { type: 'closeSession' } };
      if (r < 0.03) return { ...base, sessionId: this.pick(sessions), op: { type: 'createSession', timeOut: 4000 } };
      if (r < 0.04) return { ...base, sessionId: 0n, op: { type: 'error', err: -101 } };
      if (r < 0.1) {
        const touched = new Set<string>();
        const ops = Array.from({ length: 1 + Math.floor(this.rnd() * 4) }, () => this.op(touched)).filter((o): o is TxnOp => o !== null);
        return { ...base, sessionId: 0n, op: { type: 'multi', ops } };
      }
    }
    return { ...base, sessionId: this.pick([0n, ...sessions]), op: this.op(new Set()) ?? { type: 'error', err: -110 } };
  }
}

function encoded(txn: Txn): Buffer {
  const w = new ByteWriter(64);
  // Bytes before and after, as in a log file read in windows.
  w.writeRaw(Buffer.from('pre'));
  encodeTxn(w, txn);
  w.writeRaw(Buffer.from('post'));
  return w.take();
}

function replayAll(tree: DataTree, txns: readonly Txn[], creates?: number): TailReplayer {
  const replayer = new TailReplayer(tree, { creates });
  for (const t of txns) {
    const b = encoded(t);
    replayer.replay(b, 3, b.length - 4);
  }
  replayer.finish();
  return replayer;
}

function expectSameTrees(got: DataTree, want: DataTree, context: string): void {
  const paths = [...want.entries()].map(([p]) => p).sort();
  expect([context, [...got.entries()].map(([p]) => p).sort()]).toEqual([context, paths]);
  for (const path of paths) {
    const a = got.getNode(path)!;
    const b = want.getNode(path)!;
    const fields = (n: typeof a) => [n.stat(), n.cversion, n.ephemeralOwner, n.childCapacity, n.data, n.acl.acl];
    expect([context, path, ...fields(a), got.childrenOf(a)]).toEqual([context, path, ...fields(b), want.childrenOf(b)]);
    expect([context, path, got.quotaPrefixOf(path)]).toEqual([context, path, want.quotaPrefixOf(path)]);
  }
  expect([context, got.sessionsWithEphemerals()]).toEqual([context, want.sessionsWithEphemerals()]);
  expect([context, got.size, got.nodeCount, got.approximateDataSize, got.lastProcessedZxid]).toEqual([context, want.size, want.nodeCount, want.approximateDataSize, want.lastProcessedZxid]);
  expect([context, got.cleanupCandidates(2e12, 1)]).toEqual([context, want.cleanupCandidates(2e12, 1)]);
}

describe('tail replay builds the tree applyTxn builds', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) {
    it(`seed ${seed}`, () => {
      const rnd = seededRand(seed).next;
      const want = new DataTree();
      const gen = new Generator(want, rnd, seed % 2 === 0 ? 0x3_0000_0000 : 0, seed % 3 === 0);
      const txns: Txn[] = [];
      for (let i = 0; i < 700; i++) {
        const t = gen.next();
        want.applyTxn(t);
        txns.push(t);
      }
      // From an empty tree, and after a prefix applied the usual way (as after a snapshot).
      const fresh = new DataTree();
      const replayer = replayAll(fresh, txns, seed);
      expect(replayer.inPlace).toBeGreaterThan(0);
      expectSameTrees(fresh, want, `seed ${seed} from empty`);
      const split = Math.floor(txns.length / 3);
      const resumed = new DataTree({ arena: { chunkBytes: 4096, compactGarbageBytesMin: 0 } });
      for (const t of txns.slice(0, split)) resumed.applyTxn(t);
      replayAll(resumed, txns);
      expectSameTrees(resumed, want, `seed ${seed} after ${split} applied`);
      // The replayed tree keeps working: more txns land the same on both.
      for (let i = 0; i < 100; i++) {
        const t = gen.next();
        want.applyTxn(t);
        fresh.applyTxn(t);
      }
      expectSameTrees(fresh, want, `seed ${seed} then applied`);
    });
  }

  it('appends runs of thousands of siblings, and a deep tree, in place', () => {
    const want = new DataTree();
    const txns: Txn[] = [];
    let zxid = 0;
    const add = (op: TxnOp) => {
      const t: Txn = { zxid: ++zxid, time: 1_700_000_000_000 + zxid, sessionId: 5n, cxid: zxid, op };
      want.applyTxn(t);
      txns.push(t);
    };
    const create = (path: string, data: Buffer | null, owner = 0n): TxnOp => ({ type: 'create', path, data, acl: OPEN_ACL_UNSAFE, ephemeralOwner: owner });
    add(create('/wide', null));
    for (let i = 0; i < 5000; i++) add(create(`/wide/n${String(i).padStart(7, '0')}`, Buffer.alloc(i % 100, i), i % 10 === 0 ? 5n : 0n));
    const queue = ['/deep'];
    add(create('/deep', Buffer.from('d')));
    for (let i = 0; queue.length < 3000; i++) {
      for (let c = 0; c < 4; c++) {
        const path = `${queue[i]}/n${c}`;
        add(create(path, Buffer.from(path)));
        queue.push(path);
      }
    }
    for (let i = 0; i < 5000; i += 3) add({ type: 'delete', path: `/wide/n${String(i).padStart(7, '0')}` });
    add({ type: 'closeSession' });
    const got = new DataTree();
    const replayer = replayAll(got, txns, 8003);
    expect([replayer.inPlace, replayer.decoded]).toEqual([8002 + 1667, 1]);
    expectSameTrees(got, want, 'wide and deep');
  });

  it('skips txns at or below the zxid already applied, and replays nothing through a watched tree in place', () => {
    const want = new DataTree();
    const t1: Txn = { zxid: 1, time: 5, sessionId: 0n, cxid: 0, op: { type: 'create', path: '/a', data: null, acl: OPEN_ACL_UNSAFE, ephemeralOwner: 0n } };
    const t2: Txn = { zxid: 2, time: 6, sessionId: 0n, cxid: 0, op: { type: 'create', path: '/a/b', data: null, acl: OPEN_ACL_UNSAFE, ephemeralOwner: 0n } };
    want.applyTxn(t1);
    want.applyTxn(t2);
    const got = new DataTree();
    got.applyTxn(t1);
    expect(replayAll(got, [t1, t2]).inPlace).toBe(1);
    expectSameTrees(got, want, 'skip');
    const watched = new DataTree();
    watched.watchChildren('/', 1);
    const r = replayAll(watched, [t1, t2]);
    expect([r.inPlace, r.decoded]).toEqual([0, 2]);
  });
});
