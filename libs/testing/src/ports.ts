import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A free TCP port on a loopback address, for a server a test starts next. It is picked at random below
 * the kernel's ephemeral range (ip_local_port_range), so an outgoing connection elsewhere on the machine
 * cannot take it between this check and the server's bind, as it could a port the kernel handed out;
 * the kernel's own pick (listen on port 0) is the fallback.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const ephemeralLow = ephemeralRangeLow();
  if (ephemeralLow > pickedPortMin + 1000) {
    for (let attempt = 0; attempt < pickAttemptsMax; attempt++) {
      const port = pickedPortMin + Math.floor(Math.random() * (ephemeralLow - pickedPortMin));
      if ((await tryListen(port, host)) === port) return port;
    }
  }
  return tryListen(0, host).then((port) => {
    if (port === null) throw new Error(`no free port on ${host}`);
    return port;
  });
}

const pickedPortMin = 20000;
const pickAttemptsMax = 50;

function ephemeralRangeLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) ? low : 0;
  } catch {
    return 0;
  }
}

/** Listens on `port` (0: any) and closes again: the port it got, or null when that port is taken. */
function tryListen(port: number, host: string): Promise<number | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(null));
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      const got = typeof address === 'object' && address ? address.port : null;
      server.close(() => resolve(got));
    });
  });
}

/** A fresh temporary directory; `remove()` deletes it and everything under it. */
export async function tempDir(prefix = 'coordinode-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
