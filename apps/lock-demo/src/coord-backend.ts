import { createClient, type ZkClient } from '@coord/client';
import { ZkLock } from '@coord/nest';
import type { LockBackend, WorkerLock } from './backend';

export const lockDirDefault = '/locks/lock-demo';

/** Our lock: every worker has its own session, as separate processes would. */
export function coordBackend(connectString: string, opts: { lockDir?: string; sessionTimeoutMs?: number } = {}): LockBackend {
  const clients: ZkClient[] = [];
  const dir = opts.lockDir ?? lockDirDefault;
  return {
    description: `coordinode lock recipe at ${connectString} (${dir})`,
    wakeUpLabel: 'watch wake-ups',
    queued: true,
    async worker(): Promise<WorkerLock> {
      const zk = createClient(connectString, { sessionTimeoutMs: opts.sessionTimeoutMs ?? 10_000 });
      clients.push(zk);
      await zk.connect({ timeoutMs: 10_000 });
      const lock = new ZkLock(zk, dir);
      return {
        async acquire() {
          const handle = await lock.acquire();
          if (!handle) throw new Error('lock acquisition gave up unexpectedly');
          return handle;
        },
        wakeUps: () => lock.stats.wakeUps,
        close: () => zk.close(),
      };
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}
