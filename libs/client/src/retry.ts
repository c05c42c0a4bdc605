import { ZkError } from './errors';

/**
 * A retry policy decides, for the n-th retry (0-based), how long to wait, or that it is time to give up (null).
 * Policies are pure: the random source for jitter is injected.
 */
export interface RetryPolicy {
  delayMs(retry: number): number | null;
}

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  maxRetries?: number;
  /** Full jitter: wait a random fraction of the computed delay (default false). */
  jitter?: boolean;
  random?: () => number;
}

export const backoffBaseMsDefault = 100;
export const backoffMaxMsDefault = 5000;
export const backoffMaxRetriesDefault = 10;

/** delay = min(maxMs, baseMs * 2^retry), optionally scaled by a random factor in [0.5, 1). */
export function exponentialBackoff(opts: BackoffOptions = {}): RetryPolicy {
  const baseMs = opts.baseMs ?? backoffBaseMsDefault;
  const maxMs = opts.maxMs ?? backoffMaxMsDefault;
  const maxRetries = opts.maxRetries ?? backoffMaxRetriesDefault;
  const random = opts.random ?? Math.random;
  return {
    delayMs(retry) {
      if (retry >= maxRetries) return null;
      const d = Math.min(maxMs, baseMs * 2 ** Math.min(retry, 30));
      return opts.jitter ? Math.floor(d * (0.5 + random() / 2)) : d;
    },
  };
}

/** The same delay each time, at most maxRetries times. */
export function fixedDelay(delayMs: number, maxRetries: number): RetryPolicy {
  return { delayMs: (retry) => (retry >= maxRetries ? null : delayMs) };
}

export function isRetryable(err: unknown): boolean {
  return err instanceof ZkError && err.retryable;
}

/**
 * Runs `fn`, retrying only when it fails with a retryable ZkError (CONNECTIONLOSS, OPERATIONTIMEOUT),
 * waiting as the policy says. Any other error, or the policy giving up, rejects with the last error.
 * The optional signal aborts the waits between attempts.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy = exponentialBackoff(),
  opts: { signal?: AbortSignal; onRetry?: (err: ZkError, retry: number, delayMs: number) => void } = {},
): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await fn(retry);
    } catch (err) {
      if (!isRetryable(err)) throw err;
      const delay = policy.delayMs(retry);
      if (delay === null) throw err;
      opts.onRetry?.(err as ZkError, retry, delay);
      await sleep(delay, opts.signal);
    }
  }
}

/** setTimeout as a promise that rejects with the signal's reason when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
