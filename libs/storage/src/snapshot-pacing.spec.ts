// A paced snapshot waits so that its bytes take at least 1/rate seconds each, counted on the pacing
// clock from the start of the walk; an unpaced one never waits. The file is the same either way.
import * as fs from 'node:fs';
import { pacedLogBytesMax, writeSnapshot, type Pacing } from './snapshot-writer';
import { tempDir, treeFromTxns } from './testing/dirs';
import { createTxns } from './testing/txns';

/** A clock that moves only when the writer waits (plus `workMs` per reading, as if encoding took time). */
function fakePacing(workMs: number): Pacing & { waits: number[]; clock: number } {
  const p = {
    waits: [] as number[],
    clock: 0,
    now: () => (p.clock += workMs),
    wait: (ms: number) => {
      p.waits.push(ms);
      p.clock += ms;
      return Promise.resolve();
    },
  };
  return p;
}

describe('snapshot pacing', () => {
  const tree = treeFromTxns(createTxns(5000)); // ~0.6 MB of records: about ten 64 KiB writes
  const job = (dir: string, extra: object) => ({ dir, tree, startZxid: tree.lastProcessedZxid, sessions: [], takenAt: 0, forceSync: false, waitDurable: () => Promise.resolve(), ...extra });

  it('waits until the bytes written took their share of the rate, and writes the same file as an unpaced walk', async () => {
    const rate = 1_000_000; // bytes per second: 1 ms per KB
    const paced = fakePacing(0.5);
    const a = await writeSnapshot(job(tempDir('paced-'), { bytesPerSecondMax: rate, pacing: paced }));
    const free = fakePacing(0.5);
    const b = await writeSnapshot(job(tempDir('unpaced-'), { bytesPerSecondMax: 0, pacing: free }));
    expect(free.waits).toEqual([]);
    expect(fs.readFileSync(a.file)).toEqual(fs.readFileSync(b.file));
    // Every 64 KiB write but the last is paced; waited time plus the clock's own steps cover those bytes.
    expect(paced.waits.length).toBeGreaterThanOrEqual(8);
    for (const w of paced.waits) expect(w).toBeGreaterThanOrEqual(1);
    const pacedBytes = a.bytes - 64 * 1024; // the final write (under 64 KiB plus the footer) is not waited for
    expect(paced.clock).toBeGreaterThanOrEqual((pacedBytes / rate) * 1000);
    // ...and no more: each wait ends exactly on the bytes' share (one clock step of slack).
    expect(paced.clock).toBeLessThanOrEqual((a.bytes / rate) * 1000 + 0.5);
  });

  it('does not wait when the walk is already slower than the rate', async () => {
    const slow = fakePacing(1000); // each clock reading: a second of work
    await writeSnapshot(job(tempDir('slow-'), { bytesPerSecondMax: 1_000_000, pacing: slow }));
    expect(slow.waits).toEqual([]);
  });

  it('waits only while the server is busy, and an idle stretch leaves neither credit nor debt', async () => {
    const idle = fakePacing(0.5);
    await writeSnapshot(job(tempDir('idle-'), { bytesPerSecondMax: 1_000_000, pacing: idle, lastWriteAt: () => -Infinity }));
    expect(idle.waits).toEqual([]);
    // Busy for the first half of the writes, idle for a while, busy again.
    const mixed = fakePacing(0.5);
    // The server's clock (writeSnapshot's second argument) is read once per pacing check: a write logged
    // "now" for the first four checks, none for the next two, then again.
    let calls = 0;
    const serverClock = () => ++calls * 1000;
    const lastWriteAt = () => (calls <= 4 || calls > 6 ? calls * 1000 : -Infinity);
    const res = await writeSnapshot(job(tempDir('mixed-'), { bytesPerSecondMax: 1_000_000, pacing: mixed, lastWriteAt }), serverClock);
    const always = fakePacing(0.5);
    await writeSnapshot(job(tempDir('always-'), { bytesPerSecondMax: 1_000_000, pacing: always }));
    expect(mixed.waits.length).toBeGreaterThan(0);
    expect(mixed.waits.length).toBeLessThan(always.waits.length);
    // Two idle writes of 64 KiB were not waited for: the clock ends ~2 x 65.5 ms short of the always-paced one.
    expect(always.clock - mixed.clock).toBeGreaterThan(2 * 60);
    expect(res.bytes).toBeGreaterThan(0);
  });

  it('stops waiting once the log has grown by pacedLogBytesMax during the snapshot', async () => {
    const flooded = fakePacing(0.5);
    let logged = 1_000;
    let checks = 0;
    // The log grows by a quarter of the bound per pacing check: paced for the first four checks.
    const loggedBytes = () => (checks++ === 0 ? logged : (logged += pacedLogBytesMax / 4));
    await writeSnapshot(job(tempDir('flooded-'), { bytesPerSecondMax: 1_000_000, pacing: flooded, loggedBytes }));
    expect(flooded.waits.length).toBe(3);
    const calm = fakePacing(0.5);
    await writeSnapshot(job(tempDir('calm-'), { bytesPerSecondMax: 1_000_000, pacing: calm, loggedBytes: () => 1_000 }));
    expect(calm.waits.length).toBeGreaterThan(3);
  });
});
