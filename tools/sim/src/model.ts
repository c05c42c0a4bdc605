// What the agreed txn sequence means, worked out independently of the data tree: which client request
// each txn is (session id + xid), the value of every register path and the set of live ephemerals at
// any zxid, and when each session was created and closed. The checkers compare what clients saw
// against it. It follows ZooKeeper's rules directly (a closeSession removes the session's ephemerals,
// nothing else does but a delete), so a pipeline that applied differently disagrees with it.

import { parentOf, type Txn, type TxnOp } from '@coord/data-tree';
import { decodeTxnPayload } from '@coord/envelope';
import { formatZxid, type ZabTxn, type Zxid } from '@coord/zab';
import { registerPaths } from './clients';
import { SimFailure } from './failure';

export interface SequencedTxn {
  readonly zxid: Zxid;
  readonly origin: number;
  readonly txn: Txn;
}

interface EphemeralLife {
  readonly path: string;
  readonly owner: bigint;
  readonly createdAt: Zxid;
  goneAt: Zxid;
}

export function requestKey(sessionId: bigint, xid: number): string {
  return `${BigInt.asUintN(64, sessionId).toString(16)}:${xid}`;
}

function fail(message: string): never {
  throw new SimFailure('correctness', message);
}

export class SequenceModel {
  readonly txns: SequencedTxn[];
  /** Client requests (xid > 0) by session:xid. */
  readonly byKey = new Map<string, SequencedTxn>();
  readonly createdAt = new Map<bigint, Zxid>();
  readonly closedAt = new Map<bigint, Zxid>();
  private readonly registers = new Map<string, { zxid: Zxid; value: string | null }[]>();
  private readonly ephemerals: EphemeralLife[] = [];
  private readonly liveEphemerals = new Map<string, EphemeralLife>();
  /** Per path, the zxids that changed the node (create, setData, delete); per parent, those that changed its children. */
  private readonly dataChanges = new Map<string, Zxid[]>();
  private readonly childChanges = new Map<string, Zxid[]>();

  constructor(sequence: readonly ZabTxn<Uint8Array>[]) {
    this.txns = sequence.map((t) => ({ zxid: t.zxid, ...decodeTxnPayload(t.payload, t.zxid) }));
    for (const s of this.txns) this.add(s);
  }

  private add(s: SequencedTxn): void {
    const { txn, zxid } = s;
    if (txn.cxid > 0) {
      const key = requestKey(txn.sessionId, txn.cxid);
      const earlier = this.byKey.get(key);
      if (earlier !== undefined) fail(`request ${key} committed twice, at ${formatZxid(earlier.zxid)} and ${formatZxid(zxid)}`);
      this.byKey.set(key, s);
    }
    const op = txn.op;
    if (op.type === 'createSession') {
      if (this.createdAt.has(txn.sessionId)) fail(`session 0x${txn.sessionId.toString(16)} created twice (again at ${formatZxid(zxid)})`);
      this.createdAt.set(txn.sessionId, zxid);
      return;
    }
    if (op.type === 'closeSession') {
      if (!this.closedAt.has(txn.sessionId)) this.closedAt.set(txn.sessionId, zxid);
      for (const life of [...this.liveEphemerals.values()]) {
        if (life.owner !== txn.sessionId) continue;
        this.gone(life.path, zxid);
        this.changed(life.path, zxid);
      }
      return;
    }
    const ops = op.type === 'multi' ? op.ops : [op];
    if (ops.some((o) => o.type === 'error')) return; // a failed write (or multi) changes nothing
    for (const o of ops) this.addOp(o, zxid, txn);
  }

  private addOp(o: TxnOp, zxid: Zxid, txn: Txn): void {
    switch (o.type) {
      case 'create':
        this.changed(o.path, zxid);
        if (registerPaths.includes(o.path)) this.setRegister(o.path, zxid, (o.data ?? Buffer.alloc(0)).toString());
        if (o.ephemeralOwner !== 0n) {
          const owner = o.ephemeralOwner;
          if (!this.createdAt.has(owner) || this.closedAt.has(owner)) {
            fail(`ephemeral ${o.path} created at ${formatZxid(zxid)} for session 0x${owner.toString(16)}, which is ${this.createdAt.has(owner) ? 'closed' : 'unknown'}`);
          }
          const life: EphemeralLife = { path: o.path, owner, createdAt: zxid, goneAt: Infinity };
          this.ephemerals.push(life);
          this.liveEphemerals.set(o.path, life);
        }
        return;
      case 'delete':
        if (registerPaths.includes(o.path)) this.setRegister(o.path, zxid, null);
        this.gone(o.path, zxid);
        this.changed(o.path, zxid);
        return;
      case 'setData':
        this.changed(o.path, zxid, false);
        if (registerPaths.includes(o.path)) this.setRegister(o.path, zxid, (o.data ?? Buffer.alloc(0)).toString());
        return;
      default:
        void txn;
    }
  }

  private gone(path: string, zxid: Zxid): void {
    const life = this.liveEphemerals.get(path);
    if (life === undefined) return;
    life.goneAt = zxid;
    this.liveEphemerals.delete(path);
  }

  /** A node was created or deleted (`membership`) or its data set, at `zxid`. */
  private changed(path: string, zxid: Zxid, membership = true): void {
    push(this.dataChanges, path, zxid);
    if (membership) push(this.childChanges, parentOf(path), zxid);
  }

  /** The first zxid after `zxid` that fires a watch of `kind` on `path` (undefined: none did). */
  nextChange(kind: 'data' | 'children', path: string, zxid: Zxid): Zxid | undefined {
    const list = (kind === 'data' ? this.dataChanges : this.childChanges).get(path) ?? [];
    return list.find((z) => z > zxid);
  }

  private setRegister(path: string, zxid: Zxid, value: string | null): void {
    const list = this.registers.get(path) ?? [];
    list.push({ zxid, value });
    this.registers.set(path, list);
  }

  /** The register's value once every txn up to `zxid` is applied (null: absent). */
  registerAt(path: string, zxid: Zxid): string | null {
    let value: string | null = null;
    for (const h of this.registers.get(path) ?? []) {
      if (h.zxid > zxid) break;
      value = h.value;
    }
    return value;
  }

  /** Names (without the slash) of the ephemerals alive once every txn up to `zxid` is applied. */
  ephemeralsAt(zxid: Zxid): string[] {
    return this.ephemerals.filter((e) => e.createdAt <= zxid && e.goneAt > zxid).map((e) => e.path.substring(1)).sort();
  }

  /** Ephemerals alive at the end, by owner. */
  liveEphemeralOwners(): Map<string, bigint> {
    return new Map([...this.liveEphemerals].map(([p, l]) => [p, l.owner]));
  }
}

function push<K>(map: Map<K, Zxid[]>, key: K, zxid: Zxid): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [zxid]);
  else list.push(zxid);
}
