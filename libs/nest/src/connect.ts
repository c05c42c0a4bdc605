import type { ZkClient } from '@coord/client';

/** Pause between connection attempts while the coordination service is unreachable (ms). */
export const reconnectPauseMs = 1_000;
export const connectTimeoutMsDefault = 2_000;

export interface ConnectReporter {
  /** Called once, when the first attempt fails. */
  unreachable(message: string): void;
  /** Called when a session is finally established after failures. */
  recovered?(message: string): void;
}

/** The one-line hint printed when nothing answers at `connectString`. */
export function unreachableMessage(connectString: string): string {
  // The port of the first address, so the hint starts a node where the app is looking.
  const first = connectString.split('/')[0].split(',')[0];
  const port = /:(\d+)$/.exec(first)?.[1] ?? '2181';
  return (
    `cannot reach the coordination service at ${connectString}; still retrying. ` +
    `Start one with: npx nx run coord-node:serve --args=--port=${port} (or npx coordinode --port=${port}; or pass --connect / set COORD_CONNECT to a ZooKeeper connect string)`
  );
}

/**
 * Connects, retrying forever until `signal` aborts. The failure is reported once (not per attempt) and
 * without a stack trace: an absent server is an expected condition when people start things in any order.
 */
export async function connectWithRetry(
  zk: ZkClient,
  connectString: string,
  reporter: ConnectReporter,
  opts: { signal?: AbortSignal; attemptTimeoutMs?: number } = {},
): Promise<void> {
  let failures = 0;
  for (;;) {
    opts.signal?.throwIfAborted();
    try {
      await zk.connect({ timeoutMs: opts.attemptTimeoutMs ?? connectTimeoutMsDefault, signal: opts.signal });
      if (failures > 0) reporter.recovered?.(`connected to the coordination service at ${zk.connectedHost ?? connectString}`);
      return;
    } catch (err) {
      if (opts.signal?.aborted || zk.state === 'closed') throw err;
      if (failures++ === 0) reporter.unreachable(unreachableMessage(connectString));
      await new Promise((r) => setTimeout(r, reconnectPauseMs));
    }
  }
}
