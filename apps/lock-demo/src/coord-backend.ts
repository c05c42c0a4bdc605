import { createClient, type ZkClient } from '@coord/client';
import { Mutex } from '@coord/recipes';
import type { LockBackend, WorkerLock } from './backend';
import { HerdLock } from './herd-lock';

export const lockDirDefault = '/locks/lock-demo';

/** Our lock: every worker has its own session, as separate processes would. */
export function coordBackend(connectString: string, opts: { lockDir?: string; sessionTimeoutMs?: number; herd?: boolean } = {}): LockBackend {
  const clients: ZkClient[] = [];
  const dir = opts.lockDir ?? lockDirDefault;
  return {
    description: opts.herd
      ? `naive lock watching all children (herd effect, for comparison) on the coordination service at ${connectString} (${dir})`
      : `fair mutex (@coord/recipes) on the coordination service at ${connectString} (${dir})`,
    wakeUpLabel: 'watch wake-ups',
    queued: true,
    async worker(): Promise<WorkerLock> {
      const zk = createClient(connectString, { sessionTimeoutMs: opts.sessionTimeoutMs ?? 10_000 });
      clients.push(zk);
      await zk.connect({ timeoutMs: 10_000 });
      if (opts.herd) {
        const herd = new HerdLock(zk, dir);
        return { acquire: () => herd.acquire(), wakeUps: () => herd.wakeUps, close: () => zk.close() };
      }
      const mutex = new Mutex(zk, dir);
      return {
        acquire: () => mutex.acquire(),
        wakeUps: () => mutex.stats.wakeups,
        close: () => zk.close(),
      };
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}
