import { connect } from 'node:net';

/** Sends a four-letter word and returns everything the server writes before it closes the connection. */
export function fourLetterWord(host: string, port: number, word: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host, port }, () => socket.write(word));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`four-letter word ${word} to ${host}:${port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/**
 * Polls until the server serves requests: `ruok` answers `imok` as soon as the port is open, but `srvr`
 * shows a `Mode:` line only once the server has loaded its data and accepts sessions.
 */
export async function waitForServing(host: string, port: number, deadlineMs = 20000): Promise<void> {
  const until = Date.now() + deadlineMs;
  let lastError: unknown;
  while (Date.now() < until) {
    try {
      if (/^Mode: /m.test(await fourLetterWord(host, port, 'srvr', 1000))) return;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server at ${host}:${port} was not serving (srvr) within ${deadlineMs} ms: ${String(lastError)}`);
}
