import {
  ErrorCode,
  juteReader,
  OpCode,
  decodeReplyBody,
  readStat,
  replyHeaderBytes,
  type ACL,
  type ClientInfo,
  type Create2Response,
  type GetACLResponse,
  type GetAllChildrenNumberResponse,
  type GetChildren2Response,
  type GetEphemeralsResponse,
  type MultiResponse,
  type MultiResult,
  type Stat,
  type WhoAmIResponse,
} from '@coord/protocol';
import { stripChroot } from './connect-string';
import { errorCodeName, zkError } from './errors';
import type { Packet } from './packet';
import type { Session } from './session';
import type { OpResult, ReadResult, Watcher, WatcherTypeName } from './types';
import type { WatchKind } from './watch-registry';

/**
 * Reply -> result for each operation. Each finisher throws the call's ZkError on a non-zero err.
 * Watches are registered here, only when the reply succeeds (exists also on NONODE), as the Java client does.
 */

/** Context of a call that may register a watch. */
export interface WatchCtx {
  session: Session;
  watcher: Watcher | undefined;
}

function fail(p: Packet, err: number, op: string): never {
  throw zkError(err, { path: p.path, op });
}

function register(ctx: WatchCtx | null, kind: WatchKind, path: string | undefined): void {
  if (ctx !== null && ctx.watcher !== undefined) ctx.session.watches.add(kind, path!, ctx.watcher);
}

export function finishCreate(p: Packet, err: number, body: Buffer): { path: string; stat: Stat } {
  if (err !== 0) fail(p, err, 'create');
  const res = decodeReplyBody(body, p.opcode) as Create2Response;
  return { path: stripChroot((p.ctx as Session).chroot, res.path), stat: res.stat };
}

export function finishVoid(p: Packet, err: number): undefined {
  if (err !== 0) fail(p, err, p.ctx as string);
  return undefined;
}

export function finishStat(p: Packet, err: number, body: Buffer): Stat {
  if (err !== 0) fail(p, err, p.ctx as string);
  return readStat(juteReader(body, replyHeaderBytes));
}

export function finishExists(p: Packet, err: number, body: Buffer): Stat | null {
  const ctx = p.ctx as WatchCtx | null;
  if (err === ErrorCode.NONODE) {
    register(ctx, 'exist', p.path);
    return null;
  }
  if (err !== 0) fail(p, err, 'exists');
  register(ctx, 'data', p.path);
  return readStat(juteReader(body, replyHeaderBytes));
}

export function finishGetData(p: Packet, err: number, body: Buffer): { data: Buffer | null; stat: Stat } {
  if (err !== 0) fail(p, err, 'getData');
  // The hot path: read the record directly (the session already parsed the header).
  const r = juteReader(body, replyHeaderBytes);
  const data = r.readBuffer();
  const stat = readStat(r);
  register(p.ctx as WatchCtx | null, 'data', p.path);
  return { data, stat };
}

export function finishGetChildren(p: Packet, err: number, body: Buffer): { children: string[]; stat: Stat } {
  if (err !== 0) fail(p, err, 'getChildren');
  const res = decodeReplyBody(body, p.opcode) as GetChildren2Response;
  register(p.ctx as WatchCtx | null, 'child', p.path);
  return res;
}

export function finishGetACL(p: Packet, err: number, body: Buffer): { acl: ACL[]; stat: Stat } {
  if (err !== 0) fail(p, err, 'getACL');
  return decodeReplyBody(body, p.opcode) as GetACLResponse;
}

export function finishEphemerals(p: Packet, err: number, body: Buffer): string[] {
  if (err !== 0) fail(p, err, 'getEphemerals');
  const chroot = (p.ctx as Session).chroot;
  return (decodeReplyBody(body, p.opcode) as GetEphemeralsResponse).ephemerals.map((e) => stripChroot(chroot, e));
}

export function finishAllChildrenNumber(p: Packet, err: number, body: Buffer): number {
  if (err !== 0) fail(p, err, 'getAllChildrenNumber');
  return (decodeReplyBody(body, p.opcode) as GetAllChildrenNumberResponse).totalNumber;
}

export function finishWhoAmI(p: Packet, err: number, body: Buffer): ClientInfo[] {
  if (err !== 0) fail(p, err, 'whoAmI');
  return (decodeReplyBody(body, p.opcode) as WhoAmIResponse).clientInfo;
}

export interface AddWatchCtx {
  session: Session;
  watcher: Watcher;
  kind: WatchKind;
}

export function finishAddWatch(p: Packet, err: number): undefined {
  if (err !== 0) fail(p, err, 'addWatch');
  const ctx = p.ctx as AddWatchCtx;
  ctx.session.watches.add(ctx.kind, p.path!, ctx.watcher);
  return undefined;
}

export interface RemoveWatchesCtx {
  session: Session;
  type: WatcherTypeName;
  watcher: Watcher | undefined;
  local: boolean;
  op: 'removeWatches' | 'checkWatches';
}

/** On success (or on any failure with `local`), drops the client's watchers and tells each it was removed. */
export function finishRemoveWatches(p: Packet, err: number): undefined {
  const ctx = p.ctx as RemoveWatchesCtx;
  if (err !== 0 && !ctx.local) fail(p, err, ctx.op);
  const removed = ctx.session.watches.remove(p.path!, ctx.type, ctx.watcher);
  for (const r of removed) {
    ctx.session.callWatcher(r.watcher, { type: r.event, state: 'SyncConnected', path: p.path!, zxid: -1 });
  }
  return undefined;
}

function opResult(session: Session, r: MultiResult): OpResult {
  switch (r.type) {
    case OpCode.create:
      return { type: 'create', path: stripChroot(session.chroot, r.response.path), stat: null };
    case OpCode.create2:
      return { type: 'create', path: stripChroot(session.chroot, r.response.path), stat: r.response.stat };
    case OpCode.delete:
      return { type: 'delete' };
    case OpCode.check:
      return { type: 'check' };
    case OpCode.setData:
      return { type: 'setData', stat: r.response.stat };
    case OpCode.error:
      return { type: 'error', code: errorCodeName(r.response.err), zkCode: r.response.err };
    default:
      throw new Error(`unexpected result type ${(r as { type: number }).type} in a transaction`);
  }
}

/** A failed multi has header err 0: the first non-zero ErrorResult is the transaction's error. */
export interface MultiCtx {
  session: Session;
  /** Client paths of the ops, to name the failing one in the error. */
  paths: string[];
}

export function finishMulti(p: Packet, err: number, body: Buffer): OpResult[] {
  const { session, paths } = p.ctx as MultiCtx;
  if (err !== 0) fail(p, err, 'multi');
  const res = decodeReplyBody(body, p.opcode) as MultiResponse;
  const results = res.results.map((r) => opResult(session, r));
  const failed = res.results.findIndex((r) => r.type === OpCode.error && r.response.err !== 0);
  if (failed >= 0) {
    const code = (res.results[failed] as { response: { err: number } }).response.err;
    throw zkError(code, { op: 'multi', path: paths[failed], results });
  }
  return results;
}

export interface MultiReadCtx {
  paths: string[];
}

/** multiRead has no atomicity: each slot holds its result or its own ZkError. */
export function finishMultiRead(p: Packet, err: number, body: Buffer): (ReadResult | Error)[] {
  if (err !== 0) fail(p, err, 'multiRead');
  const res = decodeReplyBody(body, p.opcode) as MultiResponse;
  const paths = (p.ctx as MultiReadCtx).paths;
  return res.results.map((r, i) => {
    if (r.type === OpCode.getData) return r.response;
    if (r.type === OpCode.getChildren) return { children: r.response.children };
    if (r.type === OpCode.error) return zkError(r.response.err, { op: 'multiRead', path: paths[i] });
    return new Error(`unexpected result type ${r.type} in multiRead`);
  });
}
