// A member's snapshot in @coord/storage's formats (the snapshot file inside snapshot data, as a SNAP
// carries it), so a restarted or SNAP-synced member restores through the same decoder as the node.
// The node writes fuzzy snapshots in the background; the simulator takes them at once, so the file's
// start and end zxid are equal and the data carries no log txns.

import { ByteWriter } from '@coord/bytes';
import type { DataTree } from '@coord/data-tree';
import type { SessionTracker } from '@coord/server';
import {
  AclNumbering, crc32, encodeEnd, encodeNode, encodeSessions, encodeSnapshotData, encodeSnapshotFooter, encodeSnapshotHeader,
} from '@coord/storage';
import type { Snapshot, Zxid } from '@coord/zab';

export function snapshotOf(tree: DataTree, sessions: SessionTracker, zxid: Zxid, takenAt: number): Snapshot {
  const ephemerals = tree.sessionsWithEphemerals();
  const entries = [...sessions.all()].map((s) => ({ sessionId: s.sessionId, timeOut: s.timeoutMs, ephemerals: ephemerals.get(s.sessionId) ?? [] }));
  const w = new ByteWriter(4096);
  w.writeRaw(encodeSnapshotHeader({ dbid: 0n, startZxid: zxid, takenAt }));
  encodeSessions(w, entries, sessions.currentSecret);
  const acls = new AclNumbering();
  let nodes = 0;
  for (const [path, node] of tree.entries()) {
    encodeNode(w, acls, path, node, node.acl.acl);
    nodes++;
  }
  encodeEnd(w);
  const body = w.take();
  const file = Buffer.concat([body, encodeSnapshotFooter(zxid, nodes, crc32(body))]);
  return { zxid, data: Uint8Array.from(encodeSnapshotData(file, [])) };
}
