/**
 * The driver shared by the queue recipes (mutex, read/write lock, semaphore, leader latch): create a
 * protected ephemeral-sequential node, then loop { read children, ask the pure decision, watch what it
 * says } until acquired. Only the nodes the decision names are watched, so there is no herd effect.
 */
import { randomUUID } from 'node:crypto';
import { exponentialBackoff, isZkError, withRetry, zkError, type Stat, type WatchedEvent, type ZkClient } from '@coord/client';
import { findOwn, protectedPrefix, type Decision } from './decisions';

/** The part of the client the recipes use (a fake can stand in for it). */
export type RecipeClient = Pick<
  ZkClient,
  | 'create'
  | 'delete'
  | 'exists'
  | 'getData'
  | 'setData'
  | 'getChildren'
  | 'on'
  | 'off'
  | 'state'
  | 'sessionId'
  | 'waitFor'
  | 'addWatch'
  | 'removeWatches'
  | 'watchChildren'
  | 'watchData'
>;

/** Counters a test (or a dashboard) reads to see that waiters wake only when they should. */
export interface ContentionStats {
  /** Acquisitions that completed. */
  acquisitions: number;
  /** Times a contender blocked on a watch. */
  waits: number;
  /** Times a blocked contender was woken by its watch (one per wait means no herd effect). */
  wakeups: number;
}

export function newStats(): ContentionStats {
  return { acquisitions: 0, waits: 0, wakeups: 0 };
}

/** acquire() gave up because its timeout elapsed. */
export class AcquireTimeoutError extends Error {
  readonly code = 'TIMEOUT';
  constructor(what: string, timeoutMs: number) {
    super(`${what} not acquired within ${timeoutMs} ms`);
    this.name = 'AcquireTimeoutError';
  }
}

/** Recipes retry connection loss a little, then give up (a lost session fails them at once). */
export const recipeRetry = () => exponentialBackoff({ baseMs: 20, maxMs: 1000, maxRetries: 15, jitter: true });

/** Creates the persistent path and its missing parents (existing ones are fine). */
export async function ensurePath(client: RecipeClient, path: string, signal?: AbortSignal): Promise<void> {
  if (path === '/' || (await withRetry(() => client.exists(path, { signal }), recipeRetry(), { signal })) !== null) return;
  let at = '';
  for (const part of path.split('/').slice(1)) {
    at += `/${part}`;
    try {
      await withRetry(() => client.create(at, null, { signal }), recipeRetry(), { signal });
    } catch (err) {
      if (!isZkError(err, 'NODEEXISTS')) throw err;
    }
  }
}

export interface OwnNode {
  /** Child name, e.g. `_c_<uuid>-lock-0000000007`. */
  name: string;
  path: string;
  /** From create2; null when the node was found again after a lost reply. */
  stat: Stat | null;
}

/**
 * Creates `dir/_c_<uuid>-<kind>-<seq>` (ephemeral-sequential). When the reply is lost (connection loss),
 * the node may or may not exist: list the children and look for our uuid before creating again, so a
 * retried create never leaves an orphan contender that would block everyone behind it.
 */
export async function protectedCreate(
  client: RecipeClient,
  dir: string,
  kind: string,
  data: Buffer | string | null,
  signal?: AbortSignal,
): Promise<OwnNode> {
  const prefix = protectedPrefix(randomUUID(), kind);
  const policy = recipeRetry();
  try {
    for (let retry = 0; ; retry++) {
      try {
        const { path, stat } = await client.create(`${dir}/${prefix}`, data, { mode: 'ephemeral-sequential', signal });
        return { name: path.slice(dir.length + 1), path, stat };
      } catch (err) {
        if (!isZkError(err) || !err.retryable) throw err;
        const delay = policy.delayMs(retry);
        if (delay === null) throw err;
        await client.waitFor(['connected', 'reconnected', 'read-only', 'lost', 'closed'], { signal });
        const own = await findOwnNode(client, dir, prefix, signal);
        if (own !== undefined) return { name: own, path: `${dir}/${own}`, stat: null };
      }
    }
  } catch (err) {
    // Aborted (or timed out) while a create may have reached the server: its node would block everyone
    // behind it until our session ends, so find it by our prefix and delete it.
    if (signal?.aborted) {
      const own = await findOwnNode(client, dir, prefix).catch(() => undefined);
      if (own !== undefined) await deleteQuietly(client, `${dir}/${own}`).catch(() => {});
    }
    throw err;
  }
}

async function findOwnNode(client: RecipeClient, dir: string, prefix: string, signal?: AbortSignal): Promise<string | undefined> {
  const { children } = await withRetry(() => client.getChildren(dir, { signal }), recipeRetry(), { signal });
  return findOwn(children, prefix);
}

/** Deletes a node, retrying connection loss; a missing node or an ended session is fine. */
export async function deleteQuietly(client: RecipeClient, path: string): Promise<void> {
  try {
    await withRetry(() => client.delete(path), recipeRetry());
  } catch (err) {
    if (isZkError(err) && (err.code === 'NONODE' || err.code === 'SESSIONEXPIRED')) return;
    throw err;
  }
}

/**
 * Blocks until one of `nodes` (children of `dir`) changes, or returns at once if one is already gone
 * (or, with `ifTouched`, already touched). Rejects on abort and when the session is lost.
 */
export async function waitForChange(
  client: RecipeClient,
  dir: string,
  decision: Extract<Decision, { kind: 'watch' }>,
  stats: ContentionStats,
  signal: AbortSignal,
): Promise<void> {
  let wake!: () => void;
  let fail!: (err: unknown) => void;
  /** A watched node changed (the wait is over); `blocked`: we were actually waiting when it did. */
  let fired = false;
  let blocked = false;
  const woken = new Promise<void>((resolve, reject) => {
    wake = resolve;
    fail = reject;
  });
  // The watch may outlive this wait (we returned early, or another watched node fired first).
  woken.catch(() => {});
  const watcher = (e: WatchedEvent) => {
    if (fired) return;
    if (e.type === 'None') {
      if (e.state === 'Expired' || e.state === 'Closed') {
        fired = true;
        fail(zkError(-112, { op: 'acquire', message: 'session lost while waiting' }));
      }
      return;
    }
    fired = true;
    if (blocked) stats.wakeups++;
    wake();
  };
  for (const node of decision.nodes) {
    const stat = await client.exists(`${dir}/${node}`, { watch: watcher, signal });
    if (stat === null || (decision.ifTouched === true && stat.version > 0)) {
      fired = true;
      return;
    }
  }
  // Something changed while the watches were being set: decide again without blocking.
  if (fired) return woken;
  blocked = true;
  stats.waits++;
  const onAbort = () => fail(signal.reason);
  if (signal.aborted) onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await woken;
  } finally {
    fired = true;
    signal.removeEventListener('abort', onAbort);
  }
}

export interface LossSignal {
  signal: AbortSignal;
  /** Also abort when `ownPath` is deleted (an exists watch set now; at once if it is already gone). */
  watchOwn(ownPath: string): void;
  dispose(): void;
}

/**
 * A signal that aborts when the session is suspended, lost or closed, or (once watchOwn() is called, at
 * once when `ownPath` is given) when our own node is deleted: whatever we hold may be gone.
 */
export function lossSignal(client: RecipeClient, what: string, ownPath?: string): LossSignal {
  const ac = new AbortController();
  const abort = (why: string) => ac.abort(new Error(`${what} lost: ${why}`));
  const onState = (s: string) => {
    if (s === 'suspended' || s === 'lost' || s === 'closed') abort(`session ${s}`);
  };
  client.on('state', onState);
  if (client.state === 'suspended' || client.state === 'lost' || client.state === 'closed') onState(client.state);
  const watchOwn = (path: string) => {
    if (ac.signal.aborted) return;
    client
      .exists(path, { watch: (e) => e.type === 'NodeDeleted' && abort(`${path} was deleted`) })
      .then((stat) => stat === null && abort(`${path} is gone`))
      .catch(() => {});
  };
  if (ownPath !== undefined) watchOwn(ownPath);
  return { signal: ac.signal, watchOwn, dispose: () => client.off('state', onState) };
}

/**
 * Combines the caller's signal and timeout into one signal; `timedOut()` says which fired. A timeout of
 * 0 starts no timer: it means "try once", which contend() enforces where it would otherwise wait.
 */
export function deadlineSignal(signal: AbortSignal | undefined, timeoutMs: number | undefined): { signal: AbortSignal; timedOut(): boolean; dispose(): void } {
  const ac = new AbortController();
  let timedOut = false;
  const onAbort = () => ac.abort(signal!.reason);
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  const timer =
    timeoutMs !== undefined && timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          ac.abort(new Error('timeout'));
        }, timeoutMs)
      : undefined;
  return {
    signal: ac.signal,
    timedOut: () => timedOut,
    dispose: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

export interface ContendOptions {
  signal?: AbortSignal;
  /** Give up after this long (AcquireTimeoutError); 0 tries once: join, look, leave if not acquired. */
  timeoutMs?: number;
  data?: Buffer | string | null;
}

/**
 * Joins the queue under `dir` with a node of `kind` and waits until `decide` says acquired.
 * On timeout, abort or failure the node is deleted so that it blocks nobody.
 */
export async function contend(
  client: RecipeClient,
  dir: string,
  kind: string,
  decide: (children: string[], me: string) => Decision,
  stats: ContentionStats,
  opts: ContendOptions,
  what: string,
): Promise<OwnNode> {
  const deadline = deadlineSignal(opts.signal, opts.timeoutMs);
  const signal = deadline.signal;
  let own: OwnNode | undefined;
  try {
    // Create first; only a missing parent costs the extra round trips of ensurePath.
    try {
      own = await protectedCreate(client, dir, kind, opts.data ?? null, signal);
    } catch (err) {
      if (!isZkError(err, 'NONODE')) throw err;
      await ensurePath(client, dir, signal);
      own = await protectedCreate(client, dir, kind, opts.data ?? null, signal);
    }
    for (;;) {
      const { children } = await withRetry(() => client.getChildren(dir, { signal }), recipeRetry(), { signal });
      const d = decide(children, own.name);
      if (d.kind === 'acquired') {
        stats.acquisitions++;
        return own;
      }
      if (d.kind === 'missing') throw zkError(-112, { op: 'acquire', path: own.path, message: `${what}: our node ${own.path} vanished` });
      if (opts.timeoutMs === 0) throw new AcquireTimeoutError(what, 0);
      await withRetry(() => waitForChange(client, dir, d, stats, signal), recipeRetry(), { signal });
    }
  } catch (err) {
    if (own !== undefined) await deleteQuietly(client, own.path).catch(() => {});
    if (deadline.timedOut()) throw new AcquireTimeoutError(what, opts.timeoutMs!);
    throw err;
  } finally {
    deadline.dispose();
  }
}
