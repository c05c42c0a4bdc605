/**
 * Prep for writes (PrepRequestProcessor): checks a request against the tree in ZooKeeper's order and
 * turns it into a txn op or an error code. A multi preps its ops against an overlay that records
 * the effect of earlier ops (ZooKeeper's outstandingChanges), so later ops see them and nothing
 * touches the tree until the whole multi is known to succeed.
 */
import {
  checkAcl,
  containerOwner,
  DataTree,
  ephemeralKind,
  fixupAcl,
  pathError,
  ttlMsMax,
  ttlOwner,
  TxnOp,
} from '@coord/data-tree';
import {
  ACL,
  BodyOf,
  CheckVersionRequest,
  CreateRequest,
  DeleteRequest,
  ErrorCode,
  Id,
  MultiRequest,
  OpCode,
  OperationNameOf,
  operations,
  Perms,
  Request,
  SetACLRequest,
  SetDataRequest,
} from '@coord/protocol';
import { PrepLimits, quotaExceeded } from './limits';

/** What prep needs to know about a node; ZNode satisfies it, and so do overlay entries. */
interface PrepNode {
  readonly version: number;
  readonly aversion: number;
  /** Internal cversion (child creates). */
  readonly cversion: number;
  readonly numChildren: number;
  readonly ephemeralOwner: bigint;
  readonly acl: { readonly acl: ACL[] };
}

interface OverlayNode extends PrepNode {
  version: number;
  aversion: number;
  cversion: number;
  numChildren: number;
}

const specialPaths = new Set(['/', '/zookeeper', '/zookeeper/quota', '/zookeeper/config']);
const sequenceDigits = 10;

export interface PrepContext {
  tree: DataTree;
  sessionId: bigint;
  ids: readonly Id[];
  extendedTypesEnabled: boolean;
  /** Registered ACL schemes beyond world, auth, digest and ip (`sasl`, `x509`). */
  aclProviders?: readonly string[];
  /** Enforced quotas and the per-session ephemeral cap; absent: none. */
  limits?: PrepLimits;
}

/** The tree as prep sees it, plus the uncommitted effects of earlier ops of the same multi. */
export class PrepView {
  private overlay: Map<string, OverlayNode | null> | null = null;
  private ephemeralCounts: Map<bigint, number> | null = null;

  constructor(private readonly tree: DataTree) {}

  get(path: string): PrepNode | undefined {
    if (this.overlay !== null && this.overlay.has(path)) return this.overlay.get(path) ?? undefined;
    return this.tree.getNode(path);
  }

  private editable(path: string): OverlayNode | undefined {
    const node = this.get(path);
    if (!node) return undefined;
    const copy: OverlayNode = {
      version: node.version,
      aversion: node.aversion,
      cversion: node.cversion,
      numChildren: node.numChildren,
      ephemeralOwner: node.ephemeralOwner,
      acl: { acl: node.acl.acl },
    };
    (this.overlay ??= new Map()).set(path, copy);
    return copy;
  }

  /** Ephemerals prepared for `sessionId` in this view and not applied yet. */
  ephemeralsCreatedBy(sessionId: bigint): number {
    return this.ephemeralCounts?.get(sessionId) ?? 0;
  }

  recordCreate(path: string, parentPath: string, acl: ACL[], owner: bigint): void {
    if (ephemeralKind(owner) === 'ephemeral') {
      (this.ephemeralCounts ??= new Map()).set(owner, this.ephemeralsCreatedBy(owner) + 1);
    }
    const parent = this.editable(parentPath);
    if (parent) {
      parent.cversion++;
      parent.numChildren++;
    }
    const node: OverlayNode = { version: 0, aversion: 0, cversion: 0, numChildren: 0, ephemeralOwner: owner, acl: { acl } };
    (this.overlay ??= new Map()).set(path, node);
  }

  recordDelete(path: string, parentPath: string): void {
    const parent = this.editable(parentPath);
    if (parent) parent.numChildren--;
    (this.overlay ??= new Map()).set(path, null);
  }

  recordSetData(path: string, version: number): void {
    const node = this.editable(path);
    if (node) node.version = version;
  }

  recordSetACL(path: string, acl: ACL[], aversion: number): void {
    const node = this.editable(path);
    if (node) {
      node.aversion = aversion;
      (node as { acl: { acl: ACL[] } }).acl = { acl };
    }
  }
}

export type PrepResult = TxnOp | number;

/** CreateMode.fromFlag: flags 0..6 are the known modes. */
const createFlagMax = 6;
const isTtlFlag = (flags: number) => flags === 5 || flags === 6;
const isSequentialFlag = (flags: number) => flags === 2 || flags === 3 || flags === 6;
const isEphemeralFlag = (flags: number) => flags === 1 || flags === 3;

function parentPathOf(path: string, lastSlash: number): string {
  return lastSlash <= 0 ? '/' : path.substring(0, lastSlash);
}

type CreateOpcode = typeof OpCode.create | typeof OpCode.create2 | typeof OpCode.createContainer | typeof OpCode.createTTL;

/** create / create2 / createContainer / createTTL (pRequest2TxnCreate). */
export function prepCreate(
  ctx: PrepContext,
  view: PrepView,
  opcode: CreateOpcode,
  req: CreateRequest & { ttl?: number },
): PrepResult {
  const flags = req.flags;
  if (!Number.isInteger(flags) || flags < 0 || flags > createFlagMax) return ErrorCode.BADARGUMENTS;
  const ttl = opcode === OpCode.createTTL && req.ttl !== undefined ? req.ttl : -1;
  if (isTtlFlag(flags)) {
    if (!ctx.extendedTypesEnabled) return ErrorCode.UNIMPLEMENTED;
    if (ttl <= 0 || ttl > ttlMsMax) return ErrorCode.BADARGUMENTS;
  } else if (ttl >= 0) {
    return ErrorCode.BADARGUMENTS;
  }
  let path = req.path;
  const lastSlash = path.lastIndexOf('/');
  if (lastSlash === -1 || path.indexOf('\u0000') !== -1) return ErrorCode.BADARGUMENTS;
  const acl = fixupAcl(req.acl, ctx.ids, ctx.aclProviders);
  if (typeof acl === 'number') return acl;
  const parentPath = parentPathOf(path, lastSlash);
  const parent = view.get(parentPath);
  if (!parent) return ErrorCode.NONODE;
  if (!checkAcl(parent.acl.acl, Perms.CREATE, ctx.ids)) return ErrorCode.NOAUTH;
  if (isSequentialFlag(flags)) path += String(parent.cversion).padStart(sequenceDigits, '0');
  if (pathError(path) !== null) return ErrorCode.BADARGUMENTS;
  if (view.get(path)) return ErrorCode.NODEEXISTS;
  if (ephemeralKind(parent.ephemeralOwner) === 'ephemeral') return ErrorCode.NOCHILDRENFOREPHEMERALS;
  const refused = refuseCreate(ctx, view, path, req.data, isEphemeralFlag(flags) && opcode !== OpCode.createContainer && opcode !== OpCode.createTTL);
  if (refused !== 0) return refused;
  let owner = 0n;
  // The stored type follows the txn kind: createContainer always makes a container, createTTL a
  // TTL node; a plain create stores only ephemeral-or-not, as ZooKeeper's CreateTxn does.
  if (opcode === OpCode.createContainer) owner = containerOwner;
  else if (opcode === OpCode.createTTL && isTtlFlag(flags)) owner = ttlOwner(ttl);
  else if (isEphemeralFlag(flags)) owner = ctx.sessionId;
  view.recordCreate(path, parentPath, acl, owner);
  return { type: 'create', path, data: req.data, acl, ephemeralOwner: owner };
}

/** Enforced quotas and the per-session ephemeral cap for a create; QUOTAEXCEEDED or 0. */
function refuseCreate(ctx: PrepContext, view: PrepView, path: string, data: Buffer | null, ephemeral: boolean): number {
  const limits = ctx.limits;
  if (!limits) return 0;
  if (limits.enforceQuota) {
    const message = quotaExceeded(ctx.tree, path, data?.length ?? 0, 1);
    if (message !== null) {
      limits.onRefused('quota', message);
      return ErrorCode.QUOTAEXCEEDED;
    }
  }
  if (ephemeral && limits.sessionEphemeralsMax > 0) {
    const held = ctx.tree.ephemeralCountOf(ctx.sessionId) + view.ephemeralsCreatedBy(ctx.sessionId);
    if (held >= limits.sessionEphemeralsMax) {
      limits.onRefused('ephemerals', `Session 0x${ctx.sessionId.toString(16)} already owns ${held} ephemerals (at most ${limits.sessionEphemeralsMax}): refusing ${path}`);
      return ErrorCode.QUOTAEXCEEDED;
    }
  }
  return 0;
}

export function prepDelete(ctx: PrepContext, view: PrepView, req: DeleteRequest): PrepResult {
  const path = req.path;
  const lastSlash = path.lastIndexOf('/');
  if (lastSlash === -1 || path.indexOf('\u0000') !== -1 || specialPaths.has(path)) return ErrorCode.BADARGUMENTS;
  const parentPath = parentPathOf(path, lastSlash);
  const parent = view.get(parentPath);
  if (!parent) return ErrorCode.NONODE;
  if (!checkAcl(parent.acl.acl, Perms.DELETE, ctx.ids)) return ErrorCode.NOAUTH;
  const node = view.get(path);
  if (!node) return ErrorCode.NONODE;
  if (req.version !== -1 && req.version !== node.version) return ErrorCode.BADVERSION;
  if (node.numChildren > 0) return ErrorCode.NOTEMPTY;
  view.recordDelete(path, parentPath);
  return { type: 'delete', path };
}

export function prepSetData(ctx: PrepContext, view: PrepView, req: SetDataRequest): PrepResult {
  if (pathError(req.path) !== null) return ErrorCode.BADARGUMENTS;
  const node = view.get(req.path);
  if (!node) return ErrorCode.NONODE;
  if (!checkAcl(node.acl.acl, Perms.WRITE, ctx.ids)) return ErrorCode.NOAUTH;
  if (ctx.limits?.enforceQuota) {
    const before = ctx.tree.getNode(req.path)?.dataLength ?? 0;
    const message = quotaExceeded(ctx.tree, req.path, (req.data?.length ?? 0) - before, 0);
    if (message !== null) {
      ctx.limits.onRefused('quota', message);
      return ErrorCode.QUOTAEXCEEDED;
    }
  }
  if (req.version !== -1 && req.version !== node.version) return ErrorCode.BADVERSION;
  const version = node.version + 1;
  view.recordSetData(req.path, version);
  return { type: 'setData', path: req.path, data: req.data, version };
}

export function prepSetACL(ctx: PrepContext, view: PrepView, req: SetACLRequest): PrepResult {
  if (pathError(req.path) !== null) return ErrorCode.BADARGUMENTS;
  const acl = fixupAcl(req.acl, ctx.ids, ctx.aclProviders);
  if (typeof acl === 'number') return acl;
  const node = view.get(req.path);
  if (!node) return ErrorCode.NONODE;
  if (!checkAcl(node.acl.acl, Perms.ADMIN, ctx.ids)) return ErrorCode.NOAUTH;
  if (req.version !== -1 && req.version !== node.aversion) return ErrorCode.BADVERSION;
  const aversion = node.aversion + 1;
  view.recordSetACL(req.path, acl, aversion);
  return { type: 'setACL', path: req.path, acl, aversion };
}

export function prepCheck(ctx: PrepContext, view: PrepView, req: CheckVersionRequest): PrepResult {
  if (pathError(req.path) !== null) return ErrorCode.BADARGUMENTS;
  const node = view.get(req.path);
  if (!node) return ErrorCode.NONODE;
  if (!checkAcl(node.acl.acl, Perms.READ, ctx.ids)) return ErrorCode.NOAUTH;
  if (req.version !== -1 && req.version !== node.version) return ErrorCode.BADVERSION;
  return { type: 'check', path: req.path };
}

/** deleteContainer (issued by the container sweep): only empty containers and TTL nodes. */
export function prepDeleteContainer(view: PrepView, path: string): PrepResult {
  const node = view.get(path);
  if (!node) return ErrorCode.NONODE;
  const kind = ephemeralKind(node.ephemeralOwner);
  if (kind !== 'container' && kind !== 'ttl') return ErrorCode.BADARGUMENTS;
  if (node.numChildren > 0) return ErrorCode.NOTEMPTY;
  const lastSlash = path.lastIndexOf('/');
  view.recordDelete(path, parentPathOf(path, lastSlash));
  return { type: 'delete', path };
}

/**
 * Preps each op of a multi against one overlay, stopping at the first failure. `prepOne` preps a
 * single write op (create*, delete, setData); check is handled here, read ops are refused.
 */
export function prepMulti(
  ctx: PrepContext,
  view: PrepView,
  req: MultiRequest,
  prepOne: (view: PrepView, request: Request) => PrepResult,
): { ops: TxnOp[]; failedAt: number; failure: number } {
  const ops: TxnOp[] = [];
  for (let i = 0; i < req.ops.length; i++) {
    const op = req.ops[i];
    let r: PrepResult;
    if (op.type === OpCode.check) r = prepCheck(ctx, view, op.request);
    else if (op.type === OpCode.getData || op.type === OpCode.getChildren) r = ErrorCode.MARSHALLINGERROR;
    else r = prepOne(view, { type: op.type, body: op.request } as Request);
    if (typeof r === 'number') return { ops, failedAt: i, failure: r };
    ops.push(r);
  }
  return { ops, failedAt: -1, failure: 0 };
}

/** The writes prepWriteOp preps: every write of the opcode table but multi (prepMulti, over these). */
type SingleWriteName = Exclude<OperationNameOf<'write'>, 'multi'>;
type WritePrep<K extends SingleWriteName> = (ctx: PrepContext, view: PrepView, body: BodyOf<K>) => PrepResult;

/** One prep per single-op write of the opcode table (the compiler checks none is missing). */
const writePreps: { [K in SingleWriteName]: WritePrep<K> } = {
  create: (ctx, view, body) => prepCreate(ctx, view, OpCode.create, body),
  create2: (ctx, view, body) => prepCreate(ctx, view, OpCode.create2, body),
  createContainer: (ctx, view, body) => prepCreate(ctx, view, OpCode.createContainer, body),
  createTTL: (ctx, view, body) => prepCreate(ctx, view, OpCode.createTTL, body),
  delete: prepDelete,
  setData: prepSetData,
  setACL: prepSetACL,
  deleteContainer: (_ctx, view, body) => prepDeleteContainer(view, body.path),
  reconfig: () => ErrorCode.RECONFIGDISABLED,
};

const writePrepByCode = new Map<number, WritePrep<SingleWriteName>>(
  (Object.keys(writePreps) as SingleWriteName[]).map((name) => [operations[name].code, writePreps[name] as WritePrep<SingleWriteName>]),
);

/**
 * Preps one write request (the single-op writes and deleteContainer) into a txn op or an error code.
 * Shared by the standalone core and the ensemble leader, so both check requests in ZooKeeper's order.
 */
export function prepWriteOp(ctx: PrepContext, view: PrepView, request: Request): PrepResult {
  const prep = writePrepByCode.get(request.type);
  return prep === undefined ? ErrorCode.UNIMPLEMENTED : prep(ctx, view, request.body as never);
}
