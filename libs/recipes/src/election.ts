/**
 * Leader election in two styles.
 *
 * LeaderLatch (Curator's latch): join with `start()`, read `isLeader`, hold `leadership` (an AbortSignal
 * aborted the moment leadership may be gone: session suspended or lost, node deleted, close()).
 * A suspended leader that reconnects with the same session becomes leader again if still first.
 *
 * LeaderSelector (callback): `takeLeadership(signal)` runs while this participant leads; the signal
 * aborts when leadership is lost; when the callback returns, leadership is given up (and, with
 * autoRequeue, the participant queues again).
 */
import { EventEmitter } from 'node:events';
import { isZkError, withRetry, type ClientState } from '@coord/client';
import { contenders, leaderOf, lockDecision } from './decisions';
import {
  deleteQuietly,
  ensurePath,
  lossSignal,
  newStats,
  protectedCreate,
  recipeRetry,
  waitForChange,
  type ContentionStats,
  type OwnNode,
  type RecipeClient,
} from './contend';
import { Mutex } from './lock';

const liveStates: ClientState[] = ['connected', 'reconnected', 'read-only'];
const retryPauseMs = 100;

export interface LeaderLatchEvents {
  leader: (leadership: AbortSignal) => void;
  follower: () => void;
}

export class LeaderLatch extends EventEmitter {
  readonly stats: ContentionStats = newStats();
  readonly id: string;
  private own: OwnNode | undefined;
  private leadershipController = abortedController();
  private readonly stop = new AbortController();
  private running: Promise<void> | null = null;
  /** Settles firstDecision: called when this participant first learns whether it leads (or on close). */
  private decided: () => void = () => {};
  private readonly firstDecision = new Promise<void>((resolve) => (this.decided = resolve));

  constructor(
    private readonly client: RecipeClient,
    readonly path: string,
    opts: { id?: string } = {},
  ) {
    super();
    this.id = opts.id ?? '';
  }

  get isLeader(): boolean {
    return !this.leadershipController.signal.aborted;
  }

  /** The current leadership signal (already aborted when not leader). */
  get leadership(): AbortSignal {
    return this.leadershipController.signal;
  }

  /** Joins the election; resolves once our node exists (leadership comes later, see waitForLeadership). */
  async start(): Promise<void> {
    if (this.running) return;
    await ensurePath(this.client, this.path, this.stop.signal);
    this.own = await protectedCreate(this.client, this.path, 'latch', this.id, this.stop.signal);
    this.running = this.run();
  }

  /** Resolves with the leadership signal once this participant leads. */
  waitForLeadership(opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<AbortSignal> {
    if (this.isLeader) return Promise.resolve(this.leadership);
    return new Promise((resolve, reject) => {
      const done = (err: unknown, s?: AbortSignal) => {
        this.off('leader', onLeader);
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        if (err === undefined) resolve(s!);
        else reject(err);
      };
      const onLeader = (s: AbortSignal) => done(undefined, s);
      const onAbort = () => done(opts.signal!.reason);
      const timer = opts.timeoutMs !== undefined ? setTimeout(() => done(new Error(`not leader within ${opts.timeoutMs} ms`)), opts.timeoutMs) : undefined;
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.on('leader', onLeader);
    });
  }

  /**
   * Resolves with `isLeader` once this participant first knows the outcome (it leads, or someone ahead
   * of it does), or after `timeoutMs` with whatever holds then. A job run right after start() then
   * neither skips on every participant nor runs on two.
   */
  async waitForDecision(opts: { timeoutMs?: number } = {}): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      if (opts.timeoutMs !== undefined) timer = setTimeout(resolve, opts.timeoutMs);
    });
    try {
      await Promise.race([this.firstDecision, timedOut]);
    } finally {
      clearTimeout(timer);
    }
    return this.isLeader;
  }

  /** The leader's id (its node data) and node, or null when there is none. */
  async getLeader(): Promise<{ id: string; node: string } | null> {
    const { children } = await withRetry(() => this.client.getChildren(this.path), recipeRetry());
    for (const node of contenders(children, ['latch'])) {
      try {
        const { data } = await this.client.getData(`${this.path}/${node}`);
        return { id: data?.toString('utf8') ?? '', node };
      } catch (err) {
        if (!isZkError(err, 'NONODE')) throw err;
      }
    }
    return null;
  }

  async participants(): Promise<string[]> {
    const { children } = await withRetry(() => this.client.getChildren(this.path), recipeRetry());
    return contenders(children, ['latch']);
  }

  /** Leaves the election (deletes our node); leadership, if held, is aborted first. Idempotent. */
  async close(): Promise<void> {
    if (this.stop.signal.aborted) return;
    this.stop.abort(new Error('latch closed'));
    this.becomeFollower();
    this.decided();
    await this.running?.catch(() => {});
    if (this.own) await deleteQuietly(this.client, this.own.path).catch(() => {});
    this.own = undefined;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async run(): Promise<void> {
    const signal = this.stop.signal;
    while (!signal.aborted) {
      try {
        if (this.own === undefined) {
          if ((await this.client.waitFor([...liveStates, 'closed'], { signal })) === 'closed') return;
          this.own = await protectedCreate(this.client, this.path, 'latch', this.id, signal);
        }
        const { children } = await withRetry(() => this.client.getChildren(this.path, { signal }), recipeRetry(), { signal });
        const d = lockDecision(children, this.own.name, ['latch']);
        if (d.kind === 'missing') {
          this.own = undefined;
        } else if (d.kind === 'watch') {
          this.decided();
          await waitForChange(this.client, this.path, d, this.stats, signal);
        } else {
          await this.lead(signal);
        }
      } catch (err) {
        if (signal.aborted) return;
        this.becomeFollower();
        if (isZkError(err, 'SESSIONEXPIRED')) this.own = undefined;
        await this.client.waitFor([...liveStates, 'closed'], { signal }).catch(() => {});
        if (this.client.state === 'closed') return;
        await new Promise((r) => setTimeout(r, retryPauseMs));
      }
    }
  }

  /** Leads until leadership may be lost, then waits to learn whether the session survived. */
  private async lead(signal: AbortSignal): Promise<void> {
    const own = this.own!;
    const loss = lossSignal(this.client, `leadership ${this.path}`, own.path);
    if (!loss.signal.aborted) {
      this.stats.acquisitions++;
      this.leadershipController = new AbortController();
      this.emit('leader', this.leadershipController.signal);
      this.decided();
      await new Promise<void>((resolve) => {
        const done = () => resolve();
        if (loss.signal.aborted || signal.aborted) return done();
        loss.signal.addEventListener('abort', done, { once: true });
        signal.addEventListener('abort', done, { once: true });
      });
      this.becomeFollower(loss.signal.reason);
    }
    loss.dispose();
    if (signal.aborted) return;
    const s = await this.client.waitFor([...liveStates, 'lost', 'closed'], { signal });
    if (s === 'closed') return this.stop.abort(new Error('client closed'));
    if (s === 'lost' || s === 'connected') this.own = undefined;
    else if ((await this.client.exists(own.path, { signal })) === null) this.own = undefined;
  }

  private becomeFollower(reason: unknown = new Error('leadership given up')): void {
    if (!this.isLeader) return;
    this.leadershipController.abort(reason);
    this.emit('follower');
  }
}

function abortedController(): AbortController {
  const ac = new AbortController();
  ac.abort(new Error('not leader'));
  return ac;
}

/** Callback-style election over a fair mutex. */
export class LeaderSelector {
  private readonly mutex: Mutex;
  private readonly stop = new AbortController();
  private running: Promise<void> | null = null;
  /** Times takeLeadership was entered. */
  leaderships = 0;

  constructor(
    private readonly client: RecipeClient,
    readonly path: string,
    private readonly takeLeadership: (leadership: AbortSignal) => Promise<void>,
    private readonly opts: { autoRequeue?: boolean; onError?: (err: unknown) => void } = {},
  ) {
    this.mutex = new Mutex(client, path);
  }

  get stats(): ContentionStats {
    return this.mutex.stats;
  }

  start(): void {
    if (!this.running) this.running = this.run();
  }

  private async run(): Promise<void> {
    const signal = this.stop.signal;
    do {
      try {
        const lock = await this.mutex.acquire({ signal });
        const leadership = AbortSignal.any([lock.lost, signal]);
        try {
          this.leaderships++;
          if (!leadership.aborted) await this.takeLeadership(leadership);
        } finally {
          await lock.release().catch(() => {});
        }
      } catch (err) {
        if (signal.aborted) return;
        this.opts.onError?.(err);
        await this.client.waitFor([...liveStates, 'closed'], { signal }).catch(() => {});
        if (this.client.state === 'closed') return;
        await new Promise((r) => setTimeout(r, retryPauseMs));
      }
    } while (this.opts.autoRequeue !== false && !signal.aborted);
  }

  /** Stops taking part; a running takeLeadership sees its signal abort. */
  async close(): Promise<void> {
    this.stop.abort(new Error('selector closed'));
    await this.running?.catch(() => {});
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

export { leaderOf };
