/**
 * The sequencer: ZooKeeper's PrepRequestProcessor on the one member that orders writes (the standalone
 * node, or an ensemble's leader). It turns client requests (its own and, on a leader, those forwarded
 * by followers) into txns against the committed tree plus the effects of txns prepared but not yet
 * applied (one PrepView kept across them, ZooKeeper's outstandingChanges). The view is dropped once
 * every txn it recorded has been applied; at most `preparedPerViewMax` txns share one view, then new
 * requests wait for the view to drain, which bounds the overlay's size.
 *
 * Where a prepared txn goes is the role's business (the local log, or a ZAB proposal): `drain` hands
 * each one to a `place` function that returns its zxid.
 */
import type { DataTree, Txn, TxnOp } from '@coord/data-tree';
import { decodeRequest, ErrorCode, Id, isWrite, OpCode, ProtocolError, Request, RequestHeader } from '@coord/protocol';
import type { PrepLimits } from './limits';
import { PrepContext, prepDeleteContainer, prepMulti, PrepView, prepWriteOp } from './prep';
import type { SessionTracker } from './sessions';

/** Txns prepared against one overlay before new requests wait for it to drain. */
export const preparedPerViewMax = 1000;

/**
 * A request for the sequencer. `origin` is the member whose client asked (it answers the client when
 * the txn is applied); 0 for the sequencer's own requests (expiry, container sweep).
 */
export type SequencerRequest =
  /** A client write: `frame` is the whole request body as the client sent it; `decoded` saves a decode when local. */
  | { kind: 'write'; origin: number; sessionId: bigint; ids: Id[]; frame: Buffer; decoded?: { header: RequestHeader; request: Request } }
  | { kind: 'createSession'; origin: number; sessionId: bigint; timeOut: number }
  | { kind: 'closeSession'; origin: number; sessionId: bigint; cxid: number }
  /** Sessions that saw traffic on `origin` since its last report (a follower's, to the leader). */
  | { kind: 'touch'; origin: number; sessionIds: bigint[] }
  /** The session reconnected on `origin`: requests still on their way from its old member get SESSIONMOVED. */
  | { kind: 'moveSession'; origin: number; sessionId: bigint }
  | { kind: 'deleteContainer'; origin: number; path: string };

export interface PreparedTxn {
  origin: number;
  /** zxid 0 until placed. */
  txn: Txn;
}

export interface SequencerOptions {
  extendedTypesEnabled: boolean;
  frameBytesMax: number;
  now: () => number;
  /** Injected randomness: the session secret when this data directory or ensemble has none yet. */
  randomBytes: (size: number) => Buffer;
  /** Registered ACL schemes beyond the built-in ones (`sasl`, `x509`). */
  aclProviders?: readonly string[];
  /** Enforced quotas and per-session ephemeral cap. */
  limits?: PrepLimits;
}

/** Bytes of the replicated session-password secret. */
export const sessionSecretBytes = 32;

export class Sequencer {
  private view: PrepView;
  private viewTxns = 0;
  private lastPlacedZxid = 0;
  private waiting: SequencerRequest[] = [];
  private waitingHead = 0;
  /**
   * The member each session last connected through (ZooKeeper's session owner), known to this term's
   * sequencer only: a new leader starts without owners, and every client reconnects after an election.
   */
  private readonly owners = new Map<bigint, number>();
  /** A createSession carrying the secret was placed in this term and may not be applied yet. */
  private secretPlaced = false;

  constructor(
    private readonly treeOf: () => DataTree,
    private readonly sessions: SessionTracker,
    private readonly options: SequencerOptions,
  ) {
    this.view = new PrepView(treeOf());
  }

  /** A new term (or a restored tree): nothing is outstanding, the committed tree is the whole truth. */
  reset(): void {
    this.view = new PrepView(this.treeOf());
    this.viewTxns = 0;
    this.lastPlacedZxid = 0;
    this.waiting = [];
    this.waitingHead = 0;
    this.secretPlaced = false;
    this.owners.clear();
  }

  /**
   * Requests are prepared in arrival order by `drain`. A session's move takes effect at once, as
   * ZooKeeper's revalidation does: requests from its old member still waiting here get SESSIONMOVED.
   */
  offer(request: SequencerRequest): void {
    if (request.kind === 'moveSession') {
      if (this.sessions.get(request.sessionId)) this.owners.set(request.sessionId, request.origin);
      return;
    }
    this.waiting.push(request);
  }

  /** Everything up to `appliedZxid` is in the tree: a drained view is replaced by a fresh one. */
  applied(appliedZxid: number): void {
    if (appliedZxid >= this.lastPlacedZxid && this.viewTxns > 0) {
      this.view = new PrepView(this.treeOf());
      this.viewTxns = 0;
    }
  }

  /**
   * Prepares waiting requests while the view has room, handing each txn to `place` (which returns the
   * zxid it got, or null when it can no longer be placed: the rest is dropped, clients retry).
   */
  drain(place: (p: PreparedTxn) => number | null): void {
    while (this.waitingHead < this.waiting.length && this.viewTxns < preparedPerViewMax) {
      // A multi records its ops in the view even when it fails, so it gets a fresh view of its own
      // and nothing else shares that view: it waits for the view to drain and the next requests wait for it.
      const request = this.waiting[this.waitingHead];
      const multi = isMulti(request);
      if (multi && this.viewTxns > 0) break;
      this.waitingHead++;
      const prepared = this.prepare(request);
      if (prepared === null) continue;
      const zxid = place(prepared);
      if (zxid === null) {
        this.waiting = [];
        this.waitingHead = 0;
        return;
      }
      this.lastPlacedZxid = zxid;
      this.viewTxns = multi ? preparedPerViewMax : this.viewTxns + 1;
    }
    if (this.waitingHead === this.waiting.length) {
      this.waiting = [];
      this.waitingHead = 0;
    }
  }

  get waitingCount(): number {
    return this.waiting.length - this.waitingHead;
  }

  /** True when `origin` (a member, not the sequencer's own 0) is no longer the session's owner. */
  private movedAway(sessionId: bigint, origin: number): boolean {
    if (origin === 0) return false;
    const owner = this.owners.get(sessionId);
    return owner !== undefined && owner !== origin;
  }

  private txnOf(sessionId: bigint, cxid: number, op: TxnOp): Txn {
    return { zxid: 0, time: this.options.now(), sessionId, cxid, op };
  }

  private prepare(r: SequencerRequest): PreparedTxn | null {
    switch (r.kind) {
      case 'deleteContainer': {
        // Checked again here: the node may have gained a child since it was listed.
        const op = prepDeleteContainer(this.view, r.path);
        return typeof op === 'number' ? null : { origin: r.origin, txn: this.txnOf(0n, 0, op) };
      }
      case 'touch': {
        const now = this.options.now();
        for (const id of r.sessionIds) {
          const s = this.sessions.get(id);
          if (s) this.sessions.touch(s, now);
        }
        return null;
      }
      case 'moveSession':
        return null;
      case 'createSession': {
        // The first session a data directory or ensemble creates carries the secret every password derives from.
        const secret = this.sessions.hasSecret || this.secretPlaced ? undefined : this.options.randomBytes(sessionSecretBytes);
        if (secret) this.secretPlaced = true;
        this.owners.set(r.sessionId, r.origin);
        return { origin: r.origin, txn: this.txnOf(r.sessionId, 0, { type: 'createSession', timeOut: r.timeOut, ...(secret && { secret }) }) };
      }
      case 'closeSession': {
        if (this.movedAway(r.sessionId, r.origin)) return { origin: r.origin, txn: this.txnOf(r.sessionId, r.cxid, { type: 'error', err: ErrorCode.SESSIONMOVED }) };
        this.owners.delete(r.sessionId);
        // Later writes of this session, prepared before the close is applied, get SESSIONEXPIRED.
        const s = this.sessions.get(r.sessionId);
        if (s) this.sessions.markClosing(s);
        return { origin: r.origin, txn: this.txnOf(r.sessionId, r.cxid, { type: 'closeSession' }) };
      }
      case 'write':
        return { origin: r.origin, txn: this.prepareWrite(r) };
    }
  }

  private prepareWrite(r: Extract<SequencerRequest, { kind: 'write' }>): Txn {
    let decoded = r.decoded;
    if (!decoded) {
      try {
        decoded = decodeRequest(r.frame, this.options.frameBytesMax);
      } catch (e) {
        const xid = e instanceof ProtocolError && e.header ? e.header.xid : 0;
        return this.txnOf(r.sessionId, xid, { type: 'error', err: ErrorCode.MARSHALLINGERROR });
      }
    }
    const { header, request } = decoded;
    const session = this.sessions.get(r.sessionId);
    if (!session || session.closing) return this.txnOf(r.sessionId, header.xid, { type: 'error', err: ErrorCode.SESSIONEXPIRED });
    // A write sent through a member the session has since left would commit after the client's later
    // writes through its new member: ZooKeeper's SESSIONMOVED keeps a session's writes in order.
    if (this.movedAway(r.sessionId, r.origin)) return this.txnOf(r.sessionId, header.xid, { type: 'error', err: ErrorCode.SESSIONMOVED });
    if (!isWrite(request.type)) return this.txnOf(r.sessionId, header.xid, { type: 'error', err: ErrorCode.UNIMPLEMENTED });
    const ctx: PrepContext = {
      tree: this.treeOf(),
      sessionId: r.sessionId,
      ids: r.ids,
      extendedTypesEnabled: this.options.extendedTypesEnabled,
      aclProviders: this.options.aclProviders,
      limits: this.options.limits,
    };
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

function isMulti(r: SequencerRequest): boolean {
  if (r.kind !== 'write') return false;
  if (r.decoded) return r.decoded.request.type === OpCode.multi;
  return r.frame.length >= requestOpcodeOffset + 4 && r.frame.readInt32BE(requestOpcodeOffset) === OpCode.multi;
}
