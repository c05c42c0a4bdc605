import {
  CreateFlag,
  ErrorCode,
  OpCode,
  operationOf,
  Perms,
  WatcherType,
  Xid,
  encodeRequest,
  isValidPath,
  type ACL,
  type ClientInfo,
  type MultiOp,
  type Request,
  type Stat,
} from '@coord/protocol';
import { parseConnectString, prependChroot } from './connect-string';
import { zkError } from './errors';
import {
  finishAddWatch,
  finishAllChildrenNumber,
  finishCreate,
  finishEphemerals,
  finishExists,
  finishGetACL,
  finishGetChildren,
  finishGetData,
  finishMulti,
  finishMultiRead,
  finishRemoveWatches,
  finishStat,
  finishVoid,
  finishWhoAmI,
  type AddWatchCtx,
  type MultiCtx,
  type MultiReadCtx,
  type RemoveWatchesCtx,
  type WatchCtx,
} from './finishers';
import { Packet, type Finisher } from './packet';
import { Session } from './session';
import { awaitState } from './dispatch';
import { Transaction } from './transaction';
import type {
  AddWatchModeName,
  CallOptions,
  ClientOptions,
  ClientState,
  CreateMode,
  CreateOptions,
  Data,
  OpResult,
  ReadOp,
  ReadResult,
  RemoveWatchesOptions,
  VersionOptions,
  WatchedEvent,
  Watcher,
  WatcherTypeName,
  WatchOptions,
} from './types';
import { watchChildren, watchData, type ChildrenSnapshot, type DataSnapshot } from './watch-iterators';

/** ZooDefs.Ids. */
export const Ids = {
  ANYONE_ID_UNSAFE: { scheme: 'world', id: 'anyone' },
  AUTH_IDS: { scheme: 'auth', id: '' },
  OPEN_ACL_UNSAFE: [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }] as ACL[],
  CREATOR_ALL_ACL: [{ perms: Perms.ALL, id: { scheme: 'auth', id: '' } }] as ACL[],
  READ_ACL_UNSAFE: [{ perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }] as ACL[],
} as const;

const createModes: Record<CreateMode, { flags: number; opcode: number; ttl: boolean; sequential: boolean }> = {
  persistent: { flags: CreateFlag.PERSISTENT, opcode: OpCode.create2, ttl: false, sequential: false },
  ephemeral: { flags: CreateFlag.EPHEMERAL, opcode: OpCode.create2, ttl: false, sequential: false },
  'persistent-sequential': { flags: CreateFlag.PERSISTENT_SEQUENTIAL, opcode: OpCode.create2, ttl: false, sequential: true },
  'ephemeral-sequential': { flags: CreateFlag.EPHEMERAL_SEQUENTIAL, opcode: OpCode.create2, ttl: false, sequential: true },
  container: { flags: CreateFlag.CONTAINER, opcode: OpCode.createContainer, ttl: false, sequential: false },
  'persistent-ttl': { flags: CreateFlag.PERSISTENT_WITH_TTL, opcode: OpCode.createTTL, ttl: true, sequential: false },
  'persistent-sequential-ttl': { flags: CreateFlag.PERSISTENT_SEQUENTIAL_WITH_TTL, opcode: OpCode.createTTL, ttl: true, sequential: true },
};

const watcherTypes: Record<WatcherTypeName, number> = {
  children: WatcherType.Children,
  data: WatcherType.Data,
  any: WatcherType.Any,
  persistent: WatcherType.Persistent,
  'persistent-recursive': WatcherType.PersistentRecursive,
};

export function toData(data: Data): Buffer | null {
  if (data === null || data === undefined) return null;
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/** BADARGUMENTS with Java's message when a path is invalid (checked before anything is sent). */
export function checkPath(path: string, sequential = false): void {
  const problem = isValidPath(path, sequential);
  if (problem !== undefined) throw zkError(ErrorCode.BADARGUMENTS, { path, message: problem });
}

/** For non-async calls: a rejected promise when the path is invalid, else undefined. */
function rejectBadPath(path: string): Promise<never> | undefined {
  const problem = isValidPath(path);
  return problem === undefined ? undefined : Promise.reject(zkError(ErrorCode.BADARGUMENTS, { path, message: problem }));
}

/** A create op (for create() and transactions): the request and its opcode. */
export function createOp(chroot: string, path: string, data: Data, opts: Omit<CreateOptions, keyof CallOptions> = {}): MultiOp {
  const mode = createModes[opts.mode ?? 'persistent'];
  if (mode === undefined) throw zkError(ErrorCode.BADARGUMENTS, { path, message: `unknown create mode ${opts.mode}` });
  checkPath(path, mode.sequential);
  const acl = opts.acl ?? Ids.OPEN_ACL_UNSAFE;
  if (acl.length === 0) throw zkError(ErrorCode.INVALIDACL, { path, op: 'create' });
  const request = { path: prependChroot(chroot, path), data: toData(data), acl, flags: mode.flags };
  if (mode.ttl) {
    const ttl = opts.ttlMs;
    if (ttl === undefined || !(ttl > 0)) throw zkError(ErrorCode.BADARGUMENTS, { path, message: `mode ${opts.mode} needs ttlMs > 0` });
    return { type: OpCode.createTTL, request: { ...request, ttl } };
  }
  if (opts.ttlMs !== undefined) throw zkError(ErrorCode.BADARGUMENTS, { path, message: `ttlMs is only valid with a TTL mode` });
  return { type: mode.opcode as 15 | 19, request };
}

export interface ZkClientEvents {
  state: (state: ClientState) => void;
  event: (event: WatchedEvent) => void;
}

/** The promise-first ZooKeeper client. See docs/client-api.md. */
export class ZkClient {
  readonly session: Session;
  private readonly defaultTimeoutMs: number | undefined;

  constructor(connectString: string, opts: ClientOptions = {}) {
    const { hosts, chroot } = parseConnectString(connectString);
    this.session = new Session(hosts, chroot, opts);
    this.defaultTimeoutMs = opts.requestTimeoutMs;
  }

  get state(): ClientState {
    return this.session.state;
  }
  get sessionId(): bigint {
    return this.session.sessionId;
  }
  get sessionPassword(): Buffer {
    return this.session.sessionPassword;
  }
  get sessionTimeoutMs(): number {
    return this.session.sessionTimeoutMs;
  }
  get lastZxid(): number {
    return this.session.lastZxid;
  }
  get connectedHost(): string | null {
    return this.session.connectedHost;
  }
  get chroot(): string {
    return this.session.chroot;
  }

  on<E extends keyof ZkClientEvents>(event: E, listener: ZkClientEvents[E]): this {
    this.session.on(event, listener);
    return this;
  }
  once<E extends keyof ZkClientEvents>(event: E, listener: ZkClientEvents[E]): this {
    this.session.once(event, listener);
    return this;
  }
  off<E extends keyof ZkClientEvents>(event: E, listener: ZkClientEvents[E]): this {
    this.session.off(event, listener);
    return this;
  }

  connect(opts: CallOptions = {}): Promise<void> {
    return this.session.connect(opts);
  }

  /** Idempotent: sends closeSession, waits for its reply at most closeTimeoutMs, then tears down. */
  close(): Promise<void> {
    return this.session.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Resolves when the client reaches one of `states` (immediately if it is in one). */
  waitFor(states: ClientState | ClientState[], opts: CallOptions = {}): Promise<ClientState> {
    const wanted = Array.isArray(states) ? states : [states];
    return awaitState<ClientState>(this.session, () => this.state, wanted, {
      ...opts,
      onTimeout: () => zkError(ErrorCode.OPERATIONTIMEOUT, { op: 'waitFor', message: `state ${wanted.join('|')} not reached within ${opts.timeoutMs} ms` }),
    });
  }

  /** Encodes, queues and returns the promise of one request. */
  submit<T>(opcode: number, request: Request, path: string | undefined, finish: Finisher, ctx: unknown, opts: CallOptions | undefined): Promise<T> {
    const signal = opts?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const p = new Packet(opcode, encodeRequest(opcode === OpCode.auth ? Xid.auth : 0, request), path, finish, ctx);
    const promise = new Promise<T>((resolve, reject) => {
      p.resolve = resolve as (v: unknown) => void;
      p.reject = reject;
    });
    const timeoutMs = opts?.timeoutMs ?? this.defaultTimeoutMs;
    if (timeoutMs !== undefined) {
      p.timer = setTimeout(() => {
        this.session.unqueue(p);
        p.fail(zkError(ErrorCode.OPERATIONTIMEOUT, { path, op: opName(opcode), message: `${opName(opcode)} ${path ?? ''} timed out after ${timeoutMs} ms` }));
      }, timeoutMs);
    }
    if (signal !== undefined) {
      p.signal = signal;
      p.onAbort = () => {
        this.session.unqueue(p);
        p.fail(signal.reason);
      };
      signal.addEventListener('abort', p.onAbort, { once: true });
    }
    this.session.send(p);
    return promise;
  }

  private sp(path: string): string {
    return prependChroot(this.session.chroot, path);
  }

  async create(path: string, data?: Data, opts: CreateOptions = {}): Promise<{ path: string; stat: Stat }> {
    const op = createOp(this.session.chroot, path, data, opts);
    return this.submit(op.type, { type: op.type, body: op.request } as Request, path, finishCreate, this.session, opts);
  }

  delete(path: string, opts: VersionOptions = {}): Promise<void> {
    const bad = rejectBadPath(path);
    if (bad) return bad;
    const body = { path: this.sp(path), version: opts.version ?? -1 };
    return this.submit(OpCode.delete, { type: OpCode.delete, body }, path, finishVoid, 'delete', opts);
  }

  /** The node's Stat, or null when it does not exist; a watch is registered either way. */
  exists(path: string, opts: WatchOptions = {}): Promise<Stat | null> {
    const bad = rejectBadPath(path);
    if (bad) return bad;
    const ctx: WatchCtx | null = opts.watch === undefined ? null : { session: this.session, watcher: opts.watch };
    const body = { path: this.sp(path), watch: opts.watch !== undefined };
    return this.submit(OpCode.exists, { type: OpCode.exists, body }, path, finishExists, ctx, opts);
  }

  getData(path: string, opts: WatchOptions = {}): Promise<{ data: Buffer | null; stat: Stat }> {
    const bad = rejectBadPath(path);
    if (bad) return bad;
    const ctx: WatchCtx | null = opts.watch === undefined ? null : { session: this.session, watcher: opts.watch };
    const body = { path: this.sp(path), watch: opts.watch !== undefined };
    return this.submit(OpCode.getData, { type: OpCode.getData, body }, path, finishGetData, ctx, opts);
  }

  setData(path: string, data: Data, opts: VersionOptions = {}): Promise<Stat> {
    const bad = rejectBadPath(path);
    if (bad) return bad;
    const body = { path: this.sp(path), data: toData(data), version: opts.version ?? -1 };
    return this.submit(OpCode.setData, { type: OpCode.setData, body }, path, finishStat, 'setData', opts);
  }

  /** Children names (unordered, as the server sends them) and the parent's Stat (getChildren2). */
  getChildren(path: string, opts: WatchOptions = {}): Promise<{ children: string[]; stat: Stat }> {
    const bad = rejectBadPath(path);
    if (bad) return bad;
    const ctx: WatchCtx | null = opts.watch === undefined ? null : { session: this.session, watcher: opts.watch };
    const body = { path: this.sp(path), watch: opts.watch !== undefined };
    return this.submit(OpCode.getChildren2, { type: OpCode.getChildren2, body }, path, finishGetChildren, ctx, opts);
  }

  async getACL(path: string, opts: CallOptions = {}): Promise<{ acl: ACL[]; stat: Stat }> {
    checkPath(path);
    return this.submit(OpCode.getACL, { type: OpCode.getACL, body: { path: this.sp(path) } }, path, finishGetACL, null, opts);
  }

  async setACL(path: string, acl: ACL[], opts: VersionOptions = {}): Promise<Stat> {
    checkPath(path);
    if (acl.length === 0) throw zkError(ErrorCode.INVALIDACL, { path, op: 'setACL' });
    const body = { path: this.sp(path), acl, version: opts.version ?? -1 };
    return this.submit(OpCode.setACL, { type: OpCode.setACL, body }, path, finishStat, 'setACL', opts);
  }

  async sync(path: string, opts: CallOptions = {}): Promise<void> {
    checkPath(path);
    return this.submit(OpCode.sync, { type: OpCode.sync, body: { path: this.sp(path) } }, path, finishVoid, 'sync', opts);
  }

  transaction(): Transaction {
    return new Transaction(this);
  }

  /** Runs prepared multi ops (used by Transaction.commit). */
  commitOps(ops: MultiOp[], paths: string[], opts: CallOptions = {}): Promise<OpResult[]> {
    if (ops.length === 0) return Promise.resolve([]);
    const ctx: MultiCtx = { session: this.session, paths };
    return this.submit(OpCode.multi, { type: OpCode.multi, body: { ops } }, undefined, finishMulti, ctx, opts);
  }

  /** Several reads in one round trip; each slot holds its result or its ZkError (no atomicity). */
  async multiRead(reads: ReadOp[], opts: CallOptions = {}): Promise<(ReadResult | Error)[]> {
    const ops: MultiOp[] = reads.map((r) => {
      checkPath(r.path);
      const type = r.op === 'getData' ? OpCode.getData : OpCode.getChildren;
      return { type, request: { path: this.sp(r.path), watch: false } } as MultiOp;
    });
    if (ops.length === 0) return [];
    const ctx: MultiReadCtx = { paths: reads.map((r) => r.path) };
    return this.submit(OpCode.multiRead, { type: OpCode.multiRead, body: { ops } }, undefined, finishMultiRead, ctx, opts);
  }

  /** A persistent (optionally recursive) watch: stays until removed, survives reconnects. */
  async addWatch(path: string, mode: AddWatchModeName, watcher: Watcher, opts: CallOptions = {}): Promise<void> {
    checkPath(path);
    const ctx: AddWatchCtx = { session: this.session, watcher, kind: mode === 'persistent' ? 'persistent' : 'persistentRecursive' };
    const body = { path: this.sp(path), mode: mode === 'persistent' ? 0 : 1 };
    return this.submit(OpCode.addWatch, { type: OpCode.addWatch, body }, path, finishAddWatch, ctx, opts);
  }

  /**
   * Removes watches of a type on a path: all of them (removeWatches on the server), or one watcher
   * (checkWatches, as the Java client does: the server keeps its per-connection watch if others remain).
   * NOWATCHER locally when the client holds no such watcher. `local` removes them even if the server fails.
   */
  async removeWatches(path: string, type: WatcherTypeName, opts: RemoveWatchesOptions = {}): Promise<void> {
    checkPath(path);
    if (!this.session.watches.contains(path, type, opts.watcher)) throw zkError(ErrorCode.NOWATCHER, { path, op: 'removeWatches' });
    const opcode = opts.watcher === undefined ? OpCode.removeWatches : OpCode.checkWatches;
    const ctx: RemoveWatchesCtx = { session: this.session, type, watcher: opts.watcher, local: opts.local === true, op: 'removeWatches' };
    const body = { path: this.sp(path), type: watcherTypes[type] };
    return this.submit(opcode, { type: opcode, body }, path, finishRemoveWatches, ctx, opts);
  }

  /** Asks the server whether it holds a watch of this type on the path for this connection (NOWATCHER if not). */
  async checkWatches(path: string, type: WatcherTypeName, opts: CallOptions = {}): Promise<void> {
    checkPath(path);
    const body = { path: this.sp(path), type: watcherTypes[type] };
    return this.submit(OpCode.checkWatches, { type: OpCode.checkWatches, body }, path, finishVoid, 'checkWatches', opts);
  }

  /** This session's ephemeral nodes whose path starts with `prefix` (plain string prefix). */
  async getEphemerals(prefix = '/', opts: CallOptions = {}): Promise<string[]> {
    const body = { path: this.sp(prefix) };
    return this.submit(OpCode.getEphemerals, { type: OpCode.getEphemerals, body }, prefix, finishEphemerals, this.session, opts);
  }

  async getAllChildrenNumber(path: string, opts: CallOptions = {}): Promise<number> {
    checkPath(path);
    return this.submit(OpCode.getAllChildrenNumber, { type: OpCode.getAllChildrenNumber, body: { path: this.sp(path) } }, path, finishAllChildrenNumber, null, opts);
  }

  async whoAmI(opts: CallOptions = {}): Promise<ClientInfo[]> {
    return this.submit(OpCode.whoAmI, { type: OpCode.whoAmI, body: null }, undefined, finishWhoAmI, null, opts);
  }

  /** Adds a credential (e.g. 'digest', 'user:password'); it is re-sent on every reconnect. */
  async addAuth(scheme: string, auth: string | Buffer, opts: CallOptions = {}): Promise<void> {
    const bytes = typeof auth === 'string' ? Buffer.from(auth, 'utf8') : auth;
    const body = { type: 0, scheme, auth: bytes };
    return this.submit(OpCode.auth, { type: OpCode.auth, body }, undefined, () => undefined, { scheme, auth: bytes }, opts);
  }

  /** The children now, then after every change; re-armed automatically, survives reconnects and session loss. */
  watchChildren(path: string, opts: { signal?: AbortSignal } = {}): AsyncIterableIterator<ChildrenSnapshot> {
    checkPath(path);
    return watchChildren(this, path, opts.signal);
  }

  /** The data now (stat null when missing), then after every change. */
  watchData(path: string, opts: { signal?: AbortSignal } = {}): AsyncIterableIterator<DataSnapshot> {
    checkPath(path);
    return watchData(this, path, opts.signal);
  }
}

export function createClient(connectString: string, opts: ClientOptions = {}): ZkClient {
  return new ZkClient(connectString, opts);
}

/** The operation's name in error messages, from the opcode table. */
function opName(opcode: number): string {
  return operationOf(opcode)?.name ?? String(opcode);
}
