import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataTree } from '@coord/data-tree';
import { StorageError } from './errors';
import { listLogs, listSnapshots } from './files';
import { scanLog } from './log-format';
import { LogWriter, preallocStepBytes } from './log-writer';
import { purge } from './purge';
import { recover } from './recovery';
import { DurableStore } from './store';
import { dumpTree, MemoLogger, tempDir, treeFromTxns, treeOf } from './testing/dirs';
import { createTxns, sampleTxns } from './testing/txns';

async function writeLog(dir: string, txns = sampleTxns()): Promise<string> {
  const w = new LogWriter({ dir, forceSync: false });
  await w.open(1, 0);
  for (const t of txns) await w.append([t]);
  await w.close();
  return listLogs(dir)[0].path;
}

function storeFor(dir: string, extra: Partial<ConstructorParameters<typeof DurableStore>[0]> = {}) {
  const log = new MemoLogger();
  const store = new DurableStore({
    snapDir: dir, logDir: dir, forceSync: true, snapCount: 1_000_000, snapRetainCount: 3, purgeIntervalHours: 0,
    log, random: () => 0.5, now: () => 1_700_000_000_000, ...extra,
  });
  return { store, log };
}

describe('log recovery', () => {
  it('cut at every byte offset: recovery keeps a valid prefix, truncates the tail and says so', async () => {
    const dir = tempDir();
    const file = await writeLog(dir);
    const whole = fs.readFileSync(file);
    const all = sampleTxns();
    // Past the records the file holds its zero-filled reserve; cutting a little into it is enough.
    const end = scanLog(whole).validEnd;
    expect(whole.length).toBeGreaterThan(end);
    for (let cut = 0; cut <= end + 16; cut++) {
      const copy = tempDir('storage-cut-');
      fs.writeFileSync(path.join(copy, path.basename(file)), whole.subarray(0, cut));
      const log = new MemoLogger();
      const r = recover({ snapDir: copy, logDir: copy, log });
      expect(r.tail).toEqual(all.slice(0, r.tail.length));
      const tree = treeOf(r);
      expect(dumpTree(tree)).toEqual(dumpTree(treeFromTxns(all.slice(0, r.tail.length))));
      // A second recovery of the truncated directory finds nothing more to fix.
      const again = new MemoLogger();
      expect(recover({ snapDir: copy, logDir: copy, log: again }).tail).toEqual(r.tail);
      expect(again.lines.filter((l) => l.startsWith('WARN'))).toEqual([]);
      fs.rmSync(copy, { recursive: true });
    }
    fs.rmSync(dir, { recursive: true });
  });

  it('a flipped byte in the middle stops recovery with the file and offset; --repair truncates there', async () => {
    const dir = tempDir();
    const file = await writeLog(dir);
    const buf = fs.readFileSync(file);
    const at = Math.floor(scanLog(buf).validEnd / 2);
    buf[at] ^= 0x10;
    fs.writeFileSync(file, buf);
    let err: unknown;
    try {
      recover({ snapDir: dir, logDir: dir, log: new MemoLogger() });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StorageError);
    const se = err as StorageError;
    expect(se.file).toBe(file);
    expect(se.offset).toBeLessThanOrEqual(at);
    expect(se.message).toContain(`${file} at offset ${se.offset}: corrupt record in the middle of the log`);
    expect(se.message).toContain('--repair');
    const log = new MemoLogger();
    const r = recover({ snapDir: dir, logDir: dir, log, repair: true });
    expect(r.tail).toEqual(sampleTxns().slice(0, r.tail.length));
    expect(fs.statSync(file).size).toBe(se.offset);
    expect(log.lines.some((l) => l.includes('--repair: truncating'))).toBe(true);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('snapshots', () => {
  it('snapshot + log rebuilds the tree and the sessions; a fresh log continues the zxids', async () => {
    const dir = tempDir();
    const txns = sampleTxns().slice(0, 6); // session A is still open, its ephemeral exists
    const { store } = storeFor(dir);
    store.recover();
    const tree = new DataTree();
    await store.attach(tree);
    for (const t of txns) {
      tree.applyTxn(t);
      await store.append([t]);
    }
    const snap = await store.snapshot();
    expect(snap).not.toBeNull();
    const more = createTxns(5, 7);
    for (const t of more) {
      tree.applyTxn(t);
      await store.append([t]);
    }
    await store.close();
    // A snapshot interrupted by a crash is ignored and cleaned away.
    fs.writeFileSync(path.join(dir, 'snapshot.b.partial'), 'half a snapshot');
    const r = recover({ snapDir: dir, logDir: dir, log: new MemoLogger() });
    expect(fs.existsSync(path.join(dir, 'snapshot.b.partial'))).toBe(false);
    expect(r.snapshotFile).toBe(snap!.file);
    expect(r.lastZxid).toBe(11);
    expect([...r.sessions]).toEqual([[txns[0].sessionId, 6000]]);
    expect(dumpTree(treeOf(r))).toEqual(dumpTree(tree));
    fs.rmSync(dir, { recursive: true });
  });

  it('a fuzzy snapshot taken while txns keep arriving still recovers the exact tree', async () => {
    const dir = tempDir();
    const { store } = storeFor(dir, { snapshotNodesPerChunk: 3 });
    store.recover();
    const tree = new DataTree();
    await store.attach(tree);
    const base = createTxns(300);
    for (const t of base) tree.applyTxn(t);
    await store.append(base);
    const snapDone = store.snapshot();
    let zxid = 300;
    const pending: Promise<void>[] = [];
    // Interleave deletes, recreates and sets with the chunked walk.
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setImmediate(r));
      const n = 1 + ((i * 7) % 290);
      const ops = [
        { type: 'delete' as const, path: `/n${n}` },
        { type: 'create' as const, path: `/n${n}`, data: Buffer.from('again' + i), acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], ephemeralOwner: 0n },
      ];
      const t = { zxid: ++zxid, time: 1_800_000_000_000 + i, sessionId: 1n, cxid: i, op: { type: 'multi' as const, ops } };
      tree.applyTxn(t);
      pending.push(store.append([t]));
    }
    await Promise.all(pending);
    const snap = await snapDone;
    expect(snap!.endZxid).toBeGreaterThan(snap!.startZxid);
    await store.close();
    const r = recover({ snapDir: dir, logDir: dir, log: new MemoLogger() });
    expect(r.snapshotFile).toBe(snap!.file);
    expect(dumpTree(treeOf(r))).toEqual(dumpTree(tree));
    fs.rmSync(dir, { recursive: true });
  });

  it('a snapshot whose checksum fails stops the start; --repair sets it aside and replays the log', async () => {
    const dir = tempDir();
    const { store } = storeFor(dir);
    store.recover();
    const tree = new DataTree();
    await store.attach(tree);
    const txns = createTxns(50);
    for (const t of txns) tree.applyTxn(t);
    await store.append(txns);
    const snap = (await store.snapshot())!;
    await store.close();
    const buf = fs.readFileSync(snap.file);
    buf[200] ^= 0xff;
    fs.writeFileSync(snap.file, buf);
    expect(() => recover({ snapDir: dir, logDir: dir, log: new MemoLogger() })).toThrow(
      new RegExp(`${snap.file} at offset ${buf.length - 8}: snapshot checksum mismatch.*--repair`),
    );
    const r = recover({ snapDir: dir, logDir: dir, log: new MemoLogger(), repair: true });
    expect(r.snapshotFile).toBeNull();
    expect(fs.existsSync(snap.file + '.corrupt')).toBe(true);
    expect(dumpTree(treeOf(r))).toEqual(dumpTree(tree));
    fs.rmSync(dir, { recursive: true });
  });
});

describe('group commit and retention', () => {
  it('appends that arrive during a write share the next one', async () => {
    const dir = tempDir();
    const w = new LogWriter({ dir, forceSync: true });
    await w.open(1, 0);
    await w.append(createTxns(1));
    expect(w.writes).toBe(1);
    const txns = createTxns(400, 2);
    await Promise.all(txns.map((t) => w.append([t])));
    expect(w.durableZxid).toBe(401);
    expect(w.writes).toBeLessThan(50);
    await w.close();
    expect(recover({ snapDir: dir, logDir: dir, log: new MemoLogger() }).tail).toHaveLength(401);
    fs.rmSync(dir, { recursive: true });
  });

  it('rolls log files by size and keeps them zero-filled ahead; recovery reads across them', async () => {
    const dir = tempDir();
    const w = new LogWriter({ dir, forceSync: true, fileBytesMax: 4096 });
    await w.open(1, 0);
    for (const t of createTxns(120)) await w.append([t]);
    await w.close();
    const files = listLogs(dir);
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) {
      const buf = fs.readFileSync(f.path);
      const scan = scanLog(buf);
      expect(scan.problem).toBeNull();
      expect(buf.length - scan.validEnd).toBeGreaterThanOrEqual(preallocStepBytes / 2);
    }
    const r = recover({ snapDir: dir, logDir: dir, log: new MemoLogger() });
    expect(r.tail.map((t) => t.zxid)).toEqual(createTxns(120).map((t) => t.zxid));
    fs.rmSync(dir, { recursive: true });
  });

  it('purge keeps the newest snapshots and the logs they need; recovery still works', async () => {
    const dir = tempDir();
    const { store } = storeFor(dir);
    store.recover();
    const tree = new DataTree();
    await store.attach(tree);
    let from = 1;
    for (let round = 0; round < 6; round++) {
      const txns = createTxns(20, from);
      from += 20;
      for (const t of txns) tree.applyTxn(t);
      await store.append(txns);
      await store.snapshot();
    }
    const extra = createTxns(5, from);
    for (const t of extra) tree.applyTxn(t);
    await store.append(extra);
    await store.close();
    expect(listSnapshots(dir)).toHaveLength(6);
    const logsBefore = listLogs(dir).length;
    const res = purge(dir, dir, 3);
    expect(res.removedSnapshots).toHaveLength(3);
    expect(res.removedLogs.length).toBeGreaterThan(0);
    expect(listLogs(dir).length).toBe(logsBefore - res.removedLogs.length);
    const r = recover({ snapDir: dir, logDir: dir, log: new MemoLogger() });
    expect(dumpTree(treeOf(r))).toEqual(dumpTree(tree));
    fs.rmSync(dir, { recursive: true });
  });
});
