import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import RedisMock from 'ioredis-mock';
import type { LockBackend, WorkerLock } from './backend';

/** The lease of the Redis lock in the contention run: far longer than any hold, so it never expires there. */
export const contentionLeaseMs = 10_000;
/** Pause between SET NX attempts while the lock is taken (Redis has no watch to wait on). */
export const pollMsDefault = 2;

/** Deletes the key only if it still holds our token: the safe release from the Redis docs' lock pattern. */
const releaseScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export type RedisLike = Pick<Redis, 'set' | 'get' | 'eval' | 'del' | 'quit'>;

/** A new connection: a real Redis at `url`, or an in-process ioredis-mock (instances share one data set). */
export function connectRedis(url?: string): RedisLike {
  if (!url) return new RedisMock() as unknown as RedisLike;
  const redis = new Redis(url, { maxRetriesPerRequest: 2, connectTimeout: redisConnectTimeoutMs });
  // Without a listener ioredis prints every reconnect error with a stack; checkRedis reports it once.
  redis.on('error', () => undefined);
  return redis;
}

/** How long a real Redis may take to answer the first PING (ms). */
export const redisConnectTimeoutMs = 3_000;

/** Fails with one readable line when the Redis at `url` does not answer. */
export async function checkRedis(url: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 0, connectTimeout: redisConnectTimeoutMs, retryStrategy: () => null, lazyConnect: true });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`cannot reach Redis at ${url} (${(err as Error).message}); start one (e.g. redis-server) or drop --redis-url to use the in-process ioredis-mock`);
  } finally {
    redis.disconnect();
  }
}

/** SET key token NX PX lease; returns the token when acquired. */
export async function trySetLock(redis: RedisLike, key: string, leaseMs: number): Promise<string | null> {
  const token = randomUUID();
  const ok = await redis.set(key, token, 'PX', leaseMs, 'NX');
  return ok === 'OK' ? token : null;
}

export async function releaseSetLock(redis: RedisLike, key: string, token: string): Promise<boolean> {
  return (await redis.eval(releaseScript, 1, key, token)) === 1;
}

export function redisBackend(opts: { url?: string; key?: string; leaseMs?: number; pollMs?: number } = {}): LockBackend {
  const key = opts.key ?? `lock-demo:${randomUUID()}`;
  const conns: RedisLike[] = [];
  return {
    description: `Redis SET NX PX lock on ${opts.url ?? 'in-process ioredis-mock'} (key ${key}, lease ${opts.leaseMs ?? contentionLeaseMs} ms, poll ${opts.pollMs ?? pollMsDefault} ms)`,
    wakeUpLabel: 'polls (no watches)',
    queued: false,
    async worker(): Promise<WorkerLock> {
      const redis = connectRedis(opts.url);
      conns.push(redis);
      let polls = 0;
      return {
        async acquire() {
          for (;;) {
            const token = await trySetLock(redis, key, opts.leaseMs ?? contentionLeaseMs);
            if (token) return { release: async () => void (await releaseSetLock(redis, key, token)) };
            polls++;
            await new Promise((r) => setTimeout(r, opts.pollMs ?? pollMsDefault));
          }
        },
        wakeUps: () => polls,
        close: async () => undefined,
      };
    },
    async close() {
      await Promise.all(conns.map((c) => c.quit().catch(() => undefined)));
    },
  };
}
