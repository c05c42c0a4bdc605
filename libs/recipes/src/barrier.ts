/**
 * Barriers. Barrier: one process sets it (creates the node), others wait until it is removed.
 * DoubleBarrier: `memberQty` processes enter together (each waits until all are present) and leave
 * together (each waits until all have left).
 */
import { isZkError, withRetry, type WatchedEvent } from '@coord/client';
import { barrierReady } from './decisions';
import { deadlineSignal, ensurePath, recipeRetry, AcquireTimeoutError, type RecipeClient } from './contend';

export interface WaitOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Resolves when `watcher`-style one-shot watch fires; rejects on abort. */
function nextEvent(signal: AbortSignal): { watcher: (e: WatchedEvent) => void; fired: Promise<void> } {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const fired = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const onAbort = () => reject(signal.reason);
  if (signal.aborted) onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  return {
    watcher: (e) => {
      if (e.type !== 'None' || e.state === 'Expired' || e.state === 'Closed') {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }
    },
    fired,
  };
}

async function withDeadline<T>(what: string, opts: WaitOptions, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const d = deadlineSignal(opts.signal, opts.timeoutMs);
  try {
    return await fn(d.signal);
  } catch (err) {
    if (d.timedOut()) throw new AcquireTimeoutError(what, opts.timeoutMs!);
    throw err;
  } finally {
    d.dispose();
  }
}

export class Barrier {
  constructor(
    private readonly client: RecipeClient,
    readonly path: string,
  ) {}

  async setBarrier(): Promise<void> {
    const parent = this.path.slice(0, this.path.lastIndexOf('/')) || '/';
    await ensurePath(this.client, parent);
    try {
      await withRetry(() => this.client.create(this.path), recipeRetry());
    } catch (err) {
      if (!isZkError(err, 'NODEEXISTS')) throw err;
    }
  }

  async removeBarrier(): Promise<void> {
    try {
      await withRetry(() => this.client.delete(this.path), recipeRetry());
    } catch (err) {
      if (!isZkError(err, 'NONODE')) throw err;
    }
  }

  /** Resolves once the barrier node does not exist. */
  waitOnBarrier(opts: WaitOptions = {}): Promise<void> {
    return withDeadline(`barrier ${this.path}`, opts, async (signal) => {
      for (;;) {
        const ev = nextEvent(signal);
        const stat = await withRetry(() => this.client.exists(this.path, { watch: ev.watcher, signal }), recipeRetry(), { signal });
        if (stat === null) return;
        await ev.fired;
      }
    });
  }
}

const readyNode = 'ready';

export class DoubleBarrier {
  readonly id: string;

  constructor(
    private readonly client: RecipeClient,
    readonly path: string,
    readonly memberQty: number,
    opts: { id?: string } = {},
  ) {
    this.id = opts.id ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  }

  private members(children: string[]): string[] {
    return children.filter((c) => c !== readyNode);
  }

  /** Joins; resolves when memberQty members have joined. */
  enter(opts: WaitOptions = {}): Promise<void> {
    return withDeadline(`double barrier ${this.path} (enter)`, opts, async (signal) => {
      await ensurePath(this.client, this.path, signal);
      try {
        await withRetry(() => this.client.create(`${this.path}/${this.id}`, null, { mode: 'ephemeral', signal }), recipeRetry(), { signal });
      } catch (err) {
        if (!isZkError(err, 'NODEEXISTS')) throw err;
      }
      for (;;) {
        const ev = nextEvent(signal);
        // Watch 'ready' first so that its creation cannot slip between the read and the watch.
        const ready = await this.client.exists(`${this.path}/${readyNode}`, { watch: ev.watcher, signal });
        if (ready !== null) return;
        const { children } = await this.client.getChildren(this.path, { signal });
        if (barrierReady(this.members(children), this.memberQty)) {
          try {
            await this.client.create(`${this.path}/${readyNode}`, null, { signal });
          } catch (err) {
            if (!isZkError(err, 'NODEEXISTS')) throw err;
          }
          return;
        }
        await ev.fired;
      }
    });
  }

  /** Leaves; resolves when every member has left. The last one out removes the ready marker. */
  leave(opts: WaitOptions = {}): Promise<void> {
    return withDeadline(`double barrier ${this.path} (leave)`, opts, async (signal) => {
      try {
        await withRetry(() => this.client.delete(`${this.path}/${this.id}`), recipeRetry(), { signal });
      } catch (err) {
        if (!isZkError(err, 'NONODE')) throw err;
      }
      for (;;) {
        const ev = nextEvent(signal);
        const { children } = await this.client.getChildren(this.path, { watch: ev.watcher, signal });
        if (this.members(children).length === 0) {
          await this.client.delete(`${this.path}/${readyNode}`).catch(() => {});
          return;
        }
        await ev.fired;
      }
    });
  }
}
