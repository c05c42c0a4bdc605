// A snapshot read from disk through small windows (items split across every window boundary, an item
// larger than the window, a session list longer than the first window) restores the same tree as the
// same bytes read whole; a file whose bytes change after the frame check fails with a StorageError.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataTree, OPEN_ACL_UNSAFE, Txn } from '@coord/data-tree';
import { StorageError } from './errors';
import { openSnapshot, openSnapshotFile, SnapshotFileImage } from './snapshot-read';
import { writeSnapshot } from './snapshot-writer';
import { dumpTree, tempDir, treeFromTxns } from './testing/dirs';
import { sampleTxns, sessionA } from './testing/txns';

async function snapshotOf(txns: Txn[]): Promise<{ file: string; dir: string }> {
  const tree = treeFromTxns(txns);
  const dir = tempDir('snapread-');
  const ephemerals = tree.sessionsWithEphemerals();
  // Many sessions with long ephemeral lists: the session list alone outgrows a small first window.
  const sessions = [sessionA, ...Array.from({ length: 30 }, (_, i) => BigInt(i + 1))].map((sessionId) => ({
    sessionId, timeOut: 6000, ephemerals: ephemerals.get(sessionId) ?? [],
  }));
  const res = await writeSnapshot({ dir, tree, startZxid: tree.lastProcessedZxid, sessions, takenAt: 0, forceSync: false, waitDurable: () => Promise.resolve() });
  return { file: res.file, dir };
}

function mixedTxns(): Txn[] {
  const txns = sampleTxns();
  let zxid = txns[txns.length - 1].zxid;
  const create = (p: string, data: Buffer | null, owner = 0n): Txn => ({ zxid: ++zxid, time: 1_700_000_000_000 + zxid, sessionId: sessionA, cxid: zxid, op: { type: 'create', path: p, data, acl: OPEN_ACL_UNSAFE, ephemeralOwner: owner } });
  txns.push(create('/w', null));
  for (let i = 0; i < 40; i++) txns.push(create(`/w/n${i}`, Buffer.alloc((i * 37) % 300, i)));
  txns.push(create('/w/big', Buffer.alloc(5000, 7)));
  txns.push(create('/w/日本', Buffer.from('utf8 name')));
  for (let i = 0; i < 20; i++) txns.push(create(`/w/e${'x'.repeat(40)}${i}`, null, sessionA));
  return txns;
}

describe('snapshot read through windows', () => {
  it('restores the same tree at every small window size as from the whole buffer', async () => {
    const { file, dir } = await snapshotOf(mixedTxns());
    const whole = new DataTree();
    new SnapshotFileImage(openSnapshot(fs.readFileSync(file), file)).restoreInto(whole);
    const want = dumpTree(whole);
    expect(Object.keys(want).length).toBeGreaterThan(60);
    for (let windowBytes = 16; windowBytes <= 400; windowBytes += 7) {
      const tree = new DataTree();
      const opened = openSnapshotFile(file, windowBytes);
      expect(opened.buf).toBeNull();
      new SnapshotFileImage(opened).restoreInto(tree);
      expect([windowBytes, dumpTree(tree)]).toEqual([windowBytes, want]);
      expect(tree.ephemerals(sessionA)).toEqual(whole.ephemerals(sessionA));
    }
    fs.rmSync(dir, { recursive: true });
  });

  it('a file that stops matching its checksum is refused, and one cut short after the check fails its walk', async () => {
    const { file, dir } = await snapshotOf(mixedTxns());
    const copy = path.join(dir, 'copy');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 40] ^= 0xff;
    fs.writeFileSync(copy, bytes);
    expect(() => openSnapshotFile(copy, 64)).toThrow(/checksum mismatch/);
    fs.writeFileSync(copy, fs.readFileSync(file));
    const opened = openSnapshotFile(copy, 64);
    fs.truncateSync(copy, 200);
    expect(() => new SnapshotFileImage(opened).restoreInto(new DataTree())).toThrow(StorageError);
    fs.rmSync(dir, { recursive: true });
  });
});
