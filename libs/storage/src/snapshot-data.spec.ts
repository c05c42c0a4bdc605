import * as fs from 'node:fs';
import type { Txn } from '@coord/data-tree';
import { DataTree, restoreTree } from '@coord/data-tree';
import { StorageError } from './errors';
import { partialSuffix } from './files';
import { encodeSnapshotData, loadSnapshotData, parseSnapshotData } from './snapshot-data';
import { loadSnapshotImage } from './snapshot-read';
import { writeSnapshot } from './snapshot-writer';
import { dumpTree, tempDir, treeFromTxns } from './testing/dirs';
import { createTxns, sampleTxns, sessionA } from './testing/txns';
import { applySessionTxn } from './recovery';

/**
 * A fuzzy snapshot: started after `before` txns, walked one node per turn while the `during` txns are
 * applied one per turn, so nodes are recorded before and after them.
 */
async function fuzzySnapshot(before: Txn[], during: Txn[]): Promise<{ file: Buffer; startZxid: number; endZxid: number }> {
  const tree = treeFromTxns(before);
  const dir = tempDir('snapdata-');
  const live = new Map<bigint, number>();
  for (const t of before) applySessionTxn(live, t);
  const ephemerals = tree.sessionsWithEphemerals();
  const sessions = [...live].map(([sessionId, timeOut]) => ({ sessionId, timeOut, ephemerals: ephemerals.get(sessionId) ?? [] }));
  const job = writeSnapshot({
    dir, tree, startZxid: tree.lastProcessedZxid, sessions, takenAt: 0, forceSync: false, nodesPerChunk: 1,
    waitDurable: () => Promise.resolve(),
  });
  // The walk starts once its file is open: applying before that (a slow open) would leave nothing fuzzy.
  while (!fs.readdirSync(dir).some((f) => f.endsWith(partialSuffix))) await new Promise((r) => setImmediate(r));
  for (const t of during) {
    tree.applyTxn(t);
    await new Promise((r) => setImmediate(r));
  }
  const res = await job;
  const file = fs.readFileSync(res.file);
  fs.rmSync(dir, { recursive: true });
  return { file, startZxid: res.startZxid, endZxid: res.endZxid };
}

describe('snapshot data', () => {
  const all = [...createTxns(60), ...createTxns(40, 61).map((t, i) => (i % 2 ? { ...t, op: { type: 'delete' as const, path: `/n${i}` } } : t))];

  it('a fuzzy snapshot with the txns of its walk loads as the exact tree at its end zxid', async () => {
    const { file, startZxid, endZxid } = await fuzzySnapshot(all.slice(0, 60), all.slice(60));
    expect(endZxid).toBeGreaterThan(startZxid);
    const covering = all.filter((t) => t.zxid > startZxid && t.zxid <= endZxid);
    const data = encodeSnapshotData(file, covering);
    const parts = parseSnapshotData(data);
    expect(parts.file.equals(file)).toBe(true);
    expect(parts.txns).toEqual(covering);
    const loaded = loadSnapshotData(data);
    expect(loaded.imageZxid).toBe(endZxid);
    const tree = new DataTree();
    restoreTree(tree, loaded.image);
    expect(dumpTree(tree)).toEqual(dumpTree(treeFromTxns(all.filter((t) => t.zxid <= endZxid))));
    // The file's image alone is not the tree at endZxid: the carried txns are needed.
    const bare = new DataTree();
    restoreTree(bare, loadSnapshotImage(file, 'snapshot').image);
    expect(dumpTree(bare)).not.toEqual(dumpTree(tree));
  });

  it('an exact snapshot carries no log part; sessions come back as of the end zxid', async () => {
    const txns = sampleTxns().slice(0, 5);
    const { file, startZxid, endZxid } = await fuzzySnapshot(txns, []);
    expect(endZxid).toBe(startZxid);
    const data = encodeSnapshotData(file, []);
    expect(data.length).toBe(12 + file.length);
    const loaded = loadSnapshotData(data);
    expect(loaded.imageZxid).toBe(endZxid);
    expect(loaded.sessions).toEqual(new Map([[sessionA, 6000]]));
  });

  it('refuses txns that do not cover the walk, a damaged log part or snapshot, and foreign bytes', async () => {
    const { file, startZxid, endZxid } = await fuzzySnapshot(all.slice(0, 60), all.slice(60));
    const covering = all.filter((t) => t.zxid > startZxid && t.zxid <= endZxid);
    expect(() => encodeSnapshotData(file, covering.slice(0, -1))).toThrow(/do not cover/);
    expect(() => encodeSnapshotData(file, covering.slice(1))).toThrow(/do not cover/);
    const data = encodeSnapshotData(file, covering);
    const logByte = Buffer.from(data);
    logByte[logByte.length - 3] ^= 0x01;
    expect(() => parseSnapshotData(logByte)).toThrow(StorageError);
    const snapByte = Buffer.from(data);
    snapByte[12 + 40] ^= 0x01;
    expect(() => parseSnapshotData(snapByte)).toThrow(/checksum/);
    expect(() => parseSnapshotData(Buffer.from('not a snapshot at all'))).toThrow(/not snapshot data/);
    expect(() => parseSnapshotData(data.subarray(0, 100))).toThrow(/runs past the end/);
  });
});
