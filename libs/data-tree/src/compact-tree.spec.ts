/**
 * Property test of the compact tree (slots, byte records, (parent, name) table, chunk compaction)
 * against a naive reference written here: a Map from path to a plain object, children as arrays in
 * insertion order. Seeded random txn sequences (creates with ASCII, non-ASCII and long names, data
 * from null to larger than a chunk, deletes, setData, setACL, sessions closing, multis, zxids past
 * 2^32, times going backwards) are applied to both; after every few txns every read must answer the
 * same: exists/stat, data, children list and order, ephemerals of each session, ACL.
 */
import type { ACL } from '@coord/protocol';
import { OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from './acl';
import { DataTree } from './data-tree';
import { LoadedFields, SnapshotLoader } from './snapshot-load';
import { javaCapacityFor, javaChildSetCapacityInitial, javaHashSetOrder } from './java-order';
import { childPath, nameOf, parentOf } from './path';
import type { Txn, TxnOp } from './txn';
import { containerOwner, ephemeralKind, ttlOwner } from './znode';
import { seededRand } from '@coord/zab';

interface RefNode {
  data: Buffer | null;
  acl: ACL[];
  czxid: number;
  mzxid: number;
  pzxid: number;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  owner: bigint;
  children: string[];
  capacity: number;
}

/** The obvious tree: what every read of the compact one must match. */
class ReferenceTree {
  readonly nodes = new Map<string, RefNode>();
  readonly ephemerals = new Map<bigint, string[]>();

  constructor() {
    for (const path of ['/', '/zookeeper', '/zookeeper/quota', '/zookeeper/config']) {
      this.nodes.set(path, this.fresh(Buffer.alloc(0), path === '/zookeeper/config' ? READ_ACL_UNSAFE : OPEN_ACL_UNSAFE, 0, 0, 0n));
      if (path !== '/') this.link(parentOf(path), nameOf(path));
    }
  }

  private fresh(data: Buffer | null, acl: ACL[], zxid: number, time: number, owner: bigint): RefNode {
    return { data, acl, czxid: zxid, mzxid: zxid, pzxid: zxid, ctime: time, mtime: time, version: 0, cversion: 0, aversion: 0, owner, children: [], capacity: 0 };
  }

  private link(parentPath: string, name: string): void {
    const parent = this.nodes.get(parentPath)!;
    parent.children.push(name);
    parent.capacity = javaCapacityFor(parent.capacity || javaChildSetCapacityInitial, parent.children.length);
  }

  apply(txn: Txn, op: TxnOp = txn.op): void {
    switch (op.type) {
      case 'create': {
        this.nodes.set(op.path, this.fresh(op.data, op.acl, txn.zxid, txn.time, op.ephemeralOwner));
        this.link(parentOf(op.path), nameOf(op.path));
        const parent = this.nodes.get(parentOf(op.path))!;
        parent.cversion++;
        parent.pzxid = txn.zxid;
        if (ephemeralKind(op.ephemeralOwner) === 'ephemeral') {
          const list = this.ephemerals.get(op.ephemeralOwner) ?? [];
          list.push(op.path);
          this.ephemerals.set(op.ephemeralOwner, list);
        }
        return;
      }
      case 'delete':
        return this.remove(txn.zxid, op.path);
      case 'setData': {
        const n = this.nodes.get(op.path)!;
        Object.assign(n, { data: op.data, version: op.version, mzxid: txn.zxid, mtime: txn.time });
        return;
      }
      case 'setACL': {
        const n = this.nodes.get(op.path)!;
        Object.assign(n, { acl: op.acl, aversion: op.aversion });
        return;
      }
      case 'closeSession':
        for (const path of [...(this.ephemerals.get(txn.sessionId) ?? [])]) this.remove(txn.zxid, path);
        this.ephemerals.delete(txn.sessionId);
        return;
      case 'multi':
        for (const sub of op.ops) this.apply(txn, sub);
        return;
      default:
        return;
    }
  }

  private remove(zxid: number, path: string): void {
    const node = this.nodes.get(path)!;
    this.nodes.delete(path);
    const parent = this.nodes.get(parentOf(path))!;
    parent.children.splice(parent.children.indexOf(nameOf(path)), 1);
    if (zxid > parent.pzxid) parent.pzxid = zxid;
    const list = this.ephemerals.get(node.owner);
    if (list) {
      list.splice(list.indexOf(path), 1);
      if (list.length === 0) this.ephemerals.delete(node.owner);
    }
  }
}

const names = ['a', 'b', 'lock-0000000001', 'ñandú', '日本', 'x'.repeat(130), 'z'];

class Generator {
  zxid: number;
  time = 1_700_000_000_000;
  private readonly sessions = [11n, 12n, 0x7fff_0000_0000_0001n];
  private serial = 0;

  constructor(private readonly ref: ReferenceTree, private readonly rnd: () => number, zxidStart: number) {
    this.zxid = zxidStart;
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)];
  }

  private data(): Buffer | null {
    const r = this.rnd();
    if (r < 0.1) return null;
    if (r < 0.15) return Buffer.alloc(0);
    // Rarely larger than an arena chunk (1 MiB), so it gets a chunk of its own.
    const size = r < 0.17 ? (1 << 20) + 17 : r < 0.4 ? Math.floor(this.rnd() * 9000) : Math.floor(this.rnd() * 120);
    const b = Buffer.alloc(size);
    for (let i = 0; i < Math.min(size, 64); i++) b[i] = Math.floor(this.rnd() * 256);
    if (size >= 4) b.writeUInt32LE(this.serial++ >>> 0, 0);
    return b;
  }

  private op(touched: Set<string>): TxnOp | null {
    const paths = [...this.ref.nodes.keys()].filter((p) => p !== '/' && !p.startsWith('/zookeeper') && !touched.has(p));
    const r = this.rnd();
    if (r < 0.45 || paths.length === 0) {
      const parents = ['/', ...paths.filter((p) => ephemeralKind(this.ref.nodes.get(p)!.owner) !== 'ephemeral')].filter((p) => !touched.has(p) || p === '/');
      const parent = this.pick(parents);
      const path = childPath(parent, `${this.pick(names)}${Math.floor(this.rnd() * 40)}`);
      if (this.ref.nodes.has(path) || touched.has(path)) return null;
      const k = this.rnd();
      const owner = k < 0.25 ? this.pick(this.sessions) : k < 0.3 ? containerOwner : k < 0.35 ? ttlOwner(5000) : 0n;
      touched.add(path);
      // A later op of the same multi must not delete the parent that now has this child.
      touched.add(parent);
      return { type: 'create', path, data: this.data(), acl: this.rnd() < 0.8 ? OPEN_ACL_UNSAFE : READ_ACL_UNSAFE, ephemeralOwner: owner };
    }
    const path = this.pick(paths);
    const node = this.ref.nodes.get(path)!;
    touched.add(path);
    if (r < 0.6) return node.children.length === 0 && !touched.has(parentOf(path)) ? { type: 'delete', path } : null;
    if (r < 0.9) return { type: 'setData', path, data: this.data(), version: node.version + 1 };
    return { type: 'setACL', path, acl: this.rnd() < 0.5 ? READ_ACL_UNSAFE : [{ perms: 31, id: { scheme: 'digest', id: `u${Math.floor(this.rnd() * 3)}:x` } }], aversion: node.aversion + 1 };
  }

  next(): Txn {
    this.zxid += 1 + Math.floor(this.rnd() * 3);
    // Mostly forward in time, sometimes a clock step back (the tree must not care).
    this.time += this.rnd() < 0.05 ? -Math.floor(this.rnd() * 1e6) : Math.floor(this.rnd() * 5000);
    const base = { zxid: this.zxid, time: this.time, cxid: 0 };
    const r = this.rnd();
    if (r < 0.04) return { ...base, sessionId: this.pick(this.sessions), op: { type: 'closeSession' } };
    if (r < 0.14) {
      const touched = new Set<string>();
      const ops = Array.from({ length: 1 + Math.floor(this.rnd() * 4) }, () => this.op(touched)).filter((o): o is TxnOp => o !== null);
      return { ...base, sessionId: 0n, op: { type: 'multi', ops } };
    }
    return { ...base, sessionId: 0n, op: this.op(new Set()) ?? { type: 'error', err: -101 } };
  }
}

/**
 * `restored`: a tree loaded from a snapshot holds each parent's children in the walk's order, so
 * names in one Java bucket may come in another order, and a set that shrank has the capacity its
 * remaining children need (ZooKeeper's own restart rebuilds its HashSets from the snapshot too):
 * the names must match.
 */
function expectSameReads(tree: DataTree, ref: ReferenceTree, seed: number, restored = false): void {
  const context = `seed ${seed}${restored ? ' restored' : ''}`;
  const order = (names: string[]) => (restored ? [...names].sort() : names);
  expect([context, tree.size]).toEqual([context, ref.nodes.size]);
  for (const [path, want] of ref.nodes) {
    const node = tree.getNode(path);
    expect([context, path, node !== undefined]).toEqual([context, path, true]);
    const stat = node!.stat();
    expect([context, path, stat]).toEqual([
      context,
      path,
      {
        czxid: want.czxid, mzxid: want.mzxid, ctime: want.ctime, mtime: want.mtime, version: want.version,
        cversion: 2 * want.cversion - want.children.length, aversion: want.aversion,
        ephemeralOwner: ephemeralKind(want.owner) === 'ephemeral' ? want.owner : 0n,
        dataLength: want.data === null ? 0 : want.data.length, numChildren: want.children.length, pzxid: want.pzxid,
      },
    ]);
    expect([context, path, node!.ephemeralOwner, node!.cversion]).toEqual([context, path, want.owner, want.cversion]);
    const data = node!.data;
    expect([context, path, data === null ? null : data.equals(want.data ?? Buffer.alloc(1))]).toEqual([context, path, want.data === null ? null : true]);
    expect([context, path, order(tree.childrenOf(node!))]).toEqual([context, path, order(javaHashSetOrder(want.children, want.capacity || javaChildSetCapacityInitial))]);
    // A restart rebuilds the sets from the snapshot, so their capacity follows the children left.
    if (!restored) expect([context, path, node!.childCapacity]).toEqual([context, path, want.capacity]);
    expect([context, path, tree.aclOf(node!)]).toEqual([context, path, want.acl]);
  }
  for (const missing of ['/nope', '/a0/nope', '/日本1/x', '/' + 'x'.repeat(130) + '0/q']) {
    if (!ref.nodes.has(missing)) expect([context, missing, tree.getNode(missing)]).toEqual([context, missing, undefined]);
  }
  for (const sid of [11n, 12n, 0x7fff_0000_0000_0001n]) {
    expect([context, sid, tree.ephemerals(sid)]).toEqual([context, sid, ref.ephemerals.get(sid) ?? []]);
  }
  const paths = [...tree.entries()].map(([p]) => p).sort();
  expect([context, paths]).toEqual([context, [...ref.nodes.keys()].sort()]);
}

describe('compact tree against a naive reference', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 9, 13]) {
    it(`answers every read the same, seed ${seed}`, () => {
      const rnd = seededRand(seed).next;
      // Small chunks and no compaction floor: records move between chunks all the time.
      const tree = seed <= 3 ? new DataTree({ arena: { chunkBytes: 4096, compactGarbageBytesMin: 0 } }) : new DataTree();
      const ref = new ReferenceTree();
      // Half the seeds run with zxids past 2^32 (epoch > 0), as an ensemble's are.
      const gen = new Generator(ref, rnd, seed % 2 === 0 ? 0x5_0000_0000 : 0);
      expectSameReads(tree, ref, seed);
      for (let i = 1; i <= 900; i++) {
        const txn = gen.next();
        tree.applyTxn(txn);
        ref.apply(txn);
        if (i % 150 === 0) expectSameReads(tree, ref, seed);
      }
      // The churn above moves records around; compaction must have kept every read intact.
      expect(tree.recordMemory().garbageBytes).toBeLessThanOrEqual(tree.recordMemory().reservedBytes);
    });
  }

  for (const [seed, items] of [[7, 'node'], [8, 'node'], [9, 'node'], [10, 'node'], [11, 'node'], [12, 'node'], [7, 'record'], [8, 'record'], [9, 'record'], [10, 'record'], [13, 'record'], [14, 'record']] as const) {
    it(`a tree loaded from a fuzzy snapshot of a random tree (${items} items) answers every read the same, seed ${seed}`, () => {
      const rnd = seededRand(seed).next;
      const tree = new DataTree();
      const ref = new ReferenceTree();
      const gen = new Generator(ref, rnd, seed % 2 === 0 ? 0x5_0000_0000 : 0);
      const step = () => {
        const txn = gen.next();
        tree.applyTxn(txn);
        ref.apply(txn);
        return txn;
      };
      for (let i = 0; i < 600; i++) step();
      // A fuzzy walk, as the snapshot writer takes it: sessions at the start, txns keep arriving.
      const start = tree.lastProcessedZxid;
      const sessions = [...tree.sessionsWithEphemerals()].map(([sessionId, ephemerals]) => ({ sessionId, ephemerals }));
      const fuzzy: Txn[] = [];
      const file = (items === 'node' ? walkAsSnapshot : walkAsRecords)(tree, () => {
        if (rnd() < 0.3) for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) fuzzy.push(step());
      });
      const restored = new DataTree();
      const loader = new SnapshotLoader(restored, fuzzy, sessions);
      file(loader);
      loader.finish();
      expect(fuzzy.length).toBeGreaterThan(0);
      expectSameReads(restored, ref, seed, true);
      expect(restored.approximateDataSize).toBe(tree.approximateDataSize);
      expect(restored.cleanupCandidates(2e12, 1)).toEqual(tree.cleanupCandidates(2e12, 1));
      // The restored tree keeps working: the same txns land the same way on both.
      for (let i = 0; i < 150; i++) {
        const txn = gen.next();
        tree.applyTxn(txn);
        restored.applyTxn(txn);
        ref.apply(txn);
      }
      expectSameReads(restored, ref, seed, true);
    });
  }

  for (const items of ['node items', 'record items', 'record items into a store with another time base'] as const) it(`a snapshot load of thousands of nodes (${items}; a wide parent, a deep part, lookups while it runs) finds every node`, () => {
    // The loader's table entries wait and go in sorted once many pile up; a lookup mid-load (a
    // parent not seen last, a path the fuzzy txns create) must first put them in.
    const tree = new DataTree();
    const ref = new ReferenceTree();
    let zxid = 0;
    const create = (path: string, data: Buffer | null): Txn => ({ zxid: ++zxid, time: 1700000000000 + zxid, sessionId: 0n, cxid: 0, op: { type: 'create', path, data, acl: OPEN_ACL_UNSAFE, ephemeralOwner: 0n } });
    const apply = (txn: Txn) => {
      tree.applyTxn(txn);
      ref.apply(txn);
      return txn;
    };
    apply(create('/wide', null));
    for (let i = 0; i < 3000; i++) apply(create(`/wide/n${i}`, Buffer.alloc(i % 40, i & 0xff)));
    const queue = ['/deep'];
    apply(create('/deep', null));
    for (let i = 0; queue.length < 2500; i++) {
      for (let c = 0; c < 4; c++) {
        const path = `${queue[i]}/c${c}`;
        apply(create(path, Buffer.from(String(i))));
        queue.push(path);
      }
    }
    for (let i = 0; i < 20; i++) apply(create(`/deep/c1/é${i}`, null));
    for (let i = 0; i < 1500; i++) apply(create(`/wide/m${i}`, null));
    const fuzzy: Txn[] = [];
    let k = 0;
    const file = (items === 'node items' ? walkAsSnapshot : walkAsRecords)(tree, () => {
      if (++k % 997 === 0) fuzzy.push(apply(create(`/wide/late${k}`, null)));
    });
    const restored = new DataTree();
    if (items === 'record items into a store with another time base') {
      // The store's time base is fixed before the load: record items are decoded and encoded again.
      restored.applyTxn({ zxid: 1, time: 12345, sessionId: 0n, cxid: 0, op: { type: 'create', path: '/pre', data: null, acl: OPEN_ACL_UNSAFE, ephemeralOwner: 0n } });
      restored.applyTxn({ zxid: 2, time: 12346, sessionId: 0n, cxid: 0, op: { type: 'delete', path: '/pre' } });
    }
    restored.reserve(tree.size);
    const loader = new SnapshotLoader(restored, fuzzy, []);
    file(loader);
    loader.finish();
    expect(fuzzy.length).toBeGreaterThan(0);
    expectSameReads(restored, ref, 0, true);
    for (const path of ['/wide/n2999', '/wide/m0', '/deep/c0/c3', '/deep/c1/é19', `/wide/late${997}`]) expect([path, restored.getNode(path) !== undefined]).toEqual([path, true]);
    // Deletes after the load find their entries (the table's backward shift needs every one in place).
    for (let i = 0; i < 3000; i += 7) {
      const txn: Txn = { zxid: ++zxid, time: 1, sessionId: 0n, cxid: 0, op: { type: 'delete', path: `/wide/n${i}` } };
      restored.applyTxn(txn);
      ref.apply(txn);
    }
    expectSameReads(restored, ref, 0, true);
  });

  it('gives back chunk memory under churn (records move out of sparse chunks)', () => {
    const tree = new DataTree();
    const create = (zxid: number, path: string, data: Buffer | null): Txn => ({ zxid, time: 1, sessionId: 0n, cxid: 0, op: { type: 'create', path, data, acl: OPEN_ACL_UNSAFE, ephemeralOwner: 0n } });
    let zxid = 0;
    for (let i = 0; i < 2000; i++) tree.applyTxn(create(++zxid, `/n${i}`, Buffer.alloc(1000, i & 0xff)));
    // Rewrite every other node with a different size: half of every chunk turns to garbage.
    for (let round = 0; round < 4; round++) {
      for (let i = round % 2; i < 2000; i += 2) tree.applyTxn({ zxid: ++zxid, time: 2, sessionId: 0n, cxid: 0, op: { type: 'setData', path: `/n${i}`, data: Buffer.alloc(1500 + round * 300, round), version: round + 1 } });
    }
    const m = tree.recordMemory();
    expect(m.garbageBytes * 8).toBeLessThanOrEqual(m.liveBytes + m.garbageBytes + (4 << 20) * 8);
    expect(m.reservedBytes).toBeLessThan(m.liveBytes * 2 + (2 << 20));
    expect(tree.getNode('/n1')!.data!.equals(Buffer.alloc(2400, 3))).toBe(true);
    expect(tree.getNode('/n0')!.data!.equals(Buffer.alloc(2100, 2))).toBe(true);
  });

  it('a view reads its data where it saw it only while nothing moved: after a write or a compaction it reads the node as it is', () => {
    const tree = new DataTree({ arena: { chunkBytes: 4096, compactGarbageBytesMin: 0 } });
    const create = (zxid: number, path: string, data: Buffer | null): Txn => ({ zxid, time: 1, sessionId: 0n, cxid: 0, op: { type: 'create', path, data, acl: OPEN_ACL_UNSAFE, ephemeralOwner: 0n } });
    const setData = (zxid: number, path: string, data: Buffer): Txn => ({ zxid, time: 2, sessionId: 0n, cxid: 0, op: { type: 'setData', path, data, version: -1 } });
    let zxid = 0;
    for (let i = 0; i < 40; i++) tree.applyTxn(create(++zxid, `/n${i}`, Buffer.alloc(200, i)));
    tree.applyTxn(create(++zxid, '/empty', null));
    expect(tree.getNode('/empty')!.data).toBeNull();
    const fresh = tree.getNode('/n7')!;
    expect(fresh.data!.equals(Buffer.alloc(200, 7))).toBe(true);
    const held = tree.getNode('/n3')!;
    // Rewrites that grow every record: they move, chunks go sparse and compaction moves the rest.
    for (let i = 0; i < 40; i++) tree.applyTxn(setData(++zxid, `/n${i}`, Buffer.alloc(300 + i, 100 + i)));
    expect(held.data!.equals(Buffer.alloc(303, 103))).toBe(true);
    expect(fresh.data!.equals(Buffer.alloc(307, 107))).toBe(true);
    expect(tree.getNode('/n39')!.data!.equals(Buffer.alloc(339, 139))).toBe(true);
  });
});

/**
 * Walks `tree` the way the snapshot writer does (live, in slot order, `between` runs after each node)
 * and returns a replay of what the walk saw as a snapshot decoder would hand it to a loader: ACL
 * lists numbered on first use, each node as path and data bytes with one reused fields object.
 */
function walkAsSnapshot(tree: DataTree, between: () => void): (loader: SnapshotLoader) => void {
  const items: WalkItem[] = [];
  const numbers = new Map<ACL[], number>();
  for (const [path, node] of tree.entries()) {
    const acl = tree.aclOf(node);
    let n = numbers.get(acl);
    if (n === undefined) {
      numbers.set(acl, (n = numbers.size));
      items.push({ acl });
    }
    const { czxid, mzxid, ctime, mtime, version, cversion, aversion, pzxid, ephemeralOwner } = node;
    items.push({ path: Buffer.from(path, 'utf8'), fields: { czxid, mzxid, ctime, mtime, version, cversion, aversion, pzxid, ephemeralOwner }, aclNumber: n, data: node.data });
    between();
  }
  return replayItems(items);
}

/**
 * walkAsSnapshot as the version 3 writer walks (storage's snapshot-writer.ts): a SnapshotCursor, a
 * time base at the first non-zero ctime, then every node but the root and /zookeeper's as a record
 * item, the store's own record of it (SnapshotLoader.record); the rest as node items.
 */
function walkAsRecords(tree: DataTree, between: () => void): (loader: SnapshotLoader) => void {
  const items: WalkItem[] = [];
  const numbers = new Map<ACL[], number>();
  let timeBase = -1;
  for (const e = tree.snapshotCursor(); e.next(); ) {
    let n = numbers.get(e.acl);
    if (n === undefined) {
      numbers.set(e.acl, (n = numbers.size));
      items.push({ acl: e.acl });
    }
    if (timeBase < 0 && e.ctime > 0) timeBase = e.ctime;
    if (timeBase >= 0 && e.parentPath !== '' && !e.path.startsWith('/zookeeper')) {
      const length = e.encodeRecord(n, timeBase);
      items.push({ parent: Buffer.from(e.parentPath, 'utf8'), record: Buffer.from(e.recordBytes.subarray(0, length)), aclNumber: n, owner: e.ephemeralOwner, dataLength: e.dataLength, timeBase });
    } else {
      const { czxid, mzxid, ctime, mtime, version, cversion, aversion, pzxid, ephemeralOwner } = e;
      const data = e.dataLength < 0 ? null : Buffer.from(e.dataBytes.subarray(e.dataAt, e.dataAt + e.dataLength));
      items.push({ path: Buffer.from(e.path, 'utf8'), fields: { czxid, mzxid, ctime, mtime, version, cversion, aversion, pzxid, ephemeralOwner }, aclNumber: n, data });
    }
    between();
  }
  return replayItems(items);
}

/** What a walk met, in order: an ACL list, a node item or (version 3) a record item. */
type WalkItem =
  | { acl: ACL[] }
  | { path: Buffer; fields: LoadedFields; aclNumber: number; data: Buffer | null }
  | { parent: Buffer; record: Buffer; aclNumber: number; owner: bigint; dataLength: number; timeBase: number };

/** Hands a walk's items to a loader as a snapshot file's decoder would. */
function replayItems(items: readonly WalkItem[]): (loader: SnapshotLoader) => void {
  return (loader) => {
    const f: LoadedFields = { czxid: 0, mzxid: 0, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, pzxid: 0, ephemeralOwner: 0n };
    for (const item of items) {
      if ('acl' in item) {
        loader.acl(item.acl);
      } else if ('record' in item) {
        // Parent path and record sit in one buffer at an offset, as they do in a snapshot file.
        const bytes = Buffer.concat([Buffer.from('xyz'), item.parent, Buffer.from('q'), item.record]);
        const recordAt = 3 + item.parent.length + 1;
        loader.record(bytes, 3, item.parent.length, item.aclNumber, item.owner, item.dataLength, recordAt, item.record.length, item.timeBase);
      } else {
        Object.assign(f, item.fields);
        // Path and data sit in one buffer at an offset, as they do in a snapshot file.
        const bytes = Buffer.concat([Buffer.from('xx'), item.path, item.data ?? Buffer.alloc(0)]);
        loader.node(bytes, 2, item.path.length, f, item.aclNumber, bytes, 2 + item.path.length, item.data === null ? -1 : item.data.length);
      }
    }
  };
}
