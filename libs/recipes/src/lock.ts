/**
 * Fair distributed locks: a mutex, a read/write lock and a counting semaphore, each a queue of
 * ephemeral-sequential nodes under one path (see decisions.ts for who holds and who watches whom).
 *
 *   const mutex = new Mutex(zk, '/locks/orders');
 *   await using lock = await mutex.acquire({ timeoutMs: 5000 });
 *   if (lock.lost.aborted) ...            // suspended or expired: stop trusting the lock
 *   await storage.write(x, { fence: lock.fencingToken });
 */
import { contenders, lockDecision, readWriteDecision, semaphoreDecision, sequenceOf } from './decisions';
import { isZkError, withRetry } from '@coord/client';
import {
  AcquireTimeoutError,
  contend,
  deleteQuietly,
  lossSignal,
  newStats,
  recipeRetry,
  type ContendOptions,
  type ContentionStats,
  type OwnNode,
  type RecipeClient,
} from './contend';

export type AcquireOptions = Pick<ContendOptions, 'signal' | 'timeoutMs'>;

/** What an acquisition holds until release(). */
export interface LockHandle {
  /** The contender node (`<lock path>/_c_<uuid>-lock-<seq>`). */
  readonly path: string;
  /**
   * A number that grows with every acquisition of this lock: the node's sequence number. Pass it to the
   * resource you protect so it can refuse writes from an older holder (a fencing token).
   */
  readonly fencingToken: number;
  /** The node's creation zxid, also monotonic (null if the create reply was lost and the node found again). */
  readonly czxid: number | null;
  /**
   * Aborted when the session is suspended or lost, the client closes, or the node is deleted (the node is
   * watched from the first time this is read).
   */
  readonly lost: AbortSignal;
  /** Deletes the node. Idempotent. */
  release(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * The session part of `lost` is watched from the start (a local listener); the watch on our own node
 * is set when `lost` is first read, so a holder that never looks at it costs the server no watch and
 * its release no notification (about 0.2 ms of every handoff, see docs/benchmarks.md).
 */
function makeHandle(client: RecipeClient, own: OwnNode, what: string): LockHandle {
  const loss = lossSignal(client, what);
  let watching = false;
  let released: Promise<void> | null = null;
  const release = () => {
    if (released) return released;
    loss.dispose();
    released = deleteQuietly(client, own.path);
    return released;
  };
  return {
    path: own.path,
    fencingToken: sequenceOf(own.name),
    czxid: own.stat?.czxid ?? null,
    get lost() {
      if (!watching && released === null) {
        watching = true;
        loss.watchOwn(own.path);
      }
      return loss.signal;
    },
    release,
    [Symbol.asyncDispose]: release,
  };
}

/** A fair (FIFO), non-reentrant mutex. */
export class Mutex {
  /** Acquisitions, waits and watch wake-ups of this instance: wakeups === waits means no herd effect. */
  readonly stats: ContentionStats = newStats();

  constructor(
    private readonly client: RecipeClient,
    readonly path: string,
  ) {}

  async acquire(opts: AcquireOptions = {}): Promise<LockHandle> {
    const own = await contend(this.client, this.path, 'lock', (c, me) => lockDecision(c, me), this.stats, opts, `lock ${this.path}`);
    return makeHandle(this.client, own, `lock ${this.path}`);
  }

  /**
   * Like acquire(), but null instead of AcquireTimeoutError when the lock is not acquired within
   * `timeoutMs` (Curator's `acquire(time, unit)`); `timeoutMs: 0` tries once and never waits.
   */
  async tryAcquire(opts: AcquireOptions & { timeoutMs: number }): Promise<LockHandle | null> {
    try {
      return await this.acquire(opts);
    } catch (err) {
      if (err instanceof AcquireTimeoutError) return null;
      throw err;
    }
  }

  /** Acquires, runs `fn` with the handle, releases whatever happens. */
  async withLock<T>(fn: (lock: LockHandle) => Promise<T>, opts: AcquireOptions = {}): Promise<T> {
    const lock = await this.acquire(opts);
    try {
      return await fn(lock);
    } finally {
      await lock.release();
    }
  }

  /** Contender node names in queue order (the first holds). */
  async participants(): Promise<string[]> {
    return queue(this.client, this.path, ['lock']);
  }
}

export async function queue(client: RecipeClient, path: string, kinds: string[]): Promise<string[]> {
  try {
    const { children } = await withRetry(() => client.getChildren(path), recipeRetry());
    return contenders(children, kinds);
  } catch (err) {
    if (isZkError(err, 'NONODE')) return [];
    throw err;
  }
}

/**
 * A fair read/write lock: readers share, a writer is alone; a writer waiting blocks readers that
 * arrive after it (no writer starvation).
 */
export class ReadWriteLock {
  readonly stats: ContentionStats = newStats();
  readonly readLock: { acquire(opts?: AcquireOptions): Promise<LockHandle> };
  readonly writeLock: { acquire(opts?: AcquireOptions): Promise<LockHandle> };

  constructor(
    private readonly client: RecipeClient,
    readonly path: string,
  ) {
    const side = (kind: 'read' | 'write') => ({
      acquire: async (opts: AcquireOptions = {}) => {
        const what = `${kind} lock ${this.path}`;
        const own = await contend(this.client, this.path, kind, readWriteDecision, this.stats, opts, what);
        return makeHandle(this.client, own, what);
      },
    });
    this.readLock = side('read');
    this.writeLock = side('write');
  }
}

/** A fair counting semaphore: at most `permits` leases at a time. */
export class Semaphore {
  readonly stats: ContentionStats = newStats();

  constructor(
    private readonly client: RecipeClient,
    readonly path: string,
    readonly permits: number,
  ) {
    if (!(permits >= 1)) throw new Error(`a semaphore needs at least 1 permit, got ${permits}`);
  }

  async acquire(opts: AcquireOptions & Pick<ContendOptions, 'data'> = {}): Promise<LockHandle> {
    const what = `semaphore ${this.path}`;
    const own = await contend(this.client, this.path, 'lease', (c, me) => semaphoreDecision(c, me, this.permits), this.stats, opts, what);
    // Touch our node: the waiter behind us watches it to learn that it is now first in line.
    await withRetry(() => this.client.setData(own.path, 'acquired'), recipeRetry()).catch(() => {});
    return makeHandle(this.client, own, what);
  }

  async leases(): Promise<string[]> {
    return (await queue(this.client, this.path, ['lease'])).slice(0, this.permits);
  }
}
