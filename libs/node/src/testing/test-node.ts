/**
 * Test helper (not exported): an in-process coordination node on a free loopback port with short
 * session timeouts so that expiry tests take about a second.
 */
import { startNode } from '../node';

export const testTickTimeMs = 250;

export async function startTestNode(): Promise<{ connectString: string; close(): Promise<void> }> {
  const node = await startNode({
    host: '127.0.0.1',
    port: 0,
    tickTime: testTickTimeMs,
    minSessionTimeout: 2 * testTickTimeMs,
    maxSessionTimeout: 20 * testTickTimeMs,
    logLevel: 'error',
  } as Parameters<typeof startNode>[0]);
  return { connectString: `${node.host}:${node.port}`, close: () => node.close() };
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5_000, stepMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
