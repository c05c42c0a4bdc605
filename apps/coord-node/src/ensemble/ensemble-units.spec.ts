/**
 * In-process tests of the ensemble's pieces: the payload envelope, the durable ZAB log (truncation,
 * torn tails, epochs) and the leader's prep across outstanding proposals.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataTree, Txn } from '@coord/data-tree';
import { ACL, encodeRequest as encodeClientRequest, ErrorCode, OpCode, Perms } from '@coord/protocol';
import { SessionTracker } from '@coord/server';
import { decodeRequest, decodeTxnPayload, encodeRequest, encodeTxnPayload, isTxnPayload } from './envelope';
import { LeaderPrep, PreppedTxn, proposalsPerViewMax } from './leader-prep';
import { encodeTreeSnapshot, restoreTreeSnapshot } from './tree-snapshot';
import { ZabDisk } from './zab-disk';

const tickTimeMs = 100;
const sessionTimeoutMs = 10_000;
const openAcl: ACL[] = [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }];

describe('envelope', () => {
  it('round-trips every request kind and a txn, and tells them apart', () => {
    const requests = [
      { kind: 'write' as const, origin: 2, sessionId: -5n, ids: [{ scheme: 'digest', id: 'u:x' }], frame: Buffer.from([1, 2, 3]) },
      { kind: 'createSession' as const, origin: 1, sessionId: 0x0100000000000001n, timeOut: 4000 },
      { kind: 'closeSession' as const, origin: 3, sessionId: 7n, cxid: -2 },
      { kind: 'touch' as const, origin: 3, sessionIds: [1n, -1n] },
    ];
    for (const r of requests) {
      const bytes = encodeRequest(r);
      expect(isTxnPayload(bytes)).toBe(false);
      expect(decodeRequest(bytes)).toEqual(r);
    }
    const txn: Txn = { zxid: 0, time: 1234, sessionId: 9n, cxid: 5, op: { type: 'create', path: '/a', data: Buffer.from('d'), acl: openAcl, ephemeralOwner: 0n } };
    const bytes = encodeTxnPayload(2, txn);
    expect(isTxnPayload(bytes)).toBe(true);
    expect(decodeTxnPayload(bytes, 0x100000007)).toEqual({ origin: 2, txn: { ...txn, zxid: 0x100000007 } });
  });
});

describe('ZabDisk', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zab-disk-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const entry = (zxid: number, text: string) => ({ zxid, payload: Uint8Array.from(Buffer.from(text)) });

  it('recovers appended txns and epochs, honours truncation, and cuts a torn tail', () => {
    const disk = new ZabDisk(dir, true);
    expect(disk.recover().log).toEqual([]);
    disk.persist({ entries: [entry(0x100000001, 'a'), entry(0x100000002, 'b'), entry(0x100000003, 'c')], acceptedEpoch: 1, currentEpoch: 1 }, true);
    disk.persist({ truncateAfter: 0x100000001, entries: [entry(0x200000001, 'd')], acceptedEpoch: 2 }, true);
    disk.close();
    const logFile = path.join(dir, 'zab', 'log');
    const goodBytes = fs.statSync(logFile).size;
    // A crash in the middle of an append leaves part of a record.
    fs.appendFileSync(logFile, Buffer.from([0, 0, 0, 40, 1, 2, 3]));
    const reopened = new ZabDisk(dir, true);
    const recovered = reopened.recover();
    expect(recovered.acceptedEpoch).toBe(2);
    expect(recovered.currentEpoch).toBe(1);
    expect(recovered.log.map((t) => [t.zxid, Buffer.from(t.payload).toString()])).toEqual([
      [0x100000001, 'a'],
      [0x200000001, 'd'],
    ]);
    expect(recovered.cutBytes).toBe(7);
    expect(fs.statSync(logFile).size).toBe(goodBytes);
    reopened.persist({ entries: [entry(0x200000002, 'e')] }, true);
    reopened.close();
    const again = new ZabDisk(dir, true);
    expect(again.recover().log.map((t) => t.zxid)).toEqual([0x100000001, 0x200000001, 0x200000002]);
    again.close();
  });

  it('stops at a corrupt record (CRC mismatch)', () => {
    const disk = new ZabDisk(dir, true);
    disk.recover();
    disk.persist({ entries: [entry(1, 'a'), entry(2, 'b')] }, true);
    disk.close();
    const logFile = path.join(dir, 'zab', 'log');
    const buf = fs.readFileSync(logFile);
    buf[buf.length - 1] ^= 0xff;
    fs.writeFileSync(logFile, buf);
    const reopened = new ZabDisk(dir, true);
    expect(reopened.recover().log.map((t) => t.zxid)).toEqual([1]);
    reopened.close();
  });
});

describe('LeaderPrep', () => {
  function setup() {
    let now = 1_000_000;
    const tree = new DataTree();
    const sessions = new SessionTracker(tickTimeMs, 1, now, Buffer.alloc(32));
    const sessionId = sessions.allocateId();
    sessions.add(sessionId, sessionTimeoutMs, now);
    const prep = new LeaderPrep(() => tree, sessions, { extendedTypesEnabled: false, frameBytesMax: 1 << 20, now: () => ++now });
    let zxid = 0x100000000;
    const proposed: PreppedTxn[] = [];
    const drain = () => prep.drain((p) => (proposed.push(p), ++zxid));
    const applyAll = () => {
      let z = 0x100000000;
      for (const p of proposed.splice(0)) tree.applyTxn({ ...p.txn, zxid: ++z });
      prep.applied(zxid);
    };
    const write = (xid: number, body: Parameters<typeof encodeClientRequest>[1]) =>
      prep.offer({ kind: 'write', origin: 2, sessionId, ids: [], frame: encodeClientRequest(xid, body).subarray(4) });
    return { prep, proposed, drain, applyAll, write, sessionId };
  }
  const create = (p: string, flags = 0) => ({ type: OpCode.create, body: { path: p, data: null, acl: openAcl, flags } }) as const;

  it('preps against outstanding proposals: a second create of one path fails, sequence numbers advance', () => {
    const { proposed, drain, write } = setup();
    write(1, create('/x'));
    write(2, create('/x'));
    write(3, create('/s-', 2));
    write(4, create('/s-', 2));
    drain();
    expect(proposed.map((p) => p.txn.op)).toEqual([
      expect.objectContaining({ type: 'create', path: '/x' }),
      { type: 'error', err: ErrorCode.NODEEXISTS },
      expect.objectContaining({ type: 'create', path: '/s-0000000001' }),
      expect.objectContaining({ type: 'create', path: '/s-0000000002' }),
    ]);
    expect(proposed.map((p) => p.txn.cxid)).toEqual([1, 2, 3, 4]);
  });

  it('gives a multi a view of its own and holds later requests until it is applied', () => {
    const { prep, proposed, drain, applyAll, write } = setup();
    write(1, create('/a'));
    write(2, { type: OpCode.multi, body: { ops: [create('/b'), create('/a')].map((c) => ({ type: c.type, request: c.body })) } });
    write(3, create('/b'));
    drain();
    expect(proposed).toHaveLength(1);
    applyAll();
    drain();
    // The failed multi recorded /b in its view; the create of /b must not be prepped against that view.
    expect(proposed.map((p) => p.txn.op.type)).toEqual(['multi']);
    expect(prep.waitingCount).toBe(1);
    applyAll();
    drain();
    expect(proposed.map((p) => p.txn.op)).toEqual([expect.objectContaining({ type: 'create', path: '/b' })]);
  });

  it('bounds the proposals that share one view', () => {
    const { prep, proposed, drain, applyAll, write } = setup();
    for (let i = 0; i < proposalsPerViewMax + 5; i++) write(i + 1, create(`/n${i}`));
    drain();
    expect(proposed).toHaveLength(proposalsPerViewMax);
    expect(prep.waitingCount).toBe(5);
    applyAll();
    drain();
    expect(proposed).toHaveLength(5);
  });

  it('answers SESSIONEXPIRED for an unknown session', () => {
    const { prep, proposed, drain } = setup();
    prep.offer({ kind: 'write', origin: 2, sessionId: 42n, ids: [], frame: encodeClientRequest(1, create('/z')).subarray(4) });
    drain();
    expect(proposed[0].txn.op).toEqual({ type: 'error', err: ErrorCode.SESSIONEXPIRED });
  });
});

describe('tree snapshot', () => {
  it('restores every znode with its stat fields, ephemerals and the session table', () => {
    const tree = new DataTree();
    let zxid = 0;
    const apply = (sessionId: bigint, op: Txn['op']) => tree.applyTxn({ zxid: ++zxid, time: 1000 + zxid, sessionId, cxid: zxid, op });
    apply(7n, { type: 'createSession', timeOut: 5000 });
    apply(7n, { type: 'create', path: '/a', data: Buffer.from('x'), acl: openAcl, ephemeralOwner: 0n });
    apply(7n, { type: 'create', path: '/a/e', data: null, acl: openAcl, ephemeralOwner: 7n });
    apply(7n, { type: 'setData', path: '/a', data: Buffer.from('y'), version: 1 });
    apply(7n, { type: 'create', path: '/a/b', data: Buffer.from('z'), acl: [{ perms: Perms.READ, id: { scheme: 'digest', id: 'u:h' } }], ephemeralOwner: 0n });
    apply(7n, { type: 'delete', path: '/a/b' });
    const bytes = encodeTreeSnapshot(tree, [{ sessionId: 7n, timeOut: 5000 }]);
    const copy = new DataTree();
    expect(restoreTreeSnapshot(copy, bytes)).toEqual([{ sessionId: 7n, timeOut: 5000 }]);
    expect(copy.size).toBe(tree.size);
    for (const [path, node] of tree.entries()) {
      const other = copy.getNode(path);
      expect({ path, data: other?.data, mzxid: other?.mzxid, cversion: other?.cversion, version: other?.version, owner: other?.ephemeralOwner }).toEqual({
        path, data: node.data, mzxid: node.mzxid, cversion: node.cversion, version: node.version, owner: node.ephemeralOwner,
      });
    }
    // The restored tree keeps working: closing the session removes its ephemeral.
    copy.applyTxn({ zxid: ++zxid, time: 2000, sessionId: 7n, cxid: 0, op: { type: 'closeSession' } });
    expect(copy.getNode('/a/e')).toBeUndefined();
  });
});
