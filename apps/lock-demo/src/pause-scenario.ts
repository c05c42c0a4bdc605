import { createClient, type ZkClient } from '@coord/client';
import { Mutex } from '@coord/recipes';
import { FencedStore } from './fenced-store';
import { PausableProxy } from './pausable-proxy';
import { connectRedis, releaseSetLock, trySetLock, type RedisLike } from './redis-backend';

/** The Redis lock's lease in this scenario (ms): short, so that a pause outlives it. */
export const pauseLeaseMs = 500;
/** How much longer than the session timeout (or lease) the holder stays paused (ms). */
export const pauseMarginMs = 1_500;
const pollMs = 10;

export type Side = 'redis' | 'coord';
export interface ScenarioEvent {
  atMs: number;
  side: Side;
  text: string;
}

export interface PauseOutcome {
  redis: { holdersAtOnce: number; staleWriteAccepted: boolean; finalValue: string | null };
  coord: { tokenA: number; tokenB: number; staleWriteAccepted: boolean; rejection: string | undefined; finalValue: string | null; aSessionLost: boolean };
  pauseMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Worker A takes the lock, then freezes (a GC pause, a stopped VM) for longer than its lease/session;
 * worker B takes over; A wakes up still believing it holds the lock and writes. Run on both locks at
 * once. Redis: two holders at once and the stale write lands. Ours: A's session expires, B gets a higher
 * fencing token, and the store refuses A's write.
 */
export async function runPauseScenario(
  opts: { connectString: string; redisUrl?: string; sessionTimeoutMs?: number; onEvent?: (e: ScenarioEvent) => void },
): Promise<PauseOutcome> {
  const t0 = Date.now();
  const emit = (side: Side, text: string) => opts.onEvent?.({ atMs: Date.now() - t0, side, text });

  // Our side first connects, so that the pause can be sized from the negotiated session timeout.
  const [host, port] = splitHostPort(opts.connectString);
  const proxy = new PausableProxy(host, port);
  const viaProxy = await proxy.listen();
  const zkA = createClient(viaProxy, { sessionTimeoutMs: opts.sessionTimeoutMs ?? 1_000 });
  const zkB = createClient(opts.connectString, { sessionTimeoutMs: opts.sessionTimeoutMs ?? 1_000 });
  const redisA = connectRedis(opts.redisUrl);
  const redisB = connectRedis(opts.redisUrl);
  try {
    await Promise.all([zkA.connect({ timeoutMs: 10_000 }), zkB.connect({ timeoutMs: 10_000 })]);
    const pauseMs = Math.max(zkA.sessionTimeoutMs, pauseLeaseMs) + pauseMarginMs;
    emit('redis', `lease ${pauseLeaseMs} ms; A will pause ${pauseMs} ms`);
    emit('coord', `session timeout ${zkA.sessionTimeoutMs} ms; A will pause ${pauseMs} ms`);
    const [redis, coord] = await Promise.all([redisSide(redisA, redisB, pauseMs, emit), coordSide(zkA, zkB, proxy, pauseMs, emit)]);
    return { redis, coord, pauseMs };
  } finally {
    proxy.resume();
    await Promise.all([zkA.close(), zkB.close()]);
    await proxy.close();
    await Promise.all([redisA.quit().catch(() => undefined), redisB.quit().catch(() => undefined)]);
  }
}

async function redisSide(a: RedisLike, b: RedisLike, pauseMs: number, emit: (s: Side, t: string) => void): Promise<PauseOutcome['redis']> {
  const key = `lock-demo:pause:${process.pid}:${Date.now()}`;
  const storageKey = `${key}:storage`;
  let holders = 0;
  let holdersAtOnce = 0;
  const tokenA = await trySetLock(a, key, pauseLeaseMs);
  if (!tokenA) throw new Error('A could not take the fresh Redis lock');
  holders++;
  emit('redis', 'A acquires the lock (SET NX PX)');
  const bSide = (async () => {
    let tokenB: string | null = null;
    while (!(tokenB = await trySetLock(b, key, 60_000))) await sleep(pollMs);
    holders++;
    holdersAtOnce = Math.max(holdersAtOnce, holders);
    emit('redis', `lease expired; B acquires -> ${holders} HOLDERS AT ONCE`);
    await b.set(storageKey, 'written by B');
    emit('redis', 'B writes the storage');
    await sleep(pauseMs); // B is still in its critical section when A wakes up.
    holders--;
    await releaseSetLock(b, key, tokenB);
  })();
  emit('redis', 'A has the lock; pauses (GC) before its write');
  await sleep(pauseMs);
  emit('redis', 'A wakes up and writes: nothing tells it the lease is gone');
  await a.set(storageKey, 'written by A (stale)');
  const finalValue = await a.get(storageKey);
  emit('redis', `stale write ACCEPTED: storage = "${finalValue}"`);
  holders--;
  await releaseSetLock(a, key, tokenA);
  await bSide;
  return { holdersAtOnce, staleWriteAccepted: finalValue === 'written by A (stale)', finalValue };
}

async function coordSide(
  zkA: ZkClient,
  zkB: ZkClient,
  proxy: PausableProxy,
  pauseMs: number,
  emit: (s: Side, t: string) => void,
): Promise<PauseOutcome['coord']> {
  const dir = `/locks/lock-demo-pause-${process.pid}-${Date.now()}`;
  const store = new FencedStore();
  let aSessionLost = false;
  // A is frozen: whatever its client noticed meanwhile, A's code only sees it after waking up.
  zkA.on('state', (s) => {
    if (s === 'lost') aSessionLost = true;
  });
  const lockA = await new Mutex(zkA, dir).acquire();
  emit('coord', `A acquires the lock (fencing token ${lockA.fencingToken})`);
  let tokenB = -1;
  const bSide = (async () => {
    const lockB = await new Mutex(zkB, dir).acquire();
    tokenB = lockB.fencingToken;
    emit('coord', `A's session expired, its node is gone; B acquires (token ${tokenB})`);
    const w = store.write(tokenB, 'written by B');
    emit('coord', `B writes with token ${tokenB}: ${w.accepted ? 'accepted' : 'rejected'}`);
    await sleep(pauseMs);
    await lockB.release();
  })();
  emit('coord', `A checks its lock handle (held), then pauses (GC) before its write`);
  proxy.pause();
  await sleep(pauseMs);
  proxy.resume();
  emit('coord', wakeUpText(aSessionLost || lockA.lost.aborted, lockA.fencingToken));
  const stale = store.write(lockA.fencingToken, 'written by A (stale)');
  emit('coord', stale.accepted ? 'stale write ACCEPTED' : `stale write REJECTED (${stale.reason}); storage = "${store.value}"`);
  await bSide;
  await lockA.release().catch(() => undefined);
  return { tokenA: lockA.fencingToken, tokenB, staleWriteAccepted: stale.accepted, rejection: stale.reason, finalValue: store.value, aSessionLost };
}

/**
 * What A does on waking, said from what its handle shows at that moment: A checked the lock before the
 * pause, so it goes on with its write either way; whether the handle already says lost is reported, not assumed.
 */
export function wakeUpText(handleSaysLost: boolean, token: number): string {
  return handleSaysLost
    ? `A wakes up and finishes the write it started, with token ${token}; its handle says lost by now, but A checked before the pause`
    : `A wakes up and writes with token ${token}; its handle does not say lost yet`;
}

function splitHostPort(connectString: string): [string, number] {
  const first = connectString.split('/')[0].split(',')[0];
  const i = first.lastIndexOf(':');
  return [first.slice(0, i).replace(/^\[|\]$/g, ''), Number(first.slice(i + 1))];
}

const columnWidth = 58;

/** One event as a timeline row: time, then the Redis column or the ZooKeeper-style lock's column. */
export function formatEvent(e: ScenarioEvent): string {
  const time = `${(e.atMs / 1000).toFixed(2).padStart(6)} s`;
  return e.side === 'redis' ? `${time} | ${e.text.padEnd(columnWidth)} |` : `${time} | ${''.padEnd(columnWidth)} | ${e.text}`;
}

export function scenarioHeader(): string[] {
  return [`${'time'.padStart(8)} | ${'Redis SET NX PX lock (no fencing)'.padEnd(columnWidth)} | ZooKeeper-style lock (@coord/recipes) + fencing token`, '-'.repeat(8 + 3 + columnWidth + 3 + 40)];
}
