import { randomUUID } from 'node:crypto';
import { isZkError, type ZkClient } from '@coord/client';
import { deleteQuietly, ensurePath } from './paths';
import { queueDecision } from './queue-decision';

/** A held lock. `fencingToken` is the czxid of the lock node: it grows with every acquisition. */
export interface LockHandle {
  path: string;
  fencingToken: number;
  release(): Promise<void>;
}

export interface AcquireOptions {
  /** Give up after this long and return null (undefined = wait until acquired). 0 = try once. */
  waitMs?: number;
  signal?: AbortSignal;
}

/** Counters a demo or a metrics endpoint can read. */
export interface LockStats {
  acquisitions: number;
  /** Watch events that woke this client up while it waited. One per acquisition means no herd effect. */
  wakeUps: number;
}

const lockPrefix = 'lock-';

/**
 * The ZooKeeper lock recipe: an ephemeral sequential child under `dir`; the lowest one holds the lock,
 * every other waiter watches its predecessor only. A session loss deletes the node, so a crashed holder
 * never blocks the others for longer than its session timeout.
 */
export class ZkLock {
  readonly stats: LockStats = { acquisitions: 0, wakeUps: 0 };

  constructor(
    private readonly zk: ZkClient,
    readonly dir: string,
  ) {}

  async acquire(opts: AcquireOptions = {}): Promise<LockHandle | null> {
    await ensurePath(this.zk, this.dir);
    const deadline = opts.waitMs === undefined ? Infinity : Date.now() + opts.waitMs;
    const { path, czxid } = await this.createOwnNode();
    const me = path.slice(this.dir.length + 1);
    try {
      for (;;) {
        opts.signal?.throwIfAborted();
        const { children } = await this.zk.getChildren(this.dir);
        const decision = queueDecision(children, me);
        if (decision.kind === 'missing') throw new Error(`lock node ${path} vanished (session expired?)`);
        if (decision.kind === 'first') {
          this.stats.acquisitions++;
          return { path, fencingToken: czxid, release: () => deleteQuietly(this.zk, path) };
        }
        const woke = await this.waitForDeletion(`${this.dir}/${decision.predecessor}`, deadline, opts.signal);
        if (woke === 'timeout') {
          await deleteQuietly(this.zk, path);
          return null;
        }
      }
    } catch (err) {
      await deleteQuietly(this.zk, path).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Creates the queue node. A connection loss may hide a create that succeeded, so the name carries a
   * unique id and a retry first looks for it (the "protected" create).
   */
  private async createOwnNode(): Promise<{ path: string; czxid: number }> {
    const id = randomUUID();
    for (let attempt = 0; ; attempt++) {
      try {
        const { path, stat } = await this.zk.create(`${this.dir}/${lockPrefix}${id}-`, null, { mode: 'ephemeral-sequential' });
        return { path, czxid: stat.czxid };
      } catch (err) {
        if (!(isZkError(err) && err.retryable) || attempt >= 3) throw err;
        await this.zk.waitFor(['connected', 'reconnected'], { timeoutMs: this.zk.sessionTimeoutMs });
        const { children } = await this.zk.getChildren(this.dir);
        const mine = children.find((c) => c.includes(id));
        if (mine) {
          const { stat } = await this.zk.getData(`${this.dir}/${mine}`);
          return { path: `${this.dir}/${mine}`, czxid: stat.czxid };
        }
      }
    }
  }

  private waitForDeletion(path: string, deadline: number, signal?: AbortSignal): Promise<'deleted' | 'timeout'> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (outcome: 'deleted' | 'timeout' | Error) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const onAbort = () => finish(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      if (deadline !== Infinity) timer = setTimeout(() => finish('timeout'), Math.max(0, deadline - Date.now()));
      this.zk
        .exists(path, {
          watch: (event) => {
            if (event.type !== 'None') this.stats.wakeUps++;
            finish('deleted');
          },
        })
        .then((stat) => {
          // Gone before the watch was set: no event will come, look again right away.
          if (stat === null) finish('deleted');
        })
        .catch((err: unknown) => finish(err instanceof Error ? err : new Error(String(err))));
    });
  }
}
