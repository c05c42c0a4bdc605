/** Test-only helpers shared by the client and recipe suites. */
import { createClient, type ZkClient } from '../client';
import type { ClientOptions, WatchedEvent } from '../types';

/** Creates clients and closes every one of them at the end of a test. */
export class ClientPool {
  private readonly clients: ZkClient[] = [];

  async connect(connectString: string, opts: ClientOptions = {}): Promise<ZkClient> {
    const zk = createClient(connectString, { sessionTimeoutMs: 4000, ...opts });
    this.clients.push(zk);
    await zk.connect({ timeoutMs: 10_000 });
    return zk;
  }

  track(zk: ZkClient): ZkClient {
    this.clients.push(zk);
    return zk;
  }

  async closeAll(): Promise<void> {
    const all = this.clients.splice(0);
    await Promise.all(all.map((c) => c.close()));
  }
}

/** Collects watch events; `next()` waits for the next unseen one. */
export class EventLog {
  readonly events: WatchedEvent[] = [];
  private readers = 0;
  private waiters: (() => void)[] = [];
  readonly watcher = (e: WatchedEvent) => {
    this.events.push(e);
    for (const w of this.waiters.splice(0)) w();
  };

  async next(timeoutMs = 5000): Promise<WatchedEvent> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length <= this.readers) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event within ${timeoutMs} ms (have ${JSON.stringify(this.events)})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.events[this.readers++];
  }
}

/** Records a client's state changes. */
export function recordStates(zk: ZkClient): string[] {
  const states: string[] = [];
  zk.on('state', (s) => states.push(s));
  return states;
}

export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
