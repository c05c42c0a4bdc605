/**
 * Test-only: one process of the multi-process lock test. Usage (through swc-node):
 *   lock-worker.ts <connectString> <lockPath> <counterPath> <holderPath> <rounds>
 * Each round: acquire the mutex, create the ephemeral holder node (NODEEXISTS means another process is
 * inside too: an overlap), increment the counter with a versioned setData, delete the holder, release.
 * Prints one JSON line: { overlaps, acquisitions, waits, wakeups }.
 */
import { createClient, isZkError } from '@coord/client';
import { Mutex } from '../index';

async function main(): Promise<void> {
  const [connectString, lockPath, counterPath, holderPath, roundsText] = process.argv.slice(2);
  const zk = createClient(connectString, { sessionTimeoutMs: 10_000 });
  await zk.connect({ timeoutMs: 10_000 });
  const mutex = new Mutex(zk, lockPath);
  let overlaps = 0;
  for (let i = 0; i < Number(roundsText); i++) {
    const lock = await mutex.acquire({ timeoutMs: 30_000 });
    try {
      try {
        await zk.create(holderPath, String(process.pid), { mode: 'ephemeral' });
      } catch (err) {
        if (!isZkError(err, 'NODEEXISTS')) throw err;
        overlaps++;
      }
      const { data, stat } = await zk.getData(counterPath);
      await zk.setData(counterPath, String(Number(data!.toString()) + 1), { version: stat.version });
      await zk.delete(holderPath).catch(() => {});
    } finally {
      await lock.release();
    }
  }
  process.stdout.write(JSON.stringify({ overlaps, ...mutex.stats }) + '\n');
  await zk.close();
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exit(1);
});
