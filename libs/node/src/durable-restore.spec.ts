import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { containerOwner, DataTree, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, recordOf, TreeImage, Txn, TxnOp } from '@coord/data-tree';
import { RequestPipeline } from '@coord/server';
import { encodeLogHeader, encodeRecords, logFileName, recover, Recovered } from '@coord/storage';
import { restoreCore, sessionTxns } from './durable-restore';

const create = (zxid: number, path: string, owner = 0n): Txn => ({
  zxid, time: 1000 + zxid, sessionId: 7n, cxid: zxid, op: { type: 'create', path, data: Buffer.from(path), acl: OPEN_ACL_UNSAFE, ephemeralOwner: owner },
});

describe('restoreCore', () => {
  it('lands the core on the image zxid with its sessions, then replays the tail', () => {
    const source = new DataTree();
    const head: Txn[] = [
      { zxid: 1, time: 1, sessionId: 7n, cxid: 0, op: { type: 'createSession', timeOut: 6000 } },
      { zxid: 2, time: 2, sessionId: 9n, cxid: 0, op: { type: 'createSession', timeOut: 9000 } },
      create(3, '/a'),
      create(4, '/a/e', 7n),
    ];
    for (const t of head) source.applyTxn(t);
    const image = new TreeImage();
    for (const [p, n] of source.entries()) image.set(p, recordOf(n));
    const tail = [create(5, '/b')];
    const recovered: Recovered = {
      image, snapshotFile: 'snapshot.4', imageZxid: 4, snapshotStartZxid: 4, imageTxns: [], sessions: new Map([[7n, 6000], [9n, 9000]]), sessionSecret: Buffer.alloc(32, 3), tail,
      lastZxid: 5, replayed: 5, cutBytes: 0,
    };
    const core = new RequestPipeline({}, { now: () => 50_000, randomBytes });
    restoreCore(core, recovered, 50_000);
    expect(core.lastProcessedZxid).toBe(5);
    expect(core.tree.getNode('/a/e')!.ephemeralOwner).toBe(7n);
    expect(core.tree.getNode('/b')).toBeDefined();
    expect(core.tree.getNode('/a')!.cversion).toBe(1);
    const stats = core.stats();
    expect(stats.globalSessions).toBe(2);
    // The recovered secret is the one passwords derive from, so clients resume their sessions.
    expect(core.sessions.currentSecret).toEqual(Buffer.alloc(32, 3));
    // Restored sessions expire after their own timeouts counted from the restart.
    const expiries = stats.sessionBuckets.map((b) => b.expiresAt).sort((a, b) => a - b);
    expect(expiries[0]).toBeGreaterThanOrEqual(50_000 + 6000);
    expect(expiries[expiries.length - 1]).toBeGreaterThanOrEqual(50_000 + 9000);
  });

  it('numbers synthetic session txns so the last is the image zxid', () => {
    expect(sessionTxns(new Map(), 0, 1)).toEqual([]);
    expect(sessionTxns(new Map(), 12, 1).map((t) => [t.zxid, t.op.type])).toEqual([[12, 'error']]);
    expect(sessionTxns(new Map([[1n, 4000], [2n, 5000]]), 12, 1).map((t) => [t.zxid, t.sessionId])).toEqual([[11, 1n], [12, 2n]]);
    expect(() => sessionTxns(new Map([[1n, 4000], [2n, 5000]]), 1, 1)).toThrow(/invariant/);
  });

  it('replays the tail from its bytes to the tree and sessions that decoding every txn gives', () => {
    const ops: [bigint, TxnOp][] = [
      [7n, { type: 'createSession', timeOut: 6000, secret: Buffer.alloc(32, 5) }],
      [9n, { type: 'createSession', timeOut: 9000 }],
      [7n, { type: 'create', path: '/a', data: null, acl: OPEN_ACL_UNSAFE, ephemeralOwner: 0n }],
      ...Array.from({ length: 300 }, (_, i): [bigint, TxnOp] => [7n, { type: 'create', path: `/a/n${i}`, data: Buffer.alloc(i % 50, i), acl: OPEN_ACL_UNSAFE, ephemeralOwner: i % 7 === 0 ? 9n : 0n }]),
      [7n, { type: 'create', path: '/a/box', data: null, acl: READ_ACL_UNSAFE, ephemeralOwner: containerOwner }],
      [7n, { type: 'setData', path: '/a/n3', data: Buffer.from('x'), version: 1 }],
      [7n, { type: 'delete', path: '/a/n4' }],
      [7n, { type: 'multi', ops: [{ type: 'create', path: '/a/m', data: null, acl: OPEN_ACL_UNSAFE, ephemeralOwner: 7n }, { type: 'check', path: '/a' }] }],
      [9n, { type: 'closeSession' }],
      [7n, { type: 'create', path: '/a/after', data: Buffer.from('late'), acl: OPEN_ACL_UNSAFE, ephemeralOwner: 7n }],
      [7n, { type: 'error', err: -110 }],
    ];
    const txns = ops.map(([sessionId, op], i): Txn => ({ zxid: i + 1, time: 1_700_000_000_000 + i, sessionId, cxid: i, op }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'restore-'));
    fs.writeFileSync(path.join(dir, logFileName(1)), Buffer.concat([encodeLogHeader({ dbid: 1n, startZxid: 1 }), encodeRecords(txns)]));
    const log = { info: () => undefined, warn: () => undefined };
    const fast = new RequestPipeline({}, { now: () => 50_000, randomBytes });
    const recovered = recover({ snapDir: dir, logDir: dir, log });
    expect(recovered.tailCreates).toBe(303);
    restoreCore(fast, recovered, 50_000);
    const decoded = new RequestPipeline({}, { now: () => 50_000, randomBytes });
    restoreCore(decoded, { ...recover({ snapDir: dir, logDir: dir, log }), forEachTailRecord: undefined }, 50_000);
    const dump = (core: RequestPipeline) => ({
      nodes: [...core.tree.entries()].map(([p, n]) => [p, n.stat(), n.cversion, n.ephemeralOwner, n.childCapacity, n.data, core.tree.aclOf(n), core.tree.childrenOf(n)]),
      ephemerals: core.tree.sessionsWithEphemerals(),
      size: core.tree.approximateDataSize,
      zxid: core.lastProcessedZxid,
      sessions: [...core.sessions.all()].map((x) => [x.sessionId, x.timeoutMs]),
      secret: core.sessions.currentSecret,
    });
    expect(dump(fast)).toEqual(dump(decoded));
    expect(fast.lastProcessedZxid).toBe(txns.length);
    expect(fast.tree.getNode('/a')!.cversion).toBe(303);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
