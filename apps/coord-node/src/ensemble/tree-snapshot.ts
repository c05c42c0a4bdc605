/**
 * The ensemble's snapshot of its applied state: every znode (with its internal cversion and
 * ephemeralOwner) and the session table, taken synchronously at one zxid (so, unlike the standalone
 * node's fuzzy snapshots, it needs no replay). It is the `data` of a ZAB Snapshot: written to
 * `<dataDir>/zab/snapshot`, sent in SNAP to a learner too far behind, and restored from either.
 */
import { DataTree, recordOf, restoreTree, TreeImage } from '@coord/data-tree';
import { ByteReader, ByteWriter, decodeAcl, encodeAcl } from '@coord/storage';

const formatVersion = 1;

export interface SnapshotSession {
  sessionId: bigint;
  timeOut: number;
}

export function encodeTreeSnapshot(tree: DataTree, sessions: Iterable<SnapshotSession>): Uint8Array {
  const w = new ByteWriter(1 << 16);
  w.u8(formatVersion);
  const list = [...sessions];
  w.varint(list.length);
  for (const s of list) {
    w.i64(s.sessionId);
    w.varint(s.timeOut);
  }
  w.varint(tree.size);
  for (const [path, node] of tree.entries()) {
    const r = recordOf(node);
    w.string(path);
    w.data(r.data);
    encodeAcl(w, r.acl);
    w.varint(r.czxid);
    w.varint(r.mzxid);
    w.varint(r.ctime);
    w.varint(r.mtime);
    w.svarint(r.version);
    w.svarint(r.cversion);
    w.svarint(r.aversion);
    w.i64(r.ephemeralOwner);
    w.varint(r.pzxid);
  }
  return w.take();
}

/** Fills `tree` (fresh) from a snapshot and returns its sessions. */
export function restoreTreeSnapshot(tree: DataTree, bytes: Uint8Array): SnapshotSession[] {
  const r = new ByteReader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const version = r.u8();
  if (version !== formatVersion) throw new Error(`unknown ensemble snapshot format ${version}`);
  const sessions: SnapshotSession[] = [];
  for (let n = r.varint(); n > 0; n--) sessions.push({ sessionId: r.i64(), timeOut: r.varint() });
  const image = new TreeImage();
  for (let n = r.varint(); n > 0; n--) {
    const path = r.string();
    image.set(path, {
      data: r.data(),
      acl: decodeAcl(r),
      czxid: r.varint(),
      mzxid: r.varint(),
      ctime: r.varint(),
      mtime: r.varint(),
      version: r.svarint(),
      cversion: r.svarint(),
      aversion: r.svarint(),
      ephemeralOwner: r.i64(),
      pzxid: r.varint(),
    });
  }
  restoreTree(tree, image);
  return sessions;
}
