import { startNode } from '@coord/node';

/** The embedded node's tick (ms): short, so that the pause scenario's session expiry takes about a second. */
export const embeddedTickTimeMs = 250;

/** A coordination node inside this process, on 127.0.0.1 (port 0 = free), in memory. */
export async function startEmbeddedNode(port = 0): Promise<{ connectString: string; close(): Promise<void> }> {
  const node = await startNode({
    host: '127.0.0.1',
    port,
    tickTime: embeddedTickTimeMs,
    minSessionTimeout: 2 * embeddedTickTimeMs,
    maxSessionTimeout: 20 * embeddedTickTimeMs,
    logLevel: 'error',
  } as Parameters<typeof startNode>[0]);
  return { connectString: `${node.host}:${node.port}`, close: () => node.close() };
}
