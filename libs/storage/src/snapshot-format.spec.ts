// Snapshot format version 3 (record items, snapshot-format.ts): a tree round-trips through it (whole
// buffer and small windows, nodes of every kind, data larger than a window, a store whose time base
// differs), a file written by the version 2 writer still loads and inspects the same, a flipped byte
// in a record item fails the checksum, and a record item the walk cannot place is refused.
import * as fs from 'node:fs';
import { ByteWriter } from '@coord/bytes';
import { DataTree, OPEN_ACL_UNSAFE, Txn } from '@coord/data-tree';
import { crc32 } from './crc32';
import { StorageError } from './errors';
import { inspectSnapshot } from './inspect';
import { AclNumbering, encodeEnd, encodeRecordItem, encodeSessions, encodeSnapshotFooter, encodeSnapshotHeader, RecordSource, snapshotVersion } from './snapshot-format';
import { decodeSnapshot, openSnapshot, openSnapshotFile, SnapshotFileImage, walkSnapshot } from './snapshot-read';
import { writeSnapshot } from './snapshot-writer';
import { dumpTree, tempDir, treeFromTxns } from './testing/dirs';
import { sampleTxns, sessionA } from './testing/txns';

/** The txns the version 2 fixture below was written from (by the writer of commit 6612462). */
function fixtureTxns(): Txn[] {
  const txns = sampleTxns();
  let zxid = txns[txns.length - 1].zxid;
  const create = (p: string, data: Buffer | null, owner = 0n): Txn => ({ zxid: ++zxid, time: 1_700_000_000_000 + zxid, sessionId: sessionA, cxid: zxid, op: { type: 'create', path: p, data, acl: OPEN_ACL_UNSAFE, ephemeralOwner: owner } });
  txns.push(create('/w', null));
  for (let i = 0; i < 6; i++) txns.push(create(`/w/n${i}`, Buffer.alloc(i * 7, i)));
  txns.push(create('/w/日本', Buffer.from('utf8 name')));
  txns.push(create('/w/e1', null, sessionA));
  return txns;
}

/** snapshot.15 of fixtureTxns() as the version 2 writer wrote it (one session: sessionA, /w/e1). */
const version2Fixture = Buffer.from(
  'Q05TTgAAAAIAAAAAAAAAAAAAAAAAAAAVAAAAAAAAAAABAQABfwAAAAHgXQEFL3cvZTEAAQACAS8AAQAAAAAAAAQADQIKL3pvb2tl' +
  'ZXBlcgABAAAAAAAAAAAAAhAvem9va2VlcGVyL3F1b3RhAAEAAAAAAAAAAAABAgIFd29ybGQGYW55b25lAhEvem9va2VlcGVyL2Nv' +
  'bmZpZwABAQAAAAAAAAAAAQI+BmRpZ2VzdAZ1OmFiYz0CBC9hcHAAA3YyAgIGgdCV/7wxhdCV/7wxAgoCDAICL3cAAAANDY3Qlf+8' +
  'MY3Qlf+8MQAQABUCCC9hcHAvYm94AQEABASD0JX/vDGD0JX/vDEAAAAEgAAAAAAAAAACCC9hcHAvdHRsAQQA/wEABQWE0JX/vDGE' +
  '0JX/vDEAAAAF/wAAAAAAE4gCBS93L24xAAgBAQEBAQEBAA8Pj9CV/7wxj9CV/7wxAAAADwIFL3cvbjAAAQAODo7Qlf+8MY7Qlf+8' +
  'MQAAAA4CBS93L24yAA8CAgICAgICAgICAgICAgAQEJDQlf+8MZDQlf+8MQAAABACBS93L24zABYDAwMDAwMDAwMDAwMDAwMDAwMD' +
  'AwMAERGR0JX/vDGR0JX/vDEAAAARAgUvdy9uNAAdBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAASEpLQlf+8MZLQlf+8MQAA' +
  'ABICBS93L241ACQFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQATE5PQlf+8MZPQlf+8MQAAABMCCS93L+aXpeac' +
  'rAAKdXRmOCBuYW1lABQUlNCV/7wxlNCV/7wxAAAAFAIFL3cvZTEBAAAVFZXQlf+8MZXQlf+8MQAAABUBAAF/AAAAAQAAAAAAAAAA' +
  'FQAAABDJfytyQ05TRQ==',
  'base64',
);

/** fixtureTxns and more: many siblings, a deep chain, data larger than a small window, a quota. */
function mixedTxns(): Txn[] {
  const txns = fixtureTxns();
  let zxid = txns[txns.length - 1].zxid;
  const create = (p: string, data: Buffer | null, owner = 0n, time = 1_700_000_100_000 + zxid): Txn => ({ zxid: ++zxid, time, sessionId: sessionA, cxid: zxid, op: { type: 'create', path: p, data, acl: OPEN_ACL_UNSAFE, ephemeralOwner: owner } });
  for (let i = 0; i < 200; i++) txns.push(create(`/w/m${i}`, Buffer.alloc((i * 13) % 150, i)));
  let deep = '/w';
  for (let i = 0; i < 12; i++) txns.push(create((deep += `/d${i}`), Buffer.from(deep)));
  txns.push(create('/w/big', Buffer.alloc(9000, 9)));
  txns.push(create('/w/old', null, 0n, 5)); // a ctime before the time base
  txns.push(create('/w/' + 'L'.repeat(300), Buffer.from('a long name')));
  txns.push(create('/zookeeper/quota/w', null));
  txns.push(create('/zookeeper/quota/w/zookeeper_limits', Buffer.from('count=10,bytes=-1')));
  return txns;
}

async function snapshotOf(tree: DataTree, formatVersion?: 2 | 3): Promise<{ file: string; dir: string }> {
  const dir = tempDir('snapformat-');
  const sessions = [{ sessionId: sessionA, timeOut: 6000, ephemerals: tree.sessionsWithEphemerals().get(sessionA) ?? [] }];
  const res = await writeSnapshot({ dir, tree, startZxid: tree.lastProcessedZxid, sessions, takenAt: 0, forceSync: false, formatVersion, waitDurable: () => Promise.resolve() });
  return { file: res.file, dir };
}

function restored(load: (tree: DataTree) => void): DataTree {
  const tree = new DataTree();
  load(tree);
  return tree;
}

describe('snapshot format version 3', () => {
  it('round-trips a tree through record items, from the whole buffer and through small windows', async () => {
    const tree = treeFromTxns(mixedTxns());
    const { file, dir } = await snapshotOf(tree);
    const bytes = fs.readFileSync(file);
    const opened = openSnapshot(bytes, file);
    expect(opened.header.version).toBe(snapshotVersion);
    expect(snapshotVersion).toBe(3);
    let records = 0;
    walkSnapshot(opened, { acl: () => undefined, node: () => undefined, record: () => void records++ });
    expect(records).toBeGreaterThan(200);
    const want = dumpTree(tree);
    expect(dumpTree(restored((t) => new SnapshotFileImage(opened).restoreInto(t)))).toEqual(want);
    for (const windowBytes of [64, 257, 4096]) {
      expect([windowBytes, dumpTree(restored((t) => new SnapshotFileImage(openSnapshotFile(file, windowBytes)).restoreInto(t)))]).toEqual([windowBytes, want]);
    }
    const again = restored((t) => new SnapshotFileImage(opened).restoreInto(t));
    expect(again.ephemerals(sessionA)).toEqual(tree.ephemerals(sessionA));
    expect(again.approximateDataSize).toBe(tree.approximateDataSize);
    // A store whose time base is already fixed decodes each record and encodes it again.
    const other = new DataTree();
    other.applyTxn({ zxid: 1, time: 42, sessionId: 0n, cxid: 0, op: { type: 'create', path: '/pre', data: null, acl: OPEN_ACL_UNSAFE, ephemeralOwner: 0n } });
    other.applyTxn({ zxid: 2, time: 43, sessionId: 0n, cxid: 0, op: { type: 'delete', path: '/pre' } });
    new SnapshotFileImage(opened).restoreInto(other);
    expect(dumpTree(other)).toEqual(want);
    // Arena chunks smaller than some records: those get a chunk of their own.
    const small = new DataTree({ arena: { chunkBytes: 4096 } });
    new SnapshotFileImage(opened).restoreInto(small);
    expect(dumpTree(small)).toEqual(want);
    // decodeSnapshot (the inspector's reader) sees every node as the tree holds it.
    const seen: Record<string, unknown> = {};
    decodeSnapshot(bytes, file, (p, r) => void (seen[p] = { data: r.data?.toString('base64') ?? null, ctime: r.ctime, mtime: r.mtime, pzxid: r.pzxid, owner: r.ephemeralOwner }));
    const expected: Record<string, unknown> = {};
    for (const [p, n] of tree.entries()) expected[p] = { data: n.data?.toString('base64') ?? null, ctime: n.ctime, mtime: n.mtime, pzxid: n.pzxid, owner: n.ephemeralOwner };
    expect(seen).toEqual(expected);
    const lines = inspectSnapshot(bytes, file, false);
    expect(lines[0]).toMatch(/snapshot version 3, .* nodes/);
    expect(lines.some((l) => l.startsWith('/w/日本\n'))).toBe(true);
    expect(lines.some((l) => l.startsWith('CORRUPT'))).toBe(false);
    fs.rmSync(dir, { recursive: true });
  });

  it('still loads and inspects a version 2 file (the fixture, and what the writer writes as version 2)', async () => {
    const want = dumpTree(treeFromTxns(fixtureTxns()));
    const fixture = openSnapshot(version2Fixture, 'snapshot.15');
    expect(fixture.header.version).toBe(2);
    expect(dumpTree(restored((t) => new SnapshotFileImage(fixture).restoreInto(t)))).toEqual(want);
    const lines = inspectSnapshot(version2Fixture, 'snapshot.15', false);
    expect(lines[0]).toMatch(/snapshot version 2, /);
    expect(lines.some((l) => l.startsWith('/w/日本\n'))).toBe(true);
    const tree = treeFromTxns(mixedTxns());
    const { file, dir } = await snapshotOf(tree, 2);
    const opened = openSnapshotFile(file, 100);
    expect(opened.header.version).toBe(2);
    expect(dumpTree(restored((t) => new SnapshotFileImage(opened).restoreInto(t)))).toEqual(dumpTree(tree));
    fs.rmSync(dir, { recursive: true });
  });

  it('a flipped byte inside a record item fails the checksum (buffer and windows)', async () => {
    const tree = treeFromTxns(mixedTxns());
    const { file, dir } = await snapshotOf(tree);
    const bytes = fs.readFileSync(file);
    // /w/big's data: 9000 bytes of 9, inside its record.
    const at = bytes.indexOf(Buffer.alloc(64, 9));
    expect(at).toBeGreaterThan(0);
    bytes[at + 10] ^= 0x01;
    expect(() => openSnapshot(bytes, file)).toThrow(/checksum mismatch/);
    fs.writeFileSync(file, bytes);
    expect(() => openSnapshotFile(file, 128)).toThrow(/checksum mismatch/);
    fs.rmSync(dir, { recursive: true });
  });

  it('refuses a record item before any time base item, and one whose ACL list is undefined (behind a good checksum)', () => {
    const node: RecordSource = {
      parentPath: '/',
      ephemeralOwner: 0n,
      dataLength: 1,
      recordBytes: Buffer.from([1, 0x61, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0x7a]),
      encodeRecord: () => 17,
    };
    const build = (withAcl: boolean): Buffer => {
      const w = new ByteWriter();
      w.writeRaw(encodeSnapshotHeader({ dbid: 0n, startZxid: 1, takenAt: 0 }));
      encodeSessions(w, [], null);
      const acls = new AclNumbering();
      if (withAcl) acls.numberOf(w, OPEN_ACL_UNSAFE);
      encodeRecordItem(w, withAcl ? acls : { numberOf: () => 5 } as unknown as AclNumbering, node, OPEN_ACL_UNSAFE, 0);
      encodeEnd(w);
      const body = w.take();
      return Buffer.concat([body, encodeSnapshotFooter(1, 1, crc32(body))]);
    };
    expect(() => new SnapshotFileImage(openSnapshot(build(true), 'no-time-base')).restoreInto(new DataTree())).toThrow(/record item before a time base/);
    expect(() => new SnapshotFileImage(openSnapshot(build(false), 'bad-acl')).restoreInto(new DataTree())).toThrow(StorageError);
  });
});
