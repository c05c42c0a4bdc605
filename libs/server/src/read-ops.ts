/**
 * Requests that do not change the tree (FinalRequestProcessor's read branches): exists, getData,
 * getChildren(2), getACL, getAllChildrenNumber, getEphemerals, multiRead and the watch-table
 * requests. Each returns ZooKeeper's error code and, on success, the response record.
 */
import { checkAcl, DataTree, javaCapacityFor, javaStringHash, maskDigests, WatchEvent } from '@coord/data-tree';
import {
  AddWatchMode,
  BodyOf,
  ErrorCode,
  OpCode,
  OperationNameOf,
  operations,
  Id,
  MultiRequest,
  MultiResult,
  PathRequest,
  PathWatchRequest,
  Request,
  Perms,
  ResponseBody,
  SetWatches2Request,
  WatchesRequest,
} from '@coord/protocol';

export interface ReadContext {
  tree: DataTree;
  /** The connection id: the watcher identity in the watch tables. */
  connId: number;
  sessionId: bigint;
  ids: readonly Id[];
  /** See ServerConfig.existsChecksRead. */
  existsChecksRead: boolean;
}

export interface ReadOutcome {
  err: number;
  body: ResponseBody;
  /** Catch-up notifications (setWatches) to queue before the reply. */
  events?: WatchEvent[];
}

const ok = (body: ResponseBody): ReadOutcome => ({ err: 0, body });
const fail = (err: number): ReadOutcome => ({ err, body: null });
const watcherTypeMax = 5;

export function exists(ctx: ReadContext, req: PathWatchRequest): ReadOutcome {
  if (req.path.indexOf('\u0000') !== -1) return fail(ErrorCode.BADARGUMENTS);
  // The watch goes in before the existence test: an exists watch on a missing node fires NodeCreated.
  if (req.watch) ctx.tree.watchData(req.path, ctx.connId);
  const node = ctx.tree.getNode(req.path);
  if (!node) return fail(ErrorCode.NONODE);
  if (ctx.existsChecksRead && !checkAcl(node.acl.acl, Perms.READ, ctx.ids)) return fail(ErrorCode.NOAUTH);
  return ok({ stat: node.stat() });
}

export function getData(ctx: ReadContext, req: PathWatchRequest): ReadOutcome {
  const node = ctx.tree.getNode(req.path);
  if (!node) return fail(ErrorCode.NONODE);
  if (!checkAcl(node.acl.acl, Perms.READ, ctx.ids)) return fail(ErrorCode.NOAUTH);
  if (req.watch) ctx.tree.watchData(req.path, ctx.connId);
  return ok({ data: node.data, stat: node.stat() });
}

export function getChildren(ctx: ReadContext, req: PathWatchRequest, withStat: boolean): ReadOutcome {
  const node = ctx.tree.getNode(req.path);
  if (!node) return fail(ErrorCode.NONODE);
  if (!checkAcl(node.acl.acl, Perms.READ, ctx.ids)) return fail(ErrorCode.NOAUTH);
  if (req.watch) ctx.tree.watchChildren(req.path, ctx.connId);
  const children = ctx.tree.childrenOf(node);
  return ok(withStat ? { children, stat: node.stat() } : { children });
}

export function getACL(ctx: ReadContext, req: PathRequest): ReadOutcome {
  const node = ctx.tree.getNode(req.path);
  if (!node) return fail(ErrorCode.NONODE);
  const acl = node.acl.acl;
  const admin = checkAcl(acl, Perms.ADMIN, ctx.ids);
  if (!admin && !checkAcl(acl, Perms.READ, ctx.ids)) return fail(ErrorCode.NOAUTH);
  return ok({ acl: admin ? acl : maskDigests(acl), stat: node.stat() });
}

export function getAllChildrenNumber(ctx: ReadContext, req: PathRequest): ReadOutcome {
  const node = ctx.tree.getNode(req.path);
  if (!node) return fail(ErrorCode.NONODE);
  if (!checkAcl(node.acl.acl, Perms.READ, ctx.ids)) return fail(ErrorCode.NOAUTH);
  return ok({ totalNumber: ctx.tree.allChildrenNumber(req.path) });
}

export function getEphemerals(ctx: ReadContext, req: PathRequest): ReadOutcome {
  return ok({ ephemerals: ctx.tree.ephemerals(ctx.sessionId, req.path) });
}

/** multiRead: every op runs on its own; a failure fills its slot with ErrorResult(code). */
export function multiRead(ctx: ReadContext, req: MultiRequest): ReadOutcome {
  const results: MultiResult[] = [];
  for (const op of req.ops) {
    if (op.type !== OpCode.getData && op.type !== OpCode.getChildren) return fail(ErrorCode.MARSHALLINGERROR);
    const r = op.type === OpCode.getData ? getData(ctx, op.request) : getChildren(ctx, op.request, false);
    if (r.err !== 0) results.push({ type: OpCode.error, response: { err: r.err } });
    else if (op.type === OpCode.getData) results.push({ type: OpCode.getData, response: r.body as never });
    else results.push({ type: OpCode.getChildren, response: r.body as never });
  }
  return ok({ results });
}

export function addWatch(ctx: ReadContext, req: { path: string; mode: number }): ReadOutcome {
  if (req.mode !== AddWatchMode.PERSISTENT && req.mode !== AddWatchMode.PERSISTENT_RECURSIVE) {
    return fail(ErrorCode.MARSHALLINGERROR);
  }
  ctx.tree.addWatch(req.path, ctx.connId, req.mode === AddWatchMode.PERSISTENT_RECURSIVE);
  return ok({ err: 0 });
}

/** checkWatches (remove=false) and removeWatches (remove=true): NOWATCHER when nothing matches. */
export function matchWatches(ctx: ReadContext, req: WatchesRequest, remove: boolean): ReadOutcome {
  if (req.type < 1 || req.type > watcherTypeMax) return fail(ErrorCode.MARSHALLINGERROR);
  return ctx.tree.matchWatches(req.path, req.type, ctx.connId, remove) ? ok(null) : fail(ErrorCode.NOWATCHER);
}

export function setWatches(ctx: ReadContext, req: SetWatches2Request | Omit<SetWatches2Request, 'persistentWatches' | 'persistentRecursiveWatches'>): ReadOutcome {
  const events = ctx.tree.setWatches(req, ctx.connId);
  return { err: 0, body: null, events };
}

/** ConcurrentHashMap's default table size; ZooKeeper keeps a connection's ids in such a set. */
const javaIdSetCapacityInitial = 16;

/** The jute-generated Id.hashCode. */
function javaIdHash(id: Id): number {
  let h = 17;
  h = (Math.imul(37, h) + javaStringHash(id.scheme)) | 0;
  return (Math.imul(37, h) + javaStringHash(id.id)) | 0;
}

/**
 * The ids in the iteration order of ZooKeeper's ConcurrentHashMap-backed authInfo set (by bucket,
 * insertion order inside a bucket), which is the order whoami prints them in.
 */
export function javaIdSetOrder(ids: readonly Id[]): Id[] {
  const capacity = javaCapacityFor(javaIdSetCapacityInitial, ids.length);
  const bucket = (id: Id) => {
    const h = javaIdHash(id);
    return ((h ^ (h >>> 16)) & 0x7fffffff) & (capacity - 1);
  };
  return ids
    .map((id, i) => ({ id, i, b: bucket(id) }))
    .sort((x, y) => x.b - y.b || x.i - y.i)
    .map((e) => e.id);
}

export function whoAmI(ctx: ReadContext, _body?: null): ReadOutcome {
  const clientInfo = javaIdSetOrder(ctx.ids).map((id) => ({
    authScheme: id.scheme,
    // AuthenticationProvider.getUserName: the digest provider names the user part, the others the id itself.
    user: id.scheme === 'digest' ? id.id.split(':')[0] : id.id,
  }));
  return ok({ clientInfo });
}

/** The operations the read path answers: the table's reads, and sasl when SASL is not configured. */
type ReadName = OperationNameOf<'read' | 'sasl'>;
type ReadHandler<K extends ReadName> = (ctx: ReadContext, body: BodyOf<K>) => ReadOutcome;

/** One handler per read operation of the opcode table (the compiler checks none is missing). */
const readHandlers: { [K in ReadName]: ReadHandler<K> } = {
  exists,
  getData,
  getChildren: (ctx, body) => getChildren(ctx, body, false),
  getChildren2: (ctx, body) => getChildren(ctx, body, true),
  getACL,
  multiRead,
  checkWatches: (ctx, body) => matchWatches(ctx, body, false),
  removeWatches: (ctx, body) => matchWatches(ctx, body, true),
  setWatches,
  setWatches2: setWatches,
  // SASL is not offered: answer like a server with no SASL login configured.
  sasl: () => fail(ErrorCode.AUTHFAILED),
  getEphemerals,
  getAllChildrenNumber,
  addWatch,
  whoAmI,
};

const readHandlerByCode = new Map<number, ReadHandler<ReadName>>(
  (Object.keys(readHandlers) as ReadName[]).map((name) => [operations[name].code, readHandlers[name] as ReadHandler<ReadName>]),
);

/** Runs one request of the read path (the table's reads and sasl); UNIMPLEMENTED for anything else. */
export function runRead(ctx: ReadContext, request: Request): ReadOutcome {
  const handler = readHandlerByCode.get(request.type);
  return handler === undefined ? fail(ErrorCode.UNIMPLEMENTED) : handler(ctx, request.body as never);
}
