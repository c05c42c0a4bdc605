import type { Stat } from '@coord/protocol';
import type { ZkClient } from './client';
import { isZkError } from './errors';
import type { WatchedEvent } from './types';

export interface ChildrenSnapshot {
  /** [] when the node does not exist (then stat is null). */
  children: string[];
  stat: Stat | null;
}

export interface DataSnapshot {
  data: Buffer | null;
  /** null when the node does not exist. */
  stat: Stat | null;
}

/**
 * A one-shot "something changed" signal for one read. It fires on the watch's event, on session
 * expiry (watches are gone, re-read with the new session) and ends the iteration on close.
 */
class ChangeSignal {
  readonly promise: Promise<'changed' | 'closed'>;
  private resolveFn!: (v: 'changed' | 'closed') => void;
  readonly watcher = (e: WatchedEvent) => {
    if (e.type !== 'None') this.resolveFn('changed');
    else if (e.state === 'Expired') this.resolveFn('changed');
    else if (e.state === 'Closed') this.resolveFn('closed');
  };
  constructor() {
    this.promise = new Promise((r) => (this.resolveFn = r));
  }
}

/** Waits for `next` unless the signal aborts or the client closes first. */
async function until<T>(client: ZkClient, next: Promise<T>, signal: AbortSignal | undefined): Promise<T | 'stop'> {
  if (signal?.aborted || client.state === 'closed') return 'stop';
  let onAbort: (() => void) | undefined;
  let onState: ((s: string) => void) | undefined;
  const stop = new Promise<'stop'>((resolve) => {
    onAbort = () => resolve('stop');
    onState = (s: string) => {
      if (s === 'closed') resolve('stop');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    client.on('state', onState);
  });
  try {
    return await Promise.race([next, stop]);
  } finally {
    signal?.removeEventListener('abort', onAbort!);
    client.off('state', onState!);
  }
}

/**
 * Reads with a watch, yields, waits for the watch, repeats. Connection loss and session expiry are
 * retried once the client is connected again, so the iteration survives both.
 */
async function* watchLoop<T>(
  client: ZkClient,
  signal: AbortSignal | undefined,
  read: (change: ChangeSignal) => Promise<T | 'retry'>,
): AsyncGenerator<T> {
  for (;;) {
    const change = new ChangeSignal();
    let value: T | 'retry' | 'stop';
    try {
      value = await until(client, read(change), signal);
    } catch (err) {
      if (!isZkError(err) || !(err.retryable || err.code === 'SESSIONEXPIRED')) throw err;
      if (client.state === 'closed') return;
      const s = await until(client, client.waitFor(['connected', 'reconnected', 'read-only', 'closed']), signal);
      if (s === 'stop' || s === 'closed') return;
      continue;
    }
    if (value === 'stop') return;
    if (value === 'retry') continue;
    yield value;
    const next = await until(client, change.promise, signal);
    if (next === 'stop' || next === 'closed') return;
  }
}

export function watchChildren(client: ZkClient, path: string, signal?: AbortSignal): AsyncIterableIterator<ChildrenSnapshot> {
  return watchLoop<ChildrenSnapshot>(client, signal, async (change) => {
    try {
      const { children, stat } = await client.getChildren(path, { watch: change.watcher, signal });
      return { children, stat };
    } catch (err) {
      if (!isZkError(err, 'NONODE')) throw err;
      // Missing: watch for its creation instead. If it appeared in between, read again.
      const stat = await client.exists(path, { watch: change.watcher, signal });
      return stat === null ? { children: [], stat: null } : 'retry';
    }
  });
}

export function watchData(client: ZkClient, path: string, signal?: AbortSignal): AsyncIterableIterator<DataSnapshot> {
  return watchLoop<DataSnapshot>(client, signal, async (change) => {
    try {
      return await client.getData(path, { watch: change.watcher, signal });
    } catch (err) {
      if (!isZkError(err, 'NONODE')) throw err;
      const stat = await client.exists(path, { watch: change.watcher, signal });
      return stat === null ? { data: null, stat: null } : 'retry';
    }
  });
}
