/**
 * ZabStore: an ensemble member's ZAB log, epochs and snapshots in @coord/storage's formats. Each test
 * drives the store the way the ZabReady loop does (persist, then apply what is committed) and checks what
 * a restarted member recovers against a tree that applied every txn directly.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataTree, OPEN_ACL_UNSAFE, restoreTree, Txn as TreeTxn, TxnOp } from '@coord/data-tree';
import { listLogs, listSnapshots, parseSnapshotData, scanLog, StorageError } from '@coord/storage';
import type { Persist, PeerStorage, ZabTxn } from '@coord/zab';
import { decodeTxnPayload, encodeTxnPayload } from '@coord/envelope';
import { decodeSnapshotData, SnapshotSupersededError, ZabStore, ZabStoreOptions } from './zab-store';

const workspaceRoot = path.resolve(__dirname, '../../../..');
const epochStep = 2 ** 32;
const zx = (epoch: number, counter: number) => epoch * epochStep + counter;
const sessionA = 0x0100017f00000001n;
const sessionB = 0x0100017f00000002n;
/** The replicated session-password secret a member's pipeline hands to each snapshot. */
const sessionSecret = Buffer.alloc(32, 0x5a);

const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(fs.realpathSync(require('node:os').tmpdir()), 'zab-store-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

class MemoLog {
  readonly lines: string[] = [];
  info = (m: string) => void this.lines.push('INFO ' + m);
  warn = (m: string) => void this.lines.push('WARN ' + m);
  error = (m: string, e?: unknown) => void this.lines.push('ERROR ' + m + (e ? ` ${String(e)}` : ''));
}

function open(dataDir: string, extra: Partial<ZabStoreOptions> = {}): { store: ZabStore; log: MemoLog } {
  const log = new MemoLog();
  const store = new ZabStore({ dataDir, forceSync: false, snapRetainCount: 3, log, now: () => 1_700_000_000_000, ...extra });
  return { store, log };
}

/**
 * A valid txn history (every txn applies to the tree built by the ones before): sessions, creates
 * (some ephemeral), setData, deletes, multis and a closeSession, numbered `epoch.counter` from `start`,
 * moving to the next epoch every `perEpoch` txns, as a member's log does across leader changes.
 */
function history(n: number, perEpoch = 1_000_000, startEpoch = 1): TreeTxn[] {
  const out: TreeTxn[] = [];
  const live = new Set<string>();
  let epoch = startEpoch;
  let counter = 0;
  const push = (sessionId: bigint, op: TxnOp) => {
    if (counter === perEpoch) {
      epoch++;
      counter = 0;
    }
    counter++;
    out.push({ zxid: zx(epoch, counter), time: 1_700_000_000_000 + out.length, sessionId, cxid: out.length, op });
  };
  const create = (p: string, owner = 0n): TxnOp => ({ type: 'create', path: p, data: Buffer.from(`v-${p}`), acl: OPEN_ACL_UNSAFE, ephemeralOwner: owner });
  push(sessionA, { type: 'createSession', timeOut: 6000 });
  push(sessionB, { type: 'createSession', timeOut: 9000 });
  push(sessionA, create('/app'));
  for (let i = 0; out.length < n; i++) {
    const p = `/app/n${i}`;
    switch (i % 6) {
      case 0:
      case 1:
        push(sessionA, create(p));
        live.add(p);
        break;
      case 2:
        push(sessionB, create(p, sessionB));
        break;
      case 3: {
        const target = [...live][i % Math.max(1, live.size)];
        if (target) push(sessionA, { type: 'setData', path: target, data: Buffer.from(`set-${i}`), version: i });
        else push(sessionA, { type: 'error', err: -101 });
        break;
      }
      case 4: {
        const victim = [...live][0];
        if (victim) {
          live.delete(victim);
          push(sessionA, { type: 'delete', path: victim });
        } else push(sessionA, { type: 'error', err: -101 });
        break;
      }
      case 5:
        push(sessionA, { type: 'multi', ops: [create(`${p}a`), create(`${p}b`), { type: 'delete', path: `${p}a` }] });
        live.add(`${p}b`);
        break;
    }
  }
  out.length = n;
  return out;
}

const entriesOf = (txns: readonly TreeTxn[], origin = 2): ZabTxn<Uint8Array>[] => txns.map((t) => ({ zxid: t.zxid, payload: encodeTxnPayload(origin, t) }));
const persistOf = (txns: readonly TreeTxn[], extra: Partial<Persist<Uint8Array>> = {}): Persist<Uint8Array> => ({ entries: entriesOf(txns), ...extra });

function treeOf(txns: readonly TreeTxn[]): DataTree {
  const tree = new DataTree();
  for (const t of txns) tree.applyTxn(t);
  return tree;
}

/** Every node with its full stat, data, ACL and internal cversion. */
function dump(tree: DataTree): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [p, n] of tree.entries()) out[p] = { stat: n.stat(), data: n.data?.toString('base64') ?? null, acl: n.acl.acl, cversion: n.cversion, owner: n.ephemeralOwner };
  return out;
}

/** What the pipeline does on restart: the snapshot's exact image, then the logged txns after it. */
function restored(storage: PeerStorage<Uint8Array>): { tree: DataTree; sessions: Map<bigint, number> } {
  const tree = new DataTree();
  let sessions = new Map<bigint, number>();
  if (storage.snapshot.data) {
    const d = decodeSnapshotData(storage.snapshot.data as Uint8Array);
    expect(d.imageZxid).toBe(storage.snapshot.zxid);
    restoreTree(tree, d.image);
    tree.lastProcessedZxid = d.imageZxid;
    sessions = d.sessions;
  }
  for (const e of storage.log) {
    const { origin, txn } = decodeTxnPayload(e.payload, e.zxid);
    expect(origin).toBe(0);
    tree.applyTxn(txn);
    if (txn.op.type === 'createSession') sessions.set(txn.sessionId, txn.op.timeOut);
    if (txn.op.type === 'closeSession') sessions.delete(txn.sessionId);
  }
  return { tree, sessions };
}

function sessionsAfter(txns: readonly TreeTxn[]): Map<bigint, number> {
  const s = new Map<bigint, number>();
  for (const t of txns) {
    if (t.op.type === 'createSession') s.set(t.sessionId, t.op.timeOut);
    if (t.op.type === 'closeSession') s.delete(t.sessionId);
  }
  return s;
}

const txnsOfLog = (storage: PeerStorage<Uint8Array>) => storage.log.map((e) => decodeTxnPayload(e.payload, e.zxid).txn);

/**
 * A member at work: each txn is persisted, then applied (it is committed). At each `snapshotAfter`
 * point a snapshot of the applied state starts and is walked a few nodes per turn. With `commitLater`
 * the txns up to the next point are logged first and applied one per event-loop turn while the walk
 * goes on, as a follower applies COMMITs for txns it logged earlier: the snapshot is then fuzzy, and
 * its data need txns that were logged before it began. Otherwise each snapshot is awaited.
 */
async function runMember(
  store: ZabStore,
  txns: readonly TreeTxn[],
  snapshotAfter: number[],
  commitLater = false,
  logged?: (after: number, through: number) => TreeTxn[],
) {
  const tree = new DataTree();
  const snapshots: { zxid: number; data: unknown }[] = [];
  const startSnapshot = () => {
    const live = [...sessionsAfter(txns.filter((t) => t.zxid <= tree.lastProcessedZxid))].map(([sessionId, timeOut]) => ({ sessionId, timeOut }));
    return store.snapshot(tree, live, tree.lastProcessedZxid, sessionSecret, logged);
  };
  let i = 0;
  for (const cut of [...snapshotAfter, txns.length]) {
    const batch = txns.slice(i, cut);
    if (commitLater) {
      // Logged first; the snapshot (if one is due here) starts before any of them is applied.
      await store.persist(persistOf(batch), true);
      if (i > 0) void startSnapshot().then((s) => snapshots.push(s));
      for (const t of batch) {
        tree.applyTxn(t);
        await new Promise((r) => setImmediate(r));
      }
    } else {
      if (i > 0) snapshots.push(await startSnapshot());
      for (const t of batch) {
        await store.persist(persistOf([t]), true);
        tree.applyTxn(t);
      }
    }
    i = cut;
  }
  while (snapshots.length < snapshotAfter.length) await new Promise((r) => setTimeout(r, 5));
  return { tree, snapshots };
}

describe('ZabStore', () => {
  it('recovers what was appended: log files in libs/storage format, payloads re-encoded with origin 0', async () => {
    const dir = tempDir();
    const txns = history(40, 25);
    const { store } = open(dir);
    expect(store.recover()).toEqual({ acceptedEpoch: 0, currentEpoch: 0, snapshot: { zxid: 0, data: undefined }, log: [], cutBytes: 0 });
    await store.persist(persistOf(txns.slice(0, 10), { acceptedEpoch: 1 }), true);
    await Promise.all([store.persist(persistOf(txns.slice(10, 30)), true), store.persist(persistOf(txns.slice(30), { currentEpoch: 1 }), true)]);
    await store.close();
    // One file, named after its first zxid, and read by the standalone node's scanner (epochs 1 and 2 inside).
    const logs = listLogs(dir);
    expect(logs.map((f) => f.name)).toEqual([`log.${zx(1, 1).toString(16)}`]);
    const scan = scanLog(fs.readFileSync(logs[0].path));
    expect(scan.problem).toBeNull();
    expect(scan.records.map((r) => r.txn)).toEqual(txns);
    const again = open(dir).store.recover();
    expect(again.acceptedEpoch).toBe(1);
    expect(again.currentEpoch).toBe(1);
    expect(again.log.map((e) => e.zxid)).toEqual(txns.map((t) => t.zxid));
    expect(txnsOfLog(again)).toEqual(txns);
    expect(again.log[0].payload).toEqual(encodeTxnPayload(0, txns[0]));
  });

  it('epochs survive in ZooKeeper\'s acceptedEpoch / currentEpoch files, replaced atomically', async () => {
    const dir = tempDir();
    const { store } = open(dir);
    store.recover();
    await store.persist({ entries: [], acceptedEpoch: 7 }, true);
    expect(fs.readFileSync(path.join(dir, 'acceptedEpoch'), 'utf8')).toBe('7');
    expect(fs.existsSync(path.join(dir, 'currentEpoch'))).toBe(false);
    await store.persist({ entries: [], currentEpoch: 7 }, true);
    await store.persist({ entries: [], acceptedEpoch: 8 }, true);
    await store.close();
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    const r = open(dir).store.recover();
    expect([r.acceptedEpoch, r.currentEpoch]).toEqual([8, 7]);
    fs.writeFileSync(path.join(dir, 'currentEpoch'), 'seven');
    expect(() => open(dir).store.recover()).toThrow(StorageError);
  });

  it('truncateAfter drops logged txns across files, and the log goes on in a new epoch', async () => {
    const dir = tempDir();
    const txns = history(30);
    // Three restarts: each starts a new log file.
    for (const part of [txns.slice(0, 10), txns.slice(10, 20), txns.slice(20)]) {
      const { store } = open(dir);
      store.recover();
      await store.persist(persistOf(part), true);
      await store.close();
    }
    expect(listLogs(dir)).toHaveLength(3);
    const { store } = open(dir);
    expect(store.recover().log).toHaveLength(30);
    const next: TreeTxn[] = [
      { zxid: zx(2, 1), time: 1, sessionId: sessionA, cxid: 100, op: { type: 'create', path: '/epoch2', data: null, acl: OPEN_ACL_UNSAFE, ephemeralOwner: 0n } },
    ];
    await store.persist(persistOf(next, { truncateAfter: txns[14].zxid, currentEpoch: 2 }), true);
    await store.close();
    expect(listLogs(dir).map((f) => f.zxid)).toEqual([txns[0].zxid, txns[10].zxid, zx(2, 1)]);
    const r = open(dir).store.recover();
    expect(txnsOfLog(r)).toEqual([...txns.slice(0, 15), ...next]);
    expect(r.currentEpoch).toBe(2);
  });

  it('a torn tail at every byte offset of the last record is cut and reported', async () => {
    const dir = tempDir();
    const txns = history(6);
    const { store } = open(dir);
    store.recover();
    await store.persist(persistOf(txns), true);
    await store.close();
    const file = listLogs(dir)[0];
    const whole = fs.readFileSync(file.path);
    const last = scanLog(whole).records[5];
    for (let cut = last.offset; cut < last.offset + last.bytes; cut++) {
      const copy = tempDir();
      fs.writeFileSync(path.join(copy, file.name), whole.subarray(0, cut));
      const r = open(copy).store.recover();
      expect(r.cutBytes).toBe(cut - last.offset);
      expect(txnsOfLog(r)).toEqual(txns.slice(0, 5));
      expect(fs.statSync(path.join(copy, file.name)).size).toBe(last.offset);
      fs.rmSync(copy, { recursive: true });
    }
  });

  it('refuses a corrupt record in the middle of the log, naming file and offset', async () => {
    const dir = tempDir();
    const { store } = open(dir);
    store.recover();
    await store.persist(persistOf(history(6)), true);
    await store.close();
    const file = listLogs(dir)[0].path;
    const buf = fs.readFileSync(file);
    const second = scanLog(buf).records[1];
    buf[second.offset + second.bytes - 2] ^= 0x40;
    fs.writeFileSync(file, buf);
    let err: unknown;
    try {
      open(dir).store.recover();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).file).toBe(file);
    expect((err as StorageError).offset).toBe(second.offset);
    expect((err as StorageError).message).toContain(`${file} at offset ${second.offset}: corrupt record in the middle of the log`);
  });

  it('a fuzzy snapshot plus the later txns recovers to the same tree and sessions as applying everything', async () => {
    const dir = tempDir();
    const txns = history(400, 150);
    const { store, log } = open(dir, { snapshotNodesPerChunk: 1 });
    store.recover();
    const { tree, snapshots } = await runMember(store, txns, [200], true);
    await store.close();
    expect(dump(tree)).toEqual(dump(treeOf(txns)));
    const [snap] = snapshots;
    // The walk took turns while txns kept coming: the snapshot's zxid is past where it started, and its
    // data are exact there.
    const file = listSnapshots(dir)[0];
    expect(file.zxid).toBe(txns[199].zxid);
    expect(snap.zxid).toBeGreaterThan(file.zxid);
    const upTo = txns.filter((t) => t.zxid <= snap.zxid);
    const fromSnap = decodeSnapshotData(snap.data as Uint8Array);
    expect(fromSnap.imageZxid).toBe(snap.zxid);
    const imageTree = new DataTree();
    restoreTree(imageTree, fromSnap.image);
    expect(dump(imageTree)).toEqual(dump(treeOf(upTo)));
    expect(fromSnap.sessions).toEqual(sessionsAfter(upTo));
    expect(fromSnap.sessionSecret).toEqual(sessionSecret);
    expect(log.lines.some((l) => l.includes(`Snapshot ${file.path}`))).toBe(true);
    // A restart: the same snapshot, the log after it, the same tree.
    const r = open(dir).store.recover();
    expect(r.snapshot.zxid).toBe(snap.zxid);
    expect(Buffer.from(r.snapshot.data as Uint8Array).equals(Buffer.from(snap.data as Uint8Array))).toBe(true);
    expect(r.log.map((e) => e.zxid)).toEqual(txns.filter((t) => t.zxid > snap.zxid).map((t) => t.zxid));
    const back = restored(r);
    expect(dump(back.tree)).toEqual(dump(treeOf(txns)));
    expect(back.sessions).toEqual(sessionsAfter(txns));
  });

  it('a fuzzy snapshot takes the txns of its walk from memory when the caller holds them all, else from the log files', async () => {
    const txns = history(400, 150);
    const asked: [number, number][] = [];
    // The memory source differs from the log in one value, so the snapshot data tell which one was read.
    const marked = (after: number, through: number) => {
      asked.push([after, through]);
      return txns.filter((t) => t.zxid > after && t.zxid <= through).map((t, i) => (i === 0 ? { ...t, op: { type: 'setData', path: '/from-memory', data: Buffer.from('m'), version: 0 } } : t)) as TreeTxn[];
    };
    const fromMemory = open(tempDir(), { snapshotNodesPerChunk: 1 });
    fromMemory.store.recover();
    const a = await runMember(fromMemory.store, txns, [200], true, marked);
    await fromMemory.store.close();
    const [snapA] = a.snapshots;
    expect(asked).toEqual([[txns[199].zxid, snapA.zxid]]);
    expect(parseSnapshotData(snapA.data as Uint8Array).txns[0].op).toMatchObject({ type: 'setData', path: '/from-memory' });
    // A source missing part of the range (a txn the caller no longer holds) is not used: the log files are read.
    const partial = open(tempDir(), { snapshotNodesPerChunk: 1 });
    partial.store.recover();
    const b = await runMember(partial.store, txns, [200], true, (after, through) => marked(after, through).slice(1));
    await partial.store.close();
    const [snapB] = b.snapshots;
    const fromLog = parseSnapshotData(snapB.data as Uint8Array).txns;
    expect(fromLog.map((t) => t.zxid)).toEqual(txns.filter((t) => t.zxid > txns[199].zxid && t.zxid <= snapB.zxid).map((t) => t.zxid));
    expect(fromLog[0]).toEqual(txns[200]);
  });

  it('installs a SNAP from the leader: the snapshot replaces the whole log, then appends continue', async () => {
    const leaderDir = tempDir();
    const all = history(300, 120);
    const leader = open(leaderDir, { snapshotNodesPerChunk: 4 }).store;
    leader.recover();
    const { snapshots } = await runMember(leader, all.slice(0, 260), [150], true);
    await leader.close();
    const [snap] = snapshots;
    // The follower has an old log of its own (an older epoch's txns) and an old snapshot.
    const followerDir = tempDir();
    const follower = open(followerDir).store;
    follower.recover();
    const old = history(20, 1_000_000, 1).map((t) => ({ ...t }));
    await follower.persist(persistOf(old), true);
    const after = all.filter((t) => t.zxid > snap.zxid);
    await follower.persist({ snapshot: snap, entries: entriesOf(after.slice(0, 10)), currentEpoch: 3 }, true);
    await follower.persist(persistOf(after.slice(10)), true);
    await follower.close();
    expect(listSnapshots(followerDir).map((f) => f.name)).toEqual(listSnapshots(leaderDir).map((f) => f.name));
    expect(fs.readFileSync(listSnapshots(followerDir)[0].path).equals(fs.readFileSync(listSnapshots(leaderDir)[0].path))).toBe(true);
    expect(listLogs(followerDir)[0].zxid).toBeGreaterThan(old[old.length - 1].zxid);
    const r = open(followerDir).store.recover();
    expect(r.snapshot.zxid).toBe(snap.zxid);
    expect(txnsOfLog(r)).toEqual(after);
    expect(r.currentEpoch).toBe(3);
    expect(dump(restored(r).tree)).toEqual(dump(treeOf(all)));
  });

  it('a snapshot of its own that a SNAP from the leader overtakes is dropped, not handed to ZAB', async () => {
    const all = history(300, 120);
    const leader = open(tempDir(), { snapshotNodesPerChunk: 8 }).store;
    leader.recover();
    const { snapshots } = await runMember(leader, all.slice(0, 280), [250], true);
    await leader.close();
    const dir = tempDir();
    const { store } = open(dir, { snapshotNodesPerChunk: 1 });
    store.recover();
    const { tree } = await runMember(store, all.slice(0, 200), []);
    const live = [...sessionsAfter(all.slice(0, 200))].map(([sessionId, timeOut]) => ({ sessionId, timeOut }));
    const own = store.snapshot(tree, live, tree.lastProcessedZxid, sessionSecret);
    const installed = store.persist({ snapshot: snapshots[0], entries: [] }, true);
    await expect(own).rejects.toBeInstanceOf(SnapshotSupersededError);
    await installed;
    await store.close();
    expect(listSnapshots(dir).map((f) => f.zxid)).toEqual([all[249].zxid]);
    expect(dump(restored(open(dir).store.recover()).tree)).toEqual(dump(treeOf(all.filter((t) => t.zxid <= snapshots[0].zxid))));
  });

  it('a crash between installing a SNAP\'s snapshot file and logging its txns leaves an empty member, not a wrong one', async () => {
    const all = history(300, 120);
    const leaderDir = tempDir();
    const leader = open(leaderDir, { snapshotNodesPerChunk: 4 }).store;
    leader.recover();
    const { snapshots } = await runMember(leader, all.slice(0, 260), [150], true);
    await leader.close();
    expect(snapshots[0].zxid).toBeGreaterThan(all[149].zxid);
    // The follower's directory right after the snapshot file went in and its old log went out.
    const dir = tempDir();
    const snap = listSnapshots(leaderDir)[0];
    fs.copyFileSync(snap.path, path.join(dir, snap.name));
    const { store, log } = open(dir);
    const r = store.recover();
    expect(r.snapshot).toEqual({ zxid: 0, data: undefined });
    expect(r.log).toEqual([]);
    expect(log.lines.some((l) => l.startsWith('WARN Skipping'))).toBe(true);
  });

  it('refuses snapshot data that is not snapshot data or whose zxid disagrees with ZAB\'s, touching nothing', async () => {
    const all = history(60);
    const leader = open(tempDir()).store;
    leader.recover();
    const { snapshots } = await runMember(leader, all.slice(0, 40), [30]);
    await leader.close();
    const dir = tempDir();
    const { store } = open(dir);
    store.recover();
    await store.persist(persistOf(all.slice(0, 10)), true);
    await expect(store.persist({ snapshot: { zxid: 5, data: Uint8Array.from([1, 2, 3]) }, entries: [] }, true)).rejects.toThrow(/not snapshot data/);
    const wrongZxid = { zxid: snapshots[0].zxid + 1, data: snapshots[0].data };
    await expect(store.persist({ snapshot: wrongZxid, entries: entriesOf(all.slice(10, 12)), currentEpoch: 9 }, true)).rejects.toThrow(/ZAB says/);
    await store.persist(persistOf(all.slice(10, 20)), true);
    await store.close();
    const r = open(dir).store.recover();
    expect(txnsOfLog(r)).toEqual(all.slice(0, 20));
    expect(r.currentEpoch).toBe(0);
    expect(listSnapshots(dir)).toEqual([]);
  });

  it('purge keeps snapRetainCount snapshots and the logs they need', async () => {
    const dir = tempDir();
    const txns = history(260, 100);
    const { store } = open(dir, { snapRetainCount: 3 });
    store.recover();
    await runMember(store, txns, [40, 80, 120, 160, 200, 240]);
    await store.close();
    const snaps = listSnapshots(dir);
    expect(snaps.map((s) => s.zxid)).toEqual([txns[159].zxid, txns[199].zxid, txns[239].zxid]);
    expect(snaps[0].zxid).toBe(txns[159].zxid);
    // Each log file left holds a txn after the oldest kept snapshot's start.
    const logs = listLogs(dir);
    expect(logs.length).toBeGreaterThan(0);
    for (let i = 0; i + 1 < logs.length; i++) expect(logs[i + 1].zxid).toBeGreaterThan(snaps[0].zxid + 1);
    expect(logs[0].zxid).toBeLessThanOrEqual(txns[160].zxid);
    expect(dump(restored(open(dir).store.recover()).tree)).toEqual(dump(treeOf(txns)));
  });

  it('persist never calls a synchronous fs function (append, group commit, truncation, epochs, install)', async () => {
    const realFs = require('node:fs') as Record<string, unknown>;
    const calls: string[] = [];
    let watching = false;
    const originals = new Map<string, (...a: unknown[]) => unknown>();
    for (const key of Object.keys(realFs)) {
      const f = realFs[key];
      if (!key.endsWith('Sync') || typeof f !== 'function') continue;
      originals.set(key, f as (...a: unknown[]) => unknown);
      realFs[key] = function (this: unknown, ...args: unknown[]) {
        if (watching) calls.push(key);
        return (f as (...a: unknown[]) => unknown).apply(this, args);
      };
    }
    try {
      // Loaded after the patch, so the store and @coord/storage see the recording functions.
      let Isolated!: typeof import('./zab-store');
      jest.isolateModules(() => {
        Isolated = require('./zab-store');
      });
      const dir = tempDir();
      const txns = history(60);
      const store = new Isolated.ZabStore({ dataDir: dir, forceSync: true, snapRetainCount: 3, log: new MemoLog(), now: () => 0 });
      watching = true;
      store.recover();
      watching = false;
      // The patch is live: recovery (startup, allowed to block) reads synchronously.
      expect(calls.length).toBeGreaterThan(0);
      calls.length = 0;
      const leader = open(tempDir(), { snapshotNodesPerChunk: 2 }).store;
      leader.recover();
      const { snapshots } = await runMember(leader, txns.slice(0, 30), [20], true);
      await leader.close();
      watching = true;
      await store.persist(persistOf(txns.slice(0, 10), { acceptedEpoch: 1 }), true);
      await Promise.all([0, 1, 2, 3].map((i) => store.persist(persistOf(txns.slice(10 + i * 5, 15 + i * 5)), true)));
      await store.persist(persistOf([], { truncateAfter: txns[24].zxid, currentEpoch: 1 }), true);
      await store.persist({ snapshot: snapshots[0], entries: entriesOf(txns.filter((t) => t.zxid > snapshots[0].zxid)) }, true);
      watching = false;
      expect(calls).toEqual([]);
      await store.close();
    } finally {
      for (const [key, f] of originals) realFs[key] = f;
    }
  });

  it('group commit: persist calls made while a write is on its way share the next one', async () => {
    const dir = tempDir();
    const txns = history(200);
    const { store } = open(dir);
    store.recover();
    const order: number[] = [];
    await Promise.all(txns.map((t, i) => store.persist(persistOf([t]), true).then(() => order.push(i))));
    expect(order).toEqual(txns.map((_, i) => i));
    expect(store.logWrites).toBeLessThan(txns.length / 4);
    await store.close();
    expect(txnsOfLog(open(dir).store.recover())).toEqual(txns);
  });

  it('inspect-log, inspect-snapshot and purge of the coordinode command work on a member\'s data dir', async () => {
    const dir = tempDir();
    const txns = history(120, 50);
    const { store } = open(dir);
    store.recover();
    await runMember(store, txns, [20, 40, 60, 80]);
    await store.close();
    const run = (...args: string[]) => {
      const r = spawnSync(process.execPath, [path.join(workspaceRoot, 'apps/coord-node/scripts/start.js'), ...args], { encoding: 'utf8', timeout: 120_000 });
      return { status: r.status, out: r.stdout, err: r.stderr };
    };
    const logFile = listLogs(dir)[listLogs(dir).length - 1];
    const inspected = run('inspect-log', logFile.path);
    expect(inspected.err).toBe('');
    expect(inspected.status).toBe(0);
    expect(inspected.out).toContain(`start zxid 0x${logFile.zxid.toString(16)}`);
    expect(inspected.out).toMatch(/\d+ txns, \d+ bytes/);
    const snapFile = listSnapshots(dir)[listSnapshots(dir).length - 1];
    const snapText = run('inspect-snapshot', snapFile.path);
    expect(snapText.status).toBe(0);
    expect(snapText.out).toContain(`${snapFile.path}: snapshot version `);
    expect(snapText.out).toContain(`, zxid 0x${snapFile.zxid.toString(16)}..`);
    expect(listSnapshots(dir)).toHaveLength(3);
    const purged = run('purge', dir, '--count=3');
    expect(purged.status).toBe(0);
    expect(purged.out).toContain('purge: removed 0 snapshots');
    expect(dump(restored(open(dir).store.recover()).tree)).toEqual(dump(treeOf(txns)));
  });
});
