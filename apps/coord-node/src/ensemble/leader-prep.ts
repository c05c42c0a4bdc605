/**
 * The leader's prep stage (ZooKeeper's PrepRequestProcessor on the leader): turns forwarded client
 * requests into txns against the committed tree plus the effects of proposals not yet committed
 * (one PrepView kept across proposals, ZooKeeper's outstandingChanges). The view is dropped once every
 * proposal it recorded has been applied; at most `proposalsPerViewMax` proposals share one view, then
 * new requests wait for the view to drain, which bounds the overlay's size.
 */
import type { DataTree, Txn, TxnOp } from '@coord/data-tree';
import { decodeRequest as decodeClientRequest, ErrorCode, OpCode, ProtocolError } from '@coord/protocol';
import {
  isWrite,
  PrepContext,
  prepDeleteContainer,
  prepMulti,
  PrepView,
  prepWriteOp,
  SessionTracker,
} from '@coord/server';
import { EnsembleRequest } from './envelope';

/** Proposals prepped against one overlay before new requests wait for it to drain. */
export const proposalsPerViewMax = 1000;

export interface PreppedTxn {
  origin: number;
  txn: Txn;
}

/** A request the leader makes itself: delete an empty container or an expired TTL node. */
type LeaderRequest = EnsembleRequest | { kind: 'deleteContainer'; path: string };

export class LeaderPrep {
  private view: PrepView;
  private viewProposals = 0;
  private lastProposedZxid = 0;
  private waiting: LeaderRequest[] = [];

  constructor(
    private readonly treeOf: () => DataTree,
    private readonly sessions: SessionTracker,
    private readonly options: { extendedTypesEnabled: boolean; frameBytesMax: number; now: () => number },
  ) {
    this.view = new PrepView(treeOf());
  }

  /** A new term: nothing is outstanding, the committed tree is the whole truth. */
  reset(): void {
    this.view = new PrepView(this.treeOf());
    this.viewProposals = 0;
    this.lastProposedZxid = 0;
    this.waiting = [];
  }

  /** Requests are prepped in arrival order by `drain`. */
  offer(request: LeaderRequest): void {
    this.waiting.push(request);
  }

  /** The leader applied up to `appliedZxid`: a drained view is replaced by a fresh one. */
  applied(appliedZxid: number): void {
    if (appliedZxid >= this.lastProposedZxid && this.viewProposals > 0) {
      this.view = new PrepView(this.treeOf());
      this.viewProposals = 0;
    }
  }

  /**
   * Preps waiting requests while the view has room, handing each txn to `propose` (which returns the
   * zxid it got, or null when the leader can no longer propose: the rest is dropped, clients retry).
   */
  drain(propose: (p: PreppedTxn) => number | null): void {
    while (this.waiting.length > 0 && this.viewProposals < proposalsPerViewMax) {
      // A multi records its ops in the view even when it fails, so it gets a fresh view of its own
      // and nothing else shares that view: it waits for the view to drain and the next requests wait for it.
      const multi = isMulti(this.waiting[0]);
      if (multi && this.viewProposals > 0) return;
      const request = this.waiting.shift() as LeaderRequest;
      const prepped = this.prep(request);
      if (prepped === null) continue;
      const zxid = propose(prepped);
      if (zxid === null) {
        this.waiting = [];
        return;
      }
      this.lastProposedZxid = zxid;
      this.viewProposals = multi ? proposalsPerViewMax : this.viewProposals + 1;
    }
  }

  get waitingCount(): number {
    return this.waiting.length;
  }

  private txnOf(sessionId: bigint, cxid: number, op: TxnOp): Txn {
    return { zxid: 0, time: this.options.now(), sessionId, cxid, op };
  }

  private prep(r: LeaderRequest): PreppedTxn | null {
    switch (r.kind) {
      case 'deleteContainer': {
        // Checked again here: the node may have gained a child since it was listed.
        const op = prepDeleteContainer(this.view, r.path);
        return typeof op === 'number' ? null : { origin: 0, txn: this.txnOf(0n, 0, op) };
      }
      case 'touch':
        return null;
      case 'createSession':
        return { origin: r.origin, txn: this.txnOf(r.sessionId, 0, { type: 'createSession', timeOut: r.timeOut }) };
      case 'closeSession':
        return { origin: r.origin, txn: this.txnOf(r.sessionId, r.cxid, { type: 'closeSession' }) };
      case 'write':
        return { origin: r.origin, txn: this.prepWrite(r) };
    }
  }

  private prepWrite(r: Extract<EnsembleRequest, { kind: 'write' }>): Txn {
    let decoded;
    try {
      decoded = decodeClientRequest(r.frame, this.options.frameBytesMax);
    } catch (e) {
      const xid = e instanceof ProtocolError && e.header ? e.header.xid : 0;
      return this.txnOf(r.sessionId, xid, { type: 'error', err: ErrorCode.MARSHALLINGERROR });
    }
    const { header, request } = decoded;
    const session = this.sessions.get(r.sessionId);
    if (!session || session.closing) return this.txnOf(r.sessionId, header.xid, { type: 'error', err: ErrorCode.SESSIONEXPIRED });
    if (!isWrite(request.type)) return this.txnOf(r.sessionId, header.xid, { type: 'error', err: ErrorCode.UNIMPLEMENTED });
    const ctx: PrepContext = { tree: this.treeOf(), sessionId: r.sessionId, ids: r.ids, extendedTypesEnabled: this.options.extendedTypesEnabled };
    if (request.type === OpCode.multi) {
      const { ops, failedAt, failure } = prepMulti(ctx, this.view, request.body, (view, sub) => prepWriteOp(ctx, view, sub));
      if (failedAt < 0) return this.txnOf(r.sessionId, header.xid, { type: 'multi', ops });
      // ZooKeeper's failed multi: ok before the failing op, its code, then RUNTIMEINCONSISTENCY.
      const errOps: TxnOp[] = request.body.ops.map((_, i) => ({
        type: 'error',
        err: i < failedAt ? 0 : i === failedAt ? failure : ErrorCode.RUNTIMEINCONSISTENCY,
      }));
      return this.txnOf(r.sessionId, header.xid, { type: 'multi', ops: errOps });
    }
    const result = prepWriteOp(ctx, this.view, request);
    const op: TxnOp = typeof result === 'number' ? { type: 'error', err: result } : result;
    return this.txnOf(r.sessionId, header.xid, op);
  }
}

/** The opcode sits after the xid in the request header. */
const requestOpcodeOffset = 4;

function isMulti(r: LeaderRequest): boolean {
  return r.kind === 'write' && r.frame.length >= requestOpcodeOffset + 4 && r.frame.readInt32BE(requestOpcodeOffset) === OpCode.multi;
}

